"""Revoking or reissuing an owner's credential while the vote is open (spec election-record-v2
§5.3): a `credential` entry in the vote's log, with its reason, signed by two officers of role
preparation_group or street_office who are different persons, each in their own browser with
the key they registered before the vote opened (officer_keys.js). The operator holds neither
key, so it can never revoke or reissue alone, and no act takes effect without its trace in the
record: the voter's key in effect changes only in the transaction that appends the entry.

The steps, each by whoever is named, in their own session:

1. prepare: a group member or street-office officer names the unit, the act and the reason.
   For a reissue the server draws the new key pair there and then and answers with the
   one-page replacement notice that holds its seed; it keeps only the public key.
2. sign: the requester's browser signs the entry's body (purpose `credential`).
3. approve: another person signs the same body; under the election's row lock, which every
   append of a ballot takes too, the entry is appended and the voter's key in effect becomes
   none (revoke) or the new key (reissue). Or someone entitled to act withdraws the request:
   nothing took effect.

Why the new key is drawn at the request and its notice goes to the requester: both signatures
cover the new public key, so it must exist before the first one; drawn at the approval, it would
need the requester to come back and sign again. The seed is drawn on the server, as every
credential of the opening is, laid out on the page and forgotten: it never rests in the
database. The page is useless until a second person approves, and a withdrawn request's key
never comes into effect. The requester hands it over once the reissue is approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from voting.audit.operations import record_event
from voting.auth.models import Staff
from voting.auth.operations import same_person
from voting.ballots.log import locked
from voting.ballots.operations import BallotRefused, append
from voting.core import record_v2, signing
from voting.credentials.models import PENDING, CredentialRefused, CredentialRequest
from voting.elections.models import Election, ElectionVoter, Officer, State
from voting.elections.operations import ElectionError, officer_keys, register_browser_key
from voting.extensions import db
from voting.notices.operations import NoticeError, replacement_notice, voter_for_unit
from voting.timeutil import utcnow


@dataclass(frozen=True)
class PreparedRequest:
    request: CredentialRequest
    notice_pdf: bytes | None  # a reissue's replacement notice: its only copy


def signing_keys(election: Election, staff: Staff) -> list[Officer]:
    """This account's keys that may sign credential acts in this vote."""
    return officer_keys(election, staff, *record_v2.CREDENTIAL_SIGNERS)


def register_group_key(staff: Staff, election: Election, public_key) -> Officer:
    """A preparation-group member's key for credential acts, made in their browser, in the draft."""
    try:
        return register_browser_key(staff, election, "preparation_group", public_key)
    except ElectionError as refusal:
        raise CredentialRefused(str(refusal), refusal.status) from None


def _signing_key(election: Election, staff: Staff) -> Officer:
    keys = signing_keys(election, staff)
    if not keys:
        raise CredentialRefused(
            _(
                "Only a preparation-group member or street-office officer who registered a key "
                "for this vote before it opened can sign a revocation or a reissue."
            ),
            403,
        )
    return keys[0]  # one account holds one role, and one key per role and vote


def _require_open(election: Election, now: datetime) -> None:
    if election.state != State.OPEN or now > election.closes_at:
        raise CredentialRefused(_("Credentials can be revoked or reissued only while the vote is open."))


def prepare_request(
    staff: Staff, election: Election, unit: str, action: str, reason: str, base_url: str, now: datetime | None = None
) -> PreparedRequest:
    """Step 1: the request, not yet signed; for a reissue, the new key and its notice. Under the
    election's lock, so two requests for one voter cannot both be pending."""
    election = locked(election.id)
    _require_open(election, now or utcnow())
    requester = _signing_key(election, staff)
    if action not in record_v2.CREDENTIAL_ACTIONS:
        raise CredentialRefused(_("Choose whether to revoke or to reissue the credential."), 400)
    if reason not in record_v2.CREDENTIAL_REASONS:
        raise CredentialRefused(_("Choose the reason for the request."), 400)
    try:
        holder = voter_for_unit(election, unit)
    except NoticeError as fault:
        raise CredentialRefused(str(fault), 404) from None
    if action == "revoke" and holder.public_key is None:
        raise CredentialRefused(
            _("The owner of %(unit)s holds no credential in effect: there is nothing to revoke.", unit=unit)
        )
    pending = db.session.scalar(
        select(CredentialRequest.id)
        .where(
            CredentialRequest.election_id == election.id,
            CredentialRequest.voter_code == holder.voter_code,
            CredentialRequest.status.in_(PENDING),
        )
        .limit(1)
    )
    if pending is not None:
        raise CredentialRefused(
            _(
                "Request %(number)d for the owner of %(unit)s is still pending: approve or withdraw it first.",
                number=pending,
                unit=unit,
            )
        )
    secret, public_key = signing.generate_keypair() if action == "reissue" else (None, None)
    request = CredentialRequest(
        election=election,
        voter_code=holder.voter_code,
        action=action,
        reason=reason,
        public_key=public_key,
        requester=requester,
    )
    db.session.add(request)
    db.session.flush()
    record_event(
        staff.username,
        f"credential.request_{action}",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        request=request.id,
        voter=holder.voter_code,
        reason=reason,
    )
    notice = replacement_notice(election, holder, secret, base_url) if secret is not None else None
    return PreparedRequest(request, notice)


