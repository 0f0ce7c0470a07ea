"""Fifty phones casting for the same voter at once: the log stays gap-free and the re-vote
policy decides, not the race. Real concurrency needs PostgreSQL's row locks; on SQLite the
immediate transactions serialise the same code path."""

import threading

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.elections_kit import NOW, open_vote
from tests.factories import small_roster
from voting.ballots.models import LogEntry
from voting.ballots.operations import BallotRefused, cast_online
from voting.core import record
from voting.elections.models import Election
from voting.elections.operations import close_election, export_record, reissue_credential, tally_election
from voting.extensions import db

CASTERS = 50


def cast_concurrently(app, vote, voter: str) -> tuple[list[int], list[str]]:
    ballots = [vote.signed(voter, {"m1": "yes" if i % 2 else "no"}) for i in range(CASTERS)]
    start = threading.Barrier(CASTERS)
    accepted, refused, lock = [], [], threading.Lock()

    def phone(ballot, signature):
        with app.app_context(), force_locale("en"):
            start.wait()  # all at once; each then takes a pooled connection as one frees up
            try:
                receipt = cast_online(db.session.get(Election, vote.election.id), ballot, signature, now=NOW)
                db.session.commit()
                outcome, value = accepted, receipt.seq
            except BallotRefused as refusal:
                db.session.rollback()
                outcome, value = refused, str(refusal)
            finally:
                db.session.remove()
            with lock:
                outcome.append(value)

    threads = [threading.Thread(target=phone, args=pair) for pair in ballots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return accepted, refused


@pytest.fixture
def vote_on(app, factory, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent casting is tested on PostgreSQL (set TEST_DATABASE_URL)")
    return lambda revote: open_vote(factory.estate(roster=small_roster()), revote=revote)


def test_fifty_concurrent_ballots_under_revote_first(app, vote_on):
    vote = vote_on("first")
    voter = sorted(vote.secrets)[0]
    accepted, refused = cast_concurrently(app, vote, voter)
    assert accepted == [0]
    assert len(refused) == CASTERS - 1 and all("first ballot" in r for r in refused)
    assert db.session.scalars(select(LogEntry.seq).where(LogEntry.election_id == vote.election.id)).all() == [0]


def test_fifty_concurrent_ballots_under_revote_last(app, vote_on):
    vote = vote_on("last")
    voter = sorted(vote.secrets)[0]
    accepted, refused = cast_concurrently(app, vote, voter)
    assert refused == [] and sorted(accepted) == list(range(CASTERS))
    seqs = db.session.scalars(select(LogEntry.seq).where(LogEntry.election_id == vote.election.id)
                              .order_by(LogEntry.seq)).all()
    assert seqs == list(range(CASTERS))
    db.session.expire_all()
    assert db.session.get(Election, vote.election.id).log_size == CASTERS


def test_a_reissue_racing_the_first_ballot_never_breaks_the_record(app, vote_on):
    """Issue 10: reissuing a notice while the first ballot was appended re-froze the roll under
    the ballot, and the record could never verify again. Now both take the election's lock."""
    for _round in range(5):
        vote = vote_on("last")
        caster, lost = sorted(vote.secrets)[:2]
        ballot, signature = vote.signed(caster, {"m1": "yes"})
        start = threading.Barrier(2)
        outcomes = []

        def phone():
            with app.app_context(), force_locale("en"):
                start.wait()
                try:
                    cast_online(db.session.get(Election, vote.election.id), ballot, signature, now=NOW)
                    db.session.commit()
                    outcomes.append("cast")
                except BallotRefused as refusal:  # the roll changed under the phone's page
                    db.session.rollback()
                    outcomes.append(str(refusal))
                finally:
                    db.session.remove()

        def desk():
            with app.app_context():
                start.wait()
                reissue_credential("test", db.session.get(Election, vote.election.id), lost)
                db.session.commit()
                db.session.remove()

        threads = [threading.Thread(target=phone), threading.Thread(target=desk)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes == ["cast"] or "another election" in outcomes[0], outcomes
        election = db.session.get(Election, vote.election.id)
        db.session.refresh(election)
        close_election("test", election, now=election.closes_at)
        tally_election("test", election)
        db.session.commit()
        assert record.verify(export_record(election))["counted"] == (1 if outcomes == ["cast"] else 0)
