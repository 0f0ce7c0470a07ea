"""Civil Code art. 278 counting (spec §2.5), boundaries first."""

import pytest

from simulation.records import committee, question
from voting.core import rules


def weight(area: int, heads: int) -> dict:
    return {"area": area, "heads": heads}


def roll_of(*voters: tuple[str, int]) -> dict:
    """A roll of (voter_id, area) pairs, one head each."""
    entries = [{"voter_id": voter_id, "area": area, "heads": 1, "public_key": None} for voter_id, area in voters]
    return {
        "voters": entries,
        "total_area": sum(area for _, area in voters),
        "total_heads": len(entries),
    }


def log_of(*ballots: tuple[str, dict]) -> list:
    return [
        {"seq": seq, "ballot": {"voter_id": voter_id, "choices": choices}}
        for seq, (voter_id, choices) in enumerate(ballots)
    ]


def election_of(*motions: dict, revote: str = "last") -> dict:
    return {"revote": revote, "motions": list(motions)}


def only_motion(election: dict, roll: dict, log: list) -> dict:
    (motion,) = rules.tally(election, roll, log)["motions"]
    return motion


# --- thresholds -----------------------------------------------------------------------------


def test_quorum_is_two_thirds_inclusive_of_both_area_and_heads():
    totals = weight(300, 3)
    assert rules.quorate(weight(200, 2), totals)  # exactly 2/3 (以上 includes the boundary)
    assert not rules.quorate(weight(199, 2), totals)
    assert not rules.quorate(weight(300, 1), totals)  # area alone is not enough
    assert not rules.quorate(weight(100, 3), totals)  # nor heads alone


def test_ordinary_majority_is_strictly_more_than_half():
    participation = weight(1000, 4)
    assert not rules.ordinary_passes(weight(500, 3), participation)  # exactly half the area
    assert not rules.ordinary_passes(weight(600, 2), participation)  # exactly half the heads
    assert rules.ordinary_passes(weight(501, 3), participation)
    assert not rules.ordinary_passes(weight(1000, 2), participation)


def test_major_majority_is_three_quarters_inclusive():
    participation = weight(400, 4)
    assert rules.major_passes(weight(300, 3), participation)  # exactly 3/4
    assert not rules.major_passes(weight(299, 3), participation)
    assert not rules.major_passes(weight(400, 2), participation)
    assert rules.major_passes(weight(400, 4), participation)


def test_thresholds_use_exact_integers_for_large_estates():
    # 2/3 of an area that float arithmetic cannot represent exactly.
    totals = weight(3 * 10**15 + 1, 3000)
    assert not rules.quorate(weight(2 * 10**15, 2000), totals)
    assert rules.quorate(weight(2 * 10**15 + 1, 2000), totals)


# --- ordinary and major motions -------------------------------------------------------------


def test_exactly_two_thirds_turnout_is_quorate():
    roll = roll_of(("v1", 100), ("v2", 100), ("v3", 100))
    result = only_motion(election_of(question("m")), roll, log_of(("v1", {"m": "yes"}), ("v2", {"m": "yes"})))
    assert result["quorate"] is True
    assert result["result"] == "passed"


def test_below_two_thirds_of_the_area_is_not_quorate_and_counts_are_still_given():
    roll = roll_of(("v1", 100), ("v2", 100), ("v3", 101))
    result = only_motion(election_of(question("m")), roll, log_of(("v1", {"m": "yes"}), ("v2", {"m": "no"})))
    assert result == {
        "motion_id": "m",
        "kind": "ordinary",
        "participation": weight(200, 2),
        "yes": weight(100, 1),
        "no": weight(100, 1),
        "abstain": weight(0, 0),
        "quorate": False,
        "result": "not_quorate",
    }


def test_exactly_half_is_not_a_pass():
    roll = roll_of(("v1", 100), ("v2", 100), ("v3", 100), ("v4", 100))
    log = log_of(("v1", {"m": "yes"}), ("v2", {"m": "yes"}), ("v3", {"m": "no"}), ("v4", {"m": "abstain"}))
    assert only_motion(election_of(question("m")), roll, log)["result"] == "failed"


