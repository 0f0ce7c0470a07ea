"""Paper ballots through the HTTP endpoints: two clerks, two accounts, two browser-held keys.

The clerks' browsers are stood in for by Ed25519 keys made here; they sign exactly what
officer_keys.js signs (the e2e test checks that the browser's bytes agree).
"""

import hashlib
import html
import io
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import pytest
from flask_babel import gettext, ngettext
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from tests.app.test_pdf_documents import flat, layout_text, write
from tests.conftest import OwnUserClient
from tests.elections_kit import PASSPHRASE, OpenVote, add_witness, announced, opened
from tests.factories import login, resident_id, small_roster
from voting.audit.models import AuditEvent
from voting.auth.models import Role
from voting.ballots.models import LogEntry, PaperBallot
from voting.ballots.operations import BallotRefused, check_receipt
from voting.core import record_v2, signing
from voting.core.canonical import b64d, b64e
from voting.elections.models import Election, Officer
from voting.elections.operations import (
    ElectionError,
    add_committee_election,
    add_motion,
    close_election,
    create_election,
    export_record,
    open_election,
    register_officer,
    tally_election,
    units_by_voter,
)
from voting.errors import API_PREFIX
from voting.estates.operations import change_rules_profile
from voting.extensions import db
from voting.pdf.documents import minutes_pdf
from voting.tally.operations import choice_printers
from voting.timeutil import utcnow

UNIT = {"v00001": "1幢-1-101", "v00002": "1幢-1-201", "v00003": "1幢-2-101"}  # v00002 also holds 1幢-1-102
CHOICES = {"m1": "yes", "m2": "abstain", "m3": ["c3-2", "c3-1"]}  # m3 ticked out of order on purpose


class EnglishClient(OwnUserClient):
    """English, so that the reasons asserted here stay readable whatever the translations say."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def _clients_in_english(app):
    app.test_client_class = EnglishClient


def png_scan() -> bytes:
    """A distinct 'scan' each time: the PNG signature and random bytes."""
    return b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(64)


@dataclass
class Clerk:
    staff: object
    client: object
    key: object  # the Ed25519 private key "in the browser"
    officer_id: str = ""

    def sign(self, body: dict, purpose: str = "ballot") -> str:
        return signing.sign(self.key, purpose, body, record_v2.VERSION)


@dataclass
class PaperVote:
    vote: OpenVote
    base: str
    a: Clerk
    b: Clerk

    @property
    def election(self):
        return self.vote.election

    @property
    def api(self) -> str:
        """The JSON API's routes for this vote's paper desk."""
        return API_PREFIX + self.base

    def hand_in(self, voter: str | None, identity_checked: bool = False, clerk: Clerk | None = None):
        """The desk's hand-in of a paper of this voter (None: from the sealed box), signed by the
        clerk; the response of the post."""
        clerk = clerk or self.a
        query = {"unit": UNIT[voter]} if voter else {"sealed_box": "1"}
        if identity_checked:
            query["identity_checked"] = "1"
        prepared = clerk.client.get(f"{self.api}/handins/sign", query_string=query)
        assert prepared.status_code == 200, prepared.get_json()
        body = prepared.get_json()["body"]
        return clerk.client.post(
            f"{self.api}/handins",
            json={"officer_id": clerk.officer_id, "body": body, "signature": clerk.sign(body, "handin")},
        )

    def handed_in(self, voter: str | None, identity_checked: bool = False) -> str:
        """The desk receipt of a new hand-in."""
        response = self.hand_in(voter, identity_checked)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["desk_receipt"]

    def key(self, clerk: Clerk, voter: str, choices: dict, scan: bytes | None = None, **extra):
        """A's or B's first entry; unless told which, of a paper handed in for the voter just now."""
        payload = {"unit": UNIT[voter], "officer_id": clerk.officer_id, "choices": choices, **extra}
        if "handin" not in extra and "rekey_of" not in extra:
            payload["handin"] = self.handed_in(voter)
        if "rekey_of" not in extra:
            payload["scan"] = b64e(scan or png_scan())
        return clerk.client.post(f"{self.api}/ballots", json=payload)

    def key_and_sign(self, clerk: Clerk, voter: str, choices: dict, **extra) -> int:
        response = self.key(clerk, voter, choices, **extra)
        assert response.status_code == 201, response.get_json()
        answer = response.get_json()
        signed = clerk.client.post(
            f"{self.api}/ballots/{answer['paper_id']}/signature",
            json={"officer_id": clerk.officer_id, "signature": clerk.sign(answer["ballot"])},
        )
        assert signed.get_json() == {"paper_id": answer["paper_id"], "status": "awaiting_check"}
        return answer["paper_id"]

    def check(self, clerk: Clerk, paper_id: int, voter: str, choices: dict, **extra):
        return clerk.client.post(
            f"{self.api}/ballots/{paper_id}/check",
            json={"unit": UNIT[voter], "officer_id": clerk.officer_id, "choices": choices, **extra},
        )

    def countersign(self, clerk: Clerk, paper_id: int, body: dict):
        return clerk.client.post(
            f"{self.api}/ballots/{paper_id}/countersignature",
            json={"officer_id": clerk.officer_id, "signature": clerk.sign(body)},
        )

    def enter(self, voter: str, choices: dict, **extra):
        """The whole round: A keys and signs, B checks blind and countersigns. ``extra`` (handin,
        invalid, unsigned, proxy_scan) goes with A's entry, the marks with B's too."""
        paper_id = self.key_and_sign(self.a, voter, choices, **extra)
        marks = {name: value for name, value in extra.items() if name in ("invalid", "unsigned")}
        checked = self.check(self.b, paper_id, voter, choices, **marks)
        assert checked.get_json()["status"] == "match", checked.get_json()
        return paper_id, self.countersign(self.b, paper_id, checked.get_json()["ballot"])


def clerk_for(app, factory, estate, role=Role.CLERK, **person) -> Clerk:
    staff = factory.staff(role, estate, **person)
    return Clerk(staff, login(app.test_client(), staff), signing.private_key_from_seed(signing.new_seed()))


def register(clerk: Clerk, base: str) -> None:
    public_key = signing.public_key_b64(clerk.key)
    response = clerk.client.post(f"{API_PREFIX}{base}/officer-key", json={"public_key": public_key})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["role"] == "clerk" and response.get_json()["public_key"] == public_key
    clerk.officer_id = response.get_json()["officer_id"]


def draft(estate, revote: str = "last", invalid_ballot: str = "took_part"):
    """A draft under the estate's rules, with this invalid-ballot rule (the profile decides it)."""
    now = utcnow()
    change_rules_profile("test", estate, {"invalid_ballot": invalid_ballot})
    election = create_election(
        "test", estate, "业主大会表决", now - timedelta(hours=1), now + timedelta(days=1), revote
    )
    add_motion("test", election, 4, "选聘物业服务企业")
    add_motion("test", election, 6, "筹集住宅专项维修资金")
    add_committee_election("test", election, "选举业主委员会", 2, candidates=["甲", "乙", "丙"])
    db.session.commit()
    return election


