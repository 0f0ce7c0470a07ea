"""The street office's decision on a counted vote: a signed certification, or a refusal."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from voting.extensions import FrozenDocument, db, one_of
from voting.timeutil import UTCDateTime, utcnow


class CertificationDecision(db.Model):
    __tablename__ = "certification_decision"
    __table_args__ = (
        one_of("decision", ("certified", "refused")),
        CheckConstraint(
            "(decision = 'certified' AND body_json IS NOT NULL AND signature IS NOT NULL AND officer_id IS NOT NULL)"
            " OR (decision = 'refused' AND reason IS NOT NULL)",
            name="decision_complete",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    decision: Mapped[str] = mapped_column(String(10))
    officer_id: Mapped[str | None] = mapped_column(String(60))
    body_json: Mapped[str | None] = mapped_column(Text)  # the record's certification body, canonical
    body = FrozenDocument("body_json")
    signature: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
