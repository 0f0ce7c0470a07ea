"""A revocation or a reissue of an owner's credential, on its way into the vote's log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voting.auth.models import Staff
from voting.core.record_v2 import CREDENTIAL_ACTIONS, CREDENTIAL_REASONS
from voting.elections.models import Election, Officer
from voting.errors import Refusal
from voting.extensions import db, one_of
from voting.timeutil import UTCDateTime, utcnow


class CredentialRefused(Refusal):
    """The credential act cannot be requested, signed, approved or withdrawn; the message says why."""

    status = 409


class RequestStatus(StrEnum):
    PREPARED = "prepared"  # made, awaiting its requester's signature
    REQUESTED = "requested"  # signed, awaiting another person's
    APPROVED = "approved"  # both signed, in the log as a `credential` entry
    WITHDRAWN = "withdrawn"  # never in effect


PENDING = (RequestStatus.PREPARED, RequestStatus.REQUESTED)
STATUS_NAMES = {
    "prepared": _l("Awaiting the requester's signature"),
    "requested": _l("Awaiting approval by another person"),
    "approved": _l("Approved: in the vote's log"),
    "withdrawn": _l("Withdrawn: nothing took effect"),
}
ACTION_NAMES = {"revoke": _l("Revoke"), "reissue": _l("Reissue")}
REASON_NAMES = {
    "lost": _l("Notice lost"),
    "damaged": _l("Notice damaged"),
    "not_received": _l("Notice not received"),
    "compromised": _l("Code seen or used by someone else"),
    "owner_changed": _l("Owner changed"),
    "other": _l("Other"),
}


def signed_by_two_constraints() -> tuple:
    """The states of a SignedByTwo act, in its table: signed from the request on (one withdrawn
    before its requester signed stays unsigned), decided by someone at a time, logged if approved."""
    return (
        one_of("status", tuple(RequestStatus)),
        CheckConstraint(
            "status = 'withdrawn' OR (status = 'prepared') = (requester_signature IS NULL)",
            name="requested_is_signed",
        ),
        CheckConstraint(
            "(status IN ('approved', 'withdrawn')) = (decided_at IS NOT NULL AND decided_by_id IS NOT NULL)",
            name="decided_has_decider",
        ),
        CheckConstraint("(status = 'approved') = (log_seq IS NOT NULL)", name="approved_is_logged"),
    )


class SignedByTwo:
    """A staff act on its way into the vote's log: prepared, signed by its requester, then
    approved by another person (and appended) or withdrawn. ``refusal`` says why not."""

    refusal: type[Refusal]
    status: str
    requester_signature: str | None
    decided_by_id: int | None
    decided_at: datetime | None
    log_seq: int | None

    @classmethod
    def of_election(cls, election: Election) -> list:
        """Every act of this kind in the vote, newest first."""
        return list(db.session.scalars(select(cls).where(cls.election_id == election.id).order_by(cls.id.desc())))

    @classmethod
    def in_election(cls, election: Election, act_id: int, *, lock: bool = False):
        """The vote's act with this id, read afresh under a row lock with ``lock`` (for a change);
        refused with 404 if the vote has none."""
        query = select(cls).where(cls.election_id == election.id, cls.id == act_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        act = db.session.scalar(query)
        if act is None:
            raise cls.refusal(_("No such request in this vote."), 404)
        return act

    @property
    def awaits_requester(self) -> bool:
        return self.status == RequestStatus.PREPARED

    @property
    def awaits_approval(self) -> bool:
        return self.status == RequestStatus.REQUESTED

    @property
    def pending(self) -> bool:
        return self.status in PENDING

    def require_awaiting_requester(self) -> None:
        if not self.awaits_requester:
            raise self.refusal(_("This request is signed by its requester already."))

    def sign(self, signature: str) -> None:
        """The requester's signature (checked by the caller): on to another person's approval."""
        self.require_awaiting_requester()
        self.requester_signature = signature
        self.status = RequestStatus.REQUESTED.value

    def require_awaiting_approval(self) -> None:
        if not self.awaits_approval:
            raise self.refusal(_("This request does not await approval."))

    def approve(self, decided_by_id: int, at: datetime, log_seq: int) -> None:
        """In the log at ``log_seq``: in effect."""
        self.require_awaiting_approval()
        self.status = RequestStatus.APPROVED.value
        self.decided_by_id, self.decided_at, self.log_seq = decided_by_id, at, log_seq

    def withdraw(self, decided_by_id: int, at: datetime) -> None:
        if not self.pending:
            raise self.refusal(_("This request is decided already."))
        self.status = RequestStatus.WITHDRAWN.value
        self.decided_by_id, self.decided_at = decided_by_id, at


class CredentialRequest(SignedByTwo, db.Model):
    """The `credential` entry's body (spec v2 §5.3) with its first signature, until a second
    person approves it. It holds the new public key of a reissue, never its seed."""

    refusal = CredentialRefused

    __tablename__ = "credential_request"
    __table_args__ = (
        one_of("action", CREDENTIAL_ACTIONS),
        one_of("reason", CREDENTIAL_REASONS),
        CheckConstraint("(action = 'reissue') = (public_key IS NOT NULL)", name="reissue_has_key"),
        *signed_by_two_constraints(),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    voter_code: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(7))
    reason: Mapped[str] = mapped_column(String(13))
    public_key: Mapped[str | None] = mapped_column(String(44))  # a reissue's new key
    status: Mapped[str] = mapped_column(String(9), default=RequestStatus.PREPARED.value)
    requester_id: Mapped[int] = mapped_column(ForeignKey("officer.id"))
    requester_signature: Mapped[str | None] = mapped_column(String(88))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    log_seq: Mapped[int | None]  # the approved act's entry in the vote's log
    election: Mapped[Election] = relationship()
    requester: Mapped[Officer] = relationship()
    decided_by: Mapped[Staff | None] = relationship()

    def body(self) -> dict:
        """The `credential` entry's body both officers sign."""
        return {
            "election_hash": self.election.election_hash,
            "voter_id": self.voter_code,
            "action": self.action,
            "public_key": self.public_key,
            "reason": self.reason,
        }
