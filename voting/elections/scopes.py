"""Motions decided by the owners of some buildings, stairwells (单元) or units only (DOMAIN.md:
the maintenance fund spent within its 列支范围, a lift per stairwell).

While the vote is drafted a motion names its parts as the roll names them; opening resolves them
to units, declares each scope in the definition (spec election-record-v2 §3) and freezes every
voter's weight in each scope they hold a unit in (§4). The weights themselves are computed by
voting.core.scopes; this module reads and writes the database around it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from voting.audit.operations import record_event
from voting.core import scopes as pure
from voting.core.record_v2 import ESTATE
from voting.core.weights import counts_area
from voting.elections.models import (
    Election,
    ElectionError,
    ElectionVoter,
    ElectionVoterScope,
    Motion,
    MotionScopePart,
    State,
)
from voting.estates.models import Building, Estate, Unit
from voting.extensions import db

# A scope is named in full on ballots and notices: beyond this many parts, name a building or
# a stairwell instead of its units one by one.
MAX_PARTS = 40


class ScopeRefused(ElectionError):
    """A motion's scope names what the roll does not hold, or holds no voter."""

    status = 400


def placed_units(estate: Estate) -> list[pure.PlacedUnit]:
    """Every unit of the estate's roll where it stands, in label order, with its voter and the
    area it adds (none for a parking space the estate's rules leave out: its owner still votes)."""
    return [
        pure.PlacedUnit(
            label, building, entrance, voter_id, area if counts_area(use, count_parking=estate.count_parking) else 0
        )
        for label, building, entrance, voter_id, area, use in db.session.execute(
            select(Unit.label, Building.name, Unit.entrance, Unit.voter_id, Unit.area, Unit.use)
            .join(Building, Unit.building_id == Building.id)
            .where(Unit.estate_id == estate.id)
            .order_by(Unit.label)
        )
    ]


def scope_options(estate: Estate) -> tuple[list[str], list[tuple[str, str]]]:
    """The buildings and the stairwells (building, entrance) a motion may be limited to."""
    units = placed_units(estate)
    buildings = sorted({unit.building for unit in units})
    stairwells = sorted({(unit.building, unit.entrance) for unit in units if unit.entrance})
    return buildings, stairwells


def limit_motion(actor: str, motion: Motion, parts: Iterable[pure.Part]) -> None:
    """Let only the owners of these parts decide the motion; no parts: the whole estate. Each
    part must be on the estate's roll now; opening checks them again, against the roll then."""
    motion.election.require_state(State.DRAFT)
    parts = list(dict.fromkeys(parts))  # each once, in the order given
    if len(parts) > MAX_PARTS:
        raise ScopeRefused(
            _("A motion's scope names at most %(count)d buildings, stairwells or units.", count=MAX_PARTS)
        )
    units = placed_units(motion.election.estate)
    for part in parts:
        if not pure.units_in([part], units):
            raise ScopeRefused(_("The owner roll has no %(part)s.", part=part.title))
    motion.scope_parts = [
        MotionScopePart(
            position=position,
            kind=part.kind,
            building="" if part.unit else part.building,
            entrance="" if part.unit else part.entrance,
            unit_label=part.unit,
        )
        for position, part in enumerate(parts, start=1)
    ]
    if parts:
        record_event(
            actor,
            "election.motion_scope",
            f"election:{motion.election.public_id}",
            estate_id=motion.election.estate_id,
            motion_id=motion.motion_id,
            scope=pure.scope_title(parts),
        )


def parts_of(motion: Motion) -> list[pure.Part]:
    return [part.part for part in motion.scope_parts]


# --- opening: each scope declared, each voter's weight in it frozen ----------------------------


@dataclass(frozen=True)
class FrozenScope:
    scope_id: str
    title: str
    weights: dict  # roster voter id -> {"area", "heads"}


