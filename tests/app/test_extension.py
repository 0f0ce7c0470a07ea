"""Extending a vote whose turnout falls short (issue 14 item 5, spec election-record-v2 §5.5):
the preparation group proposes a later close, the street office approves, both sign with their
own keys; the `extension` entry moves the close in the log, on the owners' page and on the
board. The attack: the operator reopening or stretching a vote alone, or after its close."""

import io
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from tests.elections_kit import NOW, group_member, open_vote, roster_voter_ids
from tests.factories import resident_id, small_roster
from voting.ballots.operations import BallotRefused
from voting.board.models import BoardNotice
from voting.core import record_v2, signing
from voting.core.canonical import format_time
from voting.core.rules import NATIONAL_RULES
from voting.elections.operations import export_record
from voting.extend.operations import ExtensionRefused, approve_extension, propose_extension, sign_extension
from voting.extensions import db
from voting.formatting import format_datetime
from voting.pdf.documents import paper_ballot_pdf, results_pdf

pytestmark = pytest.mark.usefixtures("english")  # the refusals are matched in English

REASON = "参与表决的业主未达三分之二"


@pytest.fixture
def vote(app, factory):
    """An open vote closing a week after NOW, a group member with a key, and the street office's
    witness, whose key approves."""
    estate = factory.estate(roster=small_roster())
    member = group_member(factory, estate)
    return open_vote(estate, officers=(member.officer,)), member


def propose(election, member, closes_at, now=NOW):
    """Propose and sign as the member's browser does; committed."""
    request = propose_extension(member.staff, election, closes_at, REASON, now=now)
    sign_extension(
        member.staff, election, request.id, member.officer_id(election), member.sign(request.body(), "extension")
    )
    db.session.commit()
    return request


def approve(open_vote_, request, now=NOW):
    """Approve with the street office's key; committed."""
    witness = open_vote_.witness
    signature = signing.sign(witness.key, "extension", request.body(), record_v2.VERSION)
    approved = approve_extension(witness.staff, open_vote_.election, request.id, witness.officer_id, signature, now=now)
    db.session.commit()
    return approved


def pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def test_an_extended_vote_takes_a_ballot_after_its_first_close_and_its_record_verifies(app, vote):
    open_vote_, member = vote
    election = open_vote_.election
    first_close = election.closes_at
    new_close = first_close + timedelta(days=30)
    voter = roster_voter_ids(election)["v00001"]
    request = approve(open_vote_, propose(election, member, new_close))

    assert election.closes_at == new_close and request.status == "approved" and request.log_seq == 0
    open_vote_.cast(voter, {"m1": "yes"}, now=first_close + timedelta(days=2))
    # The owners' page shows the new close.
    page = app.test_client().get(f"/v/{election.public_id}").get_data(as_text=True)
    shown_close, shown_first = format_datetime(new_close), format_datetime(first_close)
    assert shown_close in page and shown_first not in page
    # The board announces it: the new close, the old one and the reason.
    notice = db.session.get(BoardNotice, request.board_notice_id)
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(notice.pdf)).pages))
    for shown in (shown_close, shown_first, REASON):
        assert re.sub(r"\s+", "", shown) in text
    assert notice.election_id == election.id
    # A paper ballot printed now gives owners the new close, not the one the vote opened with.
    with force_locale("zh_CN"):
        shown_close_zh, shown_first_zh = format_datetime(new_close), format_datetime(first_close)
    ballot = pdf_text(paper_ballot_pdf(election, None))
    assert re.sub(r"\s+", "", shown_close_zh) in ballot and re.sub(r"\s+", "", shown_first_zh) not in ballot

    open_vote_.count()
    record = export_record(election)
    [entry] = [e for e in record["log"] if e["kind"] == "extension"]
    assert entry["body"] == {
        "election_hash": election.election_hash,
        "closes_at": format_time(new_close),
        "previous_closes_at": format_time(first_close),
        "reason": REASON,
    }
    assert [s["signer"] for s in entry["signatures"]] == [member.officer_id(election), open_vote_.witness.officer_id]
    assert record["election"]["rules"]["max_extension_days"] == NATIONAL_RULES["max_extension_days"]
    assert record_v2.verify(record)["counted"] == 1
    # The results name the close in effect too.
    assert re.sub(r"\s+", "", shown_close) in pdf_text(results_pdf(election, "https://board.test"))

    # The same extension, its close moved further by whoever holds the record: both signatures fail.
    entry["body"]["closes_at"] = format_time(new_close + timedelta(days=10))
    with pytest.raises(record_v2.RecordInvalid, match="bad signature") as fault:
        record_v2.verify(record)
    assert fault.value.check == "L12"


def test_without_an_extension_a_ballot_after_the_close_is_refused(app, vote):
    open_vote_, _member = vote
    election = open_vote_.election
    with pytest.raises(BallotRefused, match="closed"):
        open_vote_.cast(roster_voter_ids(election)["v00001"], {"m1": "yes"}, now=election.closes_at + timedelta(days=2))


@pytest.mark.parametrize(
    "when, move, refusal",
    [
        (timedelta(days=8), timedelta(days=30), "only while it is open"),  # NOW + 8 days: after the close
        (timedelta(0), timedelta(hours=-1), "after the present one"),
        (timedelta(0), timedelta(0), "after the present one"),
        (timedelta(0), timedelta(days=NATIONAL_RULES["max_extension_days"], seconds=1), "until"),
    ],
    ids=["after-close", "earlier", "same", "beyond-limit"],
)
def test_an_extension_is_refused_after_the_close_earlier_or_beyond_the_limit(app, vote, when, move, refusal):
    open_vote_, member = vote
    election = open_vote_.election
    with pytest.raises(ExtensionRefused, match=refusal):
        propose_extension(member.staff, election, election.closes_at + move, REASON, now=NOW + when)


def test_the_limit_counts_from_the_first_close_however_often_extended(app, vote):
    open_vote_, member = vote
    election = open_vote_.election
    first_close = election.closes_at
    approve(open_vote_, propose(election, member, first_close + timedelta(days=30)))
    with pytest.raises(ExtensionRefused, match="until"):
        propose_extension(
            member.staff,
            election,
            first_close + timedelta(days=NATIONAL_RULES["max_extension_days"] + 1),
            REASON,
            now=NOW,
        )
    db.session.rollback()
    approve(open_vote_, propose(election, member, first_close + timedelta(days=NATIONAL_RULES["max_extension_days"])))
    assert election.closes_at == first_close + timedelta(days=NATIONAL_RULES["max_extension_days"])


def test_one_person_cannot_propose_and_approve_and_two_group_members_need_the_street_office(app, factory):
    estate = factory.estate(roster=small_roster())
    member = group_member(factory, estate, id_number=resident_id(700, "19700101"))
    same_person = group_member(factory, estate, id_number=resident_id(700, "19700101"))
    other = group_member(factory, estate)
    open_vote_ = open_vote(estate, officers=(member.officer, same_person.officer, other.officer))
    election = open_vote_.election
    request = propose(election, member, election.closes_at + timedelta(days=10))
    for approver, refusal in ((member, "Another person"), (same_person, "Another person"), (other, "street office")):
        with pytest.raises(ExtensionRefused, match=refusal):
            approve_extension(
                approver.staff,
                election,
                request.id,
                approver.officer_id(election),
                approver.sign(request.body(), "extension"),
                now=NOW,
            )
        db.session.rollback()
    assert request.status == "requested" and election.closes_at == NOW + timedelta(days=7)
