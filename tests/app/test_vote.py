"""Owners voting from their phones: the ballot page and its JSON API, with real Ed25519 keys.

The secrets come from the notice batch, exactly as the printed notices will carry them.
"""

import html
import json
import os
import re
from datetime import datetime, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from tests.elections_kit import (
    PHONE_MOTIONS,
    approve_act,
    count_vote,
    group_member,
    open_vote,
    request_act,
    roster_voter_ids,
)
from tests.factories import resident_id, small_roster
from voting.ballots.log import log_entries
from voting.ballots.models import LogEntry
from voting.core import checkpoint, merkle, record_v2, rules, signing
from voting.core.canonical import b64d, b64e
from voting.elections.models import THRESHOLD_NAMES, item_label
from voting.elections.operations import (
    close_election,
    create_election,
)
from voting.extensions import db
from voting.templating import format_datetime
from voting.timeutil import utcnow
from voting.vote.operations import POSSESSION_PREFIX, VoteRefused, issue_challenge, open_session

pytestmark = pytest.mark.usefixtures("english")  # the reasons asserted are English

# small_roster's voters: v00001 张三+李四 (89.56 m²), v00002 王五 (two flats), v00003 赵六
# (ID ending 004X), v00004 the developer's unsold shop (no ID number).
ZHANG_LI, WANG, ZHAO, DEVELOPER = "v00001", "v00002", "v00003", "v00004"


def voter_id(election, roster_code: str) -> str:
    """This vote's random voter id of the voter with this roster code."""
    return roster_voter_ids(election)[roster_code]


def key_of(seed: bytes):
    return signing.private_key_from_seed(seed)


def public_key(seed: bytes) -> str:
    return signing.public_key_b64(key_of(seed))


def challenge(client, election) -> str:
    response = client.post(f"/api/v/{election.public_id}/challenge")
    assert response.status_code == 200, response.json
    return response.json["challenge"]


def prove(seed: bytes, token: str) -> str:
    return b64e(key_of(seed).sign(POSSESSION_PREFIX + token.encode()))


def sign_in(client, election, seed: bytes, **extra):
    token = challenge(client, election)
    body = {"public_key": public_key(seed), "challenge": token, "signature": prove(seed, token), **extra}
    return client.post(f"/api/v/{election.public_id}/session", json=body)


CHOICES = {"m1": "yes", "m2": "no", "m3": ["c3-1", "c3-3"]}


def ballot_of(election, voter: str, choices: dict | None = None) -> dict:
    """An online ballot of the voter with this roster code."""
    return {
        "election_hash": election.election_hash,
        "voter_id": voter_id(election, voter),
        "channel": "online",
        "nonce": b64e(os.urandom(16)),
        "choices": CHOICES if choices is None else choices,
    }


def cast(client, election, seed: bytes, ballot: dict, **extra):
    body = {"ballot": ballot, "signature": signing.sign(key_of(seed), "ballot", ballot, record_v2.VERSION), **extra}
    return client.post(f"/api/v/{election.public_id}/ballot", json=body)


def log_size(election) -> int:
    return db.session.scalar(select(func.count()).select_from(LogEntry).where(LogEntry.election_id == election.id))


def page_data(response) -> dict:
    found = re.search(r'<script type="application/json" id="vote-data">(.*?)</script>', response.get_data(as_text=True))
    return json.loads(found.group(1)) if found else None


# --- the ballot page ---------------------------------------------------------------------------