def paper_vote(app, factory, revote: str = "last", invalid_ballot: str = "took_part") -> PaperVote:
    estate = factory.estate(roster=small_roster())
    election = draft(estate, revote, invalid_ballot)
    base = f"/estates/{estate.code}/elections/{election.id}/paper"
    a, b = clerk_for(app, factory, estate), clerk_for(app, factory, estate)
    register(a, base)
    register(b, base)
    return PaperVote(opened(election, add_witness(election)), base, a, b)


def logged(election) -> list[dict]:
    return [
        json.loads(text)
        for text in db.session.scalars(
            select(LogEntry.entry_json).where(LogEntry.election_id == election.id).order_by(LogEntry.seq)
        )
    ]


def ballots(election) -> list[dict]:
    return [entry for entry in logged(election) if entry["kind"] == "ballot"]


def close(pv: PaperVote) -> None:
    """Close after the period and witness the log at the close, as the street office does."""
    db.session.refresh(pv.election)
    close_election("test", pv.election, now=pv.election.closes_at + timedelta(seconds=1))
    pv.vote.witness.witness_close(pv.election)
    db.session.commit()


def finish(pv: PaperVote) -> dict:
    """Close (unless closed), count and export; the verifier's recount of the record, which is
    also the tally the server published."""
    db.session.refresh(pv.election)
    if pv.election.state == "open":
        close(pv)
    tally_election("test", pv.election)
    db.session.commit()
    recount = record_v2.verify(export_record(pv.election))
    assert recount == json.loads(pv.election.tally_json)
    return recount


def cast_online_now(pv: PaperVote, voter: str, choices: dict):
    """An online ballot of the voter with this roster code, cast at the real now."""
    return pv.vote.cast(pv.vote.ids[voter], choices, now=None)


# --- keys ---------------------------------------------------------------------------------------


def test_a_browser_key_is_registered_only_while_the_vote_is_a_draft(app, factory):
    estate = factory.estate(roster=small_roster())
    election = draft(estate)
    base = f"/estates/{estate.code}/elections/{election.id}/paper"
    clerk = clerk_for(app, factory, estate)
    register(clerk, base)
    officer = election.officers[0]
    assert (officer.officer_id, officer.staff_id, officer.role) == (clerk.officer_id, clerk.staff.id, "clerk")
    page = clerk.client.get(f"{base}/officer-key").get_data(as_text=True)
    assert clerk.officer_id in page and "officer_keys.js" in page and 'data-clerk-action="register"' not in page

    same_again = clerk.client.post(f"{API_PREFIX}{base}/officer-key", json={"public_key": officer.public_key})
    assert same_again.status_code == 409 and "already registered" in same_again.get_json()["error"]
    assert clerk.client.post(f"{API_PREFIX}{base}/officer-key", json={"public_key": "not-a-key"}).status_code == 400
    newcomer = clerk_for(app, factory, estate)
    assert 'data-clerk-action="register"' in newcomer.client.get(f"{base}/officer-key").get_data(as_text=True)
    announced(election)
    open_election("test", election, PASSPHRASE)
    db.session.commit()
    late = newcomer.client.post(f"{API_PREFIX}{base}/officer-key", json={"public_key": signing.generate_keypair()[1]})
    assert late.status_code == 409 and "error" in late.get_json()
    assert len(election.officers) == 1
    assert 'data-clerk-action="register"' not in newcomer.client.get(f"{base}/officer-key").get_data(as_text=True)


def test_an_account_registers_one_key_per_role_and_vote(app, factory):
    estate = factory.estate(roster=small_roster())
    election = draft(estate)
    base = f"/estates/{estate.code}/elections/{election.id}/paper"
    clerk = clerk_for(app, factory, estate)
    register(clerk, base)
    second = clerk.client.post(f"{API_PREFIX}{base}/officer-key", json={"public_key": signing.generate_keypair()[1]})
    assert second.status_code == 409 and second.get_json()["error"] == (
        f"The account {clerk.staff.username} already holds the key {clerk.officer_id} for this vote; "
        "an account registers one key per role and vote."
    )
    with pytest.raises(ElectionError, match="one key per role"):
        register_officer("test", election, clerk.staff, "clerk", signing.generate_keypair()[1])
    db.session.rollback()
    assert [o.officer_id for o in election.officers] == [clerk.officer_id]
    # Nor can a key slip past the operation: the database holds one per account, role and vote.
    db.session.add(
        Officer(
            election_id=election.id,
            staff_id=clerk.staff.id,
            role="clerk",
            officer_id="clerk-x",
            public_key=signing.generate_keypair()[1],
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_an_account_without_an_id_number_registers_no_key_until_one_is_recorded(app, factory):
    estate = factory.estate(roster=small_roster())
    election = draft(estate)
    base = f"/estates/{estate.code}/elections/{election.id}/paper"
    clerk = clerk_for(app, factory, estate)
    clerk.staff.id_hash = None  # an account made before ID numbers were asked for
    db.session.commit()
    page = clerk.client.get(f"{base}/officer-key").get_data(as_text=True)
    assert "has no ID number on record" in page and 'data-clerk-action="register"' not in page
    refused = clerk.client.post(
        f"{API_PREFIX}{base}/officer-key", json={"public_key": signing.public_key_b64(clerk.key)}
    )
    assert refused.status_code == 409 and "has no ID number on record" in refused.get_json()["error"]
    assert election.officers == []

    admin = login(app.test_client(), factory.staff(Role.STREET_OFFICE, estate))
    admin.post(f"/staff/{clerk.staff.id}/id-number", data={"id_number": resident_id(77, "19660606")})
    db.session.refresh(clerk.staff)
    assert clerk.staff.id_hash is not None
    register(clerk, base)


# --- the happy path -------------------------------------------------------------------------------


def test_two_clerks_log_a_paper_ballot_the_verifier_accepts(app, factory):
    pv = paper_vote(app, factory)
    scan = png_scan()
    keyed = pv.key(pv.a, "v00002", CHOICES, scan, handin=pv.handed_in("v00002", identity_checked=True))
    assert keyed.status_code == 201
    paper_id, ballot = keyed.get_json()["paper_id"], keyed.get_json()["ballot"]
    assert ballot["channel"] == "paper" and ballot["voter_id"] == pv.vote.ids["v00002"]
    assert ballot["choices"] == {"m1": "yes", "m2": "abstain", "m3": ["c3-1", "c3-2"]}
    assert ballot["paper_scan_sha256"] == b64e(hashlib.sha256(scan).digest())
    assert (ballot["invalid"], ballot["proxy_sha256"], ballot["handin"]) == ({}, None, 0)
    assert len(b64d(ballot["nonce"])) == 16 and ballot["election_hash"] == pv.election.election_hash

    # B never reaches A's entry; until A's browser signs, B does not even see the ballot.
    assert pv.b.client.get(f"{pv.base}/ballots/{paper_id}/sign").status_code == 403
    assert ballot["nonce"] not in pv.b.client.get(
        f"{pv.base}/ballots/{paper_id}/countersign", follow_redirects=True
    ).get_data(as_text=True)
    assert pv.b.client.get(pv.api + "/").get_json()["to_check"] == []
    assert pv.check(pv.b, paper_id, "v00002", CHOICES).status_code == 409
    assert pv.a.client.get(pv.api + "/").get_json()["to_sign"] == [paper_id]
    signed = pv.a.client.post(
        f"{pv.api}/ballots/{paper_id}/signature", json={"officer_id": pv.a.officer_id, "signature": pv.a.sign(ballot)}
    )
    assert signed.status_code == 200
    assert pv.b.client.get(pv.api + "/").get_json()["to_check"] == [paper_id]
    assert pv.a.client.get(pv.api + "/").get_json()["keyed_by_me"] == [paper_id]

    # B finds the voter by another of the voter's units and ticks the candidates in ballot order.
    check = pv.b.client.post(
        f"{pv.api}/ballots/{paper_id}/check",
        json={
            "unit": "1幢-1-102",
            "officer_id": pv.b.officer_id,
            "choices": {"m1": "yes", "m2": "abstain", "m3": ["c3-1", "c3-2"]},
        },
    )
    assert check.get_json() == {"paper_id": paper_id, "status": "match", "ballot": ballot}
    logged_answer = pv.countersign(pv.b, paper_id, ballot)
    assert logged_answer.status_code == 200, logged_answer.get_json()
    answer = logged_answer.get_json()
    assert answer["status"] == "logged" and answer["log_seq"] == 1
    check_receipt(pv.election, answer["receipt"])

    paper = db.session.get(PaperBallot, paper_id)
    assert (paper.status, paper.log_seq, paper.keyed_by, paper.checked_by) == (
        "logged",
        1,
        pv.a.officer_id,
        pv.b.officer_id,
    )
    handin, entry = logged(pv.election)
    assert handin["kind"] == "handin" and handin["body"] == {
        "election_hash": pv.election.election_hash,
        "desk_receipt": "J-0001",
        "voter_id": pv.vote.ids["v00002"],
        "identity_checked": True,
    }
    assert handin["signatures"] == [{"signer": pv.a.officer_id, "signature": pv.a.sign(handin["body"], "handin")}]
    assert entry["kind"] == "ballot" and entry["body"] == ballot
    assert entry["signatures"] == [
        {"signer": pv.a.officer_id, "signature": paper.keyed_signature},
        {"signer": pv.b.officer_id, "signature": pv.b.sign(ballot)},
    ]
    status = pv.a.client.get(f"{pv.api}/ballots/{paper_id}").get_json()
    assert status["status"] == "logged" and status["receipt"] == answer["receipt"]
    assert {e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.target.like("paper:%")))} == {
        "paper.key",
        "paper.sign",
        "paper.match",
        "paper.log",
    }

    recount = finish(pv)
    assert recount["counted"] == 1
    assert recount["motions"][0]["yes"] == {"area": 18000, "heads": 1}
    assert recount["motions"][2]["candidates"][0]["heads"] == 1


