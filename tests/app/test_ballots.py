"""Casting into the log: checks, re-vote policies, receipts, the frozen definition."""

import json
from datetime import timedelta

import pytest
from flask_babel import gettext as _
from sqlalchemy import func, select

from tests.elections_kit import NOW, open_vote
from tests.factories import small_roster
from voting.ballots.models import LogEntry
from voting.ballots.operations import BallotRefused, cast_online, check_receipt
from voting.core import checkpoint, merkle, record_v2, signing
from voting.core.canonical import b64d
from voting.elections.models import Election
from voting.elections.operations import (
    ElectionError,
    add_motion,
    close_election,
    export_record,
    open_election,
    tally_election,
)
from voting.extensions import db

pytestmark = pytest.mark.usefixtures("english")  # the reasons asserted are English

YES = {"m1": "yes", "m2": "yes", "m3": ["c3-1"]}


def log_size(election) -> int:
    return db.session.scalar(select(func.count()).select_from(LogEntry).where(LogEntry.election_id == election.id))


def test_receipt_proves_inclusion_under_a_signed_checkpoint(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()))
    voters = sorted(vote.secrets)
    receipts = [vote.cast(v, YES, now=NOW + timedelta(minutes=i)) for i, v in enumerate(voters)]
    for receipt in receipts:
        head = receipt.checkpoint
        text = checkpoint.text(vote.election.election_hash, head["size"], b64d(head["root"]))
        assert signing.verify_message(b64d(vote.election.public_key), text, head["signature"])
        assert merkle.verify_inclusion(
            b64d(receipt.entry_hash),
            receipt.seq,
            head["size"],
            [b64d(p) for p in receipt.inclusion_proof],
            b64d(head["root"]),
        )
    # An early receipt still checks against the log as it grew.
    assert check_receipt(vote.election, receipts[0].as_json(vote.election)) == {
        "receipt": "valid",
        "seq": 0,
        "published": False,
        "log_size": 4,
        "status": "pending",
        "replaced_by": None,
        "ballot": {"seq": 0, "channel": "online", "cast_at": receipts[0].logged_at},
    }
    forged = receipts[0].as_json(vote.election) | {"entry_hash": receipts[1].entry_hash}
    with pytest.raises(BallotRefused, match=r"\[P3\]|not in its checkpoint"):
        check_receipt(vote.election, forged)


def test_revote_first_refuses_the_second_ballot(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), revote="first")
    voter = sorted(vote.secrets)[0]
    vote.cast(voter, YES)
    with pytest.raises(BallotRefused, match="first ballot"):
        vote.cast(voter, {"m1": "no"})
    db.session.rollback()
    assert log_size(vote.election) == 1


def test_revote_last_counts_the_last(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), revote="last")
    voter = sorted(vote.secrets)[0]
    vote.cast(voter, {"m1": "yes"})
    vote.cast(voter, {"m1": "no"}, now=NOW + timedelta(hours=1))
    tally = vote.count()
    assert tally["counted"] == 1
    assert tally["motions"][0]["no"]["heads"] == 1 and tally["motions"][0]["yes"]["heads"] == 0
    assert record_v2.verify(export_record(vote.election)) == tally


@pytest.mark.parametrize(
    "fault",
    [
        "other voter's signature",
        "tampered choices",
        "unknown motion",
        "too many candidates",
        "short nonce",
        "wrong election",
    ],
)
def test_bad_ballots_are_refused_and_nothing_is_written(app, factory, fault):
    vote = open_vote(factory.estate(roster=small_roster()))
    first, second = sorted(vote.secrets)[:2]
    ballot, signature = vote.signed(first, YES)
    if fault == "other voter's signature":
        _other, signature = vote.signed(second, YES)
        ballot = dict(ballot)
    elif fault == "tampered choices":
        ballot = ballot | {"choices": {"m1": "no"}}
    else:
        changes = {
            "unknown motion": {"choices": {"m9": "yes"}},
            "too many candidates": {"choices": {"m3": ["c3-1", "c3-2", "c3-3"]}},
            "short nonce": {"nonce": "AAAA"},
            "wrong election": {"election_hash": "A" * 43},
        }[fault]
        ballot = ballot | changes
        signature = signing.sign(
            signing.private_key_from_seed(vote.secrets[first]), "ballot", ballot, record_v2.VERSION
        )
    with pytest.raises(BallotRefused):
        cast_online(vote.election, ballot, signature, now=NOW)
    db.session.rollback()
    assert log_size(vote.election) == 0 and vote.election.log_size == 0


