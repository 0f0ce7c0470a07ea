"""Generated rosters of several shapes and sizes, through every accepted file format."""

import time
from collections import Counter

import pytest

from voting.roster.generate import (
    DEMO_ROSTER,
    DEMO_SEED,
    DEMO_UNITS,
    generate_roster,
    write_csv,
    write_xlsx,
)
from voting.roster.parsing import (
    AREA_SOURCE,
    ENTRANCE,
    ID_NUMBERS,
    OWNERS,
    SEPARATOR,
    STATUS,
    USE,
    is_valid_uscc,
    parse_roster,
)

SHAPES = {
    "one unit": (1, 1, {}),
    "all delivered flats": (50, 2, dict(developer_share=0, parking_share=0, commercial_share=0, storage_share=0)),
    "parking-heavy, mostly co-owned": (50, 3, dict(parking_share=0.4, co_owned_share=0.8, multi_unit_share=0.2)),
    "all still the developer's": (20, 4, dict(developer_share=1)),
    "large estate": (3000, 5, {}),
}
FORMATS = {"xlsx": None, "csv-utf-8": "utf-8", "csv-utf-8-bom": "utf-8-sig", "csv-gb18030": "gb18030"}


def generate(shape):
    units, seed, options = SHAPES[shape]
    return generate_roster(units, seed, **options)


def write(roster, directory, file_format):
    if file_format == "xlsx":
        path = directory / "roster.xlsx"
        write_xlsx(roster.rows, path)
    else:
        path = directory / "roster.csv"
        write_csv(roster.rows, path, FORMATS[file_format])
    return path


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("shape", SHAPES)
def test_import_gives_the_generators_summary(tmp_path, summary_of, shape, file_format):
    roster = generate(shape)
    path = write(roster, tmp_path, file_format)

    result = parse_roster(path.read_bytes(), path.name)

    assert len(result.rows) == SHAPES[shape][0]
    for count_parking in (True, False):
        assert summary_of(result, count_parking) == roster.expected_summary(count_parking)


def test_shapes_produce_what_they_promise():
    all_delivered = generate("all delivered flats").expected_summary()
    developers_only = generate("all still the developer's").expected_summary()

    assert all_delivered["developer"] == {"units": 0, "area": 0}
    assert (developers_only["voters"], developers_only["developer"]["units"]) == (1, 20)


def test_large_roster_exercises_every_case_the_parser_and_weights_handle():
    roster = generate_roster(3000, seed=5)
    rows = roster.rows
    owner_sets = [row[ID_NUMBERS].split(SEPARATOR) for row in rows if row[ID_NUMBERS]]
    single_owners = {ids[0] for ids in owner_sets if len(ids) == 1}
    summary = roster.expected_summary()

    assert {row[USE] for row in rows} == {"住宅", "商业", "办公", "车位", "储藏室"}
    assert {row[STATUS] for row in rows} == {"已交付", "未交付", "未售"}
    assert {row[AREA_SOURCE] for row in rows} == {"登记", "实测", "合同"}
    assert any(row[ENTRANCE] == "" and row[USE] == "住宅" for row in rows)
    assert any(row[STATUS] == "未售" and not row[OWNERS] for row in rows)
    assert {len(ids) for ids in owner_sets} == {1, 2, 3}
    assert any(is_valid_uscc(ids[0]) for ids in owner_sets if ids[0][:2] == "91")
    # someone owns a unit alone and another jointly: two voters
    assert any(len(ids) > 1 and single_owners.intersection(ids) for ids in owner_sets)
    # the same co-owners listed in different orders on different rows
    listed_orders = Counter(frozenset(order) for order in {tuple(ids) for ids in owner_sets})
    assert any(orders > 1 for orders in listed_orders.values())
    assert any(char in row[OWNERS] for row in rows for char in "𠮷堃昇")
    assert summary["multi_unit_voters"] > 0 and summary["co_owned_units"] > 0
    assert roster.expected_summary(count_parking=False)["total_area"] < summary["total_area"]


def test_generation_is_deterministic_per_seed():
    assert generate_roster(200, seed=9).rows == generate_roster(200, seed=9).rows
    assert generate_roster(200, seed=9).rows != generate_roster(200, seed=10).rows


def test_shipped_demo_roster_matches_its_generator(summary_of):
    roster = generate_roster(DEMO_UNITS, DEMO_SEED)

    result = parse_roster(DEMO_ROSTER.read_bytes(), DEMO_ROSTER.name)

    assert result.warnings == ()
    assert summary_of(result) == roster.expected_summary()
    assert [row.owner_ids for row in result.rows] == [
        tuple(row[ID_NUMBERS].split(SEPARATOR)) if row[ID_NUMBERS] else () for row in roster.rows
    ]


def test_parse_time_of_a_5000_unit_workbook(tmp_path, capsys):
    roster = generate_roster(5000, seed=6)
    path = write(roster, tmp_path, "xlsx")
    data = path.read_bytes()

    started = time.perf_counter()
    result = parse_roster(data, path.name)
    elapsed = time.perf_counter() - started

    assert len(result.rows) == 5000
    with capsys.disabled():
        print(f"\n[roster] parsed a 5,000-unit .xlsx ({len(data) // 1024} KiB) in {elapsed:.2f} s")