@dataclass(frozen=True)
class Scoping:
    """The scopes of a vote beyond the estate, and which scope decides each motion."""

    scopes: list[FrozenScope]
    of_motion: dict[str, str]  # motion_id -> scope_id; the estate's motions are not listed
    motion_count: int

    def scope_of(self, motion_id: str) -> str:
        return self.of_motion.get(motion_id, ESTATE)

    def declared(self, estate_title: str) -> list[dict]:
        """The definition's ``scopes`` (spec v2 §3): the estate first, then one per scope."""
        return [
            {"scope_id": ESTATE, "title": estate_title},
            *({"scope_id": scope.scope_id, "title": scope.title} for scope in self.scopes),
        ]

    def deciding(self, voter_ids: Iterable) -> set:
        """Of these roster voters, those with a motion to decide: all of them where some motion
        is the whole estate's, else those holding a unit in some motion's scope."""
        voter_ids = set(voter_ids)
        if len(self.of_motion) < self.motion_count:
            return voter_ids
        return {voter_id for scope in self.scopes for voter_id in scope.weights if voter_id in voter_ids}


def plan_scopes(election: Election) -> Scoping:
    """Resolve each motion's parts against the roll as it is at opening. Motions whose parts
    cover the same units share one scope, numbered in the order of the motions."""
    units = placed_units(election.estate)
    by_units: dict[frozenset[str], FrozenScope] = {}
    of_motion = {}
    for motion in election.motions:
        parts = parts_of(motion)
        if not parts:
            continue
        covered = pure.units_in(parts, units)
        weights = pure.scope_weights(covered)
        if not weights:
            raise ScopeRefused(
                _(
                    "No owner on the roll holds a unit in %(scope)s, the scope of motion %(motion)s.",
                    scope=pure.scope_title(parts),
                    motion=motion.motion_id,
                )
            )
        key = frozenset(unit.label for unit in covered)
        if key not in by_units:
            by_units[key] = FrozenScope(pure.scope_id(len(by_units) + 1), pure.scope_title(parts), weights)
        of_motion[motion.motion_id] = by_units[key].scope_id
    return Scoping(list(by_units.values()), of_motion, len(election.motions))


def freeze_weights(election: Election, scoping: Scoping, frozen_voter_of: dict) -> None:
    """Store each voter's weight in each scope; ``frozen_voter_of`` maps a roster voter id to
    the id of its ElectionVoter."""
    rows = [
        {
            "election_id": election.id,
            "election_voter_id": frozen_voter_of[voter_id],
            "scope_id": scope.scope_id,
            "area": weight["area"],
        }
        for scope in scoping.scopes
        for voter_id, weight in scope.weights.items()
    ]
    if rows:
        db.session.execute(ElectionVoterScope.__table__.insert(), rows)


def frozen_weights(election: Election) -> dict[str, dict[str, dict]]:
    """voter code -> scope id -> weight, for the scopes beyond the estate (one head in each)."""
    weights: dict[str, dict[str, dict]] = {}
    for code, scope_id, area in db.session.execute(
        select(ElectionVoter.voter_code, ElectionVoterScope.scope_id, ElectionVoterScope.area)
        .join(ElectionVoter, ElectionVoterScope.election_voter_id == ElectionVoter.id)
        .where(ElectionVoterScope.election_id == election.id)
    ):
        weights.setdefault(code, {})[scope_id] = {"area": area, "heads": 1}
    return weights


# --- after opening: who decides what -----------------------------------------------------------


def is_scoped(election: Election) -> bool:
    return any(motion["scope"] != ESTATE for motion in election.definition["motions"])


def scopes_of(election: Election, voter: ElectionVoter) -> set[str]:
    """The scopes this voter holds a weight in: the estate, and those they hold a unit in."""
    held = db.session.scalars(
        select(ElectionVoterScope.scope_id).where(ElectionVoterScope.election_voter_id == voter.id)
    )
    return {ESTATE, *held}


def motions_of(election: Election, voter: ElectionVoter) -> list[dict]:
    """The motions of the frozen definition this voter decides, in order."""
    motions = election.definition["motions"]
    if not is_scoped(election):
        return motions  # every voter holds a weight in the estate
    held = scopes_of(election, voter)
    return [motion for motion in motions if motion["scope"] in held]


def scope_titles(definition: dict) -> dict[str, str]:
    """scope id -> title, for the scopes beyond the estate."""
    return {scope["scope_id"]: scope["title"] for scope in definition["scopes"] if scope["scope_id"] != ESTATE}
