"""Voters and weights (Civil Code art. 278, 法释〔2009〕7号 art. 8-9)."""

import subprocess
import sys
from pathlib import Path

import pytest

from voting.core.weights import Unit, summarize, voters

ZHANG, LI = "id-zhang", "id-li"


def flat(label, area, owners, status="已交付", use="住宅"):
    return Unit(label, area, use, status, owners)


def test_co_owners_in_any_order_are_one_voter():
    roll = voters([flat("1-101", 9000, (ZHANG, LI)), flat("1-102", 8000, (LI, ZHANG))])

    assert len(roll) == 1
    assert roll[0].owners == {ZHANG, LI}
    assert (roll[0].heads, roll[0].area, roll[0].units) == (1, 17000, ("1-101", "1-102"))


def test_an_owner_alone_and_jointly_are_two_voters():
    roll = voters([flat("1-101", 9000, (ZHANG,)), flat("1-102", 8000, (ZHANG, LI))])

    assert [voter.owners for voter in roll] == [{ZHANG}, {ZHANG, LI}]


def test_developer_holds_unsold_and_undelivered_units_even_with_a_buyer_listed():
    roll = voters(
        [
            flat("1-101", 9000, (ZHANG,)),
            flat("1-102", 8000, (), status="未售"),
            flat("1-201", 7000, (ZHANG,), status="未交付"),
            flat("1-202", 6000, ("id-developer",), status="未售"),
        ]
    )

    developer, zhang = roll
    assert developer.is_developer and developer.units == ("1-102", "1-201", "1-202")
    assert (developer.heads, developer.area) == (1, 21000)
    assert not zhang.is_developer and zhang.units == ("1-101",)


def test_no_developer_voter_when_everything_is_delivered():
    roll = voters([flat("1-101", 9000, (ZHANG,))])

    assert not any(voter.is_developer for voter in roll)
    assert summarize(roll)["developer"] == {"units": 0, "area": 0}


def test_summary_counts_the_developer_apart_from_multi_unit_voters():
    roll = voters(
        [
            flat("1-101", 9000, (ZHANG, LI)),
            flat("1-102", 8000, (LI, ZHANG)),
            flat("1-201", 7000, ("id-wang",)),
            flat("1-202", 6000, (ZHANG, LI), status="未交付"),
            flat("1-301", 5000, (), status="未售"),
        ]
    )

    assert summarize(roll) == {
        "units": 5,
        "voters": 3,
        "total_heads": 3,
        "total_area": 35000,
        "developer": {"units": 2, "area": 11000},
        "multi_unit_voters": 1,  # 张+李; the developer's two units do not count here
        "co_owned_units": 2,  # the undelivered co-bought unit is the developer's
    }


@pytest.mark.parametrize(
    "unit, message",
    [
        (flat("1-101", 9000, (), status="已交付"), "delivered but has no owner"),
        (flat("1-101", 9000, (ZHANG,), status="已出租"), "unknown status"),
    ],
)
def test_units_the_parser_rejects_are_refused(unit, message):
    with pytest.raises(ValueError, match=message):
        voters([unit])


def test_weights_module_needs_no_web_or_database_or_spreadsheet_library():
    code = (
        "import sys, voting.core.weights; "
        "print(sorted(m for m in ('flask', 'sqlalchemy', 'openpyxl') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert loaded.stdout.strip() == "[]"
