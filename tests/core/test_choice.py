"""A choice among several options (spec v2 §3.1, §5.1, §7.3): an option is adopted only with the
majority its art. 278 item requires among the owners taking part, and at most one is.

The boundaries are reached by a roll grouped from units as 法释〔2009〕7号 art. 9 says: the
developer's unsold and undelivered units are one head, a buyer of two units is one head, and
each record is verified, so the tally is the verifier's recount."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulation.records_v2 import RecordKit, Voter, choice_motion
from voting.core import record_v2, rules
from voting.core.weights import DELIVERED, UNDELIVERED, UNSOLD, Unit
from voting.core.weights import voters as group_units

COMPANIES = ["o1", "o2", "o3"]


def estate(developer_area: int, wang_area: int, zhao_area: int = 20000) -> list[Voter]:
    """Six voters from nine units; each argument is in 0.01 m².

    v0000 the developer: an unsold and an undelivered unit, one head.
    v0001 张三: two flats, one head, 200.01 m².
    v0002 李四 100 m², v0003 王五, v0004 赵六, v0005 钱七 10 m² (who does not vote)."""
    units = [
        Unit("1-101", 15000, "住宅", UNSOLD, ()),
        Unit("1-102", developer_area - 15000, "商业", UNDELIVERED, ("buyer",)),
        Unit("2-201", 9000, "住宅", DELIVERED, ("张三",)),
        Unit("2-202", 11001, "住宅", DELIVERED, ("张三",)),
        Unit("3-301", 10000, "住宅", DELIVERED, ("李四",)),
        Unit("4-401", wang_area, "住宅", DELIVERED, ("王五",)),
        Unit("5-501", zhao_area, "住宅", DELIVERED, ("赵六",)),
        Unit("6-601", 1000, "住宅", DELIVERED, ("钱七",)),
    ]
    grouped = group_units(units)
    assert [len(voter.units) for voter in grouped] == [2, 2, 1, 1, 1, 1]  # the developer first
    return [Voter(f"v{index:04d}", voter.area, voter.heads) for index, voter in enumerate(grouped)]


DEVELOPER, ZHANG, LI, WANG, ZHAO = "v0000", "v0001", "v0002", "v0003", "v0004"


def counted_choice(roll_voters: list[Voter], ballots: dict, item: int = 4) -> dict:
    """The verified recount of one choice motion among three companies."""
    kit = RecordKit(roll_voters, [choice_motion("p", COMPANIES, item=item)])
    for voter_id, picked in ballots.items():
        kit.online(voter_id, {"p": picked})
    (entry,) = record_v2.verify(kit.record())["motions"]
    return entry


def option(entry: dict, option_id: str) -> dict:
    return next(o for o in entry["options"] if o["option_id"] == option_id)


# --- ordinary: more than half of the area and of the heads taking part ---------------------------


@pytest.mark.parametrize("short", [0, 1], ids=["exactly-over-half", "one-hundredth-m2-short"])
def test_an_option_needs_more_than_half_of_the_participating_area(short):
    # o1: the developer (300 m²), 张三 (200.01 m²), 李四 (100 m²): 600.01 m², 3 of 5 heads.
    # Against: 王五 400 m² and 赵六 200 m², so the area taking part is 1200.01 m².
    roll_voters = estate(developer_area=30000 - short, wang_area=40000 + short)
    ballots = {DEVELOPER: ["o1"], ZHANG: ["o1"], LI: ["o1"], WANG: ["o2"], ZHAO: []}
    entry = counted_choice(roll_voters, ballots)
    assert entry["participation"] == {"area": 120001, "heads": 5}
    assert option(entry, "o1")["area"] == 60001 - short
    assert entry["threshold"] == "ordinary" and entry["quorate"]
    if short:  # 2 · 600.00 m² is not more than 1200.01 m²
        assert (entry["result"], entry["adopted_option"]) == ("none_adopted", None)
        assert not option(entry, "o1")["adopted"]
    else:  # 2 · 600.01 m² > 1200.01 m²
        assert (entry["result"], entry["adopted_option"]) == ("adopted", "o1")
        assert [o["adopted"] for o in entry["options"]] == [True, False, False]
    assert entry["abstain"] == {"area": 20000, "heads": 1}


@pytest.mark.parametrize("zhao", [[], ["o1"]], ids=["exactly-half-the-heads", "one-head-more"])
def test_an_option_needs_more_than_half_of_the_participating_heads(zhao):
    # o1: the developer and 张三, most of the area; the developer's two units are one head.
    roll_voters = estate(developer_area=30000, wang_area=40000)
    ballots = {DEVELOPER: ["o1"], ZHANG: ["o1"], LI: ["o2"], WANG: ["o3"]}
    if zhao:
        ballots[ZHAO] = zhao
    entry = counted_choice(roll_voters, ballots)
    if not zhao:  # 2 of 4 heads: exactly half is not more than half, though the area is
        assert entry["participation"] == {"area": 100001, "heads": 4}
        assert option(entry, "o1") == {"option_id": "o1", "area": 50001, "heads": 2, "adopted": False}
        assert entry["quorate"]  # 4 of 6 heads: exactly 2/3
        assert entry["result"] == "none_adopted"
    else:
        assert option(entry, "o1")["heads"] == 3
        assert entry["result"] == "adopted" and entry["adopted_option"] == "o1"


# --- major (items 6–8): 3/4 of the area and of the heads taking part -----------------------------


@pytest.mark.parametrize("short", [0, 1], ids=["exactly-three-quarters", "one-hundredth-m2-short"])
def test_a_major_choice_needs_three_quarters_of_the_area(short):
    # o1: the developer 299.99 m², 张三 200.01 m², 李四 100 m² = 600 m², 3 of 4 heads;
    # 王五 200 m² for o2: 4 · 600 = 3 · 800 exactly.
    roll_voters = estate(developer_area=29999 - short, wang_area=20000 + short)
    ballots = {DEVELOPER: ["o1"], ZHANG: ["o1"], LI: ["o1"], WANG: ["o2"]}
    entry = counted_choice(roll_voters, ballots, item=8)
    assert entry["threshold"] == "major"
    assert entry["participation"] == {"area": 80000, "heads": 4}
    assert option(entry, "o1")["area"] == 60000 - short
    assert entry["result"] == ("none_adopted" if short else "adopted")
    assert entry["adopted_option"] == (None if short else "o1")


def test_a_major_choice_one_head_short_of_three_quarters_adopts_none():
    # 3 of 4 heads pass exactly (above); 3 of 5 do not, though 600.01 m² of 800.01 m² is over 3/4.
    roll_voters = estate(developer_area=30000, wang_area=10000, zhao_area=10000)
    ballots = {DEVELOPER: ["o1"], ZHANG: ["o1"], LI: ["o1"], WANG: ["o2"], ZHAO: []}
    entry = counted_choice(roll_voters, ballots, item=8)
    assert option(entry, "o1") == {"option_id": "o1", "area": 60001, "heads": 3, "adopted": False}
    assert entry["result"] == "none_adopted"
    # The same ballots on an ordinary item adopt o1: the item decides, nothing else.
    assert counted_choice(roll_voters, ballots, item=4)["adopted_option"] == "o1"


# --- quorum, abstention, invalid marks ---------------------------------------------------------


@pytest.mark.parametrize("short", [0, 1], ids=["exactly-two-thirds", "one-hundredth-m2-short"])
def test_a_choice_is_decided_only_with_two_thirds_of_the_area_taking_part(short):
    # Everyone but 王五 and 钱七 takes part and picks o1; 王五's area decides the quorum.
    # Taking part: 300 + 200.01 + 100 + 200 = 800.01 m²; 王五 390.00 m² and 钱七 10 m² stay away:
    # 3 · 800.01 ≥ 2 · 1200.01 (2400.03 ≥ 2400.02); one 0.01 m² more for 王五 and it is not.
    roll_voters = estate(developer_area=30000, wang_area=39000 + short, zhao_area=20000)
    ballots = {DEVELOPER: ["o1"], ZHANG: ["o1"], LI: ["o1"], ZHAO: ["o1"]}
    entry = counted_choice(roll_voters, ballots)
    assert entry["totals"] == {"area": 120001 + short, "heads": 6}
    assert entry["quorate"] is not bool(short)
    if short:
        assert (entry["result"], entry["adopted_option"]) == ("not_quorate", None)
        assert [o["adopted"] for o in entry["options"]] == [False, False, False]
    else:
        assert (entry["result"], entry["adopted_option"]) == ("adopted", "o1")


def test_a_split_vote_adopts_no_company():
    roll_voters = estate(developer_area=30000, wang_area=40000)
    ballots = {DEVELOPER: ["o1"], ZHANG: ["o2"], LI: ["o3"], WANG: ["o2"], ZHAO: ["o1"]}
    entry = counted_choice(roll_voters, ballots)
    assert entry["quorate"] and entry["result"] == "none_adopted"
    assert entry["abstain"] == {"area": 0, "heads": 0}


def test_two_options_ticked_on_paper_are_invalid_and_take_part_under_the_default_rule():
    kit = RecordKit([Voter(f"v{i:04d}") for i in range(3)], [choice_motion("p", COMPANIES)])
    kit.online("v0000", {"p": ["o1"]})
    kit.online("v0001", {"p": ["o1"]})
    kit.handed_in_paper("v0002", {}, invalid={"p": "several_marks"})
    (entry,) = record_v2.verify(kit.record())["motions"]
    assert entry["invalid"] == {"area": 10000, "heads": 1}
    assert entry["participation"] == {"area": 30000, "heads": 3}
    assert entry["abstain"] == {"area": 0, "heads": 0}
    assert entry["adopted_option"] == "o1"


def test_a_changed_choice_is_taken_back_from_the_first_option():
    kit = RecordKit([Voter(f"v{i:04d}") for i in range(3)], [choice_motion("p", COMPANIES)])
    kit.online("v0000", {"p": ["o1"]})
    kit.online("v0001", {"p": ["o1"]})
    kit.online("v0002", {"p": ["o2"]})
    kit.online("v0001", {"p": ["o2"]})  # revote "last": this one counts
    (entry,) = record_v2.verify(kit.record())["motions"]
    assert [(o["option_id"], o["heads"]) for o in entry["options"]] == [("o1", 1), ("o2", 2), ("o3", 0)]
    assert entry["adopted_option"] == "o2"


# --- what the verifier refuses -------------------------------------------------------------------


def fault_of(document) -> str:
    with pytest.raises(record_v2.RecordInvalid) as caught:
        record_v2.verify(document)
    return str(caught.value)


@pytest.mark.parametrize(
    "options, check",
    [
        ([{"option_id": "o1", "title": "甲"}], "[E5]"),
        ([{"option_id": "o1", "title": "甲"}, {"option_id": "o1", "title": "乙"}], "[E5]"),
        ([{"option_id": "o1", "title": "甲"}, {"option_id": "o2"}], "[E5]"),
        ("o1,o2", "[E5]"),
    ],
    ids=["one-option", "duplicate-id", "option-without-title", "not-a-list"],
)
def test_a_choice_motion_needs_two_distinct_options(options, check):
    kit = RecordKit([Voter("v0000")], [{**choice_motion("p", COMPANIES), "options": options}])
    assert fault_of(kit.record(tally={"counted": 0, "motions": []})).startswith(check)


@pytest.mark.parametrize(
    "picked", [["o1", "o2"], ["o9"], "o1", [["o1"]], ["o1", "o1"]], ids=["two", "unknown", "string", "nested", "twice"]
)
def test_a_ballot_names_at_most_one_known_option(picked):
    kit = RecordKit([Voter("v0000")], [choice_motion("p", COMPANIES)])
    kit.online("v0000", {"p": picked})
    assert fault_of(kit.record(tally={"counted": 0, "motions": []})).startswith("[L6] entry 0")


# --- at most one option adopted, whatever the ballots --------------------------------------------


@given(
    st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from([None, "o1", "o2", "o3"])), min_size=1, max_size=12),
    st.sampled_from([4, 8]),
)
def test_no_two_options_are_ever_adopted(ballots, item):
    election = {
        "revote": "last",
        "rules": {"invalid_ballot": "took_part"},
        "motions": [choice_motion("p", COMPANIES, item)],
    }
    voters = [
        {"voter_id": f"v{i}", "weights": {"estate": {"area": area, "heads": 1}}} for i, (area, _) in enumerate(ballots)
    ]
    roll = {"voters": voters, "totals": {"estate": {"area": sum(a for a, _ in ballots), "heads": len(ballots)}}}
    counted = {
        f"v{i}": {"body": {"choices": {"p": [picked] if picked else []}}} for i, (_, picked) in enumerate(ballots)
    }
    (entry,) = rules.tally_of_counted(election, roll, counted)["motions"]
    adopted = [o["option_id"] for o in entry["options"] if o["adopted"]]
    assert len(adopted) <= 1
    assert entry["adopted_option"] == (adopted[0] if adopted else None)
