"""Objections to the published owner roll and to one unit's voting rights (指导规则 art. 12):
taken while the roll is published and before a vote opens on it, from an owner's phone or on
paper through the group, each answered in writing; the answers are published beside the roll.
The steps every objection shares are voting.objections.operations."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from voting.elections.models import Election, State
from voting.estates.models import Estate
from voting.extensions import db
from voting.formatting import format_datetime
from voting.objections.models import ObjectionError
from voting.objections.operations import Subject, answer_in_writing, lodge_on_paper, lodge_online
from voting.prep.operations import local_date
from voting.roster.models import ROLL_OBJECTION_GROUNDS, RollObjection

GROUND_NAMES = {
    "area": _l("The area of a unit"),
    "owner": _l("The owners of a unit"),
    "status": _l("The status of a unit (delivered, unsold…)"),
    "missing": _l("A unit missing from the roll"),
    "other": _l("Something else about the roll"),
}


def roll_objection_fault(estate: Estate, moment: datetime) -> str | None:
    """Why an objection to the roll at this moment is not taken; None while the roll is published
    and no vote has opened on it. A vote opened on the roll froze it: what an objection would
    correct is then fixed for that vote (a vote over before the roll was published does not count).
    Publication counts by its day, which a paper objection is dated by (its day's start)."""
    if estate.roll_published_at is None or local_date(moment) < local_date(estate.roll_published_at):
        return _("The owner roll is not published; objections to it are taken while it is.")
    opened = db.session.scalar(
        select(Election)
        .where(
            Election.estate_id == estate.id,
            Election.state != State.DRAFT.value,
            Election.closes_at > estate.roll_published_at,
        )
        .order_by(Election.id)
        .limit(1)
    )
    if opened is not None:
        return _(
            "The vote “%(title)s” has opened on this roll (voting from %(time)s); objections to the roll "
            "are taken only before the vote opens.",
            title=opened.title,
            time=format_datetime(opened.opens_at),
        )
    return None


def _subject(estate: Estate, ground: str, about_unit: str) -> Subject:
    about = about_unit.strip() or None
    if ground not in ROLL_OBJECTION_GROUNDS:
        raise ObjectionError(_("Choose what is wrong with the roll."))
    if about is None and ground != "other":
        raise ObjectionError(_("Name the unit the objection is about."))
    return Subject(
        RollObjection,
        {"estate": estate, "ground": ground, "about_unit": about},
        estate,
        partial(roll_objection_fault, estate),
        "roster.objection",
        {"ground": ground, "about_unit": about},
    )


def lodge_roll_objection(
    estate: Estate,
    unit_label: str,
    id_last4: str,
    ground: str,
    about_unit: str,
    text: str,
    now: datetime | None = None,
) -> RollObjection:
    """An owner's objection from their phone (voting.objections.operations.lodge_online)."""
    return lodge_online(_subject(estate, ground, about_unit), unit_label, id_last4, text, now)


def record_paper_roll_objection(
    actor: str,
    estate: Estate,
    unit_label: str,
    id_number: str,
    ground: str,
    about_unit: str,
    text: str,
    received_at: datetime,
    now: datetime | None = None,
) -> RollObjection:
    """An objection handed to the group on paper (voting.objections.operations.lodge_on_paper)."""
    return lodge_on_paper(actor, _subject(estate, ground, about_unit), unit_label, id_number, text, received_at, now)


def answer_roll_objection(actor: str, objection: RollObjection, answer: str, now: datetime | None = None) -> None:
    """The group's written answer; final once given, and published beside the roll."""
    answer_in_writing(actor, objection, answer, "roster.answer", objection.estate_id, now)


def roll_objections(estate: Estate) -> list[RollObjection]:
    return list(
        db.session.scalars(select(RollObjection).where(RollObjection.estate_id == estate.id).order_by(RollObjection.id))
    )


def find_roll_objection(estate: Estate, ref: str) -> RollObjection | None:
    return db.session.scalar(
        select(RollObjection).where(RollObjection.estate_id == estate.id, RollObjection.ref == ref)
    )