def test_the_pages_walk_through_without_a_script_except_for_signing(app, factory):
    pv = paper_vote(app, factory)
    a = pv.a.client
    assert "1幢-1-101" in a.get(f"{pv.base}/key?unit=1幢-1-101").get_data(as_text=True)
    assert "1幢-9-999" in a.get(f"{pv.base}/key?unit=1幢-9-999").get_data(as_text=True)
    assert a.get(f"{pv.api}/key?unit=1幢-1-102").get_json()["voter"] == {
        "voter_id": pv.vote.ids["v00002"],
        "units": ["1幢-1-102", "1幢-1-201"],
        "area": 18000,
    }

    # The hand-in desk: find the owner, tick the identity check, sign in the browser, read the slip number.
    desk = a.get(f"{pv.base}/handins/new?unit=1幢-1-101").get_data(as_text=True)
    assert "1幢-1-101" in desk and "identity_checked" in desk and "sealed_box" in desk
    page = a.get(f"{pv.base}/handins/sign?unit=1幢-1-101&identity_checked=1").get_data(as_text=True)
    data = json.loads(page.split('id="clerk-data">', 1)[1].split("</script>", 1)[0])
    assert data["sign"]["purpose"] == "handin" and data["sign"]["body"] == {
        "election_hash": pv.election.election_hash,
        "desk_receipt": "J-0001",
        "voter_id": pv.vote.ids["v00001"],
        "identity_checked": True,
    }
    body = data["sign"]["body"]
    posted = a.post(
        data["sign"]["post_url"],
        json={"officer_id": pv.a.officer_id, "body": body, "signature": pv.a.sign(body, "handin")},
        headers={"X-CSRFToken": data["csrf_token"]},
    )
    assert posted.status_code == 201 and posted.get_json()["desk_receipt"] == "J-0001"
    slip = a.get(data["sign"]["done_url"]).get_data(as_text=True)
    assert "J-0001" in slip and "1幢-1-101" in slip
    assert 'value="J-0001"' in a.get(f"{pv.base}/key?unit=1幢-1-101").get_data(as_text=True)
    assert 'value="J-0001"' not in a.get(f"{pv.base}/key?unit=1幢-2-101").get_data(as_text=True)  # another's
    form = {
        "unit": "1幢-1-101",
        "officer_id": pv.a.officer_id,
        "handin": "J-0001",
        "choice-m1": "no",
        "choice-m2": "",
        "choice-m3": ["c3-3"],
    }
    response = a.post(
        f"{pv.base}/ballots",
        data=form | {"scan": (io.BytesIO(png_scan()), "s.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and response.location.endswith("/sign")
    page = a.get(response.location).get_data(as_text=True)
    data = json.loads(page.split('id="clerk-data">', 1)[1].split("</script>", 1)[0])
    assert data["sign"]["ballot"]["choices"] == {"m1": "no", "m3": ["c3-3"]}
    assert data["keys"] == [
        {"officer_id": pv.a.officer_id, "role": "clerk", "public_key": signing.public_key_b64(pv.a.key)}
    ]
    paper_id = db.session.scalar(select(PaperBallot.id))
    # The form without a scan is refused with the reason and the entry kept on the page.
    again = a.post(
        f"{pv.base}/ballots", data=form | {"handin": pv.handed_in("v00001")}, content_type="multipart/form-data"
    )
    assert again.status_code == 400 and "scan" in again.get_data(as_text=True)
    assert 'value="c3-3" checked' in again.get_data(as_text=True)

    a.post(
        f"{pv.api}/ballots/{paper_id}/signature",
        json={"officer_id": pv.a.officer_id, "signature": pv.a.sign(data["sign"]["ballot"])},
    )
    check_page = pv.b.client.get(f"{pv.base}/ballots/{paper_id}/check?unit=1幢-1-101").get_data(as_text=True)
    assert data["sign"]["ballot"]["nonce"] not in check_page and '"sign"' not in check_page
    assert "checked" not in check_page.replace('value="" checked', "")  # a blank form
    matched = pv.b.client.post(f"{pv.base}/ballots/{paper_id}/check", data=form | {"officer_id": pv.b.officer_id})
    assert matched.status_code == 302 and matched.location.endswith("/countersign")
    assert data["sign"]["ballot"]["nonce"] in pv.b.client.get(matched.location).get_data(as_text=True)
    for url in ("/", "/officer-key", f"/ballots/{paper_id}", "/handins/new"):
        assert a.get(pv.base + url).status_code == 200, url


# --- who may check --------------------------------------------------------------------------------


def test_a_clerk_cannot_check_a_ballot_their_own_account_keyed(app, factory):
    pv = paper_vote(app, factory)
    paper_id = pv.key_and_sign(pv.a, "v00001", CHOICES)
    own = pv.check(pv.a, paper_id, "v00001", CHOICES)
    assert own.status_code == 403 and "another account" in own.get_json()["error"]
    # Nor can B check with A's key id: the key must be registered to B's account.
    assert (
        pv.check(Clerk(pv.b.staff, pv.b.client, pv.a.key, pv.a.officer_id), paper_id, "v00001", CHOICES).status_code
        == 403
    )
    assert db.session.get(PaperBallot, paper_id).status == "awaiting_check"
    assert pv.a.client.get(f"{pv.base}/ballots/{paper_id}/check").status_code == 302


def three_clerks(app, factory):
    """A vote whose clerks a and b are two accounts of one person, c another person."""
    estate = factory.estate(roster=small_roster())
    election = draft(estate)
    base = f"/estates/{estate.code}/elections/{election.id}/paper"
    same = resident_id(900, "19650505")
    a, b, c = (
        clerk_for(app, factory, estate, id_number=same),
        clerk_for(app, factory, estate, id_number=same),
        clerk_for(app, factory, estate),
    )
    for clerk in (a, b, c):
        register(clerk, base)
    return PaperVote(opened(election, add_witness(election)), base, a, b), c


def test_two_accounts_of_one_person_cannot_key_and_check_one_ballot(app, factory):
    pv, _c = three_clerks(app, factory)
    paper_id = pv.key_and_sign(pv.a, "v00001", {"m1": "no"})
    refused = pv.check(pv.b, paper_id, "v00001", {"m1": "no"})
    assert refused.status_code == 403 and refused.get_json()["error"] == (
        f"Paper ballot #{paper_id} was keyed by the account {pv.a.staff.username}, which belongs to the same "
        "person as yours; another person must check it."
    )
    paper = db.session.get(PaperBallot, paper_id)
    assert (paper.status, paper.checked_by) == ("awaiting_check", None)
    assert ballots(pv.election) == []
    assert not db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action.in_(["paper.match", "paper.mismatch", "paper.log"]))
    )
    desk = pv.b.client.get(pv.api + "/").get_json()
    assert desk["to_check"] == [] and desk["keyed_by_me"] == [paper_id]
    form = pv.b.client.get(f"{pv.base}/ballots/{paper_id}/check", follow_redirects=True)
    assert "belongs to the same person as yours" in form.get_data(as_text=True)


def test_two_people_key_and_check_and_the_record_names_each_officers_account_and_person(app, factory):
    pv, c = three_clerks(app, factory)
    paper_id = pv.key_and_sign(pv.a, "v00001", CHOICES)
    checked = pv.check(c, paper_id, "v00001", CHOICES)
    assert checked.get_json()["status"] == "match"
    assert pv.countersign(c, paper_id, checked.get_json()["ballot"]).get_json()["status"] == "logged"
    assert finish(pv)["counted"] == 1

    exported = export_record(pv.election)
    ext = {o["officer_id"]: o for o in exported["election"]["officers"] if o["role"] == "clerk"}
    assert {officer: e["account"] for officer, e in ext.items()} == {
        clerk.officer_id: clerk.staff.username for clerk in (pv.a, pv.b, c)
    }
    persons = [ext[clerk.officer_id]["person"] for clerk in (pv.a, pv.b, c)]
    assert persons[0] == persons[1] != persons[2] and all(len(p) == 22 for p in persons)
    assert resident_id(900, "19650505") not in json.dumps(exported)


# --- who may key at all ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PREP_GROUP, Role.STREET_OFFICE, Role.PLATFORM_ADMIN])
def test_only_clerk_accounts_key_check_and_register_clerk_keys(app, factory, role):
    pv = paper_vote(app, factory)
    paper_id = pv.key_and_sign(pv.a, "v00001", CHOICES)
    other = clerk_for(app, factory, pv.election.estate, role)
    only_clerks = "Only a clerk's account keys, checks and signs paper ballots and registers a clerk key."
    for response in (
        pv.key(other, "v00002", {"m1": "no"}),
        pv.check(other, paper_id, "v00001", CHOICES),
        other.client.post(f"{pv.api}/officer-key", json={"public_key": signing.public_key_b64(other.key)}),
    ):
        assert response.status_code == 403 and response.get_json() == {"error": only_clerks}
    assert only_clerks in html.unescape(other.client.get(f"{pv.base}/key").get_data(as_text=True))
    paper = db.session.get(PaperBallot, paper_id)
    assert (paper.status, paper.checked_by) == ("awaiting_check", None)
    assert db.session.scalar(select(func.count()).select_from(PaperBallot)) == 1 and len(pv.election.officers) == 3
    with pytest.raises(ElectionError, match="Only a clerk's account"):
        register_officer("test", draft(pv.election.estate), other.staff, "clerk", signing.public_key_b64(other.key))
    db.session.rollback()

    # They still follow the desk: what waits for a check, each ballot and its scan, but no key or entry form.
    progress = other.client.get(pv.base + "/").get_data(as_text=True)
    assert f'/ballots/{paper_id}"' in progress and "/key" not in progress and "officer_keys.js" not in progress
    assert other.client.get(f"{pv.base}/ballots/{paper_id}").status_code == 200
    assert other.client.get(f"{pv.base}/ballots/{paper_id}/scan").status_code == 200


# --- mismatch -----------------------------------------------------------------------------------------


def test_differing_entries_set_the_ballot_aside_to_be_keyed_again(app, factory):
    pv = paper_vote(app, factory)
    paper_id = pv.key_and_sign(pv.a, "v00001", CHOICES)
    differing = pv.check(pv.b, paper_id, "v00001", {"m1": "yes", "m3": ["c3-1", "c3-2"]})  # m2 read as blank
    assert differing.get_json() == {
        "paper_id": paper_id,
        "status": "mismatch",
        "differences": {"voter": False, "motions": ["m2"]},
    }
    for clerk in (pv.a, pv.b):
        status = clerk.client.get(f"{pv.api}/ballots/{paper_id}").get_json()
        assert status["differences"] == {"voter": False, "motions": ["m2"]}
        assert "筹集住宅专项维修资金" in clerk.client.get(f"{pv.base}/ballots/{paper_id}").get_data(as_text=True)
    body = json.loads(db.session.get(PaperBallot, paper_id).ballot_json)
    assert pv.countersign(pv.b, paper_id, body).status_code == 409
    assert pv.check(pv.b, paper_id, "v00001", CHOICES).status_code == 409  # no second guess
    assert ballots(pv.election) == []
    assert pv.a.client.get(pv.api + "/").get_json()["to_rekey"] == [paper_id]

    # Keyed again from the same scan (by B this time), then checked by A.
    rekeyed = pv.key(pv.b, "v00001", CHOICES, rekey_of=paper_id)
    assert rekeyed.status_code == 201
    new = rekeyed.get_json()
    assert new["paper_id"] != paper_id and new["ballot"]["paper_scan_sha256"] == body["paper_scan_sha256"]
    assert pv.key(pv.a, "v00001", CHOICES, rekey_of=paper_id).status_code == 409  # once only
    pv.b.client.post(
        f"{pv.api}/ballots/{new['paper_id']}/signature",
        json={"officer_id": pv.b.officer_id, "signature": pv.b.sign(new["ballot"])},
    )
    assert pv.check(pv.a, new["paper_id"], "v00001", CHOICES).get_json()["status"] == "match"
    assert pv.countersign(pv.a, new["paper_id"], new["ballot"]).get_json()["status"] == "logged"

    voter_differs = pv.key_and_sign(pv.a, "v00003", CHOICES)
    assert pv.check(pv.b, voter_differs, "v00002", CHOICES).get_json()["differences"] == {"voter": True, "motions": []}
    assert len(ballots(pv.election)) == 1 and finish(pv)["counted"] == 1


# --- signatures --------------------------------------------------------------------------------------


def test_bad_signatures_are_refused_and_nothing_changes(app, factory):
    pv = paper_vote(app, factory)
    response = pv.key(pv.a, "v00001", CHOICES)
    paper_id, ballot = response.get_json()["paper_id"], response.get_json()["ballot"]
    url = f"{pv.api}/ballots/{paper_id}/signature"
    other_body = ballot | {"choices": {"m1": "no"}}
    for officer_id, signature in [
        (pv.a.officer_id, pv.a.sign(other_body)),  # another body
        (pv.a.officer_id, pv.b.sign(ballot)),  # another key
        (pv.a.officer_id, "AAAA"),
        (pv.a.officer_id, None),
    ]:
        refused = pv.a.client.post(url, json={"officer_id": officer_id, "signature": signature})
        assert refused.status_code == 400 and "signature does not match" in refused.get_json()["error"]
    assert (
        pv.a.client.post(url, json={"officer_id": pv.b.officer_id, "signature": pv.b.sign(ballot)}).status_code == 403
    )  # B's key is not A's to use
    assert db.session.get(PaperBallot, paper_id).keyed_signature == ""

    pv.a.client.post(url, json={"officer_id": pv.a.officer_id, "signature": pv.a.sign(ballot)})
    assert pv.check(pv.b, paper_id, "v00001", CHOICES).get_json()["status"] == "match"
    forged = pv.countersign(Clerk(pv.b.staff, pv.b.client, pv.a.key, pv.b.officer_id), paper_id, ballot)
    assert forged.status_code == 400
    assert ballots(pv.election) == [] and db.session.get(PaperBallot, paper_id).status == "awaiting_check"
    assert pv.countersign(pv.b, paper_id, ballot).status_code == 200


# --- re-vote across channels ---------------------------------------------------------------------------


def test_revote_first_refuses_paper_after_online(app, factory):
    pv = paper_vote(app, factory, revote="first")
    cast_online_now(pv, "v00001", {"m1": "no"})
    warned = pv.a.client.get(f"{pv.api}/handins/sign", query_string={"unit": UNIT["v00001"]})
    assert "the first ballot counts" in warned.get_json()["warning"]
    paper_id = pv.key_and_sign(pv.a, "v00001", CHOICES, handin=pv.handed_in("v00001", identity_checked=True))
    body = pv.check(pv.b, paper_id, "v00001", CHOICES).get_json()["ballot"]
    refused = pv.countersign(pv.b, paper_id, body)
    assert refused.status_code == 409 and "first ballot" in refused.get_json()["error"]
    assert len(ballots(pv.election)) == 1
    assert db.session.get(PaperBallot, paper_id).status == "awaiting_check"
    status = pv.b.client.get(f"{pv.api}/ballots/{paper_id}").get_json()
    assert "first ballot" in status["refused"]
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "paper.refused")) == 1
    )


