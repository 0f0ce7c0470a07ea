"""Synthetic owner rosters for the demo, the tests and the simulation; deterministic per seed.

``generate_roster`` lays out an estate (residential buildings, with and without 单元, shops,
offices, titled parking spaces, storage rooms), hands units to households (single owners,
co-owners, companies, some holding several units, some people both alone and jointly) and keeps
the developer's 未售/未交付 units. ``GeneratedRoster.expected_summary`` counts from that plan,
by household, never from ID numbers, so a test compares it against parser + weights without
repeating their logic.

Run ``python -m voting.roster.generate`` to rewrite the shipped demo roster.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import count
from pathlib import Path

from voting.core.weights import DELIVERED, PARKING, UNDELIVERED, UNSOLD
from voting.roster.parsing import (
    AREA,
    AREA_SOURCE,
    BUILDING,
    ENTRANCE,
    HEADERS,
    ID_NUMBERS,
    OWNERS,
    PHONES,
    ROOM,
    SEPARATOR,
    STATUS,
    USCC_ALPHABET,
    USE,
    resident_id_check_digit,
    uscc_check_char,
)

DEMO_UNITS, DEMO_SEED = 120, 2024
DEMO_ROSTER = Path(__file__).parent / "demo" / "demo-roster.xlsx"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
    "程魏苏吕丁任沈姚卢姜钟谭陆汪金石贾夏韦方邹孟熊秦邱江尹薛段侯龙黎顾毛郝龚邵钱戴莫孔"
)
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉兰萍红建文辉波宁海鹏飞斌宇浩凯晨欣怡雨轩涵子萱嘉琪思远梓"
# Rare characters (𠮷 lies outside the BMP) exercise storage, fonts and GB18030 round trips.
RARE_GIVEN_NAMES = ("𠮷祥", "堃", "昇平", "喆", "垚", "淼", "犇", "燚", "赟", "玥")
REGION_CODES = ("330282", "330281", "330681", "330603", "330783", "330102", "110105", "440305")
CITIES = ("慈溪", "余姚", "诸暨", "绍兴", "东阳", "宁波")
BRANDS = ("宏达", "华信", "恒泰", "鑫源", "瑞丰", "金穗", "明辉", "东方")
TRADES = ("贸易", "餐饮管理", "科技", "文化传媒", "医药连锁", "物流", "教育咨询")

AREA_RANGES = {  # 0.01 m²
    "住宅": (6000, 15000),
    "商业": (4000, 25000),
    "办公": (5000, 30000),
    "车位": (1000, 1500),
    "储藏室": (500, 2000),
}
FLOORS, FLATS_PER_FLOOR = 18, 2
OWNER_COUNT_WEIGHTS = {2: 4, 3: 1}  # co-owned units: mostly couples


@dataclass(frozen=True)
class _Person:
    name: str
    id_number: str
    phone: str  # "" when unknown


@dataclass(frozen=True)
class _PlannedUnit:
    area: int
    use: str
    delivered: bool
    household: int | None  # None: unsold, still the developer's


@dataclass(frozen=True)
class GeneratedRoster:
    rows: list[dict[str, str]]
    _plan: tuple[_PlannedUnit, ...]
    _household_sizes: tuple[int, ...]

    def expected_summary(self, count_parking: bool = True) -> dict:
        """The summary a correct import must give, counted from the generator's plan. Parking left
        out keeps every unit and every head: only the parking spaces' area drops out."""

        def area(units) -> int:
            return sum(u.area for u in units if count_parking or u.use != PARKING)

        developer = [u for u in self._plan if not u.delivered]
        held = Counter(u.household for u in self._plan if u.delivered)
        voters = len(held) + (1 if developer else 0)
        return {
            "units": len(self._plan),
            "voters": voters,
            "total_heads": voters,
            "total_area": area(self._plan),
            "developer": {"units": len(developer), "area": area(developer)},
            "multi_unit_voters": sum(1 for units in held.values() if units > 1),
            "co_owned_units": sum(1 for u in self._plan if u.delivered and self._household_sizes[u.household] > 1),
        }


def staff_resident_id(serial: int) -> str:
    """A valid resident ID for an invented staff member of the demo or the simulation, distinct
    per serial (0-999) and, born on 1 January 1970, from the generated owners' in practice."""
    body = f"33028219700101{serial:03d}"
    return body + resident_id_check_digit(body)


