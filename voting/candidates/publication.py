"""Publication (公示): the candidates who passed the review are published for the list's days, and
what the notice board shows of them: full names, no ID numbers or phones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from voting.audit.operations import record_event
from voting.candidates.eligibility import age_on
from voting.candidates.models import (
    CandidateList,
    NomineeStatus,
)
from voting.candidates.review import list_report
from voting.estates.models import Estate
from voting.extensions import db
from voting.prep.operations import local_date
from voting.timeutil import utcnow


def publish_list(actor: str, candidate_list: CandidateList, now: datetime | None = None) -> None:
    """Publish the candidates who passed every rule (公示) for the configured number of days."""
    now = now or utcnow()
    report = list_report(candidate_list, now)
    waiting = [row.nominee.name for row in report.rows if row.status == NomineeStatus.PENDING]
    fault = (
        _("The review is not complete; verdicts are missing for %(names)s.", names="、".join(waiting))
        if waiting
        else report.competitive_fault
    )
    candidate_list.publish(now, [row.nominee for row in report.standing], fault)
    record_event(
        actor,
        "candidates.publish",
        f"candidate_list:{candidate_list.id}",
        estate_id=candidate_list.estate_id,
        vetted=[row.nominee.name for row in report.standing],
        not_passed=[row.nominee.name for row in report.rows if row.status == NomineeStatus.FAILED],
        until=candidate_list.publication_ends_at,
    )


@dataclass(frozen=True)
class PublicNominee:
    id: int
    number: int
    name: str  # in full: owners must know whom they may object to (issue 12)
    gender: str
    age: int
    occupation: str
    party_member: bool
    unit_labels: str
    kind: str
    statement: str
    withdrawal_reason: str | None


@dataclass(frozen=True)
class PublishedList:
    id: int
    title: str
    seats: int
    published_at: datetime
    ends_at: datetime
    open_for_objections: bool
    nominees: tuple[PublicNominee, ...]
    objections: int
    answered: int


def published_lists(estate: Estate) -> list[CandidateList]:
    return list(
        db.session.scalars(
            select(CandidateList)
            .where(CandidateList.estate_id == estate.id, CandidateList.published_at.is_not(None))
            .order_by(CandidateList.id.desc())
        )
    )


def published_list(candidate_list: CandidateList, now: datetime | None = None) -> PublishedList | None:
    """The vetted candidates as the notice board shows them: full names, no ID numbers or phones."""
    if candidate_list.published_at is None:
        return None
    now = now or utcnow()
    today = local_date(candidate_list.published_at)
    nominees = tuple(
        PublicNominee(
            n.id,
            n.number,
            n.name,
            n.gender,
            age_on(n.birth_date, today),
            n.occupation,
            n.party_member,
            n.unit_labels,
            n.kind,
            n.statement,
            n.withdrawal_reason,
        )
        for n in candidate_list.nominees
        if n.vetted_at is not None
    )
    return PublishedList(
        candidate_list.id,
        candidate_list.title,
        candidate_list.seats,
        candidate_list.published_at,
        candidate_list.publication_ends_at,
        candidate_list.objection_fault(now) is None,
        nominees,
        len(candidate_list.objections),
        sum(o.answer is not None for o in candidate_list.objections),
    )
