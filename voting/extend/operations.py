"""Extending a vote whose turnout falls short (spec election-record-v2 §5.5): before the close, a
preparation-group member (or street-office officer) proposes a later close with a reason and
signs it; another person, one of the two for the street office, approves it with their key. Both
sign in their own browser with the key they registered before the vote opened (officer_keys.js),
as for credential acts, so the operator can never move the close alone. Approval appends an
`extension` entry to the log, moves the close in effect and posts the announcement on the board.

The new close may lie at most `rules.max_extension_days` after the close the vote opened with
(frozen in its definition), however many extensions there are: the verifier holds the record
to the same limit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from voting.audit.operations import record_event
from voting.auth.models import Staff
from voting.auth.operations import same_person
from voting.ballots.log import close_witnessed, locked
from voting.ballots.operations import BallotRefused, append
from voting.board.documents import announcement_pdf
from voting.board.operations import publish
from voting.core import record_v2, signing
from voting.core.canonical import parse_time
from voting.credentials.models import PENDING
from voting.credentials.operations import signing_keys
from voting.elections.models import Election, Officer, State
from voting.extend.models import REASON_LENGTH, ExtensionRefused, ExtensionRequest
from voting.extensions import db
from voting.formatting import format_datetime
from voting.timeutil import utcnow


def latest_close(election: Election) -> datetime | None:
    """The latest close the vote's rules allow, or None where they allow no extension."""
    definition = election.definition
    days = definition["rules"].get("max_extension_days", 0)
    if not days:
        return None
    return parse_time(definition["closes_at"]) + timedelta(days=days)


def _require_open(election: Election, now: datetime) -> None:
    if election.state != State.OPEN or now >= election.closes_at or close_witnessed(election):
        raise ExtensionRefused(_("A vote can be extended only while it is open, before it closes."))


def _officer_signing(staff: Staff, election: Election, officer_id=None) -> Officer:
    """This account's key for the vote's staff acts (the one named, if any)."""
    keys = [o for o in signing_keys(election, staff) if officer_id is None or o.officer_id == officer_id]
    if not keys:
        raise ExtensionRefused(
            _(
                "Only a preparation-group member or street-office officer who registered a key for this vote "
                "before it opened can sign an extension."
            ),
            403,
        )
    return keys[0]


def propose_extension(
    staff: Staff, election: Election, closes_at: datetime | None, reason: str, now: datetime | None = None
) -> ExtensionRequest:
    """Step 1: the proposal, not yet signed. Under the election's lock, so one is pending at a time."""
    election = locked(election.id)
    _require_open(election, now or utcnow())
    requester = _officer_signing(staff, election)
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_LENGTH:
        raise ExtensionRefused(
            _("Write why the vote is extended (at most %(count)d characters).", count=REASON_LENGTH), 400
        )
    if closes_at is None or closes_at <= election.closes_at:
        raise ExtensionRefused(
            _("The new close must be after the present one, %(time)s.", time=format_datetime(election.closes_at)), 400
        )
    latest = latest_close(election)
    if latest is None:
        raise ExtensionRefused(_("The rules of this vote allow no extension."))
    if closes_at > latest:
        raise ExtensionRefused(
            _("The rules of this vote allow extending it until %(time)s at the latest.", time=format_datetime(latest)),
            400,
        )
    pending = db.session.scalar(
        select(ExtensionRequest.id)
        .where(ExtensionRequest.election_id == election.id, ExtensionRequest.status.in_(PENDING))
        .limit(1)
    )
    if pending is not None:
        raise ExtensionRefused(
            _("Extension request %(number)d is still pending: approve or withdraw it first.", number=pending)
        )
    request = ExtensionRequest(
        election=election,
        previous_closes_at=election.closes_at,
        closes_at=closes_at,
        reason=reason,
        requester=requester,
    )
    db.session.add(request)
    db.session.flush()
    record_event(
        staff.username,
        "extension.propose",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        request=request.id,
        closes_at=closes_at.isoformat(),
    )
    return request


def next_signature(staff: Staff, request: ExtensionRequest) -> str | None:
    """Which signature this account may give the request now: "sign" (its proposer's),
    "approve" (another person's, with a street-office key if the proposer has none), or None."""
    if request.awaits_requester and request.requester.staff_id == staff.id:
        return "sign"
    if request.awaits_approval and not same_person(staff, request.requester.staff):
        keys = signing_keys(request.election, staff)
        if any(_with_street_office(request.requester, key) for key in keys):
            return "approve"
    return None


