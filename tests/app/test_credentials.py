"""Revocations and reissues (issue 10 item 4, spec election-record-v2 §5.3): two people of
different persons sign each act, the act is a `credential` entry of the vote's log, and the key
in effect changes only with it. The attack: revoke or reissue an owner's credential with no
second person and no trace in the record."""

from datetime import timedelta
from unittest import mock

import pytest
from sqlalchemy import select

from tests.elections_kit import NOW, approve_act, group_member, open_vote, request_act, roster_voter_ids
from tests.factories import login, resident_id, small_roster
from voting.auth.models import Role
from voting.ballots.models import LogEntry
from voting.ballots.operations import BallotRefused
from voting.core import record_v2, signing
from voting.core.canonical import format_time
from voting.credentials.models import CredentialRequest
from voting.credentials.operations import CredentialRefused, approve_request, prepare_request, withdraw_request
from voting.elections.models import ElectionVoter
from voting.elections.operations import create_election, export_record
from voting.extensions import db

pytestmark = pytest.mark.usefixtures("english")  # the refusals are matched in English

ZHAO_UNIT = "1幢-2-101"  # 赵六, roster voter v00003


@pytest.fixture
def vote_with_group(app, factory):
    """An open vote whose preparation group has two members, two persons, with keys."""
    estate = factory.estate(roster=small_roster())
    first, second = group_member(factory, estate), group_member(factory, estate)
    vote = open_vote(estate, officers=(first.officer, second.officer))
    return vote, first, second


def zhao(vote) -> str:
    return roster_voter_ids(vote.election)["v00003"]


def key_in_effect(vote, voter_code: str) -> str | None:
    return db.session.scalar(
        select(ElectionVoter.public_key).where(
            ElectionVoter.election_id == vote.election.id, ElectionVoter.voter_code == voter_code
        )
    )


def log_kinds(vote) -> list[str]:
    return list(
        db.session.scalars(select(LogEntry.kind).where(LogEntry.election_id == vote.election.id).order_by(LogEntry.seq))
    )


def test_one_person_cannot_approve_their_own_request_not_even_from_a_second_account(app, factory):
    estate = factory.estate(roster=small_roster())
    member = group_member(factory, estate, id_number=resident_id(700, "19700101"))
    same_person = group_member(factory, estate, id_number=resident_id(700, "19700101"))
    vote = open_vote(estate, officers=(member.officer, same_person.officer))
    request, _seed = request_act(vote.election, member, ZHAO_UNIT, "revoke")
    for approver in (member, same_person):
        with pytest.raises(CredentialRefused, match="Another person must approve"):
            approve_act(vote.election, request, approver)
        db.session.rollback()
    assert key_in_effect(vote, zhao(vote)) is not None and log_kinds(vote) == []


def test_the_operator_holds_no_key_and_cannot_request(app, factory, vote_with_group):
    vote, _first, _second = vote_with_group
    operator = factory.staff(Role.PLATFORM_ADMIN)
    with pytest.raises(CredentialRefused, match="registered a key"):
        prepare_request(operator, vote.election, ZHAO_UNIT, "revoke", "lost", "https://vote.test", now=NOW)


def test_a_second_signature_on_another_body_is_refused(app, vote_with_group):
    vote, first, second = vote_with_group
    request, _seed = request_act(vote.election, first, ZHAO_UNIT, "revoke")
    forged = second.sign({**request.body(), "reason": "other"})
    with pytest.raises(CredentialRefused, match="bad signature"):
        approve_request(second.staff, vote.election, request.id, second.officer_id(vote.election), forged, now=NOW)
    db.session.rollback()
    assert log_kinds(vote) == []


def test_an_approved_revocation_is_in_the_record_and_the_revoked_key_no_longer_votes(app, vote_with_group):
    vote, first, second = vote_with_group
    voter = zhao(vote)
    request, _seed = request_act(vote.election, first, ZHAO_UNIT, "revoke", reason="compromised")
    assert key_in_effect(vote, voter) is not None  # one signature changes nothing
    approve_act(vote.election, request, second)
    assert key_in_effect(vote, voter) is None and request.status == "approved" and request.log_seq == 0

    with pytest.raises(BallotRefused, match="revoked"):
        vote.cast(voter, {"m1": "yes"})
    db.session.rollback()
    vote.count()
    record = export_record(vote.election)
    [entry] = [e for e in record["log"] if e["kind"] == "credential"]
    assert entry["body"] == {
        "election_hash": vote.election.election_hash,
        "voter_id": voter,
        "action": "revoke",
        "public_key": None,
        "reason": "compromised",
    }
    assert [s["signer"] for s in entry["signatures"]] == [
        first.officer_id(vote.election),
        second.officer_id(vote.election),
    ]
    assert record_v2.verify(record)["counted"] == 0

    # A ballot signed with the revoked key, slipped into the record after the revocation: L12.
    ballot = vote.ballot(voter, {"m1": "yes"})
    signature = signing.sign(signing.private_key_from_seed(vote.secrets[voter]), "ballot", ballot, record_v2.VERSION)
    record["log"].append(
        record_v2.entry(
            len(record["log"]),
            format_time(NOW + timedelta(hours=1)),
            "ballot",
            ballot,
            [{"signer": voter, "signature": signature}],
        )
    )
    with pytest.raises(record_v2.RecordInvalid, match="no credential key in effect") as fault:
        record_v2.verify(record)
    assert fault.value.check == "L12"


