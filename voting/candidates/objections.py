"""Objections to a published list: an owner's from their phone or on paper, about the list or one
of its candidates, and the group's written answer, final once given (the steps every objection
shares are voting.objections.operations)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from voting.candidates.models import CandidateList, Nominee, Objection
from voting.estates.models import Estate
from voting.extensions import db
from voting.objections.models import ObjectionError
from voting.objections.operations import Subject, answer_in_writing, lodge_on_paper, lodge_online


def _subject(candidate_list: CandidateList, nominee: Nominee | None) -> Subject:
    if nominee is not None and (nominee.list_id != candidate_list.id or nominee.vetted_at is None):
        raise ObjectionError(_("That person is not on the published list."))
    return Subject(
        Objection,
        {"candidate_list": candidate_list, "nominee": nominee},
        candidate_list.estate,
        candidate_list.objection_fault,
        "candidates.objection",
        {"nominee": nominee.name if nominee else None},
    )


def lodge_objection(
    candidate_list: CandidateList,
    unit_label: str,
    id_last4: str,
    text: str,
    nominee: Nominee | None = None,
    now: datetime | None = None,
) -> Objection:
    """An owner's objection from their phone (voting.objections.operations.lodge_online)."""
    return lodge_online(_subject(candidate_list, nominee), unit_label, id_last4, text, now)


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
    """An objection handed to the group on paper (voting.objections.operations.lodge_on_paper)."""
    return lodge_on_paper(actor, _subject(candidate_list, nominee), unit_label, id_number, text, received_at, now)


def answer_objection(actor: str, objection: Objection, answer: str, now: datetime | None = None) -> None:
    """The group's written answer; it is final once given."""
    answer_in_writing(actor, objection, answer, "candidates.answer", objection.candidate_list.estate_id, now)


def find_objection(estate: Estate, ref: str) -> Objection | None:
    return db.session.scalar(
        select(Objection).join(CandidateList).where(CandidateList.estate_id == estate.id, Objection.ref == ref)
    )
