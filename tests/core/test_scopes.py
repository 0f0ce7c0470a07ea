"""Votes within a building, stairwell or units (voting.core.scopes): each voter's weight there is
one head and the area of their units there only, and art. 278's thresholds apply within the
scope. Counted by the verifier (record_v2.verify), which recounts with voting.core.rules."""

import pytest

from simulation.records_v2 import RecordKit, Voter, question
from voting.core import record_v2
from voting.core.scopes import Part, PlacedUnit, scope_title, scope_weights, totals, units_in

STAIRWELL = Part("3幢", "2")
SCOPE = "scope-1"


def estate(in_scope: dict, outside: dict) -> list[PlacedUnit]:
    """Units of 3幢2单元 and elsewhere: voter -> areas (0.01 m²) of the units each holds there.
    "dev" is the developer's bundle, "multi" a buyer of several units, both in and out of scope."""
    units = []
    for (building, entrance), holdings in ((("3幢", "2"), in_scope), (("5幢", "1"), outside)):
        for voter, areas in holdings.items():
            for number, area in enumerate(areas, start=1):
                label = f"{building}-{entrance}-{voter}{number}"
                units.append(PlacedUnit(label, building, entrance, voter, area))
    return units


OUTSIDE = {"dev": [9000], "multi": [12000], "other": [10000]}


def record_tally(units: list[PlacedUnit], choices: dict, item: int = 5) -> dict:
    """The verifier's count of one motion of ``item`` decided within 3幢2单元; ``choices``:
    voter -> yes, no or abstain."""
    whole = scope_weights(units)
    within = scope_weights(units_in([STAIRWELL], units))
    roll = [
        Voter(voter, area=weight["area"], scopes={SCOPE: (within[voter]["area"], 1)} if voter in within else {})
        for voter, weight in whole.items()
    ]
    kit = RecordKit(
        roll,
        [question("m1", item=item, title="使用维修资金维修3幢2单元屋面", scope=SCOPE)],
        scopes=[{"scope_id": SCOPE, "title": scope_title([STAIRWELL])}],
    )
    for voter, choice in choices.items():
        kit.online(voter, {"m1": choice})
    return record_v2.verify(kit.record())["motions"][0]


def test_a_voter_weighs_in_the_scope_only_what_they_hold_there():
    units = estate({"dev": [6000, 6000], "multi": [8000], "a": [10000]}, OUTSIDE)
    within = scope_weights(units_in([STAIRWELL], units))
    # The developer's two unsold flats there are one person; the buyer's flat in 5幢 weighs nothing here.
    assert within == {
        "dev": {"area": 12000, "heads": 1},
        "multi": {"area": 8000, "heads": 1},
        "a": {"area": 10000, "heads": 1},
    }
    assert totals(within) == {"area": 30000, "heads": 3}
    assert scope_weights(units)["multi"] == {"area": 20000, "heads": 1}


def test_uncounted_units_give_no_weight_and_parts_cover_what_they_name():
    units = [
        PlacedUnit("3幢-2-101", "3幢", "2", "a", 9000),
        PlacedUnit("3幢-2-车位1", "3幢", "2", None, 1200),  # parking the estate's rules leave out
        PlacedUnit("3幢-1-101", "3幢", "1", "b", 9000),
        PlacedUnit("5幢-101", "5幢", "", "c", 9000),
    ]
    assert scope_weights(units_in([STAIRWELL], units)) == {"a": {"area": 9000, "heads": 1}}
    assert [u.label for u in units_in([Part("3幢")], units)] == ["3幢-2-101", "3幢-2-车位1", "3幢-1-101"]
    assert [u.label for u in units_in([Part(unit="5幢-101"), Part("3幢", "1")], units)] == ["3幢-1-101", "5幢-101"]


def test_titles_name_the_parts_as_people_do():
    assert scope_title([Part("3幢", "2")]) == "3幢2单元"
    assert scope_title([Part("1幢", "2单元"), Part("5幢"), Part(unit="6幢-1-101")]) == "1幢2单元、5幢、6幢-1-101"


# --- quorum within the scope: 3 heads and 300.00 m² there --------------------------------------