def test_a_reissued_key_votes_and_the_old_one_does_not(app, vote_with_group):
    vote, first, second = vote_with_group
    voter = zhao(vote)
    vote.cast(sorted(set(vote.secrets) - {voter})[0], {"m1": "yes"})
    request, new_seed = request_act(vote.election, first, ZHAO_UNIT, "reissue", reason="lost")
    assert request.public_key == signing.public_key_b64(signing.private_key_from_seed(new_seed))
    with pytest.raises(BallotRefused):  # not in effect before another person approves
        vote.cast(voter, {"m1": "yes"}, seed=new_seed)
    db.session.rollback()
    approve_act(vote.election, request, second)
    assert key_in_effect(vote, voter) == request.public_key

    with pytest.raises(BallotRefused, match="bad signature"):
        vote.cast(voter, {"m1": "yes"})
    db.session.rollback()
    vote.cast(voter, {"m1": "yes"}, seed=new_seed)
    assert log_kinds(vote) == ["ballot", "credential", "ballot"]
    vote.count()
    verified = record_v2.verify(export_record(vote.election))
    assert verified["counted"] == 2


def test_a_withdrawn_request_takes_no_effect(app, vote_with_group):
    vote, first, second = vote_with_group
    request, _seed = request_act(vote.election, first, ZHAO_UNIT, "reissue")
    withdraw_request(second.staff, vote.election, request.id)
    db.session.commit()
    with pytest.raises(CredentialRefused, match="does not await approval"):
        approve_act(vote.election, request, second)
    db.session.rollback()
    assert key_in_effect(vote, zhao(vote)) != request.public_key and log_kinds(vote) == []


def test_a_request_never_signed_by_its_requester_can_be_withdrawn(app, vote_with_group):
    """Prepared, its replacement notice printed, then thought better of before signing: withdrawn
    like any other, kept unsigned, and it can no longer be signed."""
    vote, first, second = vote_with_group
    with mock.patch("voting.credentials.operations.replacement_notice", lambda *_args: b"%PDF-"):
        request = prepare_request(
            first.staff, vote.election, ZHAO_UNIT, "reissue", "lost", "https://vote.test", now=NOW
        ).request
    db.session.commit()
    withdraw_request(second.staff, vote.election, request.id)
    db.session.commit()
    db.session.expire_all()
    withdrawn = db.session.get(CredentialRequest, request.id)
    assert (withdrawn.status, withdrawn.requester_signature) == ("withdrawn", None)
    with pytest.raises(CredentialRefused, match="signed by its requester already|decided already"):
        withdrawn.sign("a" * 88)
    assert log_kinds(vote) == []


def test_a_decided_request_is_neither_withdrawn_nor_approved_again(app, vote_with_group):
    vote, first, second = vote_with_group
    approved, _seed = request_act(vote.election, first, ZHAO_UNIT, "revoke", reason="compromised")
    approve_act(vote.election, approved, second)
    withdrawn, _seed = request_act(vote.election, first, "1幢-1-101", "reissue")
    withdraw_request(second.staff, vote.election, withdrawn.id)
    db.session.commit()
    for request in (approved, withdrawn):
        with pytest.raises(CredentialRefused, match="This request is decided already."):
            withdraw_request(second.staff, vote.election, request.id)
        db.session.rollback()
        with pytest.raises(CredentialRefused, match="does not await approval"):
            approve_act(vote.election, request, second)
        db.session.rollback()
    assert db.session.execute(
        select(CredentialRequest.id, CredentialRequest.status).order_by(CredentialRequest.id)
    ).all() == [(approved.id, "approved"), (withdrawn.id, "withdrawn")]
    assert log_kinds(vote) == ["credential"]


def test_no_credential_act_after_the_close(app, vote_with_group):
    vote, first, second = vote_with_group
    request, _seed = request_act(vote.election, first, ZHAO_UNIT, "revoke")
    with pytest.raises(CredentialRefused, match="closed"):
        approve_act(vote.election, request, second, now=vote.election.closes_at + timedelta(seconds=1))
    db.session.rollback()
    with pytest.raises(CredentialRefused, match="only while the vote is open"):
        prepare_request(
            first.staff,
            vote.election,
            "1幢-1-101",
            "revoke",
            "lost",
            "https://vote.test",
            now=vote.election.closes_at + timedelta(seconds=1),
        )


def test_only_the_estates_group_registers_a_group_key(app, factory):
    estate = factory.estate(roster=small_roster())
    outsider = group_member(factory, factory.estate())
    with pytest.raises(Exception, match="preparation group"):
        open_vote(estate, officers=(outsider.officer,))


def test_a_group_member_registers_their_browser_key_on_the_draft_vote(app, factory):
    estate = factory.estate(roster=small_roster())
    election = create_election("test", estate, "业主大会表决", NOW, NOW + timedelta(days=7))
    db.session.commit()
    member = factory.staff(Role.PREP_GROUP, estate)
    client = login(app.test_client(), member)
    url = f"/estates/{estate.code}/elections/{election.id}/credentials/key"
    assert 'data-clerk-action="register"' in client.get(url).get_data(as_text=True)
    _seed, public_key = signing.generate_keypair()
    registered = client.post("/api" + url, json={"public_key": public_key})
    assert registered.status_code == 201 and registered.json["role"] == "preparation_group"
    assert 'data-clerk-action="register"' not in client.get(url).get_data(as_text=True)
