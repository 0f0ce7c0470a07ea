"""Into a vote: a published list whose objections are all answered becomes the committee motion of
a draft vote; the only way candidates reach a ballot."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from voting.audit.operations import record_event
from voting.candidates.lists import competition_fault, require_lawful_seats
from voting.candidates.models import (
    CandidateError,
    CandidateList,
)
from voting.candidates.publication import published_lists
from voting.elections.models import Election, State
from voting.elections.operations import add_committee_election
from voting.estates.models import Estate
from voting.extensions import db
from voting.timeutil import utcnow


def lists_ready(estate: Estate, now: datetime | None = None) -> list[CandidateList]:
    """Lists whose publication has ended with every objection answered."""
    now = now or utcnow()
    return [c for c in published_lists(estate) if c.adoption_fault(now) is None]


def add_committee_motion(
    actor: str, election: Election, candidate_list: CandidateList, seats: int, now: datetime | None = None
):
    """Put the vetted, published list on the vote as its committee motion (the only way in).

    Refuses unless the list belongs to the vote's estate, its publication period is over, every
    objection has its written answer, the seats keep the rule of the list's kind (a full
    committee or a by-election, under the estate's rules profile), and the candidates still
    standing exceed the seats by the list's margin. Candidates appear in list order, with their
    full names as on the ballot.
    """
    now = now or utcnow()
    if candidate_list.estate_id != election.estate_id:
        raise CandidateError(_("This list belongs to another estate."))
    fault = candidate_list.adoption_fault(now)
    if fault:
        raise CandidateError(fault)
    if election.state != State.DRAFT:
        raise CandidateError(_("Motions can be added only while the vote is a draft."))
    require_lawful_seats(election.estate, candidate_list.kind, seats)
    standing = [n for n in candidate_list.nominees if n.vetted_at is not None and n.withdrawn_at is None]
    fault = competition_fault(len(standing), seats, candidate_list.margin_percent)
    if fault:
        raise CandidateError(fault)
    motion = add_committee_election(actor, election, candidate_list.title, seats, candidates=[n.name for n in standing])
    db.session.flush()
    candidate_list.adopt(motion.id, now)
    record_event(
        actor,
        "candidates.adopt",
        f"candidate_list:{candidate_list.id}",
        estate_id=candidate_list.estate_id,
        election=election.public_id,
        motion=motion.motion_id,
        seats=seats,
        candidates=[n.name for n in standing],
    )
    return motion