def test_two_thirds_of_the_scope_exactly_is_quorate_whatever_the_voters_hold_outside():
    # dev and multi: 200.00 of 300.00 m² and 2 of 3 heads there, exactly 2/3. Counted on their
    # estate-wide areas (210.00 + 200.00 m²) they would be more.
    units = estate({"dev": [6000, 6000], "multi": [8000], "a": [10000]}, OUTSIDE)
    entry = record_tally(units, {"dev": "yes", "multi": "yes"})
    assert entry["totals"] == {"area": 30000, "heads": 3}
    assert entry["participation"] == {"area": 20000, "heads": 2}
    assert (entry["quorate"], entry["result"]) == (True, "passed")


def test_one_hundredth_of_a_square_metre_short_of_two_thirds_is_not_quorate():
    units = estate({"dev": [6000, 5999], "multi": [8000], "a": [10001]}, OUTSIDE)
    entry = record_tally(units, {"dev": "yes", "multi": "yes"})
    assert entry["totals"] == {"area": 30000, "heads": 3}
    assert entry["participation"] == {"area": 19999, "heads": 2}
    assert (entry["quorate"], entry["result"]) == (False, "not_quorate")


def test_one_head_short_of_two_thirds_is_not_quorate():
    # The developer's bundle alone holds 2/3 of the area there, but is one person of three.
    units = estate({"dev": [10000, 10000], "multi": [5000], "a": [5000]}, OUTSIDE)
    entry = record_tally(units, {"dev": "yes"})
    assert entry["participation"] == {"area": 20000, "heads": 1}
    assert (entry["quorate"], entry["result"]) == (False, "not_quorate")


def test_a_ballot_on_a_motion_outside_the_voters_scope_fails_the_record():
    units = estate({"a": [10000]}, OUTSIDE)
    with pytest.raises(record_v2.RecordInvalid, match=r"^\[L7\]"):
        record_tally(units, {"other": "yes"})


# --- majorities within the scope: all four vote, 4 heads and 400.00 m² there --------------------


def test_ordinary_majority_within_the_scope_is_strictly_more_than_half():
    # 3 of 4 heads say yes; yes holds exactly 200.00 of 400.00 m² there: not more than half.
    units = estate({"dev": [5000, 5000], "multi": [5000], "a": [5000], "b": [20000]}, OUTSIDE)
    choices = {"dev": "yes", "multi": "yes", "a": "yes", "b": "no"}
    assert record_tally(units, choices)["result"] == "failed"
    # One 0.01 m² more on the yes side (the developer's flat), one less on the no side: it passes.
    units = estate({"dev": [5000, 5001], "multi": [5000], "a": [5000], "b": [19999]}, OUTSIDE)
    assert record_tally(units, choices)["result"] == "passed"
    # Yes from 2 of 4 heads with most of the area: half the heads is not a majority.
    assert record_tally(units, {"dev": "yes", "b": "yes", "multi": "no", "a": "no"})["result"] == "failed"


def test_major_majority_within_the_scope_is_three_quarters_inclusive():
    # Item 8 (a lift in the stairwell changes the use of common parts): 3 of 4 heads and exactly
    # 300.00 of 400.00 m² there say yes.
    units = estate({"dev": [5000, 5000], "multi": [10000], "a": [10000], "b": [10000]}, OUTSIDE)
    choices = {"dev": "yes", "multi": "yes", "a": "yes", "b": "no"}
    entry = record_tally(units, choices, item=8)
    assert (entry["threshold"], entry["yes"], entry["result"]) == ("major", {"area": 30000, "heads": 3}, "passed")
    # One 0.01 m² short of three quarters.
    units = estate({"dev": [5000, 4999], "multi": [10000], "a": [10000], "b": [10001]}, OUTSIDE)
    assert record_tally(units, choices, item=8)["result"] == "failed"
    # One head short: 2 of 4 heads hold 3/4 of the area.
    units = estate({"dev": [10000, 10000], "multi": [10000], "a": [5000], "b": [5000]}, OUTSIDE)
    entry = record_tally(units, {"dev": "yes", "multi": "yes", "a": "no", "b": "no"}, item=8)
    assert (entry["yes"], entry["result"]) == ({"area": 30000, "heads": 2}, "failed")
