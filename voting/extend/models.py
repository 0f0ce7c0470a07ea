"""An extension of a vote's period, on its way into the vote's log (spec v2 §5.5)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voting.auth.models import Staff
from voting.core.canonical import format_time
from voting.credentials.models import RequestStatus, SignedByTwo, signed_by_two_constraints
from voting.elections.models import Election, Officer
from voting.errors import Refusal
from voting.extensions import db
from voting.timeutil import UTCDateTime, utcnow

REASON_LENGTH = 200


class ExtensionRefused(Refusal):
    """The extension cannot be proposed, signed, approved or withdrawn; the message says why."""

    status = 409


class ExtensionRequest(SignedByTwo, db.Model):
    """The `extension` entry's body with its proposer's signature, until a second person (one of
    the two for the street office) approves it."""

    __tablename__ = "extension_request"
    __table_args__ = (
        CheckConstraint("closes_at > previous_closes_at", name="closes_later"),
        CheckConstraint("length(reason) > 0", name="reason_given"),
        *signed_by_two_constraints(),
    )
    refusal = ExtensionRefused
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    previous_closes_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the close it replaces
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(REASON_LENGTH))
    status: Mapped[str] = mapped_column(String(9), default=RequestStatus.PREPARED.value)
    requester_id: Mapped[int] = mapped_column(ForeignKey("officer.id"))
    requester_signature: Mapped[str | None] = mapped_column(String(88))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    log_seq: Mapped[int | None]  # the approved extension's entry in the vote's log
    board_notice_id: Mapped[int | None] = mapped_column(ForeignKey("board_notice.id"))  # its announcement
    election: Mapped[Election] = relationship()
    requester: Mapped[Officer] = relationship()
    decided_by: Mapped[Staff | None] = relationship()

    def body(self) -> dict:
        """The `extension` entry's body both officers sign."""
        return {
            "election_hash": self.election.election_hash,
            "closes_at": format_time(self.closes_at),
            "previous_closes_at": format_time(self.previous_closes_at),
            "reason": self.reason,
        }