def test_revote_first_refuses_online_after_paper(app, factory):
    pv = paper_vote(app, factory, revote="first")
    assert pv.enter("v00001", CHOICES)[1].status_code == 200
    with pytest.raises(BallotRefused):
        cast_online_now(pv, "v00001", {"m1": "no"})
    db.session.rollback()
    assert [e["body"]["channel"] for e in ballots(pv.election)] == ["paper"]


def test_a_paper_counts_from_its_hand_in_so_a_later_online_ballot_wins_however_late_it_is_keyed(app, factory):
    pv = paper_vote(app, factory, revote="last")
    receipt = pv.handed_in("v00001")
    cast_online_now(pv, "v00001", {"m1": "yes"})
    close(pv)  # the sealed box is keyed after the close
    assert pv.enter("v00001", {"m1": "no"}, handin=receipt)[1].status_code == 200
    kinds = [(e["kind"], e["body"].get("channel")) for e in logged(pv.election)]
    assert kinds[-3:] == [("handin", None), ("ballot", "online"), ("ballot", "paper")]
    assert logged(pv.election)[-1]["body"]["handin"] == len(kinds) - 3
    recount = finish(pv)
    assert recount["counted"] == 1
    assert (recount["motions"][0]["yes"]["heads"], recount["motions"][0]["no"]["heads"]) == (1, 0)


