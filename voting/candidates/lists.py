"""Candidate lists and their rules: a round of nominations for the owners' committee, its seats,
margin, publication days and joint-recommendation threshold, and the eligibility rules chosen from
the catalogue with the bodies that attest them."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from voting.audit.operations import record_event
from voting.candidates.eligibility import CATALOGUE, KINDS
from voting.candidates.models import (
    BODIES,
    CandidateError,
    CandidateList,
    EligibilityRule,
    ListKind,
)
from voting.core import rules
from voting.estates.models import Estate
from voting.extensions import db
from voting.prep.operations import group_of


def needed_candidates(seats: int, margin_percent: int) -> int:
    """The fewest candidates exceeding the seats by the margin (差额): ⌈seats·(100+margin)/100⌉."""
    return (seats * (100 + margin_percent) + 99) // 100


def competition_fault(count: int, seats: int, margin_percent: int) -> str | None:
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


def lists_of(estate: Estate) -> list[CandidateList]:
    return list(
        db.session.scalars(
            select(CandidateList).where(CandidateList.estate_id == estate.id).order_by(CandidateList.id.desc())
        )
    )


def seats_fault(estate: Estate, kind: ListKind, seats: int) -> str | None:
    """Why a list of this kind cannot have so many seats; None when it can. A committee has an
    odd number of members within the estate's rules profile (5–11 by 指导规则 art. 31); a
    by-election fills fewer seats than the largest committee."""
    profile = estate.rules_profile
    low, high = profile.committee_min_members, profile.committee_max_members
    if kind == ListKind.ELECTION and not rules.odd_within(seats, low, high):
        return _(
            "Seats on the committee: %(seats)d. A committee has an odd number of members from %(low)d to "
            "%(high)d (the estate's rules), so a full election has an odd number of seats from %(low)d to "
            "%(high)d. To fill seats a committee left unfilled, start a by-election list.",
            seats=seats,
            low=low,
            high=high,
        )
    if kind == ListKind.BY_ELECTION and not 1 <= seats < high:
        return _(
            "Seats on the committee: %(seats)d. A by-election fills the seats a committee left unfilled: "
            "from 1 to %(most)d, fewer than its largest size of %(high)d.",
            seats=seats,
            most=high - 1,
            high=high,
        )
    return None


def require_lawful_seats(estate: Estate, kind: ListKind, seats: int) -> None:
    fault = seats_fault(estate, kind, seats)
    if fault:
        raise CandidateError(fault)


def _check_settings(
    estate: Estate, kind: ListKind, seats: int, margin_percent: int, publication_days: int, min_joint_households: int
) -> None:
    require_lawful_seats(estate, kind, seats)
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
    kind: ListKind = ListKind.ELECTION,
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
    if kind not in tuple(ListKind):
        raise CandidateError(_("Choose a full election or a by-election."))
    _check_settings(estate, kind, seats, margin_percent, publication_days, min_joint_households)
    candidate_list = CandidateList(
        estate=estate,
        title=title.strip(),
        kind=kind,
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
        kind=kind,
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
    _check_settings(
        candidate_list.estate, candidate_list.kind, seats, margin_percent, publication_days, min_joint_households
    )
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
