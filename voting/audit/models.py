"""Who changed what, when: one hash chain over the whole platform's events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from voting.extensions import db
from voting.timeutil import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    # Two events naming the same predecessor would fork the chain: whatever the race, one fails.
    __table_args__ = (UniqueConstraint("prev_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))  # staff username, or "cli:<os user>"
    action: Mapped[str] = mapped_column(String(60))  # e.g. roster.import, staff.create
    estate_id: Mapped[int | None] = mapped_column(ForeignKey("estate.id"), index=True)
    target: Mapped[str] = mapped_column(String(200))
    detail_json: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(44))  # the hash of the event before, in id order
    hash: Mapped[str] = mapped_column(String(44))  # see voting.audit.operations.event_hash