def test_ballot_page_carries_the_frozen_definition(app, factory):
    election = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS).election
    response = app.test_client().get(f"/v/{election.public_id}")
    assert response.status_code == 200
    data = page_data(response)
    assert data["election"] == json.loads(election.definition_json)
    assert data["election_hash"] == election.election_hash
    assert [m["motion_id"] for m in data["election"]["motions"]] == ["m1", "m2", "m3"]
    page = response.get_data(as_text=True)
    assert "选举第一届业主委员会" in page and 'value="c3-2"' in page
    # Each motion says which matter of art. 278 it decides and what share must agree.
    assert [m["item"] for m in data["election"]["motions"]] == [2, 7, 3]
    for item, threshold in ((2, "ordinary"), (7, "major")):
        assert str(THRESHOLD_NAMES[threshold]) in page
        assert f'<span class="motion-item">{escape(item_label(item))}</span>' in page
    assert "Item 7 of Civil Code art. 278: Rebuilding or reconstructing the buildings" in page
    # CSP: scripts only from static files, JSON data only in non-executed script elements.
    assert set(re.findall(r"<script[^>]*>", page)) == {
        '<script src="/static/text_size.js">',
        '<script src="/static/vote_check.js" defer>',
        '<script type="module" src="/static/vote.js">',
        '<script type="application/json" id="vote-data">',
        '<script type="application/json" id="vote-text">',
    }
    assert "style=" not in page and " onclick" not in page


def test_unknown_election_is_404(app):
    client = app.test_client()
    assert client.get("/v/NO-SUCH-1").status_code == 404
    assert client.post("/api/v/NO-SUCH-1/challenge").status_code == 404
    assert client.get("/v/NO-SUCH-1/receipt").status_code == 404


def test_page_says_plainly_when_voting_is_not_open(app, factory):
    client = app.test_client()
    later = datetime.fromisoformat("2031-03-01T00:30:00+00:00")
    future = open_vote(
        factory.estate(roster=small_roster()),
        opens_at=later,
        closes_at=later + timedelta(days=7),
        now=utcnow(),
        motions=PHONE_MOTIONS,
    ).election
    page = client.get(f"/v/{future.public_id}").get_data(as_text=True)
    assert "1 Mar 2031 08:30" in page  # Beijing time
    assert page_data(client.get(f"/v/{future.public_id}")) is None

    earlier = datetime.fromisoformat("2020-05-01T10:00:00+00:00")
    past = open_vote(
        factory.estate(roster=small_roster()),
        opens_at=earlier - timedelta(days=7),
        closes_at=earlier,
        now=utcnow(),
        motions=PHONE_MOTIONS,
    ).election
    page = client.get(f"/v/{past.public_id}").get_data(as_text=True)
    assert "1 May 2020 18:00" in page and page_data(client.get(f"/v/{past.public_id}")) is None

    draft = create_election("test", factory.estate(), "草案", utcnow(), utcnow() + timedelta(days=1))
    db.session.commit()
    response = client.get(f"/v/{draft.public_id}")
    assert response.status_code == 200 and page_data(response) is None
    assert client.post(f"/api/v/{draft.public_id}/challenge").status_code == 404


def test_closed_vote_page_offers_the_receipt_check(app, factory):
    election = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS).election
    close_election("test", election, now=election.closes_at)
    db.session.commit()
    page = app.test_client().get(f"/v/{election.public_id}").get_data(as_text=True)
    assert (
        f"/v/{election.public_id}/receipt" in page
        and page_data(app.test_client().get(f"/v/{election.public_id}")) is None
    )


# --- the session: proving the notice's key ---------------------------------------------------------


def test_session_confirms_the_voter(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    response = sign_in(app.test_client(), election, secrets[ZHANG_LI])
    assert response.status_code == 200
    assert response.json == {
        "voter_id": voter_id(election, ZHANG_LI),
        "units": ["1幢-1-101"],
        "area": "89.56",
        "already_voted": False,
        "revote": "last",
        "motions": ["m1", "m2", "m3"],
    }


def test_session_refuses_a_key_that_is_no_voters(app, factory):
    election = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS).election
    response = sign_in(app.test_client(), election, os.urandom(32))
    assert response.status_code == 403 and "not valid for this vote" in response.json["error"]


