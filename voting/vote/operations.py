"""An owner's vote from the phone: prove the notice's key, cast the signed ballot, check a receipt.

The phone holds the credential; the server only ever sees public keys and signatures. The
session step tells the owner early whether the notice is good; casting checks everything again
on its own, so a forged or skipped session gains nothing.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from voting.auth.access import may_see_unit_choices, unit_choices_shown
from voting.ballots.models import LogEntry
from voting.ballots.operations import BallotRefused, cast_online, check_receipt
from voting.core import signing
from voting.core.canonical import b64e, parse_json, parse_time
from voting.elections.models import Election, ElectionVoter, State
from voting.elections.scopes import motions_of
from voting.errors import Refusal
from voting.extensions import db
from voting.formatting import format_area, format_datetime
from voting.privacy import last4_hash, personal_data
from voting.tally.operations import UnitChoices, unit_choices
from voting.timeutil import utcnow
from voting.vote.models import SpentChallenge

CHALLENGE_SALT = "gongzhi/vote/possession-challenge"
CHALLENGE_LIFETIME = timedelta(minutes=10)
# Not one of the record's purposes (ballot, tree-head, certification), so a possession proof
# can never pass for a ballot signature, nor the other way round.
POSSESSION_PREFIX = b"gongzhi/2/possession\x00"
# A ballot or a receipt is a few kilobytes; anything far larger is refused unread.
MAX_REQUEST_BYTES = 64 * 1024


class VoteRefused(Refusal):
    """A request from the phone that cannot be served; the message says why, status is the HTTP code."""

    status = 400


def find_election(public_id: str) -> Election | None:
    return db.session.scalar(select(Election).where(Election.public_id == public_id))


def opened_election(public_id: str) -> Election | None:
    """The election once its definition is frozen, which is all a phone may act on; else None."""
    election = find_election(public_id)
    return election if election is not None and election.definition_json is not None else None


def why_not_open(election: Election, now: datetime | None = None) -> str | None:
    """Why owners cannot vote in this election now, or None when they can."""
    now = now or utcnow()
    if election.state == State.DRAFT:
        return _("This vote has not been opened yet.")
    if election.state != State.OPEN or now > election.closes_at:
        return _("This vote closed on %(time)s.", time=format_datetime(election.closes_at))
    if now < election.opens_at:
        return _("Voting opens on %(time)s.", time=format_datetime(election.opens_at))
    return None


def ballot_page_data(election: Election) -> dict:
    """What the phone needs to show and sign the ballot: the frozen definition and its hash."""
    return {
        "election": election.definition,
        "estate_name": election.estate.name,
        "election_hash": election.election_hash,
        "require_id_last4": election.require_id_last4,
        "receipt_storage_key": receipt_storage_key(election),
    }


def receipt_storage_key(election: Election) -> str:
    """Where the phone keeps its receipts for this election (localStorage)."""
    return f"gongzhi-receipts:{election.public_id}"


class _AppClockSigner(TimestampSigner):
    """Stamps a challenge with the app's clock, the one its age is checked against."""

    def get_timestamp(self) -> int:
        return int(utcnow().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CHALLENGE_SALT, signer=_AppClockSigner)


def issue_challenge(election: Election, now: datetime | None = None) -> str:
    """A fresh token the phone signs to prove it holds the notice's key: to vote while the vote
    is open, or to see how each unit voted once it is counted, where that is shown."""
    if not unit_choices_shown(election):
        _require_open(election, now or utcnow())
    return _serializer().dumps({"election": election.id, "nonce": b64e(os.urandom(16))})


def _check_challenge(election: Election, challenge: str, now: datetime) -> str:
    """The challenge's nonce, once its signature, vote and age are checked."""
    try:
        content, issued_at = _serializer().loads(challenge, return_timestamp=True)
    except BadSignature:
        raise VoteRefused(_("This sign-in request is not valid; please scan the QR code again."), 403) from None
    if not isinstance(content, dict) or content.get("election") != election.id:
        raise VoteRefused(_("This sign-in request is for another vote; please scan the QR code again."), 403)
    if now - issued_at > CHALLENGE_LIFETIME:
        raise VoteRefused(_("This sign-in request has expired; please scan the QR code again."), 403)
    return content["nonce"]


def _spend_challenge(nonce: str, now: datetime) -> None:
    """Take a challenge's answer once: a copy of a phone's sign-in, sent again, proves nothing.
    Spent once the caller commits; the answers of expired challenges are forgotten."""
    db.session.execute(delete(SpentChallenge).where(SpentChallenge.spent_at < now - CHALLENGE_LIFETIME))
    try:
        with db.session.begin_nested():
            db.session.add(SpentChallenge(nonce=nonce, spent_at=now))
    except IntegrityError:
        raise VoteRefused(_("This sign-in request was used already; please scan the QR code again."), 403) from None