def test_abstentions_and_blank_motions_count_as_taking_part():
    roll = roll_of(("v1", 100), ("v2", 100), ("v3", 100))
    log = log_of(("v1", {"m": "yes"}), ("v2", {"m": "abstain"}), ("v3", {}))
    result = only_motion(election_of(question("m")), roll, log)
    assert result["participation"] == weight(300, 3)
    assert result["abstain"] == weight(200, 2)
    assert result["result"] == "failed"


def test_area_majority_without_a_heads_majority_fails():
    roll = roll_of(("big", 1000), ("a", 10), ("b", 10))
    log = log_of(("big", {"m": "yes"}), ("a", {"m": "no"}), ("b", {"m": "no"}))
    assert only_motion(election_of(question("m")), roll, log)["result"] == "failed"


def test_major_motion_passes_at_exactly_three_quarters_and_fails_just_below():
    roll = roll_of(("v1", 100), ("v2", 100), ("v3", 100), ("v4", 100))
    yes_yes_yes_no = log_of(("v1", {"m": "yes"}), ("v2", {"m": "yes"}), ("v3", {"m": "yes"}), ("v4", {"m": "no"}))
    assert only_motion(election_of(question("m", "major")), roll, yes_yes_yes_no)["result"] == "passed"
    roll["voters"][3]["area"] = 101
    roll["total_area"] += 1
    assert only_motion(election_of(question("m", "major")), roll, yes_yes_yes_no)["result"] == "failed"


# --- counted ballots ------------------------------------------------------------------------


def test_revote_last_counts_the_last_ballot_and_first_counts_the_first():
    roll = roll_of(("v1", 100), ("v2", 100))
    log = log_of(("v1", {"m": "no"}), ("v2", {"m": "yes"}), ("v1", {"m": "yes"}))
    last = rules.tally(election_of(question("m"), revote="last"), roll, log)
    first = rules.tally(election_of(question("m"), revote="first"), roll, log)
    assert last["counted"] == first["counted"] == 2
    assert last["motions"][0]["yes"] == weight(200, 2)
    assert first["motions"][0]["yes"] == weight(100, 1)
    assert rules.counted_ballots(election_of(revote="last"), log)["v1"] == {
        "voter_id": "v1",
        "choices": {"m": "yes"},
    }
    assert rules.counted_ballots(election_of(revote="first"), log)["v1"] == {
        "voter_id": "v1",
        "choices": {"m": "no"},
    }


def test_nobody_voting_gives_an_empty_not_quorate_tally():
    tally = rules.tally(election_of(question("m"), committee("c", 1, ["k1"])), roll_of(("v1", 100)), [])
    assert tally["counted"] == 0
    assert [motion["result"] for motion in tally["motions"]] == ["not_quorate", "not_quorate"]
    assert tally["motions"][1]["unfilled"] == 1


# --- committee ------------------------------------------------------------------------------


def committee_result(seats: int, ballots: list[list[str]], candidate_ids=("k1", "k2", "k3", "k4")) -> dict:
    """Each voter (area 100) approves the listed candidates; everyone votes, so it is quorate."""
    roll = roll_of(*((f"v{index:02d}", 100) for index in range(len(ballots))))
    log = log_of(*((f"v{index:02d}", {"c": chosen}) for index, chosen in enumerate(ballots)))
    return only_motion(election_of(committee("c", seats, list(candidate_ids))), roll, log)


