"""The estate's notice board (公告栏): published documents with their publication window."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from voting.extensions import db, one_of
from voting.timeutil import UTCDateTime, utcnow

NOTICE_KINDS = (
    "meeting_notice",
    "roll",
    "prep_group",
    "candidates",
    "results",
    "minutes",
    "certification",
    "committee_filing",
    "tree_head",
    "other",
)
KIND_LABELS = {
    "meeting_notice": _l("Meeting notice"),
    "roll": _l("Owner roll"),
    "prep_group": _l("Preparation group"),
    "candidates": _l("Candidates"),
    "results": _l("Results"),
    "minutes": _l("Minutes"),
    "certification": _l("Certification"),
    "committee_filing": _l("Committee filing"),
    "tree_head": _l("Head of the ballot log"),
    "other": _l("Other notice"),
}


class BoardNotice(db.Model):
    __tablename__ = "board_notice"
    __table_args__ = (
        one_of("kind", NOTICE_KINDS),
        CheckConstraint("published_until IS NULL OR published_until > published_from", name="window_positive"),
        CheckConstraint("(withdrawn_at IS NULL) = (withdrawn_reason IS NULL)", name="withdrawal_has_reason"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    election_id: Mapped[int | None] = mapped_column(ForeignKey("election.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    published_from: Mapped[datetime] = mapped_column(UTCDateTime())
    published_until: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: stays up
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)  # set once rendered with its own QR code
    sha256: Mapped[str | None] = mapped_column(String(64))
    published_by: Mapped[str] = mapped_column(String(100))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)


class DayHead(db.Model):
    """The head of a vote's log posted on the estate's board on one day (Beijing date) of voting."""

    __tablename__ = "day_head"
    __table_args__ = (UniqueConstraint("election_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoint.id"))
    notice_id: Mapped[int] = mapped_column(ForeignKey("board_notice.id"))
