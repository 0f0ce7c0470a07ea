"""The built-in eligibility rules (不得当选 / 不宜当选, 负面清单) an estate chooses from.

Each rule is either checked from data Gongzhi holds (the owner roll, the date of birth on the
ID number) or attested by reviewing bodies in the joint review (资格联审).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

BODY_NAMES = {
    "street_office": _l("Street office"),
    "community": _l("Community"),
    "police": _l("Police station"),
    "organisation": _l("Organisation department"),
}


@dataclass(frozen=True)
class RuleKind:
    code: str
    label: object  # lazy template over the parameters
    default_bodies: tuple[str, ...] = ()  # empty: checked from data, never attested
    params: dict[str, int] = field(default_factory=dict)  # name -> default
    mandatory: bool = False

    @property
    def from_data(self) -> bool:
        return not self.default_bodies

    def describe(self, params: dict[str, int]) -> str:
        return str(self.label) % params if self.params else str(self.label)


CATALOGUE: tuple[RuleKind, ...] = (
    # A committee member must own a part of the estate (Civil Code art. 277 and local rules).
    RuleKind("owner", _l("Owner of an exclusive part of the estate"), mandatory=True),
    RuleKind("age", _l("Aged %(min_age)d to %(max_age)d"), params={"min_age": 18, "max_age": 70}),
    RuleKind(
        "criminal_record",
        _l("Not under criminal investigation and not sentenced in the last %(years)d years"),
        ("police",),
        {"years": 3},
    ),
    RuleKind("property_company", _l("Not employed by the estate's property service company"), ("community",)),
    RuleKind("fee_arrears", _l("Owes no property fees"), ("community",)),
    RuleKind("fund_arrears", _l("Owes no maintenance fund"), ("street_office",)),
    RuleKind("illegal_construction", _l("No illegal construction (违建)"), ("street_office",)),
    RuleKind("obstruction", _l("Has not obstructed or disrupted owners' assembly votes"), ("street_office",)),
    RuleKind("party_membership", _l("Party membership as declared"), ("organisation",)),
)
KINDS = {kind.code: kind for kind in CATALOGUE}


def age_on(birth_date: date, day: date) -> int:
    """Completed years (周岁)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


AGE_GROUPS = ((0, 35, _l("under 35")), (35, 50, _l("35 to 49")), (50, 60, _l("50 to 59")), (60, 200, _l("60 and over")))


def age_group(age: int):
    return next(label for low, high, label in AGE_GROUPS if low <= age < high)
