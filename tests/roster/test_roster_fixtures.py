"""The shared import fixtures (roster-format.md): the demo's exact summary, the bad file's faults."""

import json

import pytest

from voting.core.weights import PARKING, UNSOLD
from voting.roster.parsing import parse_roster


def parse_fixture(directory, name):
    return parse_roster((directory / name).read_bytes(), name)


@pytest.mark.parametrize("count_parking", [True, False])
def test_demo_gives_exactly_the_expected_summary(shared_fixtures, summary_of, count_parking):
    result = parse_fixture(shared_fixtures, "roster-demo.xlsx")
    expected = json.loads((shared_fixtures / "roster-demo.expected.json").read_text("utf-8"))

    # the demo has no parking spaces, so the parking setting cannot change its summary
    assert not any(row.use == PARKING for row in result.rows)
    assert summary_of(result, count_parking=count_parking) == expected


def test_demo_developer_code_fails_gb32100_and_is_only_a_warning(shared_fixtures):
    result = parse_fixture(shared_fixtures, "roster-demo.xlsx")
    unsold_rows = [row.row for row in result.rows if row.status == UNSOLD]

    assert result.ok
    assert [warning.row for warning in result.warnings] == unsold_rows
    assert {warning.params["value"] for warning in result.warnings} == {"91330282MA2H02186X"}


def test_bad_file_is_rejected_whole_naming_each_fault_on_its_row(shared_fixtures):
    result = parse_fixture(shared_fixtures, "roster-bad.xlsx")
    messages = {str(error) for error in result.errors}

    assert result.rows == ()
    assert {
        'row 5: 专有部分面积 "-12.5" must be greater than 0',
        'row 9: 专有部分面积 "88.123" has more than two decimals',
        "row 14: unit 1幢-2-101 is already listed on row 13",
        'row 17: 证件号码 "330783195412057050" fails the resident ID check digit (GB 11643)',
        'row 21: 房屋状态 "已出租" is not one of 已交付、未交付、未售',
        "row 25: a delivered (已交付) unit needs its owners in 权利人",
    } <= messages