class _People:
    """Invents people and companies with unique, valid ID numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used_ids: set[str] = set()
        self.people_made = 0

    def _unique(self, make) -> str:
        while (number := make()) in self.used_ids:
            pass
        self.used_ids.add(number)
        return number

    def _resident_id(self) -> str:
        rng = self.rng
        body = (
            f"{rng.choice(REGION_CODES)}{rng.randint(1940, 2004)}"
            f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
        )
        return body + resident_id_check_digit(body)

    def _uscc(self) -> str:
        rng = self.rng
        # the organisation-code part: all digits for older firms, "MA…" since the 2015 reform
        organisation = (
            f"{rng.randint(0, 999999999):09d}"
            if rng.random() < 0.5
            else "MA" + "".join(rng.choices(USCC_ALPHABET, k=7))
        )
        body = "91" + rng.choice(REGION_CODES) + organisation
        return body + uscc_check_char(body)

    def _phone(self, landline_share: float) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < landline_share:
            return f"0574-{rng.randint(6, 8)}{rng.randint(0, 9999999):07d}"
        if roll < 0.9:
            return f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"
        return ""

    def person(self) -> _Person:
        self.people_made += 1
        if self.people_made % 15 == 1:  # a steady trickle of rare characters, even in tiny rosters
            given = RARE_GIVEN_NAMES[self.people_made // 15 % len(RARE_GIVEN_NAMES)]
        else:
            given = "".join(self.rng.choices(GIVEN_CHARS, k=self.rng.choice((1, 2, 2))))
        return _Person(
            self.rng.choice(SURNAMES) + given, self._unique(self._resident_id), self._phone(landline_share=0.05)
        )

    def company(self, kind: str) -> _Person:
        name = f"{self.rng.choice(CITIES)}市{self.rng.choice(BRANDS)}{kind}有限公司"
        return _Person(name, self._unique(self._uscc), self._phone(landline_share=0.6))


def _layout(
    units: int, *, parking_share: float, commercial_share: float, storage_share: float
) -> list[tuple[str, str, str, str]]:
    """(building, entrance, room, use) for every unit of the estate."""
    parking, commercial, storage = (round(units * share) for share in (parking_share, commercial_share, storage_share))
    residential = units - parking - commercial - storage
    if residential < 0:
        raise ValueError("parking, commercial and storage shares add up to more than 1")
    offices = commercial // 4
    shops = commercial - offices
    flats = _flats()
    return (
        [next(flats) for _ in range(residential)]
        + [("商业", "", f"S{i:02d}", "商业") for i in range(1, shops + 1)]
        + [("商务楼", "", f"{5 + i // 8}{i % 8 + 1:02d}", "办公") for i in range(offices)]
        + [("地下车库", f"B{1 + i // 300}", f"{i % 300 + 1:03d}", PARKING) for i in range(parking)]
        + [("地下室", "", f"C{i:03d}", "储藏室") for i in range(1, storage + 1)]
    )


def _flats() -> Iterator[tuple[str, str, str, str]]:
    """Slab blocks with two 单元, and every third building a tower without 单元."""
    for building in count(1):
        tower = building % 3 == 0
        for entrance in [""] if tower else ["1", "2"]:
            for floor in range(1, FLOORS + 1):
                for flat in range(1, FLATS_PER_FLOOR * (2 if tower else 1) + 1):
                    yield f"{building}幢", entrance, f"{floor}{flat:02d}", "住宅"


def generate_roster(
    units: int,
    seed: int,
    *,
    parking_share: float = 0.1,
    commercial_share: float = 0.05,
    storage_share: float = 0.02,
    developer_share: float = 0.08,
    co_owned_share: float = 0.3,
    multi_unit_share: float = 0.03,
) -> GeneratedRoster:
    """A roster of ``units`` rows. ``developer_share`` of the units stay the developer's, half
    未售 and half 未交付 (with a buyer listed); ``co_owned_share`` of new households have 2-3
    owners; ``multi_unit_share`` of units go to a household that already has one (parking and
    storage go to a flat owner half the time)."""
    rng = random.Random(seed)
    people = _People(rng)
    developer = replace(people.company("置业"), phone="")  # rosters list no phone for it
    slots = _layout(units, parking_share=parking_share, commercial_share=commercial_share, storage_share=storage_share)
    rng.shuffle(slots)
    kept = round(units * developer_share)
    statuses = [UNSOLD] * (kept // 2) + [UNDELIVERED] * (kept - kept // 2)
    statuses += [DELIVERED] * (units - kept)
    rng.shuffle(statuses)

    households: list[tuple[_Person, ...]] = []
    single_owners: list[_Person] = []

    def new_household(use: str) -> int:
        if use in ("商业", "办公") and rng.random() < 0.3:
            owners = (people.company(rng.choice(TRADES)),)
        elif rng.random() < co_owned_share:
            size = rng.choices(list(OWNER_COUNT_WEIGHTS), list(OWNER_COUNT_WEIGHTS.values()))[0]
            # someone who already owns a unit alone now buys jointly: a different voter
            known = [rng.choice(single_owners)] if single_owners and rng.random() < 0.3 else []
            owners = tuple(known + [people.person() for _ in range(size - len(known))])
        else:
            owners = (people.person(),)
            single_owners.append(owners[0])
        households.append(owners)
        return len(households) - 1

    def household_for(use: str) -> int:
        reuse_share = 0.5 if use in (PARKING, "储藏室") else multi_unit_share
        if households and rng.random() < reuse_share:
            return rng.randrange(len(households))
        return new_household(use)

    rows, plan = [], []
    for (building, entrance, room, use), status in zip(slots, statuses):
        low, high = AREA_RANGES[use]
        area = rng.randint(low, high)
        if status == UNSOLD:
            household = None
            owners = (developer,) if rng.random() < 0.7 else ()
        else:
            household = household_for(use)
            owners = tuple(rng.sample(households[household], len(households[household])))
        phones = [owner.phone for owner in owners]
        rows.append(
            {
                BUILDING: building,
                ENTRANCE: entrance,
                ROOM: room,
                USE: use,
                AREA: f"{area // 100}.{area % 100:02d}",
                AREA_SOURCE: rng.choices(("登记", "实测", "合同"), (85, 10, 5))[0],
                OWNERS: SEPARATOR.join(owner.name for owner in owners),
                ID_NUMBERS: SEPARATOR.join(owner.id_number for owner in owners),
                PHONES: SEPARATOR.join(phones) if all(phones) else "",
                STATUS: status,
            }
        )
        plan.append(_PlannedUnit(area, use, status == DELIVERED, household))
    return GeneratedRoster(rows, tuple(plan), tuple(len(owners) for owners in households))


def _excel_value(column: str, text: str):
    """As someone typing into Excel would leave it: area, room and 单元 numbers as number cells;
    ID numbers and phones stay text (Excel rounds long numbers to 15 digits)."""
    if not text:
        return None
    if column == AREA:
        try:
            return float(text)
        except ValueError:
            return text
    if column in (ROOM, ENTRANCE) and re.fullmatch(r"[1-9][0-9]*", text):
        return int(text)
    return text


def write_xlsx(rows: list[dict[str, str]], path: Path | str, columns: Sequence[str] = HEADERS) -> None:
    from openpyxl import Workbook  # only the writers need openpyxl

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("业主名册")
    sheet.append(list(columns))
    for row in rows:
        sheet.append([_excel_value(column, row.get(column, "")) for column in columns])
    workbook.save(path)


def write_csv(
    rows: list[dict[str, str]], path: Path | str, encoding: str = "utf-8", columns: Sequence[str] = HEADERS
) -> None:
    """``encoding``: "utf-8", "utf-8-sig" (with BOM, as Excel writes "CSV UTF-8") or "gb18030"."""
    with open(path, "w", encoding=encoding, newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(columns), restval="", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic owner roster.")
    parser.add_argument(
        "out", nargs="?", type=Path, default=DEMO_ROSTER, help=".xlsx or .csv (default: the shipped demo roster)"
    )
    parser.add_argument("--units", type=int, default=DEMO_UNITS)
    parser.add_argument("--seed", type=int, default=DEMO_SEED)
    parser.add_argument("--encoding", default="utf-8-sig", help="for .csv output")
    args = parser.parse_args(argv)
    roster = generate_roster(args.units, args.seed)
    if args.out.suffix.lower() == ".csv":
        write_csv(roster.rows, args.out, args.encoding)
    else:
        write_xlsx(roster.rows, args.out)
    print(f"{args.out}: {args.units} units, summary {roster.expected_summary()}")


if __name__ == "__main__":
    main()