def test_committee_elects_by_heads_then_area():
    roll = roll_of(("v1", 300), ("v2", 100), ("v3", 100), ("v4", 150))
    log = log_of(
        ("v1", {"c": ["k3", "k2"]}),
        ("v2", {"c": ["k1", "k2", "k3"]}),
        ("v3", {"c": ["k1", "k2", "k3"]}),
        ("v4", {"c": ["k1", "k3"]}),
    )
    result = only_motion(election_of(committee("c", 2, ["k1", "k2", "k3"])), roll, log)
    # k3 has 4 heads; k2 and k1 have 3 heads each, k2 with more area.
    assert result["elected"] == ["k3", "k2"]
    assert result["tied"] == []
    assert result["candidates"] == [
        {"candidate_id": "k1", "area": 350, "heads": 3, "approved": True},
        {"candidate_id": "k2", "area": 500, "heads": 3, "approved": True},
        {"candidate_id": "k3", "area": 650, "heads": 4, "approved": True},
    ]
    assert (result["unfilled"], result["result"]) == (0, "complete")


def test_tie_at_the_last_seat_ties_everyone_with_that_weight_and_elects_none_of_them():
    # k1 has 4 heads; k2 and k3 have 3 each and compete for the second seat.
    result = committee_result(2, [["k1", "k2", "k3"], ["k1", "k2", "k3"], ["k1", "k2", "k3"], ["k1"]])
    assert result["elected"] == ["k1"]
    assert result["tied"] == ["k2", "k3"]
    assert (result["unfilled"], result["result"]) == (1, "incomplete")


def test_tie_reaching_above_the_edge_leaves_several_seats_unfilled():
    result = committee_result(2, [["k1", "k2", "k3"]] * 3 + [["k4"]])
    assert result["elected"] == []
    assert result["tied"] == ["k1", "k2", "k3"]
    assert (result["unfilled"], result["result"]) == (2, "incomplete")


def test_equal_weights_inside_the_seats_are_not_a_tie():
    result = committee_result(2, [["k1", "k2"]] * 3 + [["k3"]])
    assert result["elected"] == ["k1", "k2"]
    assert result["tied"] == []
    assert result["result"] == "complete"


def test_equal_weight_with_an_unapproved_candidate_is_not_a_tie():
    result = committee_result(3, [["k1", "k2"], ["k1", "k2"], ["k1", "k2"], ["k3"]])
    assert [candidate["approved"] for candidate in result["candidates"]] == [
        True,
        True,
        False,
        False,
    ]
    assert result["elected"] == ["k1", "k2"]
    assert result["tied"] == []
    assert (result["unfilled"], result["result"]) == (1, "incomplete")


def test_approval_needs_more_than_half_of_the_participants():
    result = committee_result(2, [["k1"], ["k1"], ["k2"], ["k2", "k3"]])
    assert [candidate["approved"] for candidate in result["candidates"]] == [
        False,
        False,
        False,
        False,
    ]
    assert result["elected"] == []
    assert (result["unfilled"], result["result"]) == (2, "incomplete")


def test_not_quorate_committee_approves_nobody():
    roll = roll_of(("v1", 100), ("v2", 100), ("v3", 100), ("v4", 100))
    log = log_of(("v1", {"c": ["k1"]}), ("v2", {"c": ["k1"]}))
    result = only_motion(election_of(committee("c", 1, ["k1"])), roll, log)
    assert result["candidates"] == [{"candidate_id": "k1", "area": 200, "heads": 2, "approved": False}]
    assert (result["quorate"], result["elected"], result["tied"]) == (False, [], [])
    assert (result["unfilled"], result["result"]) == (1, "not_quorate")


@pytest.mark.parametrize(
    "seats, elected, unfilled",
    [(1, ["k1"], 0), (2, ["k1", "k2"], 0), (3, ["k1", "k2"], 1), (4, ["k1", "k2"], 2)],
)
def test_seats_beyond_the_approved_candidates_stay_unfilled(seats, elected, unfilled):
    # k1: 4 heads, k2: 3, k3 and k4: 2 of 4 (exactly half, so not approved).
    result = committee_result(seats, [["k1", "k2", "k3", "k4"]] * 2 + [["k1", "k2"]] + [["k1"]])
    assert (result["elected"], result["tied"], result["unfilled"]) == (elected, [], unfilled)
    assert result["result"] == ("incomplete" if unfilled else "complete")