def test_a_paper_after_an_online_ballot_counts_only_with_the_identity_check(app, factory):
    pv = paper_vote(app, factory, revote="last")
    cast_online_now(pv, "v00001", {"m1": "no"})
    desk = pv.a.client.get(f"{pv.base}/handins/new?unit={UNIT['v00001']}").get_data(as_text=True)
    assert "already voted online" in html.unescape(desk) and "identity document" in html.unescape(desk)

    unchecked = pv.key(pv.a, "v00001", {"m1": "yes"}, handin=pv.handed_in("v00001", identity_checked=False))
    assert unchecked.status_code == 409 and unchecked.get_json()["error"] == (
        "This owner voted online before the paper ballot was handed in, and nobody checked their identity at the "
        "desk: the paper ballot cannot replace the online one."
    )
    assert db.session.scalar(select(func.count()).select_from(PaperBallot)) == 0

    checked = pv.handed_in("v00001", identity_checked=True)
    close(pv)
    assert pv.enter("v00001", {"m1": "yes"}, handin=checked)[1].status_code == 200
    recount = finish(pv)
    assert recount["counted"] == 1
    assert (recount["motions"][0]["yes"]["heads"], recount["motions"][0]["no"]["heads"]) == (1, 0)


# --- the hand-in desk --------------------------------------------------------------------------------


