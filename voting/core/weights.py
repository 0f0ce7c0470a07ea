"""Voting weights: who is one voter, holding how much area.

Civil Code art. 278 decides an owners' assembly matter by two counts, the area of the exclusive
parts (专有部分面积) and the number of owners (业主人数). The Supreme People's Court
interpretation 法释〔2009〕7号 says how to count them:

* art. 8: the area of an exclusive part is its registered area, else its surveyed area, else its
  contract area; the total area is the sum over all exclusive parts.
* art. 9: one exclusive part counts as one person, but all parts the developer has not sold, or
  sold and not yet delivered, count together as one person, and so does a buyer of several parts.

Gongzhi identifies a buyer by the exact set of ID numbers on the title (DOMAIN.md): 张三+李四 is
the same voter as 李四+张三, while 张三 alone is another voter. Whether 张三's sole and joint
titles make one 「同一买受人」 is open to challenge, so it is an estate setting (``Buyers``):
merged, titles sharing a person join, and transitively so: 张三 alone, 张三+李四 and 李四+王五
are then one voter holding all three units.

The developer (art. 9: one person) holds every unsold or undelivered unit, whoever is listed on
it, and every delivered unit whose title names the developer alone, found by ``developer_key``
(its unified social credit code, or the keyed hash of it, as the units' owner keys are written).
A title the developer shares with a buyer is that owner-set's like any joint title, and merging
titles never links two buyers through the developer.

Parking spaces: a titled parking space is an exclusive part (法释〔2009〕7号 art. 2), so by default
it counts like any other. Where local rules leave parking out (``count_parking=False``), only its
area is left out: the space still belongs to its voter, and its owner, even one who owns nothing
else, is still one person with one head (DOMAIN.md). The demo roster fixture has no 车位 units,
so its expected summary comes out under either setting.

Pure module: no Flask, SQLAlchemy or openpyxl, so the verifier can recount a roll with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

USES = ("住宅", "商业", "办公", "车位", "储藏室")
PARKING = "车位"
DELIVERED, UNDELIVERED, UNSOLD = "已交付", "未交付", "未售"
STATUSES = (DELIVERED, UNDELIVERED, UNSOLD)


class Buyers(StrEnum):
    """Who is 「同一买受人」, a buyer of several units counted as one person (art. 9)."""

    BY_TITLE = "title"  # each exact set of ID numbers on a title: 张三 and 张三+李四 are two
    BY_PERSON = "person"  # titles sharing a person are one buyer: 张三 and 张三+李四 are one


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
    co_owned_units: tuple[str, ...] = ()  # those held by more than one owner (never the developer's)
    heads: int = 1

    @property
    def is_developer(self) -> bool:
        return not self.owners


_DEVELOPER = frozenset()


def counts_area(use: str, *, count_parking: bool) -> bool:
    """Whether a unit adds its area to its voter's: a parking space the estate leaves out adds
    none, though it still makes its owner a voter."""
    return count_parking or use != PARKING


def voters(
    units: Iterable[Unit],
    *,
    count_parking: bool = True,
    developer_key: str | None = None,
    buyers: Buyers = Buyers.BY_TITLE,
) -> list[Voter]:
    """Group units into voters (法释〔2009〕7号 art. 9).

    The developer comes first if it holds any unit, then one voter per owner-set (merged ones
    under ``Buyers.BY_PERSON``) in order of first appearance. Raises ValueError for a unit the
    parser should have rejected: an unknown status, or a delivered unit without owners.
    """
    developer_title = frozenset((developer_key,)) if developer_key else None
    titled: list[tuple[Unit, frozenset[str]]] = []
    for unit in units:
        if unit.status not in STATUSES:
            raise ValueError(f"unit {unit.label}: unknown status {unit.status!r}")
        key = frozenset(unit.owner_key) if unit.status == DELIVERED else _DEVELOPER
        if unit.status == DELIVERED and not key:
            raise ValueError(f"unit {unit.label}: delivered but has no owner")
        titled.append((unit, _DEVELOPER if key == developer_title else key))
    if buyers is Buyers.BY_PERSON:
        buyer_of = _buyers_by_person([key for _unit, key in titled], developer_key)
        titled = [(unit, buyer_of[key]) for unit, key in titled]
    holdings: dict[frozenset[str], list[Unit]] = {_DEVELOPER: []}
    for unit, key in titled:
        holdings.setdefault(key, []).append(unit)
    return [
        Voter(
            owners=key,
            area=sum(u.area for u in held if counts_area(u.use, count_parking=count_parking)),
            units=tuple(u.label for u in held),
            co_owned_units=() if key == _DEVELOPER else tuple(u.label for u in held if len(set(u.owner_key)) > 1),
        )
        for key, held in holdings.items()
        if held
    ]


def _buyers_by_person(keys: list[frozenset[str]], developer_key: str | None) -> dict[frozenset[str], frozenset[str]]:
    """Each owner-set -> the union of all owner-sets linked to it by a shared person, directly or
    through others (a union-find over ID numbers). The developer's bundle stays as it is, and
    the developer's code links nobody."""
    parent: dict[str, str] = {}

    def root(person: str) -> str:
        while parent.setdefault(person, person) != person:
            parent[person] = parent[parent[person]]  # path halving keeps the chains short
            person = parent[person]
        return person

    linking = {key: sorted(key - {developer_key}) for key in keys}
    for people in linking.values():
        for other in people[1:]:
            parent[root(other)] = root(people[0])
    members: dict[str, set[str]] = {}
    for key, people in linking.items():
        if people:
            members.setdefault(root(people[0]), set()).update(key)
    return {key: frozenset(members[root(people[0])]) if people else key for key, people in linking.items()}


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
        "co_owned_units": sum(len(v.co_owned_units) for v in owners),
    }
