"""Candidates for the owners' committee: from nomination to a committee motion.

nominating → reviewing (rules fixed; each body records its verdicts) → published (公示: the
vetted list is public, owners object, the group answers) → adopted (a committee motion of a
vote). Every change is in the audit log; the public sees masked names only.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from voting.audit.operations import record_event
from voting.candidates.eligibility import AGE_GROUPS, BODY_NAMES, CATALOGUE, KINDS, age_group, age_on
from voting.candidates.models import (
    BODIES,
    CandidateError,
    CandidateList,
    EligibilityRule,
    JointSignature,
    Nominee,
    NomineeReview,
    NomineeStatus,
    Objection,
)
from voting.elections.models import Election, State
from voting.elections.operations import add_committee_election
from voting.estates.models import Estate
from voting.extensions import db
from voting.prep.operations import group_of, local_date
from voting.privacy import mask_id_number
from voting.roster.owners import (
    owner_by_id_number,
    owner_by_unit_last4,
    owner_hashes,
    owner_households,
    owner_unit_labels,
)
from voting.roster.parsing import normalise_id_number, resident_id_check_digit
from voting.timeutil import utcnow

MAX_PHOTO_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
MAX_OBJECTION_CHARS = 2000


class NominationRejected(CandidateError):
    """A joint recommendation with faulty entries; every fault is listed, nothing was saved."""

    def __init__(self, faults: list[str]):
        super().__init__(" ".join(faults))
        self.faults = faults

    @property
    def messages(self) -> list[str]:
        return self.faults


def needed_candidates(seats: int, margin_percent: int) -> int:
    """The fewest candidates exceeding the seats by the margin (差额): ⌈seats·(100+margin)/100⌉."""
    return (seats * (100 + margin_percent) + 99) // 100


def _competition_fault(count: int, seats: int, margin_percent: int) -> str | None:
    needed = needed_candidates(seats, margin_percent)
    if count >= needed:
        return None
    if margin_percent == 0:
        return _(
            "Candidates: %(count)d, seats: %(seats)d. There must be at least as many candidates as seats.",
            count=count,
            seats=seats,
        )
    return _(
        "Candidates: %(count)d, seats: %(seats)d. A competitive election needs at least %(needed)d candidates "
        "(%(margin)d%% more than the seats).",
        count=count,
        seats=seats,
        needed=needed,
        margin=margin_percent,
    )


# --- lists and their rules -----------------------------------------------------------------


def lists_of(estate: Estate) -> list[CandidateList]:
    return list(
        db.session.scalars(
            select(CandidateList).where(CandidateList.estate_id == estate.id).order_by(CandidateList.id.desc())
        )
    )


def _check_settings(seats: int, margin_percent: int, publication_days: int, min_joint_households: int) -> None:
    if seats < 1:
        raise CandidateError(_("The committee needs at least one seat."))
    if margin_percent < 0:
        raise CandidateError(_("The margin cannot be negative."))
    if publication_days < 1:
        raise CandidateError(_("The list must be published for at least one day."))
    if min_joint_households < 1:
        raise CandidateError(_("A joint recommendation needs at least one household."))


def create_list(
    actor: str,
    estate: Estate,
    title: str,
    seats: int,
    *,
    margin_percent: int = 20,
    publication_days: int = 7,
    min_joint_households: int = 10,
) -> CandidateList:
    """A new round of nominations, with every rule of the catalogue at its defaults."""
    group = group_of(estate)
    if group is None or group.formed_at is None:
        raise CandidateError(_("Form the preparation group first: it runs the nominations."))
    if not title.strip():
        raise CandidateError(_("Give the list a title; it becomes the motion on the ballot."))
    _check_settings(seats, margin_percent, publication_days, min_joint_households)
    candidate_list = CandidateList(
        estate=estate,
        title=title.strip(),
        seats=seats,
        margin_percent=margin_percent,
        publication_days=publication_days,
        min_joint_households=min_joint_households,
        created_by=actor,
        rules=[
            EligibilityRule(
                position=i, code=kind.code, params_json=json.dumps(kind.params), bodies=" ".join(kind.default_bodies)
            )
            for i, kind in enumerate(CATALOGUE)
        ],
    )
    db.session.add(candidate_list)
    db.session.flush()
    record_event(
        actor,
        "candidates.create",
        f"candidate_list:{candidate_list.id}",
        estate_id=estate.id,
        title=candidate_list.title,
        seats=seats,
        margin_percent=margin_percent,
        publication_days=publication_days,
        min_joint_households=min_joint_households,
    )
    return candidate_list


def change_settings(
    actor: str,
    candidate_list: CandidateList,
    *,
    seats: int,
    margin_percent: int,
    publication_days: int,
    min_joint_households: int,
) -> None:
    candidate_list.require_settings_open()
    _check_settings(seats, margin_percent, publication_days, min_joint_households)
    candidate_list.seats, candidate_list.margin_percent = seats, margin_percent
    candidate_list.publication_days, candidate_list.min_joint_households = publication_days, min_joint_households
    record_event(
        actor,
        "candidates.settings",
        f"candidate_list:{candidate_list.id}",
        estate_id=candidate_list.estate_id,
        seats=seats,
        margin_percent=margin_percent,
        publication_days=publication_days,
        min_joint_households=min_joint_households,
    )


@dataclass(frozen=True)
class RuleSetting:
    code: str
    params: dict[str, int]
    bodies: tuple[str, ...]


def rule_bodies(rule: EligibilityRule) -> tuple[str, ...]:
    return tuple(rule.bodies.split())


def describe_rule(rule: EligibilityRule) -> str:
    return KINDS[rule.code].describe(rule.params)


def configure_rules(actor: str, candidate_list: CandidateList, settings: list[RuleSetting]) -> None:
    """Choose the rules from the catalogue (the rules left out do not apply), their parameters
    and, for attested rules, the bodies that must pass them."""
    candidate_list.require_rules_open()
    chosen = {setting.code: setting for setting in settings}
    for kind in CATALOGUE:
        setting = chosen.get(kind.code)
        if kind.mandatory and setting is None:
            raise CandidateError(_("The rule “%(rule)s” always applies.", rule=kind.describe(kind.params)))
        if setting is None:
            continue
        if set(setting.params) != set(kind.params):
            raise CandidateError(_("The rule “%(rule)s” takes other settings.", rule=kind.describe(kind.params)))
        if kind.from_data and setting.bodies:
            raise CandidateError(
                _("The rule “%(rule)s” is checked from the roll, not attested.", rule=kind.describe(setting.params))
            )
        if not kind.from_data and not setting.bodies:
            raise CandidateError(_("Choose who attests the rule “%(rule)s”.", rule=kind.describe(setting.params)))
        if any(body not in BODIES for body in setting.bodies):
            raise CandidateError(_("Unknown reviewing body."))
    if "age" in chosen:
        ages = chosen["age"].params
        if not 16 <= ages["min_age"] < ages["max_age"] <= 120:
            raise CandidateError(_("The age range must run upwards from 16 to at most 120."))
    if "criminal_record" in chosen and not 1 <= chosen["criminal_record"].params["years"] <= 50:
        raise CandidateError(_("The number of years for criminal records must be from 1 to 50."))
    existing = {rule.code: rule for rule in candidate_list.rules}
    kept = []
    for position, kind in enumerate(CATALOGUE):
        if kind.code in chosen:
            rule = existing.get(kind.code) or EligibilityRule(code=kind.code)
            rule.position, rule.params_json = position, json.dumps(chosen[kind.code].params)
            rule.bodies = " ".join(b for b in BODIES if b in chosen[kind.code].bodies)
            kept.append(rule)
    candidate_list.rules = kept
    db.session.flush()
    record_event(
        actor,
        "candidates.rules",
        f"candidate_list:{candidate_list.id}",
        estate_id=candidate_list.estate_id,
        rules={rule.code: {"params": rule.params, "bodies": rule.bodies} for rule in candidate_list.rules},
    )


# --- nominations ---------------------------------------------------------------------------


@dataclass
class Profile:
    """What the nomination form gives; gender and date of birth come from a resident ID."""

    name: str
    id_number: str
    occupation: str = ""
    party_member: bool = False
    statement: str = ""
    gender: str | None = None
    birth_date: date | None = None
    photo: bytes | None = None


def resident_id_facts(id_number: str) -> tuple[date, str] | None:
    """Date of birth and gender (GB 11643: the 17th digit is odd for men) of a resident ID."""
    number = normalise_id_number(id_number)
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number) or resident_id_check_digit(number[:17]) != number[17]:
        return None
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    return born, "M" if int(number[16]) % 2 else "F"


def eligible_owners(owners: list[tuple[str, str]], today: date, count: int) -> list[tuple[str, str]]:
    """Owners with a resident ID aged 30 to 65: inside the default age rule with room to spare."""
    chosen, seen = [], set()
    for name, id_number in owners:
        facts = resident_id_facts(id_number)
        if facts and 30 <= (today - facts[0]).days // 366 <= 65 and id_number not in seen:
            chosen.append((name, id_number))
            seen.add(id_number)
        if len(chosen) == count:
            break
    return chosen


def _photo_type(photo: bytes) -> str:
    if len(photo) > MAX_PHOTO_BYTES:
        raise CandidateError(_("The photo is larger than %(mb)d MB.", mb=MAX_PHOTO_BYTES // (1024 * 1024)))
    for magic, mimetype in PHOTO_TYPES.items():
        if photo.startswith(magic):
            return mimetype
    raise CandidateError(_("The photo must be a JPEG or PNG image."))


def _new_nominee(
    actor: str, candidate_list: CandidateList, profile: Profile, kind: str, recommended_by: str = ""
) -> Nominee:
    candidate_list.require_nominations_open()
    name = profile.name.strip()
    if not name:
        raise CandidateError(_("Give the nominee's name."))
    owner = owner_by_id_number(candidate_list.estate, profile.id_number) if profile.id_number.strip() else None
    if owner is None:
        raise CandidateError(
            _(
                "%(name)s is not an owner of this estate according to the roll (no owner with this ID number).",
                name=name,
            )
        )
    if owner.name != name:
        raise CandidateError(_("The roll lists this ID number under another name than %(name)s.", name=name))
    twin = next((n for n in candidate_list.nominees if n.owner_id_hash == owner.id_hash), None)
    if twin is not None:
        raise CandidateError(_("%(name)s is already nominated (number %(number)d).", name=name, number=twin.number))
    facts = resident_id_facts(profile.id_number)
    if facts is not None:
        born, gender = facts
        if profile.birth_date not in (None, born) or profile.gender not in (None, gender):
            raise CandidateError(_("Date of birth and gender must match the resident ID number."))
    elif profile.birth_date is None or profile.gender not in ("F", "M"):
        raise CandidateError(_("This ID number shows no date of birth: give the date of birth and gender."))
    else:
        born, gender = profile.birth_date, profile.gender
    photo_type = _photo_type(profile.photo) if profile.photo else None
    number = max((n.number for n in candidate_list.nominees), default=0) + 1
    nominee = Nominee(
        candidate_list=candidate_list,
        number=number,
        kind=kind,
        recommended_by=recommended_by.strip(),
        name=name,
        owner_id_hash=owner.id_hash,
        unit_labels=owner_unit_labels(owner),
        gender=gender,
        birth_date=born,
        occupation=profile.occupation.strip(),
        party_member=profile.party_member,
        statement=profile.statement.strip(),
        photo=profile.photo or None,
        photo_type=photo_type,
        nominated_by=actor,
    )
    db.session.add(nominee)
    return nominee


def _audit_nomination(actor: str, nominee: Nominee, **detail) -> None:
    db.session.flush()
    record_event(
        actor,
        f"candidates.nominate_{nominee.kind}",
        f"nominee:{nominee.id}",
        estate_id=nominee.candidate_list.estate_id,
        list=nominee.list_id,
        number=nominee.number,
        name=nominee.name,
        units=nominee.unit_labels,
        **detail,
    )


def nominate_self(actor: str, candidate_list: CandidateList, profile: Profile) -> Nominee:
    """An owner's self-nomination (自荐), keyed by the group from the owner's form."""
    nominee = _new_nominee(actor, candidate_list, profile, "self")
    _audit_nomination(actor, nominee)
    return nominee


def nominate_by_community(actor: str, candidate_list: CandidateList, profile: Profile, recommended_by: str) -> Nominee:
    """A recommendation by the community's party organisation or residents' committee."""
    if not recommended_by.strip():
        raise CandidateError(_("Name the organisation that recommends the nominee."))
    nominee = _new_nominee(actor, candidate_list, profile, "community", recommended_by)
    _audit_nomination(actor, nominee, recommended_by=nominee.recommended_by)
    return nominee


_ENTRY_SEPARATORS = re.compile(r"[\s,，、;；]+")


def parse_signature_entries(text: str) -> list[tuple[int, str, str]]:
    """(line, name, ID number) for each non-empty line "name ID-number" (the name is optional)."""
    entries = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        parts = [part for part in _ENTRY_SEPARATORS.split(line.strip()) if part]
        if parts:
            entries.append((line_number, "".join(parts[:-1]), parts[-1]))
    return entries


def nominate_jointly(actor: str, candidate_list: CandidateList, profile: Profile, signatures: str) -> Nominee:
    """A joint recommendation (联名推荐): every signer an owner, each household counted once.

    A signer belonging to several households (owner alone of one flat, co-owner of another)
    counts for the first of them not yet counted, by voter id. All faults are reported together,
    by line; nothing is saved unless every line is good and enough households signed.
    """
    nominee = _new_nominee(actor, candidate_list, profile, "joint")
    estate = candidate_list.estate
    faults: list[str] = []
    household_rows: dict[str, int] = {}
    signer_rows: dict[str, int] = {}
    for row, name, number in parse_signature_entries(signatures):
        entry = f"{name} {mask_id_number(number)}".strip()
        owner = owner_by_id_number(estate, number)
        if owner is None:
            faults.append(
                _("Line %(row)d (%(entry)s): no owner of this estate has this ID number.", row=row, entry=entry)
            )
            continue
        if name and owner.name != name:
            faults.append(
                _("Line %(row)d (%(entry)s): the roll lists this ID number under another name.", row=row, entry=entry)
            )
            continue
        if owner.id_hash == nominee.owner_id_hash:
            faults.append(
                _("Line %(row)d (%(entry)s): the nominee cannot sign their own recommendation.", row=row, entry=entry)
            )
            continue
        if owner.id_hash in signer_rows:
            faults.append(
                _(
                    "Line %(row)d (%(entry)s): this owner already signed on line %(first)d.",
                    row=row,
                    entry=entry,
                    first=signer_rows[owner.id_hash],
                )
            )
            continue
        households = owner_households(owner)
        free = [voter for voter in households if voter.owner_key not in household_rows]
        if not households:
            faults.append(_("Line %(row)d (%(entry)s): this owner holds no vote in the estate.", row=row, entry=entry))
            continue
        if not free:
            faults.append(
                _(
                    "Line %(row)d (%(entry)s): this household already signed on line %(first)d.",
                    row=row,
                    entry=entry,
                    first=household_rows[households[0].owner_key],
                )
            )
            continue
        signer_rows[owner.id_hash] = row
        household_rows[free[0].owner_key] = row
        nominee.signatures.append(
            JointSignature(
                row=row, owner_id_hash=owner.id_hash, household_key=free[0].owner_key, household_code=free[0].code
            )
        )
    if not faults and len(household_rows) < candidate_list.min_joint_households:
        faults.append(
            _(
                "Owner households that signed: %(count)d; a joint recommendation needs at least %(needed)d.",
                count=len(household_rows),
                needed=candidate_list.min_joint_households,
            )
        )
    if faults:
        raise NominationRejected(faults)
    _audit_nomination(actor, nominee, households=sorted(s.household_code for s in nominee.signatures))
    return nominee


def withdraw_nominee(actor: str, nominee: Nominee, reason: str, now: datetime | None = None) -> None:
    """Withdraw a nominee (their own wish, or an objection upheld); the reason is public."""
    nominee.withdraw(actor, reason, now or utcnow())
    record_event(
        actor,
        "candidates.withdraw",
        f"nominee:{nominee.id}",
        estate_id=nominee.candidate_list.estate_id,
        name=nominee.name,
        reason=nominee.withdrawal_reason,
    )


# --- joint review --------------------------------------------------------------------------


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
        competitive_fault=_competition_fault(total, candidate_list.seats, candidate_list.margin_percent),
    )


# --- publication and objections ------------------------------------------------------------


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
    objection = Objection(
        candidate_list=candidate_list,
        nominee=nominee,
        ref=secrets.token_urlsafe(12),
        channel="online",
        unit_label=unit_label.strip(),
        owner_id_hash=owner.id_hash,
        text=text,
        lodged_at=now,
    )
    db.session.add(objection)
    db.session.flush()
    record_event(
        f"owner:{objection.unit_label}",
        "candidates.objection",
        f"objection:{objection.id}",
        estate_id=candidate_list.estate_id,
        channel="online",
        nominee=nominee.name if nominee else None,
    )
    return objection


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
    objection = Objection(
        candidate_list=candidate_list,
        nominee=nominee,
        ref=secrets.token_urlsafe(12),
        channel="paper",
        unit_label=unit_label.strip(),
        owner_id_hash=owner.id_hash,
        text=text,
        lodged_at=received_at,
        recorded_by=actor,
    )
    db.session.add(objection)
    db.session.flush()
    record_event(
        actor,
        "candidates.objection",
        f"objection:{objection.id}",
        estate_id=candidate_list.estate_id,
        channel="paper",
        nominee=nominee.name if nominee else None,
        received_at=received_at,
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


# --- what the public sees ------------------------------------------------------------------


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


# --- into a vote ---------------------------------------------------------------------------


def lists_ready(estate: Estate, now: datetime | None = None) -> list[CandidateList]:
    """Lists whose publication has ended with every objection answered."""
    now = now or utcnow()
    return [c for c in published_lists(estate) if c.adoption_fault(now) is None]


def add_committee_motion(
    actor: str, election: Election, candidate_list: CandidateList, seats: int, now: datetime | None = None
):
    """Put the vetted, published list on the vote as its committee motion (the only way in).

    Refuses unless the list belongs to the vote's estate, its publication period is over, every
    objection has its written answer, and the candidates still standing exceed the seats by
    the list's margin. Candidates appear in list order, with their full names as on the ballot.
    """
    now = now or utcnow()
    if candidate_list.estate_id != election.estate_id:
        raise CandidateError(_("This list belongs to another estate."))
    fault = candidate_list.adoption_fault(now)
    if fault:
        raise CandidateError(fault)
    if election.state != State.DRAFT:
        raise CandidateError(_("Motions can be added only while the vote is a draft."))
    if seats < 1:
        raise CandidateError(_("The committee needs at least one seat."))
    standing = [n for n in candidate_list.nominees if n.vetted_at is not None and n.withdrawn_at is None]
    fault = _competition_fault(len(standing), seats, candidate_list.margin_percent)
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
