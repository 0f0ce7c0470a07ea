"""Voting weights: who is one voter, holding how much area.

Civil Code art. 278 decides an owners' assembly matter by two counts, the area of the exclusive
parts (专有部分面积) and the number of owners (业主人数). The Supreme People's Court
interpretation 法释〔2009〕7号 says how to count them:

* art. 8: the area of an exclusive part is its registered area, else its surveyed area, else its
  contract area; the total area is the sum over all exclusive parts.
* art. 9: one exclusive part counts as one person, but all parts the developer has not sold, or
  sold and not yet delivered, count together as one person, and so does a buyer of several parts.

Gongzhi identifies a buyer by the exact set of ID numbers on the title (DOMAIN.md): 张三+李四 is
the same voter as 李四+张三, while 张三 alone is another voter.

Parking spaces: a titled parking space is an exclusive part (法释〔2009〕7号 art. 2), so by default
it counts like any other; where local rules leave parking out, ``count_parking=False`` drops 车位
units entirely (no area, no head, not in the totals). The demo roster fixture has no 车位 units,
so its expected summary comes out under either setting.

Pure module: no Flask, SQLAlchemy or openpyxl, so the verifier can recount a roll with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

USES = ("住宅", "商业", "办公", "车位", "储藏室")
PARKING = "车位"
DELIVERED, UNDELIVERED, UNSOLD = "已交付", "未交付", "未售"
STATUSES = (DELIVERED, UNDELIVERED, UNSOLD)


@dataclass(frozen=True)
class Unit:
    """One exclusive part. ``area`` is in 0.01 m².

    ``owner_key`` holds opaque strings identifying the owners (ID numbers or keyed hashes of
    them); it only matters for delivered units, since the rest belong to the developer.
    """

    label: str
    area: int
    use: str
    status: str
    owner_key: tuple[str, ...]


@dataclass(frozen=True)
class Voter:
    """One person in the sense of art. 9: heads is always 1, area the sum of its units."""

    owners: frozenset[str]  # empty for the developer
    area: int
    units: tuple[str, ...]  # unit labels
    heads: int = 1

    @property
    def is_developer(self) -> bool:
        return not self.owners


_DEVELOPER = frozenset()


def voters(units: Iterable[Unit], *, count_parking: bool = True) -> list[Voter]:
    """Group units into voters (法释〔2009〕7号 art. 9).

    The developer comes first if it holds any unit, then one voter per owner-set in order of
    first appearance. Raises ValueError for a unit the parser should have rejected: an unknown
    status, or a delivered unit without owners.
    """
    holdings: dict[frozenset[str], list[Unit]] = {_DEVELOPER: []}
    for unit in units:
        if unit.status not in STATUSES:
            raise ValueError(f"unit {unit.label}: unknown status {unit.status!r}")
        if unit.use == PARKING and not count_parking:
            continue
        key = frozenset(unit.owner_key) if unit.status == DELIVERED else _DEVELOPER
        if unit.status == DELIVERED and not key:
            raise ValueError(f"unit {unit.label}: delivered but has no owner")
        holdings.setdefault(key, []).append(unit)
    return [
        Voter(owners=key, area=sum(u.area for u in held), units=tuple(u.label for u in held))
        for key, held in holdings.items()
        if held
    ]


def summarize(roll: Sequence[Voter]) -> dict:
    """The roll's totals, in the shape of roster-demo.expected.json.

    ``multi_unit_voters`` counts owner-sets holding more than one unit; the developer's bundle is
    reported under ``developer`` instead (the demo fixture expects 5, not 6 with the developer).
    ``co_owned_units`` counts delivered units with more than one owner; a buyer listed on an
    undelivered unit does not hold it yet.
    """
    developer = next((v for v in roll if v.is_developer), None)
    owners = [v for v in roll if not v.is_developer]
    return {
        "units": sum(len(v.units) for v in roll),
        "voters": len(roll),
        "total_heads": sum(v.heads for v in roll),
        "total_area": sum(v.area for v in roll),
        "developer": {
            "units": len(developer.units) if developer else 0,
            "area": developer.area if developer else 0,
        },
        "multi_unit_voters": sum(1 for v in owners if len(v.units) > 1),
        "co_owned_units": sum(len(v.units) for v in owners if len(v.owners) > 1),
    }