def read_request(data: bytes) -> dict:
    """The JSON object a phone sent; floats and duplicate keys are refused as the record refuses them."""
    try:
        body = parse_json(data)
    except (ValueError, RecursionError):
        raise VoteRefused(_("The request is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise VoteRefused(_("The request is not a JSON object."))
    return body


def _text_field(body: dict, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise VoteRefused(_("The request lacks %(field)s.", field=key))
    return value


def _require_open(election: Election, now: datetime) -> None:
    reason = why_not_open(election, now)
    if reason:
        raise VoteRefused(reason, 409)


def _check_id_last4(election: Election, holder: ElectionVoter, id_last4) -> None:
    """Where the estate asks for it: the last four ID characters of one of the voter's owners."""
    if not election.require_id_last4:
        return
    if not isinstance(id_last4, str) or len(id_last4.strip()) != 4:
        raise VoteRefused(_("Please enter the last four characters of an owner's ID number."), 403)
    if last4_hash(personal_data(), id_last4.strip().upper()) not in holder.last4_hashes:
        raise VoteRefused(_("The last four characters do not match the ID number of an owner of this unit."), 403)


def _has_voted(election: Election, holder: ElectionVoter) -> bool:
    return (
        db.session.scalar(
            select(LogEntry.id)
            .where(
                LogEntry.election_id == election.id, LogEntry.kind == "ballot", LogEntry.voter_code == holder.voter_code
            )
            .limit(1)
        )
        is not None
    )


def _proven_holder(election: Election, body: dict, now: datetime) -> ElectionVoter:
    """The voter whose current key signed the server's fresh challenge in ``body``."""
    public_key, challenge, signature = (_text_field(body, key) for key in ("public_key", "challenge", "signature"))
    nonce = _check_challenge(election, challenge, now)
    try:
        key = signing.public_key_bytes(public_key)  # also keeps odd text (NUL) out of the query
        holder = db.session.scalar(
            select(ElectionVoter).where(
                ElectionVoter.election_id == election.id, ElectionVoter.public_key == public_key
            )
        )
    except ValueError:
        holder = None
    if holder is None:
        raise VoteRefused(
            _(
                "This voting notice is not valid for this vote. If you were given a new notice, "
                "scan that one; otherwise ask the preparation group for a paper ballot."
            ),
            403,
        )
    if not signing.verify_message(key, POSSESSION_PREFIX + challenge.encode(), signature):
        raise VoteRefused(
            _("The phone could not prove it holds this notice's key; please scan the QR code again."), 403
        )
    _spend_challenge(nonce, now)
    return holder


def open_session(election: Election, body: dict, now: datetime | None = None) -> dict:
    """Confirm that the phone holds the current key of a voter of this election.

    Tells the phone who it votes for and whether a ballot is already logged; grants nothing,
    since casting verifies the ballot's own signature.
    """
    now = now or utcnow()
    _require_open(election, now)
    holder = _proven_holder(election, body, now)
    # Only after the key is proven, so nobody can probe owners' ID numbers without a notice.
    _check_id_last4(election, holder, body.get("id_last4"))
    return {
        "voter_id": holder.voter_code,
        "units": holder.unit_labels,
        "area": format_area(holder.area),
        "already_voted": _has_voted(election, holder),
        # The motions of the scopes this voter holds a unit in: the ballot shows only these.
        "motions": [motion["motion_id"] for motion in motions_of(election, holder)],
        "revote": election.revote,
    }


def reveal_unit_choices(election: Election, body: dict, now: datetime | None = None) -> UnitChoices:
    """How each unit voted, for a phone that proves it holds a key currently valid for this
    vote; refused to everyone where the assembly did not decide to show it, or before the count."""
    holder = _proven_holder(election, body, now or utcnow())
    if not may_see_unit_choices(election, holder):
        raise VoteRefused(_("How each unit voted is not shown for this vote."), 403)
    return unit_choices(election)


def cast_ballot(election: Election, body: dict, now: datetime | None = None) -> dict:
    """Log a ballot signed on the phone and return its receipt; the caller commits, or rolls
    back on VoteRefused / BallotRefused."""
    ballot, signature = body.get("ballot"), body.get("signature")
    if not isinstance(ballot, dict) or not isinstance(signature, str):
        raise VoteRefused(_("The request needs a ballot and its signature."))
    receipt = cast_online(election, ballot, signature, now)
    if election.require_id_last4:
        # Checked after cast_online has verified the signature (a refusal here is rolled back),
        # so that a found notice is not enough to vote, and ID numbers cannot be probed without one.
        holder = db.session.scalar(
            select(ElectionVoter).where(
                ElectionVoter.election_id == election.id, ElectionVoter.voter_code == ballot["voter_id"]
            )
        )
        _check_id_last4(election, holder, body.get("id_last4"))
    return receipt.as_json(election)


def check_receipt_text(election: Election, text: str | bytes) -> dict:
    """The answer to "is my ballot in the log, and does it count?" for a receipt as pasted or
    posted: the finding (ballots.operations.check_receipt), ``words`` for the owner, the
    receipt's ``proof`` for those who verify; or ``error`` in words and the technical ``fault``."""
    try:
        receipt = parse_json(text)
    except (ValueError, RecursionError):
        return {"ok": False, "error": _("The receipt is not valid JSON; paste it exactly as it was saved.")}
    try:
        finding = check_receipt(election, receipt)
    except BallotRefused as refusal:
        return {
            "ok": False,
            "fault": str(refusal),
            "error": _(
                "This receipt matches no ballot in the log of this vote. Check that it is a receipt of "
                "this vote, kept exactly as it was given. If it is, and nobody changed it, tell the "
                "street office."
            ),
        }
    proof = {
        "entry_hash": receipt["entry_hash"],
        "size": receipt["checkpoint"]["size"],
        "root": receipt["checkpoint"]["root"],
        "inclusion_proof": receipt["inclusion_proof"],
    }
    return {
        "ok": True,
        "message": _receipt_message(finding),
        **finding,
        "words": _receipt_words(election, finding),
        "proof": proof,
    }


def _described_ballot(ballot: dict) -> str:
    """How and when a ballot (as check_receipt describes it) was cast, in words."""
    cast_at = format_datetime(parse_time(ballot["cast_at"]))
    if ballot["channel"] == "online":
        return _("cast online on %(time)s", time=cast_at)
    return _(
        "a paper ballot handed in at the desk on %(time)s with desk receipt %(receipt)s, %(identity)s, "
        "keyed and checked by the clerks %(clerks)s",
        time=cast_at,
        receipt=ballot["desk_receipt"],
        identity=_("identity checked at the desk") if ballot["identity_checked"] else _("identity not checked"),
        clerks="、".join(ballot["clerks"]),
    )


def _receipt_words(election: Election, finding: dict) -> dict:
    """The receipt page's finding as an owner reads it: a headline, when the ballot was cast,
    whether it counts and, where it does not, which later ballot counts instead."""
    own = finding["ballot"]
    cast_at = format_datetime(parse_time(own["cast_at"]))
    cast = (
        _("%(time)s, online", time=cast_at)
        if own["channel"] == "online"
        else _("%(time)s, paper ballot (desk receipt %(receipt)s)", time=cast_at, receipt=own["desk_receipt"])
    )
    advice = ""
    if finding["status"] == "counted":
        headline = _("Your ballot is counted")
        standing = _("Counted: this is the ballot counted for your vote in the published result.")
    elif finding["status"] == "pending":
        headline = _("Your ballot is in the log, to be counted")
        if election.state != State.OPEN:
            standing = _(
                "In the log, unchanged. The count is not published yet; once it is, this page tells "
                "whether this ballot is the one counted."
            )
        elif election.revote == "last":
            standing = _(
                "In the log, unchanged, and it will count when the vote closes — unless you vote again "
                "before then: only your latest ballot counts."
            )
        else:
            standing = _(
                "In the log, unchanged, and it will count when the vote closes: in this vote only the "
                "first ballot counts."
            )
    else:
        later = finding["replaced_by"]
        headline = _("This ballot was replaced and does not count")
        standing = _(
            "Replaced by a later ballot, entry %(later)d: %(how)s. Only the latest ballot counts.",
            later=later["seq"],
            how=_described_ballot(later),
        )
        advice = _("If you did not cast that later ballot, tell the street office at once.")
    return {"headline": headline, "cast": cast, "standing": standing, "advice": advice}


def _receipt_message(finding: dict) -> str:
    """The finding in one sentence, with the log's own terms, for those who verify."""
    if finding["status"] == "replaced":
        later = finding["replaced_by"]
        where = _("the published record") if finding["published"] else _("the log")
        return _(
            "Your ballot is entry %(seq)d of %(where)s, but it does not count: the later ballot of entry "
            "%(later)d replaced it — %(how)s. If that was not you, tell the street office.",
            seq=finding["seq"],
            where=where,
            later=later["seq"],
            how=_described_ballot(later),
        )
    if not finding["published"]:
        return _(
            "Your ballot is entry %(seq)d of the log, and the log, now %(size)d entries long, still holds it "
            "unchanged. Once the vote is counted, this page also tells whether it is the ballot that counts.",
            seq=finding["seq"],
            size=finding["log_size"],
        )
    return _(
        "Your ballot is entry %(seq)d of the published record, and it is the ballot counted for your vote.",
        seq=finding["seq"],
    )
