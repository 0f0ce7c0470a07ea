"""Objections to a published list: an owner's from their phone or on paper, and the group's
written answer, final once given."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from voting.audit.operations import record_event
from voting.candidates.models import (
    CandidateError,
    CandidateList,
    Nominee,
    Objection,
)
from voting.estates.models import Estate
from voting.extensions import db
from voting.roster.models import Owner
from voting.roster.owners import (
    owner_by_id_number,
    owner_by_unit_last4,
    owner_unit_labels,
)
from voting.timeutil import utcnow

MAX_OBJECTION_CHARS = 2000


def _require_objection_period(candidate_list: CandidateList, moment: datetime) -> None:
    fault = candidate_list.objection_fault(moment)
    if fault:
        raise CandidateError(fault)


def _objection(candidate_list: CandidateList, nominee: Nominee | None, text: str) -> str:
    text = text.strip()
    if not text:
        raise CandidateError(_("Write what the objection is about."))
    if len(text) > MAX_OBJECTION_CHARS:
        raise CandidateError(_("Keep the objection within %(count)d characters.", count=MAX_OBJECTION_CHARS))
    if nominee is not None and (nominee.list_id != candidate_list.id or nominee.vetted_at is None):
        raise CandidateError(_("That person is not on the published list."))
    return text


def lodge_objection(
    candidate_list: CandidateList,
    unit_label: str,
    id_last4: str,
    text: str,
    nominee: Nominee | None = None,
    now: datetime | None = None,
) -> Objection:
    """An owner's objection from their phone; the owner is identified by a unit they own and the
    last four characters of their ID number. The returned ``ref`` lets them read the answer."""
    now = now or utcnow()
    _require_objection_period(candidate_list, now)
    text = _objection(candidate_list, nominee, text)
    owner = owner_by_unit_last4(candidate_list.estate, unit_label, id_last4)
    if owner is None:
        raise CandidateError(
            _("No owner of unit %(unit)s has an ID number ending in these four characters.", unit=unit_label.strip())
        )
    return _file(candidate_list, nominee, owner, unit_label, text, now, recorded_by=None)


def record_paper_objection(
    actor: str,
    candidate_list: CandidateList,
    unit_label: str,
    id_number: str,
    text: str,
    received_at: datetime,
    nominee: Nominee | None = None,
    now: datetime | None = None,
) -> Objection:
    """An objection handed to the group on paper; the group checked the owner's ID in person."""
    now = now or utcnow()
    if received_at > now:
        raise CandidateError(_("The objection cannot have been received in the future."))
    _require_objection_period(candidate_list, received_at)
    text = _objection(candidate_list, nominee, text)
    owner = owner_by_id_number(candidate_list.estate, id_number) if id_number.strip() else None
    if owner is None or unit_label.strip() not in owner_unit_labels(owner).split("、"):
        raise CandidateError(
            _("The roll lists no owner of unit %(unit)s with this ID number.", unit=unit_label.strip())
        )
    return _file(candidate_list, nominee, owner, unit_label, text, received_at, recorded_by=actor)


def _file(
    candidate_list: CandidateList,
    nominee: Nominee | None,
    owner: Owner,
    unit_label: str,
    text: str,
    lodged_at: datetime,
    recorded_by: str | None,
) -> Objection:
    """The objection of an identified owner, online (``recorded_by`` None: the owner's own act) or
    keyed from paper by ``recorded_by``, with its receipt ``ref`` and its audit event."""
    channel = "online" if recorded_by is None else "paper"
    objection = Objection(
        candidate_list=candidate_list,
        nominee=nominee,
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
        "candidates.objection",
        f"objection:{objection.id}",
        estate_id=candidate_list.estate_id,
        channel=channel,
        nominee=nominee.name if nominee else None,
        received_at=lodged_at if recorded_by else None,
    )
    return objection


def answer_objection(actor: str, objection: Objection, answer: str, now: datetime | None = None) -> None:
    """The group's written answer; it is final once given."""
    if objection.answer is not None:
        raise CandidateError(_("This objection is already answered."))
    if not answer.strip():
        raise CandidateError(_("Write the answer."))
    objection.answer, objection.answered_at, objection.answered_by = answer.strip(), now or utcnow(), actor
    record_event(
        actor,
        "candidates.answer",
        f"objection:{objection.id}",
        estate_id=objection.candidate_list.estate_id,
        answer=objection.answer,
    )


def find_objection(estate: Estate, ref: str) -> Objection | None:
    return db.session.scalar(
        select(Objection).join(CandidateList).where(CandidateList.estate_id == estate.id, Objection.ref == ref)
    )
