"""Who is one person (法释〔2009〕7号 art. 9) at the edges: the developer's credit code, parking
left out, and a person holding titles alone and jointly (DOMAIN.md, "Who votes, with what weight")."""

import pytest

from voting.core.weights import Buyers, Unit, summarize, voters

DEVELOPER = "91330282MA2XXXXXX0"  # only compared, never checked here: the weights take opaque keys
ZHANG, LI, WANG, ZHAO = "id-zhang", "id-li", "id-wang", "id-zhao"


def unit(label, owners=(), status="已交付", use="住宅", area=9000):
    return Unit(label, area, use, status, owners)


def owner_sets(roll):
    return [(voter.is_developer, set(voter.owners), voter.units) for voter in roll]


# --- 1. the developer is one person however its units are listed


def test_a_delivered_unit_under_the_developers_code_joins_its_unsold_units():
    roll = voters(
        [unit("1-101", (DEVELOPER,)), unit("1-102", status="未售"), unit("1-201", (ZHANG,), status="未交付")],
        developer_key=DEVELOPER,
    )

    (developer,) = roll
    assert developer.is_developer and developer.units == ("1-101", "1-102", "1-201")
    assert (developer.heads, developer.area) == (1, 27000)


def test_the_developers_delivered_units_alone_make_the_developer_voter():
    roll = voters([unit("1-101", (DEVELOPER,)), unit("1-102", (ZHANG,))], developer_key=DEVELOPER)

    assert owner_sets(roll) == [(True, set(), ("1-101",)), (False, {ZHANG}, ("1-102",))]


def test_only_a_title_of_the_developer_alone_is_the_developers():
    """A title the developer shares with a buyer is that owner-set's, as any joint title."""
    roll = voters(
        [unit("1-101", (DEVELOPER, ZHANG)), unit("1-102", (ZHANG, DEVELOPER)), unit("1-201", status="未售")],
        developer_key=DEVELOPER,
    )

    assert owner_sets(roll) == [(True, set(), ("1-201",)), (False, {DEVELOPER, ZHANG}, ("1-101", "1-102"))]


def test_without_the_developers_code_its_delivered_unit_is_an_owner_set_as_before():
    roll = voters([unit("1-101", (DEVELOPER,)), unit("1-102", status="未售")])

    assert owner_sets(roll) == [(True, set(), ("1-102",)), (False, {DEVELOPER}, ("1-101",))]
    assert summarize(roll)["total_heads"] == 2


# --- 2. parking left out: only its area


def test_the_owner_of_only_a_parking_space_keeps_one_head_without_area_when_parking_is_left_out():
    roll = voters([unit("1-101", (ZHANG,)), unit("P-001", (LI,), use="车位", area=1200)], count_parking=False)

    assert [(set(v.owners), v.heads, v.area, v.units) for v in roll] == [
        ({ZHANG}, 1, 9000, ("1-101",)),
        ({LI}, 1, 0, ("P-001",)),
    ]


def test_parking_left_out_still_belongs_to_its_owner_but_adds_no_area():
    units = [
        unit("1-101", (ZHANG,)),
        unit("P-001", (ZHANG,), use="车位", area=1200),
        unit("P-002", status="未售", use="车位", area=1100),
    ]

    counted, left_out = summarize(voters(units)), summarize(voters(units, count_parking=False))

    assert counted | {"total_area": None, "developer": None} == left_out | {"total_area": None, "developer": None}
    assert (counted["total_area"], left_out["total_area"]) == (11300, 9000)
    assert (counted["developer"], left_out["developer"]) == ({"units": 1, "area": 1100}, {"units": 1, "area": 0})
    assert left_out["voters"] == left_out["total_heads"] == 2


def test_storage_rooms_and_shops_count_their_area_whatever_the_parking_rule():
    roll = voters([unit("S-1", (ZHANG,), use="储藏室", area=800)], count_parking=False)

    assert roll[0].area == 800


# --- 3. a person's sole and joint titles


def test_by_default_a_person_alone_and_jointly_are_two_buyers():
    roll = voters([unit("1-101", (ZHANG,)), unit("1-102", (ZHANG, LI))])

    assert owner_sets(roll) == [(False, {ZHANG}, ("1-101",)), (False, {ZHANG, LI}, ("1-102",))]


def test_merging_joins_titles_that_share_a_person_transitively():
    """张三 alone, 张三+李四, 李四+王五: one buyer when titles sharing a person are merged; 赵六 apart."""
    units = [
        unit("1-101", (ZHANG,)),
        unit("2-101", (ZHAO,)),
        unit("1-102", (LI, ZHANG)),
        unit("1-201", (LI, WANG)),
        unit("1-202", status="未交付"),
    ]

    roll = voters(units, buyers=Buyers.BY_PERSON)

    assert owner_sets(roll) == [
        (True, set(), ("1-202",)),
        (False, {ZHANG, LI, WANG}, ("1-101", "1-102", "1-201")),
        (False, {ZHAO}, ("2-101",)),
    ]
    assert [v.area for v in roll] == [9000, 27000, 9000]
    assert summarize(voters(units))["voters"] == 5


def test_a_merged_buyers_sole_title_is_no_co_owned_unit_in_the_summary():
    units = [unit("1-101", (ZHANG,)), unit("1-102", (ZHANG, LI)), unit("1-201", (LI, WANG)), unit("2-101", (ZHAO,))]

    summary = summarize(voters(units, buyers=Buyers.BY_PERSON))

    assert (summary["voters"], summary["multi_unit_voters"], summary["co_owned_units"]) == (2, 1, 2)


def test_merging_leaves_the_developers_bundle_apart():
    """The developer's units are one person already; a title it shares with a buyer is a buyer's,
    and the developer's code links no two buyers."""
    roll = voters(
        [
            unit("1-101", (DEVELOPER,)),
            unit("1-102", (DEVELOPER, ZHANG)),
            unit("1-201", (DEVELOPER, LI)),
            unit("1-202", (ZHANG,)),
        ],
        developer_key=DEVELOPER,
        buyers=Buyers.BY_PERSON,
    )

    assert owner_sets(roll) == [
        (True, set(), ("1-101",)),
        (False, {DEVELOPER, ZHANG}, ("1-102", "1-202")),
        (False, {DEVELOPER, LI}, ("1-201",)),
    ]


@pytest.mark.parametrize("buyers", list(Buyers))
def test_the_same_co_owners_in_any_order_are_one_buyer_under_either_setting(buyers):
    roll = voters([unit("1-101", (ZHANG, LI)), unit("1-102", (LI, ZHANG))], buyers=buyers)

    assert owner_sets(roll) == [(False, {ZHANG, LI}, ("1-101", "1-102"))]