def test_ballots_outside_the_period_are_refused(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()))
    voter = sorted(vote.secrets)[0]
    for moment, message in (
        (vote.election.opens_at - timedelta(seconds=1), "not started"),
        (vote.election.closes_at + timedelta(seconds=1), "closed"),
    ):
        with pytest.raises(BallotRefused, match=message):
            vote.cast(voter, YES, now=moment)
        db.session.rollback()


def test_opening_freezes_the_definition(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()))
    with pytest.raises(ElectionError) as refused:
        add_motion("test", vote.election, 9, "late motion")
    assert str(refused.value) == _("This vote is %(state)s; that is not possible now.", state=_("Open"))
    definition = json.loads(vote.election.definition_json)
    assert record_v2.election_hash(definition) == vote.election.election_hash
    assert definition["roll_hash"] == record_v2.roll_hash(json.loads(vote.election.roll_json))


def test_each_step_of_a_vote_is_refused_out_of_its_state(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()))
    election = vote.election
    is_open = _("This vote is %(state)s; that is not possible now.", state=_("Open"))
    for step in (
        lambda: open_election("test", election, "a long enough passphrase"),
        lambda: tally_election("test", election),
    ):
        with pytest.raises(ElectionError) as refused:
            step()
        assert str(refused.value) == is_open
    with pytest.raises(ElectionError, match="The voting period runs until"):
        close_election("test", election, now=NOW)
    close_election("test", election, now=election.closes_at)
    with pytest.raises(ElectionError) as refused:
        close_election("test", election, now=election.closes_at)
    assert str(refused.value) == _("This vote is %(state)s; that is not possible now.", state=_("Closed"))
    db.session.flush()
    assert db.session.scalar(select(Election.state).where(Election.id == election.id)) == "closed"


def test_the_frozen_documents_are_parsed_once_per_object(app, factory):
    election = open_vote(factory.estate(roster=small_roster())).election
    assert election.definition is election.definition and election.roll is election.roll
    assert election.definition == json.loads(election.definition_json)
    assert election.tally is None
    first = election.definition
    db.session.expire(election)  # read again from the database: parsed again, from the new text
    assert election.definition is not first and election.definition == first


def test_the_server_cannot_sign_a_ballot_with_what_it_stores(app, factory):
    """After the notices are made the server holds public keys only: none of its stored keys
    or secrets (other than the tree-head key) derives a voter's credential key."""
    from voting.elections.models import ElectionVoter, NoticeBatch

    vote = open_vote(factory.estate(roster=small_roster()))
    batch = db.session.scalar(select(NoticeBatch).where(NoticeBatch.election_id == vote.election.id))
    batch.secrets_enc = None  # what rendering the notices does (tested with the notices)
    db.session.commit()
    public_keys = set(db.session.scalars(select(ElectionVoter.public_key)))
    from voting.ballots.log import election_key

    server_key = signing.public_key_b64(election_key(vote.election))
    assert server_key not in public_keys
    assert all(signing.public_key_b64(signing.private_key_from_seed(s)) in public_keys for s in vote.secrets.values())


def test_a_plain_motion_on_item_3_is_a_question_and_no_item_outside_1_to_9_is_taken(app, factory):
    """Replacing a committee member is a yes/no question on item 3; electing a committee needs
    a vetted candidate list, which a plain motion never has."""
    from voting.elections.operations import create_election

    election = create_election("test", factory.estate(roster=small_roster()), "表决", NOW, NOW + timedelta(days=1))
    motion = add_motion("test", election, 3, "罢免业主委员会委员张三")
    assert (motion.item, motion.kind, motion.seats, motion.candidates) == (3, "ordinary", None, [])
    for item in (0, 10, "8", None):
        with pytest.raises(ElectionError, match="items 1–9"):
            add_motion("test", election, item, "选举业主委员会")
    assert len(election.motions) == 1
