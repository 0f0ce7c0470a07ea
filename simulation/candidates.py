"""A vetted candidate list made the way a real estate makes one, for the simulated vote:
the street office forms the preparation group, owners nominate themselves, every reviewing
body passes them, the list is published and its period runs out before the vote is drafted."""

from __future__ import annotations

from datetime import datetime, timedelta

from voting.auth.access import reviewer_bodies
from voting.auth.models import Staff
from voting.candidates.lists import create_list, rule_bodies
from voting.candidates.models import CandidateList, ListKind
from voting.candidates.nominations import Profile, eligible_owners, nominate_self
from voting.candidates.publication import publish_list
from voting.candidates.review import record_review, start_review
from voting.estates.models import Estate
from voting.prep.operations import confirm_group, propose_member

PUBLISHED_BEFORE = timedelta(days=10)  # longer than the 7-day publication period
TITLES = {ListKind.ELECTION: "第一届业主委员会委员选举", ListKind.BY_ELECTION: "业主委员会委员补选"}


def vetted_list(
    officer: Staff,
    estate: Estate,
    owners: list[tuple[str, str]],
    seats: int,
    now: datetime,
    *,
    kind: ListKind = ListKind.ELECTION,
) -> CandidateList:
    """``owners``: (name, ID number) of single owners of delivered units, from the roll."""
    actor = officer.username
    published_at = now - PUBLISHED_BEFORE
    people = eligible_owners(owners, published_at.date(), 3 + seats + 2)
    if len(people) < 3 + seats + 2:
        raise ValueError(
            f"the roll has {len(people)} single owners aged 30 to 65; a group of three and "
            f"{seats + 2} candidates need {3 + seats + 2}: simulate more voters"
        )
    propose_member(actor, estate, name="街道 刘主任", role="street_office", leader=True, account=officer)
    propose_member(actor, estate, name="社区 孙书记", role="community", organisation="模拟社区")
    for name, id_number in people[:3]:
        propose_member(actor, estate, name=name, role="owner", id_number=id_number)
    confirm_group(actor, estate, now=published_at - timedelta(days=5))
    candidates = create_list(actor, estate, TITLES[kind], seats, kind=kind)
    nominees = [
        nominate_self(actor, candidates, Profile(name=name, id_number=id_number, occupation="职员"))
        for name, id_number in people[3:]
    ]
    start_review(actor, candidates)
    bodies = reviewer_bodies(officer)
    for nominee in nominees:
        for rule in candidates.rules:
            for body in rule_bodies(rule):
                record_review(actor, nominee, rule.code, body, True, "", bodies, now=published_at)
    publish_list(actor, candidates, now=published_at)
    return candidates