def next_signature(staff: Staff, request: CredentialRequest) -> str | None:
    """Which signature this account may give the request now: "sign" (its requester's),
    "approve" (another person's), or None."""
    if request.awaits_requester and request.requester.staff_id == staff.id:
        return "sign"
    if (
        request.awaits_approval
        and signing_keys(request.election, staff)
        and not same_person(staff, request.requester.staff)
    ):
        return "approve"
    return None


def _officer_signing(staff: Staff, election: Election, officer_id) -> Officer:
    officer = next((o for o in signing_keys(election, staff) if o.officer_id == officer_id), None)
    if officer is None:
        raise CredentialRefused(_("That key is not yours to sign credential acts with in this vote."), 403)
    return officer


def sign_request(staff: Staff, election: Election, request_id: int, officer_id, signature) -> CredentialRequest:
    """Step 2: the requester's signature over the entry's body."""
    request = CredentialRequest.in_election(election, request_id, lock=True)
    request.require_awaiting_requester()
    if _officer_signing(staff, election, officer_id) is not request.requester:
        raise CredentialRefused(_("Only the requester signs a request first."), 403)
    if not isinstance(signature, str) or not signing.verify(
        request.requester.public_key, "credential", request.body(), signature, record_v2.VERSION
    ):
        raise CredentialRefused(_("The signature does not match the request."), 400)
    request.sign(signature)
    record_event(
        staff.username,
        "credential.sign",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        request=request.id,
    )
    return request


def approve_request(
    staff: Staff, election: Election, request_id: int, officer_id, signature, now: datetime | None = None
) -> CredentialRequest:
    """Step 3: another person's signature; the entry joins the log and the key in effect changes.
    The election's lock comes first, as in every append, so a ballot of this voter lands wholly
    before the act or wholly after it, against the key then in effect."""
    locked(election.id)
    request = CredentialRequest.in_election(election, request_id, lock=True)
    request.require_awaiting_approval()
    approver = _officer_signing(staff, election, officer_id)
    if same_person(staff, request.requester.staff):
        raise CredentialRefused(
            _(
                "Another person must approve: %(name)s made this request, and that account is yours or "
                "another account of the same person.",
                name=request.requester.staff.username,
            ),
            403,
        )
    signatures = [
        {"signer": request.requester.officer_id, "signature": request.requester_signature},
        {"signer": approver.officer_id, "signature": signature},
    ]
    try:
        receipt = append(election.id, "credential", request.body(), signatures, now, voter_code=request.voter_code)
    except BallotRefused as refusal:
        raise CredentialRefused(str(refusal)) from None
    holder = db.session.scalar(
        select(ElectionVoter).where(
            ElectionVoter.election_id == election.id, ElectionVoter.voter_code == request.voter_code
        )
    )
    holder.public_key = request.public_key
    request.approve(staff.id, now or utcnow(), receipt.seq)
    record_event(
        staff.username,
        f"credential.{request.action}",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        request=request.id,
        voter=request.voter_code,
        seq=receipt.seq,
    )
    return request


def withdraw_request(staff: Staff, election: Election, request_id: int) -> CredentialRequest:
    """A pending request dropped by anyone who may sign credential acts: nothing took effect."""
    _signing_key(election, staff)
    locked(election.id)  # the order approve_request takes: the election, then the request
    request = CredentialRequest.in_election(election, request_id, lock=True)
    request.withdraw(staff.id, utcnow())
    record_event(
        staff.username,
        "credential.withdraw",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        request=request.id,
    )
    return request
