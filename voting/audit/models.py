"""Who changed what, when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from voting.extensions import db
from voting.timeutil import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))  # staff username, or "cli:<os user>"
    action: Mapped[str] = mapped_column(String(60))  # e.g. roster.import, staff.create
    estate_id: Mapped[int | None] = mapped_column(ForeignKey("estate.id"), index=True)
    target: Mapped[str] = mapped_column(String(200))
    detail_json: Mapped[str] = mapped_column(Text, default="{}")
