"""What every objection keeps, whatever it objects to: who lodged it and how, what it says, and
the group's written answer, final once given."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from voting.errors import Refusal
from voting.extensions import one_of
from voting.timeutil import UTCDateTime, utcnow

OBJECTION_CHANNELS = ("online", "paper")


class ObjectionError(Refusal):
    """An objection or an answer the rules do not take; the message says why."""


def objection_constraints() -> tuple[CheckConstraint, ...]:
    """The rules of :class:`ObjectionRecord` in the database, made anew for each table."""
    return (
        one_of("channel", OBJECTION_CHANNELS),
        CheckConstraint("(answer IS NULL) = (answered_at IS NULL)", name="answer_is_dated"),
    )


class ObjectionRecord:
    """The columns of every objection table (a mixin); the table adds what it objects to and
    ``objection_constraints()``."""

    ref: Mapped[str] = mapped_column(String(24), unique=True)  # the owner's receipt: reads the answer
    channel: Mapped[str] = mapped_column(String(10))
    unit_label: Mapped[str] = mapped_column(String(120))  # the objecting owner's unit
    owner_id_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    lodged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by: Mapped[str | None] = mapped_column(String(100))  # paper objections: who keyed it
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by: Mapped[str | None] = mapped_column(String(100))

    def give_answer(self, actor: str, answer: str, now: datetime) -> None:
        """The group's written answer: once, and final."""
        if self.answer is not None:
            raise ObjectionError(_("This objection is already answered."))
        if not answer.strip():
            raise ObjectionError(_("Write the answer."))
        self.answer, self.answered_at, self.answered_by = answer.strip(), now, actor