def _with_street_office(requester: Officer, approver: Officer) -> bool:
    return "street_office" in (requester.role, approver.role)


def sign_extension(staff: Staff, election: Election, request_id: int, officer_id, signature) -> ExtensionRequest:
    """Step 2: the proposer's signature over the entry's body."""
    request = ExtensionRequest.in_election(election, request_id, lock=True)
    request.require_awaiting_requester()
    if _officer_signing(staff, election, officer_id) is not request.requester:
        raise ExtensionRefused(_("Only the proposer signs a request first."), 403)
    _require_signature(request.requester, request, signature)
    request.sign(signature)
    record_event(
        staff.username,
        "extension.sign",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        request=request.id,
    )
    return request


def _require_signature(officer: Officer, request: ExtensionRequest, signature) -> None:
    if not isinstance(signature, str) or not signing.verify(
        officer.public_key, "extension", request.body(), signature, record_v2.VERSION
    ):
        raise ExtensionRefused(_("The signature does not match the request."), 400)


def approve_extension(
    staff: Staff, election: Election, request_id: int, officer_id, signature, now: datetime | None = None
) -> ExtensionRequest:
    """Step 3: another person's signature; the entry joins the log, the close moves, and the
    board announces it. Under the election's lock, so no ballot is judged against a close
    half-moved."""
    now = now or utcnow()
    election = locked(election.id)
    request = ExtensionRequest.in_election(election, request_id, lock=True)
    request.require_awaiting_approval()
    approver = _officer_signing(staff, election, officer_id)
    if same_person(staff, request.requester.staff):
        raise ExtensionRefused(
            _(
                "Another person must approve: %(name)s proposed this extension, and that account is yours or "
                "another account of the same person.",
                name=request.requester.staff.username,
            ),
            403,
        )
    if not _with_street_office(request.requester, approver):
        raise ExtensionRefused(_("An officer of the street office must approve the extension."), 403)
    if request.previous_closes_at != election.closes_at:
        raise ExtensionRefused(_("The close has moved since this request was made: withdraw it and propose again."))
    _require_signature(approver, request, signature)
    _require_open(election, now)
    signatures = [
        {"signer": request.requester.officer_id, "signature": request.requester_signature},
        {"signer": approver.officer_id, "signature": signature},
    ]
    try:
        receipt = append(election.id, "extension", request.body(), signatures, now)
    except BallotRefused as refusal:
        raise ExtensionRefused(str(refusal)) from None
    election.closes_at = request.closes_at
    request.approve(staff.id, now, receipt.seq)
    request.board_notice_id = _announce(staff, election, request).id
    record_event(
        staff.username,
        "extension.approve",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        request=request.id,
        seq=receipt.seq,
        closes_at=request.closes_at.isoformat(),
    )
    return request


def _announce(staff: Staff, election: Election, request: ExtensionRequest):
    """The extension on the estate's board: what changed, why, and where the record shows it."""
    estate = election.estate
    title = _("Voting period extended: %(title)s", title=election.title)
    text = "\n".join(
        (
            _(
                "The voting period of “%(title)s” is extended: voting now closes at %(closes)s (Beijing time) "
                "instead of %(previous)s.",
                title=election.title,
                closes=format_datetime(request.closes_at),
                previous=format_datetime(request.previous_closes_at),
            ),
            _("Reason: %(reason)s", reason=request.reason),
            _(
                "Owners who have not voted yet can still vote on their phone or on paper until the new close; "
                "ballots already cast stay valid."
            ),
            _(
                "The extension was proposed and approved by two different persons, one of them for the street "
                "office; it is entry %(seq)d of the vote's public log.",
                seq=request.log_seq,
            ),
        )
    )
    signed_by = _("%(estate)s Owners' Assembly Preparation Group", estate=estate.name)
    return publish(
        staff.username,
        estate,
        "meeting_notice",
        title,
        lambda url: announcement_pdf(estate, title, text, signed_by, url),
        election_id=election.id,
    )


def withdraw_extension(staff: Staff, election: Election, request_id: int) -> ExtensionRequest:
    """A pending request dropped by anyone who may sign staff acts: nothing took effect."""
    _officer_signing(staff, election)
    locked(election.id)  # the order approve_extension takes: the election, then the request
    request = ExtensionRequest.in_election(election, request_id, lock=True)
    request.withdraw(staff.id, utcnow())
    record_event(
        staff.username,
        "extension.withdraw",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        request=request.id,
    )
    return request
