"""Fifty phones casting for the same voter at once: the log stays gap-free and the re-vote
policy decides, not the race. Real concurrency needs PostgreSQL's row locks; on SQLite the
immediate transactions serialise the same code path."""

import threading

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.conftest import postgresql_only
from tests.elections_kit import NOW, approve_act, group_member, open_vote, request_act
from tests.factories import small_roster
from voting.ballots.models import LogEntry
from voting.ballots.operations import BallotRefused, cast_online
from voting.core import record_v2
from voting.elections.models import Election
from voting.elections.operations import export_record
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
    postgresql_only(database_url)
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
    seqs = db.session.scalars(
        select(LogEntry.seq).where(LogEntry.election_id == vote.election.id).order_by(LogEntry.seq)
    ).all()
    assert seqs == list(range(CASTERS))
    db.session.expire_all()
    assert db.session.get(Election, vote.election.id).log_size == CASTERS


def test_a_revocation_racing_a_ballot_of_its_voter_is_serialised(app, factory, database_url):
    """Issue 10: a credential act and a ballot of the same voter both take the election's row
    lock: the ballot lands wholly before the revocation (and counts) or after it (and is refused),
    never signed by a key that the log says was revoked before it."""
    postgresql_only(database_url)
    for _round in range(5):
        race_a_revocation_against_a_ballot(app, factory)


def race_a_revocation_against_a_ballot(app, factory) -> None:
    estate = factory.estate(roster=small_roster())
    group = (group_member(factory, estate), group_member(factory, estate))
    vote = open_vote(estate, officers=[member.officer for member in group])
    voter = vote.ids["v00003"]
    request, _seed = request_act(vote.election, group[0], "1幢-2-101", "revoke")
    ballot, signature = vote.signed(voter, {"m1": "yes"})
    start = threading.Barrier(2)
    cast = []

    def phone():
        with app.app_context(), force_locale("en"):
            start.wait()
            try:
                cast_online(db.session.get(Election, vote.election.id), ballot, signature, now=NOW)
                db.session.commit()
                cast.append(True)
            except BallotRefused as refusal:
                db.session.rollback()
                assert "revoked" in str(refusal)
                cast.append(False)
            finally:
                db.session.remove()

    def approver():
        with app.app_context():
            start.wait()
            try:
                approve_act(
                    db.session.get(Election, vote.election.id), db.session.get(type(request), request.id), group[1]
                )
            finally:
                db.session.remove()

    threads = [threading.Thread(target=phone), threading.Thread(target=approver)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    kinds = list(
        db.session.scalars(select(LogEntry.kind).where(LogEntry.election_id == vote.election.id).order_by(LogEntry.seq))
    )
    assert kinds == (["ballot", "credential"] if cast == [True] else ["credential"])
    vote.count()
    assert record_v2.verify(export_record(vote.election))["counted"] == (1 if cast == [True] else 0)