def test_the_desk_numbers_each_hand_in_once_and_checks_identity_only_with_a_voter(app, factory):
    pv = paper_vote(app, factory)
    assert [pv.handed_in("v00001", identity_checked=True), pv.handed_in(None)] == ["J-0001", "J-0002"]
    sealed = pv.a.client.get(f"{pv.api}/handins/J-0002").get_json()
    assert (sealed["units"], sealed["identity_checked"]) == (None, False)
    no_voter = pv.a.client.get(f"{pv.api}/handins/sign", query_string={"sealed_box": "1", "identity_checked": "1"})
    assert no_voter.status_code == 400 and "only for a known voter" in no_voter.get_json()["error"]

    body = pv.a.client.get(f"{pv.api}/handins/sign", query_string={"unit": UNIT["v00002"]}).get_json()["body"]
    assert body["desk_receipt"] == "J-0003"
    wrong_purpose = pv.a.client.post(
        f"{pv.api}/handins", json={"officer_id": pv.a.officer_id, "body": body, "signature": pv.a.sign(body, "ballot")}
    )
    assert wrong_purpose.status_code == 400 and "signature does not match" in wrong_purpose.get_json()["error"]
    taken = body | {"desk_receipt": "J-0001"}
    again = pv.a.client.post(
        f"{pv.api}/handins",
        json={"officer_id": pv.a.officer_id, "body": taken, "signature": pv.a.sign(taken, "handin")},
    )
    assert again.status_code == 409 and "J-0001 is already given" in again.get_json()["error"]
    made_up = body | {"desk_receipt": "whatever"}
    assert (
        pv.a.client.post(
            f"{pv.api}/handins",
            json={"officer_id": pv.a.officer_id, "body": made_up, "signature": pv.a.sign(made_up, "handin")},
        ).status_code
        == 400
    )
    assert [e["body"]["desk_receipt"] for e in logged(pv.election) if e["kind"] == "handin"] == ["J-0001", "J-0002"]
    assert pv.a.client.get(pv.api + "/").get_json()["handins"] == ["J-0001", "J-0002"]


def test_a_sealed_box_paper_with_a_written_proxy_carries_the_proxys_hash(app, factory):
    pv = paper_vote(app, factory)
    from_the_box = pv.handed_in(None)
    proxy = png_scan()
    paper_id, logged_answer = pv.enter("v00003", CHOICES, handin=from_the_box, proxy_scan=b64e(proxy))
    assert logged_answer.status_code == 200, logged_answer.get_json()
    served = pv.b.client.get(f"{pv.base}/ballots/{paper_id}/proxy")
    assert served.status_code == 200 and served.data == proxy and "no-store" in served.headers["Cache-Control"]
    # Keyed, the hand-in is no longer offered, nor can another ballot name it.
    assert pv.a.client.get(pv.api + "/").get_json()["handins"] == []
    twice = pv.key(pv.a, "v00002", CHOICES, handin=from_the_box)
    assert twice.status_code == 409 and "already keyed" in twice.get_json()["error"]
    finish(pv)
    [entry] = [e for e in export_record(pv.election)["log"] if e["kind"] == "ballot"]
    assert entry["body"]["proxy_sha256"] == b64e(hashlib.sha256(proxy).digest())
    assert entry["body"]["voter_id"] == pv.vote.ids["v00003"]


def test_the_minutes_say_which_ballots_came_through_a_written_proxy(app, factory, tmp_path):
    pv = paper_vote(app, factory)
    assert pv.enter("v00003", CHOICES, handin=pv.handed_in(None), proxy_scan=b64e(png_scan()))[1].status_code == 200
    assert pv.enter("v00002", CHOICES)[1].status_code == 200
    finish(pv)
    text = layout_text(
        write(tmp_path, "minutes.pdf", minutes_pdf(pv.election, "https://board.test", scrutineers=[], clerks=[]))
    )
    proxy_line = ngettext(
        "%(num)d paper ballot was cast through a written proxy (授权委托书), checked by the clerks; "
        "the scan of each proxy is hashed into the record and the annex marks its line.",
        "%(num)d paper ballots were cast through a written proxy (授权委托书), checked by the clerks; "
        "the scan of each proxy is hashed into the record and the annex marks their lines.",
        1,
    )
    assert flat(proxy_line) in flat(text)
    marked = [line for line in text.splitlines() if gettext("%(voter)s (proxy)", voter="").strip() in line]
    assert len(marked) == 1 and pv.vote.ids["v00003"] in marked[0]


@pytest.mark.parametrize("rule", ["took_part", "not_counted"])
def test_invalid_marks_are_logged_with_their_reason_and_counted_as_the_estates_rules_say(app, factory, rule):
    pv = paper_vote(app, factory, invalid_ballot=rule)
    several = {"m1": "several_marks"}
    assert pv.enter("v00001", {"m3": ["c3-1"]}, invalid=several)[1].status_code == 200
    assert pv.enter("v00002", {}, unsigned=True)[1].status_code == 200
    cast_online_now(pv, "v00003", {"m1": "yes"})
    bodies = [e["body"] for e in ballots(pv.election)]
    assert bodies[0]["invalid"] == several and bodies[1]["invalid"] == {
        "m1": "unsigned",
        "m2": "unsigned",
        "m3": "unsigned",
    }
    with app.test_request_context(headers={"Accept-Language": "en"}):  # as the minutes' annex prints it
        printed = [p(bodies[0]) for p in choice_printers(json.loads(pv.election.definition_json))]
    assert printed == ["Invalid (several boxes ticked)", "Abstain", "甲"]

    recount = finish(pv)
    m1, m3 = recount["motions"][0], recount["motions"][2]
    assert recount["counted"] == 3
    if rule == "took_part":  # took part, did not agree
        assert m1["participation"] == {"area": 8956 + 18000 + 12025, "heads": 3}
        assert m1["invalid"] == {"area": 8956 + 18000, "heads": 2}
        assert m3["participation"]["heads"] == 3 and m3["invalid"]["heads"] == 1
    else:
        assert m1["participation"] == {"area": 12025, "heads": 1} and m1["invalid"] == {"area": 0, "heads": 0}
        assert m3["participation"]["heads"] == 2 and m3["invalid"]["heads"] == 0
    assert m1["yes"] == {"area": 12025, "heads": 1}
    results = pv.a.client.get(f"/estates/{pv.election.estate.code}/elections/{pv.election.id}/results")
    assert results.status_code == 200 and "Invalid (paper)" in results.get_data(as_text=True)


# --- scope and period -------------------------------------------------------------------------------------


def test_the_scan_is_served_only_within_scope(app, factory):
    pv = paper_vote(app, factory)
    scan = png_scan()
    paper_id = pv.key(pv.a, "v00001", CHOICES, scan).get_json()["paper_id"]
    served = pv.b.client.get(f"{pv.base}/ballots/{paper_id}/scan")
    assert served.status_code == 200 and served.data == scan and served.mimetype == "image/png"
    assert "no-store" in served.headers["Cache-Control"]

    other_election = draft(pv.election.estate)
    other_base = pv.base.replace(f"/elections/{pv.election.id}/", f"/elections/{other_election.id}/")
    assert pv.b.client.get(f"{other_base}/ballots/{paper_id}/scan").status_code == 404
    assert app.test_client().get(f"{pv.base}/ballots/{paper_id}/scan").status_code == 302  # to the login
    community = login(app.test_client(), factory.staff(Role.COMMUNITY, pv.election.estate))
    assert community.get(f"{pv.base}/ballots/{paper_id}/scan").status_code == 403


