"""Scopes of a vote (spec election-record-v2 §3, §4 and §11): a motion decided by the owners of
some buildings (幢), stairwells (单元) or units only — the maintenance fund spent within its
列支范围, a lift installed in one stairwell.

Civil Code art. 278 then applies within the scope, on the units in it: a voter holding a unit
there is one head, with the area of their units there only. The developer's bundle inside the
scope is one person within it, like a buyer of several units; a buyer with units in and out of
the scope weighs only what lies inside.

Pure module: no Flask or SQLAlchemy, so a verifier or a test can derive the weights by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# A stairwell's number is written with 单元 after it (「3幢2单元」), as the estate's own records
# name it; a name that says so already (「2单元」, 「东单元」) is kept as it is. Scope titles
# are frozen into the record in the estate's language, whatever language staff read.
STAIRWELL = "单元"
TITLE_SEPARATOR = "、"
SCOPE_ID_PREFIX = "scope-"


@dataclass(frozen=True)
class Part:
    """One piece of a scope: a building (``building`` alone), a stairwell (``building`` and
    ``entrance``) or a unit (``unit``, its label)."""

    building: str = ""
    entrance: str = ""
    unit: str = ""

    @property
    def kind(self) -> str:
        if self.unit:
            return "unit"
        return "stairwell" if self.entrance else "building"

    @property
    def title(self) -> str:
        if self.unit:
            return self.unit
        return self.building + stairwell_name(self.entrance) if self.entrance else self.building

    def covers(self, unit: PlacedUnit) -> bool:
        if self.unit:
            return unit.label == self.unit
        return unit.building == self.building and (not self.entrance or unit.entrance == self.entrance)


@dataclass(frozen=True)
class PlacedUnit:
    """A unit of the roll where it stands, with its voter (None when not counted) and area (0.01 m²)."""

    label: str
    building: str
    entrance: str
    voter: object
    area: int


def stairwell_name(entrance: str) -> str:
    """「2」 → 「2单元」; a name that already ends in 单元 stays as it is."""
    return entrance if entrance.endswith(STAIRWELL) else entrance + STAIRWELL


def scope_title(parts: Iterable[Part]) -> str:
    """The scope as people read it: its parts' titles in order, e.g. 「3幢2单元、3幢3单元」."""
    return TITLE_SEPARATOR.join(part.title for part in parts)


def units_in(parts: Iterable[Part], units: Iterable[PlacedUnit]) -> list[PlacedUnit]:
    """The units the parts cover, in the order given, each once."""
    parts = tuple(parts)
    return [unit for unit in units if any(part.covers(unit) for part in parts)]


def scope_weights(units: Iterable[PlacedUnit]) -> dict[object, dict]:
    """voter -> weight within a scope, from the scope's units: one head per voter holding a
    counted unit there (法释〔2009〕7号 art. 9: the developer's bundle and a buyer of several units
    are each one person), the area of their units there only."""
    weights: dict[object, dict] = {}
    for unit in units:
        if unit.voter is None:
            continue  # a unit no voter holds counts for nobody
        weight = weights.setdefault(unit.voter, {"area": 0, "heads": 1})
        weight["area"] += unit.area
    return weights


def totals(weights: Mapping[object, dict]) -> dict:
    """The sum of the weights, per measure (spec v2 §4, ``roll.totals``)."""
    return {
        "area": sum(weight["area"] for weight in weights.values()),
        "heads": sum(weight["heads"] for weight in weights.values()),
    }


def scope_id(number: int) -> str:
    """The n-th scope (from 1) after the estate: ``scope-1``, ``scope-2``…"""
    return f"{SCOPE_ID_PREFIX}{number}"
