"""The steps every objection shares: the owner identified against the roll (online by a unit and
the ID's last four characters, on paper by the ID number the group checked in person), the text
checked, the objection filed with its receipt and audit event, and the written answer."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from voting.audit.operations import record_event
from voting.estates.models import Estate
from voting.extensions import db
from voting.objections.models import ObjectionError, ObjectionRecord
from voting.roster.models import Owner
from voting.roster.owners import owner_by_id_number, owner_by_unit_last4, owner_unit_labels
from voting.timeutil import utcnow

MAX_OBJECTION_CHARS = 2000


@dataclass(frozen=True)
class Subject:
    """What an objection is about, as the shared steps need it."""

    model: type[ObjectionRecord]  # the objection's table
    columns: dict  # the table's own columns: what the objection is about
    estate: Estate
    fault: Callable[[datetime], str | None]  # why no objection is taken at a moment; None: it is
    action: str  # the audit action, e.g. candidates.objection
    detail: dict = field(default_factory=dict)  # for the audit event


def lodge_online(subject: Subject, unit_label: str, id_last4: str, text: str, now: datetime | None = None):
    """An owner's objection from their phone; the owner is identified by a unit they own and the
    last four characters of their ID number. The returned ``ref`` lets them read the answer."""
    now = now or utcnow()
    _require_period(subject, now)
    text = _checked_text(text)
    owner = owner_by_unit_last4(subject.estate, unit_label, id_last4)
    if owner is None:
        raise ObjectionError(
            _("No owner of unit %(unit)s has an ID number ending in these four characters.", unit=unit_label.strip())
        )
    return _file(subject, owner, unit_label, text, now, recorded_by=None)


def lodge_on_paper(
    actor: str,
    subject: Subject,
    unit_label: str,
    id_number: str,
    text: str,
    received_at: datetime,
    now: datetime | None = None,
):
    """An objection handed to the group on paper, taken as of the day it was received; the group
    checked the owner's ID in person."""
    if received_at > (now or utcnow()):
        raise ObjectionError(_("The objection cannot have been received in the future."))
    _require_period(subject, received_at)
    text = _checked_text(text)
    owner = owner_by_id_number(subject.estate, id_number) if id_number.strip() else None
    if owner is None or unit_label.strip() not in owner_unit_labels(owner).split("、"):
        raise ObjectionError(
            _("The roll lists no owner of unit %(unit)s with this ID number.", unit=unit_label.strip())
        )
    return _file(subject, owner, unit_label, text, received_at, recorded_by=actor)


def answer_in_writing(
    actor: str, objection: ObjectionRecord, answer: str, action: str, estate_id: int, now: datetime | None = None
) -> None:
    """The group's written answer, final once given, in the audit log under ``action``."""
    objection.give_answer(actor, answer, now or utcnow())
    record_event(
        actor, action, f"{objection.__tablename__}:{objection.id}", estate_id=estate_id, answer=objection.answer
    )


def _require_period(subject: Subject, moment: datetime) -> None:
    fault = subject.fault(moment)
    if fault:
        raise ObjectionError(fault)


def _checked_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ObjectionError(_("Write what the objection is about."))
    if len(text) > MAX_OBJECTION_CHARS:
        raise ObjectionError(_("Keep the objection within %(count)d characters.", count=MAX_OBJECTION_CHARS))
    return text


def _file(subject: Subject, owner: Owner, unit_label: str, text: str, lodged_at: datetime, recorded_by: str | None):
    """The objection of an identified owner, online (``recorded_by`` None: the owner's own act) or
    keyed from paper by ``recorded_by``, with its receipt ``ref`` and its audit event."""
    channel = "online" if recorded_by is None else "paper"
    objection = subject.model(
        **subject.columns,
        ref=secrets.token_urlsafe(12),
        channel=channel,
        unit_label=unit_label.strip(),
        owner_id_hash=owner.id_hash,
        text=text,
        lodged_at=lodged_at,
        recorded_by=recorded_by,
    )
    db.session.add(objection)
    db.session.flush()
    record_event(
        recorded_by or f"owner:{objection.unit_label}",
        subject.action,
        f"{objection.__tablename__}:{objection.id}",
        estate_id=subject.estate.id,
        channel=channel,
        received_at=lodged_at if recorded_by else None,
        **subject.detail,
    )
    return objection
