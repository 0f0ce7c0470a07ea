"""The joint review (资格联审): nominations close, each body records its verdict on the rules it
attests, and the report shows who passed and whether they make a competitive election."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from voting.audit.operations import record_event
from voting.candidates.eligibility import AGE_GROUPS, BODY_NAMES, age_group, age_on
from voting.candidates.lists import competition_fault, describe_rule, needed_candidates, rule_bodies
from voting.candidates.models import (
    CandidateError,
    CandidateList,
    Nominee,
    NomineeReview,
    NomineeStatus,
)
from voting.extensions import db
from voting.prep.operations import local_date
from voting.roster.owners import (
    owner_hashes,
)
from voting.timeutil import utcnow


def start_review(actor: str, candidate_list: CandidateList) -> None:
    """Close nominations and fix the rules; the bodies can now record their verdicts."""
    if candidate_list.takes_nominations and not any(n.withdrawn_at is None for n in candidate_list.nominees):
        raise CandidateError(_("There is nobody to review yet."))
    candidate_list.start_review()
    record_event(
        actor, "candidates.review_start", f"candidate_list:{candidate_list.id}", estate_id=candidate_list.estate_id
    )


def reopen_nominations(actor: str, candidate_list: CandidateList) -> None:
    """Back to nominations (e.g. too few passed); verdicts already recorded are kept."""
    candidate_list.reopen_nominations()
    record_event(actor, "candidates.reopen", f"candidate_list:{candidate_list.id}", estate_id=candidate_list.estate_id)


def record_review(
    actor: str,
    nominee: Nominee,
    rule_code: str,
    body: str,
    passed: bool,
    reason: str,
    allowed_bodies: tuple[str, ...],
    now: datetime | None = None,
) -> NomineeReview:
    """A body's pass or fail on one rule for one nominee; a fail needs its reason."""
    candidate_list = nominee.candidate_list
    candidate_list.require_review()
    if nominee.withdrawn_at is not None:
        raise CandidateError(_("%(name)s is withdrawn.", name=nominee.name))
    rule = next((r for r in candidate_list.rules if r.code == rule_code), None)
    if rule is None or body not in rule_bodies(rule):
        raise CandidateError(
            _("On this list, the %(body)s does not attest that rule.", body=BODY_NAMES.get(body, body))
        )
    if body not in allowed_bodies:
        raise CandidateError(_("You cannot record verdicts for the %(body)s.", body=BODY_NAMES[body]))
    reason = reason.strip()
    if not passed and not reason:
        raise CandidateError(_("Give the reason for the fail."))
    review = next((r for r in nominee.reviews if r.rule_code == rule_code and r.body == body), None)
    if review is not None and (review.passed, review.reason) == (passed, reason):
        return review  # the form showed it again unchanged: who decided it stays on record
    if review is None:
        review = NomineeReview(
            nominee=nominee, rule_code=rule_code, body=body, passed=passed, reason=reason, recorded_by=actor
        )
        db.session.add(review)
    review.passed, review.reason, review.recorded_by, review.recorded_at = passed, reason, actor, now or utcnow()
    record_event(
        actor,
        "candidates.review",
        f"nominee:{nominee.id}",
        estate_id=candidate_list.estate_id,
        name=nominee.name,
        rule=rule_code,
        body=body,
        passed=passed,
        reason=reason,
    )
    return review


@dataclass(frozen=True)
class Verdict:
    rule_code: str
    rule: str  # described in words
    body: str | None  # None: checked from data
    state: str  # pass, fail, pending
    reason: str = ""
    recorded_by: str | None = None
    recorded_at: datetime | None = None


def _verdicts(nominee: Nominee, on_roll: set[str], today: date) -> list[Verdict]:
    found = []
    reviews = {(r.rule_code, r.body): r for r in nominee.reviews}
    for rule in nominee.candidate_list.rules:
        words = describe_rule(rule)
        if rule.code == "owner":
            owner = nominee.owner_id_hash in on_roll
            found.append(
                Verdict(
                    rule.code,
                    words,
                    None,
                    "pass" if owner else "fail",
                    _("on the roll") if owner else _("not on the current roll"),
                )
            )
        elif rule.code == "age":
            age, limits = age_on(nominee.birth_date, today), rule.params
            ok = limits["min_age"] <= age <= limits["max_age"]
            found.append(Verdict(rule.code, words, None, "pass" if ok else "fail", _("aged %(age)d", age=age)))
        for body in rule_bodies(rule):
            review = reviews.get((rule.code, body))
            if review is None:
                found.append(Verdict(rule.code, words, body, "pending"))
            else:
                found.append(
                    Verdict(
                        rule.code,
                        words,
                        body,
                        "pass" if review.passed else "fail",
                        review.reason,
                        review.recorded_by,
                        review.recorded_at,
                    )
                )
    return found


def _status(nominee: Nominee, verdicts: list[Verdict]) -> NomineeStatus:
    if nominee.withdrawn_at is not None:
        return NomineeStatus.WITHDRAWN
    if nominee.candidate_list.published_at is not None:  # the review's outcome is fixed on publication
        return NomineeStatus.PASSED if nominee.vetted_at is not None else NomineeStatus.FAILED
    states = {v.state for v in verdicts}
    return (
        NomineeStatus.FAILED
        if "fail" in states
        else NomineeStatus.PENDING
        if "pending" in states
        else NomineeStatus.PASSED
    )


@dataclass(frozen=True)
class NomineeRow:
    nominee: Nominee
    age: int
    status: NomineeStatus
    verdicts: tuple[Verdict, ...]


@dataclass(frozen=True)
class Share:
    count: int
    total: int

    @property
    def percent(self) -> int:
        return 100 * self.count // self.total if self.total else 0


@dataclass(frozen=True)
class ListReport:
    """The joint review's outcome (资格联审情况): statuses, make-up of the candidates who passed,
    and whether they make a competitive election."""

    rows: tuple[NomineeRow, ...]
    counts: dict[str, int]
    party_members: Share
    women: Share
    age_groups: tuple[tuple[object, Share], ...]
    seats: int
    needed: int
    competitive_fault: str | None

    @property
    def standing(self) -> tuple[NomineeRow, ...]:
        return tuple(row for row in self.rows if row.status == NomineeStatus.PASSED)


def list_report(candidate_list: CandidateList, now: datetime | None = None) -> ListReport:
    now = now or utcnow()
    today = local_date(candidate_list.published_at or now)
    on_roll = owner_hashes(candidate_list.estate)
    rows = []
    for nominee in candidate_list.nominees:
        verdicts = _verdicts(nominee, on_roll, today)
        rows.append(NomineeRow(nominee, age_on(nominee.birth_date, today), _status(nominee, verdicts), tuple(verdicts)))
    standing = [row for row in rows if row.status == NomineeStatus.PASSED]
    total = len(standing)
    groups = {label: 0 for _low, _high, label in AGE_GROUPS}
    for row in standing:
        groups[age_group(row.age)] += 1
    return ListReport(
        rows=tuple(rows),
        counts={status.value: sum(row.status == status for row in rows) for status in NomineeStatus},
        party_members=Share(sum(row.nominee.party_member for row in standing), total),
        women=Share(sum(row.nominee.gender == "F" for row in standing), total),
        age_groups=tuple((label, Share(count, total)) for label, count in groups.items()),
        seats=candidate_list.seats,
        needed=needed_candidates(candidate_list.seats, candidate_list.margin_percent),
        competitive_fault=competition_fault(total, candidate_list.seats, candidate_list.margin_percent),
    )