def test_another_estates_clerk_finds_nothing(app, factory):
    pv = paper_vote(app, factory)
    paper_id = pv.key_and_sign(pv.a, "v00001", CHOICES)
    stranger = clerk_for(app, factory, factory.estate(roster=small_roster()))
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("paper.", "api.paper.")):  # the pages and the API alike
            continue
        url = rule.build(
            {
                "code": pv.election.estate.code,
                "election_id": pv.election.id,
                "paper_id": paper_id,
                "desk_receipt": "J-0001",
            },
            append_unknown=False,
        )[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = stranger.client.open(url, method=method, json={})
            assert response.status_code == 404, (method, url)
            # A page whatever the request sent; JSON on the API.
            assert response.is_json == rule.endpoint.startswith("api."), (method, url)
            checked += 1
    assert checked == 26


def test_a_ballot_of_another_vote_of_the_estate_is_refused_before_what_was_sent_is_read(app, factory):
    pv = paper_vote(app, factory)
    paper_id = pv.key_and_sign(pv.a, "v00001", CHOICES)
    other_election = draft(pv.election.estate)
    naming_a_ballot = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("paper.", "api.paper.")) and "paper_id" in rule.arguments
    ]
    refused = []
    for rule in naming_a_ballot:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for election, answers in ((other_election, 404), (pv.election, None)):
                values = {"code": pv.election.estate.code, "election_id": election.id, "paper_id": paper_id}
                url = rule.build(values, append_unknown=False)[1]
                # A clerk of the estate, sending what is no JSON object (400 on the API, once read).
                response = pv.b.client.open(url, method=method, data="[]", content_type="application/json")
                if answers is not None:
                    assert response.status_code == answers, (method, url)
                elif method == "POST" and rule.endpoint.startswith("api."):
                    assert response.status_code == 400, (method, url)
            refused.append(rule.endpoint)
    assert len(refused) == 11  # seven pages (GET or POST) and four API routes


def test_hand_ins_end_at_the_close_and_keying_goes_on_until_the_count(app, factory):
    pv = paper_vote(app, factory)
    paper_id = pv.key_and_sign(pv.a, "v00001", CHOICES)
    body = pv.check(pv.b, paper_id, "v00001", CHOICES).get_json()["ballot"]
    from_the_box = pv.handed_in(None)
    close(pv)
    late = pv.a.client.get(f"{pv.api}/handins/sign", query_string={"unit": UNIT["v00002"]})
    assert late.status_code == 409 and "closed" in late.get_json()["error"]
    assert pv.countersign(pv.b, paper_id, body).status_code == 200
    assert pv.enter("v00002", CHOICES, handin=from_the_box)[1].status_code == 200
    assert finish(pv)["counted"] == 2
    counted = pv.key(pv.a, "v00003", CHOICES, handin=from_the_box)
    assert counted.status_code == 409 and "counted" in counted.get_json()["error"]
    assert "counted" in pv.a.client.get(f"{pv.base}/key").get_data(as_text=True)


def test_entries_are_checked_before_anything_is_stored(app, factory):
    pv = paper_vote(app, factory)
    scan = png_scan()
    handin, for_another = pv.handed_in("v00001"), pv.handed_in("v00002")
    faults = [
        ({"unit": "9-9-9"}, 404, "9-9-9"),
        ({"choices": {"m9": "yes"}}, 400, "m9"),
        ({"choices": {"m1": "maybe"}}, 400, "yes, no or abstain"),
        ({"choices": {"m3": ["c3-1", "c3-2", "c3-3"]}}, 400, "2 seats"),
        ({"choices": {"m3": ["c1-1"]}}, 400, "not a candidate"),
        ({"scan": b64e(b"GIF89a" + scan)}, 400, "PDF, PNG or JPEG"),
        ({"officer_id": pv.b.officer_id}, 403, "no clerk key"),
        ({"invalid": {"m1": "several_marks"}}, 400, "a choice and an invalid mark"),
        ({"invalid": {"m2": "smudged"}}, 400, "unknown reason"),
        ({"invalid": {"m1": "too_many_candidates"}, "choices": {}}, 400, "elects nobody"),
        ({"invalid": {"m1": "unsigned"}, "choices": {}}, 400, "unknown reason"),
        ({"unsigned": True}, 400, "leave its choices blank"),
        ({"handin": "J-9999"}, 400, "J-9999"),
        ({"handin": for_another}, 409, "handed in for another voter"),
    ]
    for change, status, reason in faults:
        payload = {
            "unit": UNIT["v00001"],
            "officer_id": pv.a.officer_id,
            "choices": CHOICES,
            "handin": handin,
            "scan": b64e(scan),
        } | change
        response = pv.a.client.post(f"{pv.api}/ballots", json=payload)
        assert response.status_code == status and reason in response.get_json()["error"], (change, response.json)
    assert db.session.scalar(select(func.count()).select_from(PaperBallot)) == 0
    assert pv.key(pv.a, "v00001", CHOICES, scan, handin=handin).status_code == 201
    duplicate = pv.key(pv.a, "v00002", CHOICES, scan, handin=for_another)
    assert duplicate.status_code == 409 and "already entered" in duplicate.get_json()["error"]


# --- the printed ballot, the desk's warning, staff by name ------------------------------------------------