def test_session_refuses_a_malformed_key(app, factory):
    election = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS).election
    client = app.test_client()
    token = challenge(client, election)
    for key in ("not base64!", "AAAA", "abc\u0000", b64e(bytes(32))):  # the last: a small-order point
        response = client.post(
            f"/api/v/{election.public_id}/session",
            json={"public_key": key, "challenge": token, "signature": b64e(bytes(64))},
        )
        assert response.status_code == 403 and "not valid for this vote" in response.json["error"], key


def test_session_refuses_a_key_of_another_election(app, factory):
    election = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS).election
    vote = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS)
    _other, other_secrets = vote.election, vote.roster_secrets
    assert sign_in(app.test_client(), election, other_secrets[ZHANG_LI]).status_code == 403


def vote_with_group(factory):
    """An open vote whose preparation group's two members (two persons) hold keys, and the members."""
    estate = factory.estate(roster=small_roster())
    group = (group_member(factory, estate), group_member(factory, estate))
    vote = open_vote(estate, officers=[member.officer for member in group], now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    return election, secrets, group


def revoke(election, group, unit: str, action: str = "revoke") -> bytes | None:
    """Revoke or reissue the credential of the unit's voter, one member requesting and the other
    approving; a reissue's new seed."""
    request, seed = request_act(election, group[0], unit, action, now=None)
    approve_act(election, request, group[1], now=None)
    return seed


def test_session_refuses_revoked_and_replaced_keys(app, factory):
    election, secrets, group = vote_with_group(factory)
    client = app.test_client()
    # A reissued notice: the old key no longer signs in, the new one does.
    replacement = revoke(election, group, "1幢-1-201", "reissue")
    assert sign_in(client, election, secrets[WANG]).status_code == 403
    assert sign_in(client, election, replacement).json["voter_id"] == voter_id(election, WANG)
    # A revoked key is refused for sessions and ballots, after a ballot of its own as before it.
    assert cast(client, election, secrets[ZHAO], ballot_of(election, ZHAO)).status_code == 200
    revoke(election, group, "1幢-2-101")
    response = sign_in(client, election, secrets[ZHAO])
    assert response.status_code == 403 and "paper" in response.json["error"]
    size = log_size(election)
    refused = cast(client, election, secrets[ZHAO], ballot_of(election, ZHAO))
    assert refused.status_code == 422 and "revoked" in refused.json["error"]
    assert log_size(election) == size


def test_session_refuses_a_wrong_possession_signature(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    client = app.test_client()
    token = challenge(client, election)
    seed = secrets[ZHANG_LI]
    forgeries = {
        "signed by another voter": prove(secrets[WANG], token),
        "over another challenge": prove(seed, challenge(client, election)),
        "without the purpose prefix": b64e(key_of(seed).sign(token.encode())),
        "as a ballot": b64e(key_of(seed).sign(signing.prefix("ballot") + token.encode())),
        "not base64url": "!!!",
    }
    for what, signature in forgeries.items():
        response = client.post(
            f"/api/v/{election.public_id}/session",
            json={"public_key": public_key(seed), "challenge": token, "signature": signature},
        )
        assert response.status_code == 403, what
        assert "prove" in response.json["error"], what


def test_session_refuses_forged_foreign_and_expired_challenges(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    other = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS).election
    seed = secrets[ZHANG_LI]
    client = app.test_client()
    token = challenge(client, election)
    for bad in (token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), challenge(client, other)):
        response = client.post(
            f"/api/v/{election.public_id}/session",
            json={"public_key": public_key(seed), "challenge": bad, "signature": prove(seed, bad)},
        )
        assert response.status_code == 403 and "sign-in request" in response.json["error"]

    body = {"public_key": public_key(seed), "challenge": token, "signature": prove(seed, token)}
    assert open_session(election, body, now=utcnow() + timedelta(minutes=9))["voter_id"] == voter_id(election, ZHANG_LI)
    with pytest.raises(VoteRefused, match="expired") as refusal:
        open_session(election, body, now=utcnow() + timedelta(minutes=11))
    assert refusal.value.status == 403


def test_a_sign_in_is_taken_once(app, factory):
    """A copy of a phone's sign-in (a proxy's log, a shared screen) sent again proves nothing."""
    vote = open_vote(factory.estate(roster=small_roster()), publish_units=True, now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    seed = secrets[ZHANG_LI]
    client = app.test_client()
    token = challenge(client, election)
    body = {"public_key": public_key(seed), "challenge": token, "signature": prove(seed, token)}
    assert client.post(f"/api/v/{election.public_id}/session", json=body).status_code == 200
    again = client.post(f"/api/v/{election.public_id}/session", json=body)
    assert again.status_code == 403 and "used already" in again.json["error"]
    assert sign_in(client, election, seed).status_code == 200  # a fresh challenge signs in

    count_vote(election)
    token = challenge(client, election)
    body = {"public_key": public_key(seed), "challenge": token, "signature": prove(seed, token)}
    assert client.post(f"/api/v/{election.public_id}/units", json=body).status_code == 200
    assert client.post(f"/api/v/{election.public_id}/units", json=body).status_code == 403


def test_session_refuses_incomplete_and_malformed_requests(app, factory):
    election = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS).election
    client = app.test_client()
    url = f"/api/v/{election.public_id}/session"
    token = challenge(client, election)
    for body in (
        b"",
        b"{not json",
        b"[1, 2]",
        json.dumps({"challenge": token}).encode(),
        json.dumps({"public_key": 7, "challenge": token, "signature": "x"}).encode(),
    ):
        response = client.post(url, data=body, content_type="application/json")
        assert response.status_code == 400 and response.json["error"], body


def test_session_asks_for_the_last_four_id_characters(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), require_id_last4=True, now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    client = app.test_client()
    seed = secrets[ZHANG_LI]  # co-owned: either owner's ID number will do
    assert sign_in(client, election, seed, id_last4=resident_id(1)[-4:]).status_code == 200
    assert sign_in(client, election, seed, id_last4=resident_id(2)[-4:]).status_code == 200
    for wrong in (resident_id(3)[-4:], "0000", "", "12345", None):
        response = sign_in(client, election, seed, **({} if wrong is None else {"id_last4": wrong}))
        assert response.status_code == 403 and response.json["error"], wrong
    # An ID number ending in X may be typed in lower case.
    assert resident_id(4).endswith("X")
    assert sign_in(client, election, secrets[ZHAO], id_last4=resident_id(4)[-4:].lower()).status_code == 200
    # No ID number can be probed without the notice's key.
    token = challenge(client, election)
    response = client.post(
        f"/api/v/{election.public_id}/session",
        json={
            "public_key": public_key(seed),
            "challenge": token,
            "signature": prove(secrets[WANG], token),
            "id_last4": resident_id(1)[-4:] + "?",
        },
    )
    assert "prove" in response.json["error"]


def test_ballot_also_needs_the_last_four_id_characters(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), require_id_last4=True, now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    client = app.test_client()
    seed = secrets[ZHANG_LI]
    for wrong in ({}, {"id_last4": "0000"}):
        response = cast(client, election, seed, ballot_of(election, ZHANG_LI), **wrong)
        assert response.status_code == 403 and response.json["error"]
        assert log_size(election) == 0
    assert cast(client, election, seed, ballot_of(election, ZHANG_LI), id_last4=resident_id(2)[-4:]).status_code == 200
    assert log_size(election) == 1


# --- casting ----------------------------------------------------------------------------------------


def test_ballot_is_logged_and_its_receipt_verifies(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    client = app.test_client()
    ballot = ballot_of(election, ZHANG_LI)
    response = cast(client, election, secrets[ZHANG_LI], ballot)
    assert response.status_code == 200
    receipt = response.json
    head = receipt["checkpoint"]
    assert receipt["election_id"] == election.public_id and receipt["seq"] == 0
    assert receipt["format"] == "gongzhi-receipt/2" and receipt["election_hash"] == election.election_hash
    text = checkpoint.text(election.election_hash, head["size"], b64d(head["root"]))
    assert signing.verify_message(b64d(election.public_key), text, head["signature"])
    assert merkle.verify_inclusion(
        b64d(receipt["entry_hash"]),
        receipt["seq"],
        head["size"],
        [b64d(p) for p in receipt["inclusion_proof"]],
        b64d(head["root"]),
    )
    logged = json.loads(db.session.scalar(select(LogEntry.entry_json).where(LogEntry.election_id == election.id)))
    assert (logged["kind"], logged["body"], logged["logged_at"]) == ("ballot", ballot, receipt["logged_at"])
    assert sign_in(client, election, secrets[ZHANG_LI]).json["already_voted"] is True


def test_receipts_of_later_ballots_prove_inclusion_in_bigger_trees(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    client = app.test_client()
    for seq, code in enumerate((ZHANG_LI, WANG, ZHAO, DEVELOPER)):
        receipt = cast(client, election, secrets[code], ballot_of(election, code, {"m3": []})).json
        body = receipt["checkpoint"]
        assert (receipt["seq"], body["size"]) == (seq, seq + 1)
        assert merkle.verify_inclusion(
            b64d(receipt["entry_hash"]),
            seq,
            body["size"],
            [b64d(p) for p in receipt["inclusion_proof"]],
            b64d(body["root"]),
        )


def test_revote_first_refuses_the_second_ballot(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), revote="first", now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    client = app.test_client()
    assert cast(client, election, secrets[WANG], ballot_of(election, WANG)).status_code == 200
    session = sign_in(client, election, secrets[WANG]).json
    assert (session["already_voted"], session["revote"]) == (True, "first")
    response = cast(client, election, secrets[WANG], ballot_of(election, WANG, {"m1": "no"}))
    assert response.status_code == 422 and "first ballot" in response.json["error"]
    assert log_size(election) == 1


def test_revote_last_accepts_and_counts_the_last_ballot(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), revote="last", now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    client = app.test_client()
    for choice in ("yes", "no"):
        response = cast(client, election, secrets[WANG], ballot_of(election, WANG, {"m1": choice}))
        assert response.status_code == 200
    assert log_size(election) == 2
    # The count tally_election makes once the close is witnessed.
    tally = rules.tally_v2(json.loads(election.definition_json), json.loads(election.roll_json), log_entries(election))
    first = tally["motions"][0]
    assert tally["counted"] == 1
    assert (first["yes"]["heads"], first["no"]["heads"], first["no"]["area"]) == (0, 1, 18000)


def test_malformed_requests_and_ballots_are_refused_with_a_message(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    client = app.test_client()
    url = f"/api/v/{election.public_id}/ballot"
    seed = secrets[ZHANG_LI]

    def signed(ballot, key_seed=seed):
        return {"ballot": ballot, "signature": signing.sign(key_of(key_seed), "ballot", ballot, record_v2.VERSION)}

    good = ballot_of(election, ZHANG_LI)
    bodies = {
        "empty": b"",
        "not JSON": b"{ballot",
        "a float": b'{"ballot": {}, "signature": 1.5}',
        "a list": b"[]",
        "no signature": json.dumps({"ballot": good}).encode(),
        "ballot not an object": json.dumps({"ballot": "yes", "signature": "x"}).encode(),
        "signed by another voter": signed(good, secrets[WANG]),
        "altered after signing": {**signed(good), "ballot": {**good, "choices": {"m1": "no"}}},
        "signature not base64url": {"ballot": good, "signature": "***"},
        "unknown motion": signed(ballot_of(election, ZHANG_LI, {"m9": "yes"})),
        "too many candidates": signed(ballot_of(election, ZHANG_LI, {"m3": ["c3-1", "c3-2", "c3-3"]})),
        "candidate twice": signed(ballot_of(election, ZHANG_LI, {"m3": ["c3-1", "c3-1"]})),
        "not a choice": signed(ballot_of(election, ZHANG_LI, {"m1": "maybe"})),
        "list for a yes/no motion": signed(ballot_of(election, ZHANG_LI, {"m1": ["yes"]})),
        "short nonce": signed({**good, "nonce": b64e(b"short")}),
        "other election": signed({**good, "election_hash": b64e(bytes(32))}),
        "unknown voter": signed({**good, "voter_id": "v99999"}),
        "paper channel": signed({**good, "channel": "paper"}),
        "extra key": signed({**good, "weight": 100}),
        "lone surrogate": b'{"ballot": {"election_hash": "\\ud800"}, "signature": "x"}',
    }
    for what, body in bodies.items():
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        response = client.post(url, data=data, content_type="application/json")
        assert 400 <= response.status_code < 500, (what, response.status_code)
        assert response.json["error"], what
    assert log_size(election) == 0
    too_large = client.post(url, data=b" " * (65 * 1024), content_type="application/json")
    assert too_large.status_code == 413 and too_large.json["error"]
    # Nothing was half-written: the next genuine ballot is entry 0.
    assert cast(client, election, seed, good).json["seq"] == 0


def test_replayed_ballot_is_refused(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    client = app.test_client()
    ballot = ballot_of(election, ZHANG_LI)
    assert cast(client, election, secrets[ZHANG_LI], ballot).status_code == 200
    response = cast(client, election, secrets[ZHANG_LI], ballot)
    assert response.status_code == 422 and "already received" in response.json["error"]
    assert log_size(election) == 1


@pytest.mark.parametrize(
    "period, message",
    [
        ((timedelta(hours=-3), timedelta(hours=-1)), "closed"),
        ((timedelta(hours=1), timedelta(hours=3)), "opens"),
    ],
)
def test_no_session_or_ballot_outside_the_period(app, factory, period, message):
    now = utcnow()
    vote = open_vote(
        factory.estate(roster=small_roster()),
        opens_at=now + period[0],
        closes_at=now + period[1],
        now=utcnow(),
        motions=PHONE_MOTIONS,
    )
    election, secrets = vote.election, vote.roster_secrets
    client = app.test_client()
    refused = client.post(f"/api/v/{election.public_id}/challenge")
    assert refused.status_code == 409 and message in refused.json["error"]
    # A challenge from an earlier moment does not help either.
    token = issue_challenge(election, now=election.opens_at)
    seed = secrets[ZHANG_LI]
    response = client.post(
        f"/api/v/{election.public_id}/session",
        json={"public_key": public_key(seed), "challenge": token, "signature": prove(seed, token)},
    )
    assert response.status_code == 409
    response = cast(client, election, seed, ballot_of(election, ZHANG_LI))
    assert response.status_code == 422 and response.json["error"]
    assert log_size(election) == 0


# --- checking a receipt -------------------------------------------------------------------------------


def test_receipt_check_accepts_a_genuine_receipt_after_more_ballots(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    client = app.test_client()
    receipt = cast(client, election, secrets[ZHANG_LI], ballot_of(election, ZHANG_LI)).json
    for code in (WANG, ZHAO, DEVELOPER):
        cast(client, election, secrets[code], ballot_of(election, code))
    answer = client.post(f"/api/v/{election.public_id}/receipt/check", json=receipt).json
    assert (answer["ok"], answer["seq"], answer["log_size"], answer["published"]) == (True, 0, 4, False)
    assert "entry 0 of the log" in answer["message"] and "4 entries long" in answer["message"]


def test_receipt_check_refuses_tampered_receipts(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    client = app.test_client()
    receipt = cast(client, election, secrets[ZHANG_LI], ballot_of(election, ZHANG_LI)).json
    second = cast(client, election, secrets[WANG], ballot_of(election, WANG)).json
    head = receipt["checkpoint"]
    tampered = {
        "entry hash": {**receipt, "entry_hash": second["entry_hash"]},
        "position": {**second, "seq": 0},
        "checkpoint": {**receipt, "checkpoint": {**head, "size": 2}},
        "signature": {**receipt, "checkpoint": {**head, "signature": second["checkpoint"]["signature"]}},
        "logged_at": {**receipt, "logged_at": second["logged_at"]},
        "another vote's head": {**receipt, "checkpoint": open_vote_receipt(client, factory)["checkpoint"]},
        "no receipt": {"hello": "world"},
        "not an object": [receipt],
    }
    for what, body in tampered.items():
        answer = client.post(f"/api/v/{election.public_id}/receipt/check", json=body)
        assert answer.status_code == 200 and answer.json["ok"] is False, what
        assert answer.json["error"], what
    not_json = client.post(f"/api/v/{election.public_id}/receipt/check", data=b"{", content_type="application/json")
    assert not_json.json["ok"] is False and not_json.json["error"]


def open_vote_receipt(client, factory) -> dict:
    vote = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    return cast(client, election, secrets[ZHAO], ballot_of(election, ZHAO)).json


def test_receipt_page_checks_without_javascript(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    client = app.test_client()
    receipt = cast(client, election, secrets[ZHANG_LI], ballot_of(election, ZHANG_LI)).json
    cast(client, election, secrets[WANG], ballot_of(election, WANG))
    url = f"/v/{election.public_id}/receipt"
    form = client.get(url).get_data(as_text=True)
    assert "<textarea" in form and 'id="receipt-ok"' not in form and 'id="receipt-fail"' not in form
    ok = client.post(url, data={"receipt": json.dumps(receipt)}).get_data(as_text=True)
    assert 'id="receipt-ok" class="receipt-finding" data-status="pending"' in ok and 'id="receipt-fail"' not in ok
    assert "Your ballot is in the log, to be counted" in ok and "unless you vote again before then" in ok
    assert "the log, now 2 entries long, still holds it unchanged" in ok
    tampered = {**receipt, "seq": 1}
    failed = client.post(url, data={"receipt": json.dumps(tampered)}).get_data(as_text=True)
    assert 'id="receipt-ok"' not in failed
    assert re.search(
        r'<p class="flash error" role="alert" data-slot="error">This receipt matches no ballot[^<]+</p>', failed
    )
    # What went wrong in the log's own terms only in the fold, for those who verify.
    assert re.search(
        r"<details class=\"receipt-proofs\">\s*<summary>Technical proofs \(for those who verify\)"
        r"</summary>\s*<p data-slot=\"fault\">The receipt does not check out: [^<]*P3",
        failed,
    )


def _outside_the_folds(page: str) -> str:
    """The text an owner reads before opening any fold, without the receipt typed in."""
    unfolded = re.sub(r"<details.*?</details>|<textarea.*?</textarea>|<script.*?</script>", "", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", unfolded)).split())


def test_receipt_page_tells_the_owner_in_words_with_the_proofs_folded(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    client = app.test_client()
    receipt = cast(client, election, secrets[ZHANG_LI], ballot_of(election, ZHANG_LI)).json
    assert receipt["inclusion_proof"] == []  # the log's first entry, under a head of one entry
    page = client.post(f"/v/{election.public_id}/receipt", data={"receipt": json.dumps(receipt)}).get_data(as_text=True)
    shown = _outside_the_folds(page)
    logged_at = datetime.fromisoformat(receipt["logged_at"])
    for told in (
        election.title,
        election.estate.name,
        f"Cast {format_datetime(logged_at)}, online",
        "Entry number 0",
        "Standing In the log, unchanged",
    ):
        assert told in shown, told
    # No timestamp as machines write it, no hash, no heading without content.
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", re.sub(r"<textarea.*?</textarea>", "", page, flags=re.S))
    for proof in (receipt["entry_hash"], receipt["checkpoint"]["root"], "Tree head", "Inclusion proof"):
        assert proof not in shown, proof
    assert receipt["entry_hash"] in page and receipt["checkpoint"]["root"] in page
    assert "Inclusion proof" not in page  # the proof is empty: no heading over nothing
    assert not re.search(r"<(h\d|dt|summary)[^>]*>\s*</\1>", page)
    assert not re.search(r"<dd>\s*</dd>", page)


def test_a_revoted_receipt_says_it_is_replaced_and_by_which_ballot(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), revote="last", now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    client = app.test_client()
    first = cast(client, election, secrets[WANG], ballot_of(election, WANG, {"m1": "yes"})).json
    cast(client, election, secrets[ZHAO], ballot_of(election, ZHAO))
    later = cast(client, election, secrets[WANG], ballot_of(election, WANG, {"m1": "no"})).json
    answer = client.post(f"/api/v/{election.public_id}/receipt/check", json=first).json
    assert (answer["ok"], answer["published"], answer["status"]) == (True, False, "replaced")
    assert answer["replaced_by"] == {"seq": later["seq"], "channel": "online", "cast_at": later["logged_at"]}
    later_at = format_datetime(datetime.fromisoformat(later["logged_at"]))
    assert answer["words"]["headline"] == "This ballot was replaced and does not count"
    assert answer["words"]["standing"] == (
        f"Replaced by a later ballot, entry 2: cast online on {later_at}. Only the latest ballot counts."
    )
    assert 'data-status="replaced"' in answer["html"] and "tell the street office" in answer["html"]
    # The later ballot is the one that counts, so far.
    answer = client.post(f"/api/v/{election.public_id}/receipt/check", json=later).json
    assert (answer["status"], answer["replaced_by"]) == ("pending", None)

    # Once counted, the published record says the same.
    count_vote(election)
    page = client.post(f"/v/{election.public_id}/receipt", data={"receipt": json.dumps(first)}).get_data(as_text=True)
    assert 'data-status="replaced"' in page and "This ballot was replaced and does not count" in page
    assert f"Replaced by a later ballot, entry 2: cast online on {later_at}." in page
    answer = client.post(f"/api/v/{election.public_id}/receipt/check", json=later).json
    assert (answer["published"], answer["status"], answer["words"]["headline"]) == (
        True,
        "counted",
        "Your ballot is counted",
    )


def test_a_receipt_replaced_by_a_paper_ballot_names_the_desk_receipt_and_the_clerks(app, factory):
    """Told the same way while the vote runs as the published record tells it after the count."""
    from tests.app.test_paper import cast_online_now, finish, paper_vote

    pv = paper_vote(app, factory, revote="last")
    online = cast_online_now(pv, ZHANG_LI, {"m1": "no"}).as_json(pv.election)
    desk_receipt = pv.handed_in(ZHANG_LI, identity_checked=True)
    pv.enter(ZHANG_LI, {"m1": "yes"}, handin=desk_receipt)
    client = app.test_client()
    while_open = client.post(f"/api/v/{pv.election.public_id}/receipt/check", json=online).json
    assert (while_open["status"], while_open["published"]) == ("replaced", False)
    paper = while_open["replaced_by"]
    assert (paper["channel"], paper["desk_receipt"], paper["identity_checked"], paper["clerks"]) == (
        "paper",
        desk_receipt,
        True,
        [pv.a.officer_id, pv.b.officer_id],
    )
    handed_in_at = format_datetime(datetime.fromisoformat(paper["cast_at"]))
    assert while_open["words"]["standing"] == (
        f"Replaced by a later ballot, entry {paper['seq']}: a paper ballot handed in at the desk on {handed_in_at} "
        f"with desk receipt {desk_receipt}, identity checked at the desk, keyed and checked by the clerks "
        f"{pv.a.officer_id}、{pv.b.officer_id}. Only the latest ballot counts."
    )

    finish(pv)
    counted = client.post(f"/api/v/{pv.election.public_id}/receipt/check", json=online).json
    assert (counted["status"], counted["published"]) == ("replaced", True)
    assert (counted["replaced_by"], counted["ballot"], counted["words"]) == (
        paper,
        while_open["ballot"],
        while_open["words"],
    )