def pdf_text(pdf: bytes) -> str:
    """The PDF's text without whitespace: Chinese lines wrap anywhere."""
    from pypdf import PdfReader

    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def zh(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    return client


def test_the_desk_prints_a_blank_ballot_and_one_per_voter(app, factory):
    pv = paper_vote(app, factory)
    index = pv.a.client.get(pv.base + "/").get_data(as_text=True)
    assert f"{pv.base}/ballot-paper.pdf" in index
    blank = pv.a.client.get(f"{pv.base}/ballot-paper.pdf")
    assert blank.status_code == 200 and blank.mimetype == "application/pdf"
    assert blank.headers["Cache-Control"] == "private, no-store"
    text = pdf_text(blank.data)
    # In the owners' language whatever the clerk reads: the motions with their boxes, each candidate
    # in full with the most one may tick, the desk's receipt number, the owner's signature (art. 22).
    for expected in (
        "表决票",
        "业主大会表决",
        "选聘物业服务企业",
        "筹集住宅专项维修资金",
        "选举业主委员会",
        "甲",
        "乙",
        "丙",
        "最多选2名",
        "同意",
        "反对",
        "弃权",
        "回执号",
        "J-",
        "业主签名",
        "日期",
        "第二十二条",
        "密封投票箱",
    ):
        assert expected in text, expected
    assert "1幢-1-101" not in text and "张*" not in text  # blank: any voter's

    for unit in ("1幢-1-101", "1幢-1-201"):
        assert f"ballot-paper.pdf?unit={quote(unit)}" in pv.a.client.get(f"{pv.base}/handins/new?unit={unit}").get_data(
            as_text=True
        )
    couple = pdf_text(pv.a.client.get(f"{pv.base}/ballot-paper.pdf", query_string={"unit": "1幢-1-101"}).data)
    assert "1幢-1-101" in couple and "张*、李*" in couple and "89.56" in couple and "业主签名" in couple
    assert "张三" not in couple and "选举业主委员会" in couple
    buyer = pdf_text(pv.a.client.get(f"{pv.base}/ballot-paper.pdf", query_string={"unit": "1幢-1-201"}).data)
    assert "1幢-1-102、1幢-1-201" in buyer and "王*" in buyer and "180.00" in buyer

    unknown = pv.a.client.get(f"{pv.base}/ballot-paper.pdf", query_string={"unit": "1幢-9-999"}, follow_redirects=True)
    assert (
        unknown.request.path == pv.base + "/"
        and "No voter of this vote's roll holds unit 1幢-9-999" in html.unescape(unknown.get_data(as_text=True))
    )


def test_a_ballot_is_printed_only_once_the_motions_are_fixed_and_only_within_scope(app, factory):
    estate = factory.estate(roster=small_roster())
    election = draft(estate)
    clerk = clerk_for(app, factory, estate)
    base = f"/estates/{estate.code}/elections/{election.id}/paper"
    early = clerk.client.get(f"{base}/ballot-paper.pdf", follow_redirects=True)
    assert early.request.path == base + "/" and "once the vote is open" in early.get_data(as_text=True)
    assert "ballot-paper.pdf" not in clerk.client.get(base + "/").get_data(as_text=True)
    other = clerk_for(app, factory, factory.estate(roster=small_roster()))
    assert other.client.get(f"{base}/ballot-paper.pdf").status_code == 404


def test_the_clerk_keying_a_paper_is_told_which_ballot_counts_when_the_owner_voted_online(app, factory):
    pv = paper_vote(app, factory, revote="last")
    before = pv.handed_in("v00001")
    quiet = pv.a.client.get(f"{pv.base}/key?unit={UNIT['v00001']}").get_data(as_text=True)
    assert "voted online" not in quiet
    cast_online_now(pv, "v00001", {"m1": "no"})
    checked, unchecked = pv.handed_in("v00001", identity_checked=True), pv.handed_in("v00001")
    page = html.unescape(pv.a.client.get(f"{pv.base}/key?unit={UNIT['v00001']}").get_data(as_text=True))
    assert "This owner also voted online" in page and "the last ballot counts" in page
    assert f"{before} (handed in on" in page and "that online ballot counts, not this paper" in page
    assert f"{checked} (handed in on" in page and "it replaces the online ballot and counts" in page
    assert f"{unchecked} (handed in on" in page and "the log will refuse it" in page
    # What the page says is what happens.
    refused = pv.key(pv.a, "v00001", {"m1": "yes"}, handin=unchecked)
    assert refused.status_code == 409
    keyed = pv.key(pv.a, "v00001", {"m1": "yes"}, handin=checked).get_json()
    paper_id = keyed["paper_id"]
    sign_page = html.unescape(pv.a.client.get(f"{pv.base}/ballots/{paper_id}/sign").get_data(as_text=True))
    assert f"{checked} (handed in on" in sign_page and "it replaces the online ballot and counts" in sign_page
    assert f"{unchecked} (handed in on" not in sign_page  # the page names this paper's hand-in only
    pv.a.client.post(
        f"{pv.api}/ballots/{paper_id}/signature",
        json={"officer_id": pv.a.officer_id, "signature": pv.a.sign(keyed["ballot"])},
    )
    body = pv.check(pv.b, paper_id, "v00001", {"m1": "yes"}).get_json()["ballot"]
    assert pv.countersign(pv.b, paper_id, body).status_code == 200
    assert finish(pv)["motions"][0]["yes"]["heads"] == 1

    first = paper_vote(app, factory, revote="first")
    cast_online_now(first, "v00001", {"m1": "no"})
    first.handed_in("v00001", identity_checked=True)
    page = html.unescape(first.a.client.get(f"{first.base}/key?unit={UNIT['v00001']}").get_data(as_text=True))
    assert "the first ballot counts: the online ballot counts, and the log will refuse this paper ballot" in page


def test_the_hand_in_desk_states_what_counts_once_the_identity_check_is_known(app, factory):
    pv = paper_vote(app, factory, revote="last")
    cast_online_now(pv, "v00001", {"m1": "no"})
    sign = f"{pv.api}/handins/sign"
    unchecked = pv.a.client.get(sign, query_string={"unit": UNIT["v00001"]}).get_json()["warning"]
    assert "will be refused and the online ballot counts" in unchecked
    checked = pv.a.client.get(sign, query_string={"unit": UNIT["v00001"], "identity_checked": "1"}).get_json()[
        "warning"
    ]
    assert "replaces the online one and counts" in checked
    assert pv.a.client.get(sign, query_string={"unit": UNIT["v00003"]}).get_json()["warning"] is None


def test_clerks_are_shown_by_name_and_role_not_by_key_id(app, factory):
    pv = paper_vote(app, factory)
    pv.a.staff.display_name, pv.b.staff.display_name = "张晓明", "李红"
    db.session.commit()
    paper_id, logged_answer = pv.enter("v00001", CHOICES)
    assert logged_answer.status_code == 200
    page = zh(pv.a.client).get(f"{pv.base}/ballots/{paper_id}").get_data(as_text=True)
    assert "张晓明（计票人）" in page and "李红（计票人）" in page
    shown, details = page.split("<details>", 1)
    assert pv.a.officer_id not in shown and pv.b.officer_id not in shown  # the key ids only among the details
    assert pv.a.officer_id in details
    slip = pv.a.client.get(f"{pv.base}/handins/J-0001").get_data(as_text=True)
    assert "张晓明（计票人）" in slip and pv.a.officer_id not in slip
    keys = pv.a.client.get(f"{pv.base}/officer-key").get_data(as_text=True)
    assert "张晓明（计票人）" in keys


def test_the_migration_moves_unit_labels_and_paper_differences_into_their_columns(app, factory):
    """Down to the schema where units were JSON text and a set-aside ballot's differences and the
    log's refusal lived only in the audit log, and up again: every label, difference and reason
    comes back in its column, in order, and the pages read them from there."""
    pv = paper_vote(app, factory, revote="first")
    set_aside = pv.key_and_sign(pv.a, "v00001", CHOICES)
    pv.check(pv.b, set_aside, "v00001", {"m1": "yes", "m3": ["c3-1", "c3-2"]})  # m2 read as blank
    cast_online_now(pv, "v00003", {"m1": "no"})
    refused = pv.key_and_sign(pv.a, "v00003", CHOICES, handin=pv.handed_in("v00003", identity_checked=True))
    assert (
        pv.countersign(pv.b, refused, pv.check(pv.b, refused, "v00003", CHOICES).get_json()["ballot"]).status_code
        == 409
    )
    election_id = pv.election.id
    units = units_by_voter(pv.election)
    reason = db.session.get(PaperBallot, refused).refused_reason
    assert "first ballot" in reason
    db.session.commit()
    db.session.remove()
    db.engine.dispose()
    downgrade(revision="7c4e1b8a2d90")  # the migration before the columns
    try:
        with db.engine.connect() as connection:
            assert {
                code: json.loads(text_)
                for code, text_ in connection.execute(
                    text("SELECT voter_code, units_json FROM election_voter WHERE election_id = :id"),
                    {"id": election_id},
                )
            } == units
    finally:
        upgrade()
    assert units_by_voter(db.session.get(Election, election_id)) == units
    papers = {paper.id: paper for paper in db.session.scalars(select(PaperBallot))}
    assert (papers[set_aside].voter_differs, papers[set_aside].differing_motions) == (False, "m2")
    assert papers[refused].refused_reason == reason and papers[refused].voter_differs is None
    status = pv.a.client.get(f"{pv.api}/ballots/{set_aside}").get_json()
    assert status["differences"] == {"voter": False, "motions": ["m2"]}
    with pytest.raises(IntegrityError):  # set aside, it must say what differed
        db.session.execute(update(PaperBallot).where(PaperBallot.id == set_aside).values(differing_motions=None))
