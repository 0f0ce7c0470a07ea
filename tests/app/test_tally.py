"""Turnout while a vote runs, the canvass list, and the results page of the count."""

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.elections_kit import NOW, open_vote
from tests.factories import login, resident_id, roster_csv, small_roster
from voting.auth.models import Role
from voting.core import signing
from voting.elections.operations import close_election, create_election
from voting.estates.operations import change_roll_rules
from voting.extensions import db
from voting.formatting import format_area
from voting.tally.operations import RULES, Weight, canvass_list, check_rule, measure_turnout

# small_roster's voters: v00001 张三+李四 (1幢-1-101, 89.56 m²), v00002 王五 (1幢-1-102 and
# 1幢-1-201, 180.00 m²), v00003 赵六 (1幢-2-101, 120.25 m²), v00004 the developer (商业-S01, 200.00 m²).
YES = {"m1": "yes", "m2": "yes", "m3": ["c3-1"]}
NO = {"m1": "no", "m2": "no", "m3": ["c3-2"]}


def roster_of(units: list[tuple[str, str, str, str]]) -> bytes:
    """A roster of delivered flats: (building, room, area, owner); an owner's units share an ID."""
    serials = {}
    return roster_csv(
        [
            [
                building,
                "1",
                room,
                "住宅",
                area,
                "登记",
                owner,
                resident_id(serials.setdefault(owner, len(serials) + 1)),
                "",
                "已交付",
            ]
            for building, room, area, owner in units
        ]
    )


def clerk_pair(factory, estate):
    """Two clerks' accounts with their browser-held keys, as open_vote's officers."""
    keys = [signing.generate_keypair() for _ in range(2)]
    return [(factory.staff(Role.CLERK, estate), "clerk", public_key) for _seed, public_key in keys], [
        signing.private_key_from_seed(seed) for seed, _public_key in keys
    ]


def cast_paper(vote, clerk_keys, voter, choices=YES, now=NOW, identity_checked=False):
    """A paper ballot of the voter with this roster code, handed in and keyed at ``now``."""
    vote.hand_in_and_key(clerk_keys, vote.ids[voter], choices, now, identity_checked=identity_checked)


def staff_client(app, factory, estate, role=Role.PREP_GROUP, lang="en"):
    client = login(app.test_client(), factory.staff(role, estate))
    client.post(f"/lang/{lang}")
    return client


def page(client, election, name) -> str:
    response = client.get(f"/estates/{election.estate.code}/elections/{election.id}/{name}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def finish(vote):
    return vote.count()


# --- Turnout -----------------------------------------------------------------------------------


def test_turnout_counts_each_voter_once_under_the_channel_of_the_counted_ballot(app, factory):
    estate = factory.estate(roster=small_roster())
    officers, clerk_keys = clerk_pair(factory, estate)
    vote = open_vote(estate, revote="last", officers=officers)
    vote.cast(vote.ids["v00001"], YES, now=NOW)
    # The owner came to the desk in person: the paper ballot replaces the online one and counts.
    cast_paper(vote, clerk_keys, "v00001", now=NOW + timedelta(hours=1), identity_checked=True)
    vote.cast(vote.ids["v00002"], YES, now=NOW + timedelta(hours=2))
    vote.cast(vote.ids["v00002"], NO, now=NOW + timedelta(hours=3))  # changed: still one voter online
    cast_paper(vote, clerk_keys, "v00003", now=NOW + timedelta(hours=4))

    turnout = measure_turnout(vote.election)
    assert (turnout.participants, turnout.voters, turnout.log_size) == (3, 4, 7)  # five ballots, two hand-ins
    assert turnout.estate.total == Weight(58981, 4)
    assert turnout.estate.online == Weight(18000, 1)
    assert turnout.estate.paper == Weight(8956 + 12025, 2)
    assert turnout.latest_ballot_at == NOW + timedelta(hours=4)
    # Heads 3 of 4 meet 2/3; area 389.81 of 589.81 does not (3 × 38981 < 2 × 58981).
    area, heads = turnout.estate.quorum.measures
    assert (heads.met, area.met, turnout.estate.quorum.met) == (True, False, False)
    assert (area.least, area.shortfall) == (39321, 340)

    html = page(staff_client(app, factory, estate), vote.election, "turnout")
    for figure in (
        "389.81 m² of 589.81 m²",
        "3 of 4",
        "2/3 line: at least 393.21 m²",
        "Still needed: 3.40 m²",
        "The quorum is not reached yet.",
        "5 Dec 2026 14:00",
    ):
        assert figure in html
    online_row = re.search(r"<th>online</th><td class=\"num\">(\d+)</td><td class=\"num\">([\d.]+)</td>", html)
    paper_row = re.search(r"<th>on paper</th><td class=\"num\">(\d+)</td><td class=\"num\">([\d.]+)</td>", html)
    assert online_row.groups() == ("1", "180.00") and paper_row.groups() == ("2", "209.81")


def test_revote_first_counts_the_channel_of_the_first_ballot(app, factory):
    estate = factory.estate(roster=small_roster())
    officers, clerk_keys = clerk_pair(factory, estate)
    vote = open_vote(estate, revote="first", officers=officers)
    cast_paper(vote, clerk_keys, "v00003")
    vote.cast(vote.ids["v00001"], YES)
    turnout = measure_turnout(vote.election)
    assert turnout.estate.paper == Weight(12025, 1) and turnout.estate.online == Weight(8956, 1)


@pytest.mark.parametrize(
    "areas, quorate",
    [
        (("100.00", "100.00", "100.00"), True),  # 3 × 200.00 = 2 × 300.00 and 3 × 2 = 2 × 3: exactly 2/3
        (("100.00", "100.00", "100.01"), False),  # 3 × 200.00 < 2 × 300.01 by 0.02 m²
    ],
)
def test_the_two_thirds_line_at_its_exact_boundary(app, factory, areas, quorate):
    estate = factory.estate(roster=roster_of([("1幢", f"10{i}", area, f"业主{i}") for i, area in enumerate(areas, 1)]))
    vote = open_vote(estate)
    vote.cast(vote.ids["v00001"], YES)
    vote.cast(vote.ids["v00002"], YES)
    check = measure_turnout(vote.election).estate.quorum
    assert check.met is quorate
    assert [(m.value, m.met) for m in check.measures] == [(20000, quorate), (2, True)]
    html = page(staff_client(app, factory, estate), vote.election, "turnout")
    if quorate:
        assert "The quorum is reached." in html and "Still needed" not in html
    else:
        assert "The quorum is not reached yet." in html and "Still needed: 0.01 m²." in html


def test_turnout_by_building_splits_area_by_unit_and_counts_a_head_once(app, factory):
    estate = factory.estate(
        roster=roster_of(
            [
                ("1幢", "101", "100.00", "甲某"),
                ("1幢", "102", "50.00", "乙某"),
                ("2幢", "101", "60.00", "乙某"),  # 乙某 holds units in two buildings: one voter, v00002
                ("2幢", "201", "70.00", "丙某"),
            ]
        )
    )
    vote = open_vote(estate)
    vote.cast(vote.ids["v00002"], YES)
    buildings = {share.building: share for share in measure_turnout(vote.election).buildings}
    assert set(buildings) == {"1幢", "2幢"}
    assert (buildings["1幢"].total, buildings["1幢"].participation) == (Weight(15000, 2), Weight(5000, 1))
    assert (buildings["2幢"].total, buildings["2幢"].participation) == (Weight(13000, 1), Weight(6000, 0))
    html = page(staff_client(app, factory, estate), vote.election, "turnout")
    first, second = html.index("<h3>1幢</h3>"), html.index("<h3>2幢</h3>")
    assert "50.00 m² of 150.00 m²" in html[first:second] and "1 of 2" in html[first:second]
    assert "60.00 m² of 130.00 m²" in html[second:] and "0 of 1" in html[second:]


def test_turnout_by_building_places_a_parking_space_left_out_with_no_area(app, factory):
    """With parking's area left out, 乙某's space adds nothing to 车库 but does not unplace 乙某."""
    rows = [
        ["1幢", "1", "101", "住宅", "100.00", "登记", "甲某", resident_id(1), "", "已交付"],
        ["1幢", "1", "102", "住宅", "50.00", "登记", "乙某", resident_id(2), "", "已交付"],
        ["车库", "", "P01", "车位", "12.50", "登记", "乙某", resident_id(2), "", "已交付"],
    ]
    estate = factory.estate(roster=roster_csv(rows))
    change_roll_rules("test", estate, replace(estate.roll_rules, count_parking=False))
    vote = open_vote(estate)
    vote.cast(vote.ids["v00002"], YES)
    turnout = measure_turnout(vote.election)
    buildings = {share.building: (share.total, share.participation) for share in turnout.buildings}
    assert not turnout.unplaced
    assert buildings == {"1幢": (Weight(15000, 2), Weight(5000, 1)), "车库": (Weight(0, 0), Weight(0, 0))}


def test_turnout_shows_no_motion_result_before_close(app, factory):
    """Two votes on one roll, the same voters at the same moments; in one a voter switches
    from yes to no. The turnout pages differ only by the votes' ids."""
    estate = factory.estate(roster=small_roster())
    switched, steady = open_vote(estate), open_vote(estate)
    for vote, second in ((switched, NO), (steady, YES)):
        vote.cast(vote.ids["v00001"], YES, now=NOW)
        vote.cast(vote.ids["v00001"], second, now=NOW + timedelta(minutes=5))
        vote.cast(vote.ids["v00003"], YES, now=NOW + timedelta(minutes=9))
    client = staff_client(app, factory, estate)

    def turnout_without_ids(vote) -> str:
        html = page(client, vote.election, "turnout")
        return html.replace(f"/elections/{vote.election.id}/", "/elections/ID/").replace(vote.election.public_id, "ID")

    english = turnout_without_ids(switched)
    assert english == turnout_without_ids(steady)
    for word in ("yes", "abstain", "passed", "elected", "选聘物业服务企业", "甲"):
        assert word not in english.lower()
    assert "2 of 4" in english  # the page does show turnout
    chinese = page(staff_client(app, factory, estate, lang="zh_CN"), switched.election, "turnout")
    assert not re.search("同意|反对|弃权|通过|当选", chinese)
    results = page(client, switched.election, "results")
    assert "The results appear here after the vote is closed and counted." in results
    assert "选聘物业服务企业" not in results and "<table" not in results


def test_turnout_bars_mark_the_two_thirds_line_without_style_attributes(app, factory):
    estate = factory.estate(roster=small_roster())
    vote = open_vote(estate)
    vote.cast(vote.ids["v00002"], YES)  # 180.00 of 589.81 m², 1 of 4 heads
    html = page(staff_client(app, factory, estate), vote.election, "turnout")
    assert "style=" not in html and re.findall(r"<script[^>]*>", html) == ['<script src="/static/text_size.js">']
    bars = re.findall(r'<svg class="bar".*?</svg>', html, re.S)
    assert len(bars) == 2 + 2 * 2  # the estate's area and heads, and each building's (1幢, 商业)
    estate_area, estate_heads = bars[:2]
    assert 'class="bar-online" x="0" y="6" width="305"' in estate_area  # 18000 × 1000 // 58981
    assert 'class="bar-online" x="0" y="6" width="250"' in estate_heads
    # The line stands at the least count that meets 2/3: 3 of 4 heads, 393.21 of 589.81 m².
    assert 'x1="750.00"' in estate_heads and 'x1="666.67"' in estate_area


@given(total=st.integers(0, 10**9), part=st.integers(0, 10**9), rule=st.sampled_from(sorted(RULES)))
def test_a_line_is_the_least_count_the_rule_accepts(total, part, rule):
    part, ample = min(part, total), 1 << 40

    def meets(area: int) -> bool:  # the rule itself, with the heads amply met
        return RULES[rule]({"area": area, "heads": ample}, {"area": total, "heads": 1})

    area = check_rule(rule, Weight(part, ample), Weight(total, 1)).measures[0]
    assert area.met is meets(part)
    if area.least is None:
        assert not meets(total)
    else:
        assert meets(area.least) and (area.least == 0 or not meets(area.least - 1))


# --- Canvass list ------------------------------------------------------------------------------


def test_canvass_list_names_exactly_the_voters_who_have_not_voted(app, factory):
    estate = factory.estate(roster=small_roster())
    vote = open_vote(estate)
    vote.cast(vote.ids["v00001"], YES)
    vote.cast(vote.ids["v00003"], YES)
    groups = canvass_list(vote.election)
    assert [(g.building, [(d.units, d.owners) for d in g.voters]) for g in groups] == [
        ("1幢", [(["1幢-1-102", "1幢-1-201"], ["王*"])]),
        ("商业", [(["商业-S01"], [])]),
    ]
    html = page(staff_client(app, factory, estate), vote.election, "canvass")
    # No voter ids: a printed list pairing them with units would link ballots cast later.
    assert not any(voter_id in html for voter_id in vote.secrets)
    assert "2 voters have not voted yet." in html
    assert '<span class="unit">1幢-1-102</span>、<span class="unit">1幢-1-201</span>' in html
    assert "王*" in html and "Developer" in html
    for secret in (
        "王五",
        "张三",
        "李四",
        "赵六",
        "张*",
        "赵*",
        "1幢-2-101",
        "13800000000",
        *(resident_id(serial) for serial in range(1, 5)),
    ):
        assert secret not in html
    assert "@media print" in app.test_client().get("/static/tally.css").get_data(as_text=True)


def test_canvass_list_needs_the_right_to_manage_the_vote(app, factory):
    estate = factory.estate(roster=small_roster())
    vote = open_vote(estate)
    url = f"/estates/{estate.code}/elections/{vote.election.id}/canvass"
    for role, status in ((Role.COMMUNITY, 403), (Role.CLERK, 403), (Role.STREET_OFFICE, 200)):
        assert staff_client(app, factory, estate, role).get(url).status_code == status, role
    for role in (Role.COMMUNITY, Role.CLERK):
        assert staff_client(app, factory, estate, role).get(url.replace("canvass", "turnout")).status_code == 200


# --- Results -----------------------------------------------------------------------------------


def test_results_show_the_tally_to_the_hundredth_and_state_the_tie(app, factory):
    # Seven voters; 乙 and 丙 are chosen by voters of equal total area (300.06 + 88.88 m²).
    areas = ["100.01", "100.02", "100.03", "100.03", "100.02", "100.01", "88.88"]
    estate = factory.estate(roster=roster_of([("1幢", f"{i}01", area, f"业主{i}") for i, area in enumerate(areas, 1)]))
    vote = open_vote(estate)
    committee = [["c3-1", "c3-2"]] * 3 + [["c3-1", "c3-3"]] * 3 + [["c3-2", "c3-3"]]
    ordinary = ["yes"] * 4 + ["no", "abstain"]  # the seventh leaves m1 blank: an abstention
    for number in range(1, 8):
        choices = {"m2": "yes" if number <= 5 else "no", "m3": committee[number - 1]}
        if number <= 6:
            choices["m1"] = ordinary[number - 1]
        vote.cast(vote.ids[f"v0000{number}"], choices, now=NOW + timedelta(minutes=number))
    tally = finish(vote)
    m1, m2, m3 = tally["motions"]
    assert (m1["result"], m2["result"], m3["result"]) == ("passed", "failed", "incomplete")
    assert (m3["elected"], m3["tied"], m3["unfilled"]) == (["c3-1"], ["c3-2", "c3-3"], 1)

    html = page(staff_client(app, factory, estate), vote.election, "results")

    def cells(weight: dict) -> str:
        return f'<td class="num">{format_area(weight["area"])}</td><td class="num">{weight["heads"]}</td>'

    for entry in (m1, m2):
        for weight in ("participation", "yes", "no", "abstain"):
            assert cells(entry[weight]) in html
    for candidate in m3["candidates"]:
        assert cells(candidate) in html
    for figure in ("689.00", "400.09", "500.11", "188.89", "600.12", "388.94"):
        assert figure in html
    assert "Passed." in html and "Not passed" in html
    assert "Tie: 乙、丙 have equal heads and equal area at the last seat, so none of them is elected" in html
    assert "1 seat is unfilled and goes to a by-election." in html and "Elected: 甲." in html
    # The thresholds with their numbers: 2/3 of 689.00 m² and 7 heads; more than half of the
    # participation (344.51 m², 4 heads); 3/4 of it (516.75 m², 6 heads) for the major motion.
    for line in (
        "at least 459.34 m²",
        "2/3 of the total, 689.00 m²",
        "at least 5",
        "at least 344.51 m²",
        "more than half of 689.00 m² taking part",
        "at least 516.75 m²",
        "3/4 of 7 taking part",
        "at least 6",
    ):
        assert line in html
    assert html.count("✗ not met") == 3  # m2: area, heads and both together


def test_changing_the_use_of_common_parts_needs_three_quarters_of_area_and_heads(app, factory):
    # Eight owners, 1200.00 m²: v00001 400.00, v00002–v00006 100.00 each, v00007 and v00008 150.00.
    areas = ["400.00"] + ["100.00"] * 5 + ["150.00"] * 2
    estate = factory.estate(roster=roster_of([("1幢", f"{i}01", area, f"业主{i}") for i, area in enumerate(areas, 1)]))
    vote = open_vote(
        estate, motions=((8, "利用小区会所开设便民超市"), (8, "改变小区绿地用途建设停车场"), (9, "设立业主大会公众号"))
    )
    exactly = {1, 2, 3, 4, 5, 6}  # 900.00 m² and 6 heads: exactly 3/4 of both
    head_short = {1, 2, 3, 7, 8}  # 900.00 m² but 5 heads: one head short of 3/4
    for number in range(1, 9):
        vote.cast(
            vote.ids[f"v0000{number}"],
            {
                "m1": "yes" if number in exactly else "no",
                "m2": "yes" if number in head_short else "no",
                "m3": "yes" if number in head_short else "no",
            },
        )
    m1, m2, m3 = finish(vote)["motions"]
    assert [(m["threshold"], m["yes"]) for m in (m1, m2)] == [
        ("major", {"area": 90000, "heads": 6}),
        ("major", {"area": 90000, "heads": 5}),
    ]
    assert m1["participation"] == {"area": 120000, "heads": 8}
    assert (m1["result"], m2["result"], m3["result"]) == ("passed", "failed", "passed")

    html = page(staff_client(app, factory, estate), vote.election, "results")
    assert "Item 8 of Civil Code art. 278: Changing the use of common parts or running a business on them" in html
    assert "Item 9 of Civil Code art. 278" in html
    assert html.count("✗ not met") == 2  # m2: heads, and so both together


def test_results_say_plainly_when_the_quorum_was_not_met(app, factory):
    estate = factory.estate(roster=small_roster())
    vote = open_vote(estate)
    vote.cast(vote.ids["v00004"], YES)  # the developer alone: 200.00 of 589.81 m², 1 of 4 heads
    finish(vote)
    html = page(staff_client(app, factory, estate), vote.election, "results")
    assert "The quorum was not met" in html and "the voting period may be extended" in html
    assert "held again" in html and "Not decided: the quorum was not met." in html
    assert "Passed." not in html and "Elected:" not in html
    # 甲 has yes from all who took part: no decision was made, not a majority missed.
    assert "not approved" not in html
    assert html.count("no decision: the vote did not reach the participation required") == 3


def test_pages_say_when_their_figures_are_not_there_yet(app, factory):
    estate = factory.estate(roster=small_roster())
    vote = open_vote(estate)
    client = staff_client(app, factory, estate)
    vote.cast(vote.ids["v00001"], YES)
    close_election("test", vote.election, now=vote.election.closes_at)
    db.session.commit()
    assert "The canvass list is available while the vote is open." in page(client, vote.election, "canvass")
    assert "The results appear here after the vote is closed and counted." in page(client, vote.election, "results")
    assert "1 of 4" in page(client, vote.election, "turnout")
    draft = create_election("test", estate, "草案", NOW, NOW + timedelta(days=1))
    db.session.commit()
    assert "Turnout is shown once the vote is open." in page(client, draft, "turnout")


@pytest.mark.parametrize("name", ["turnout", "canvass", "results"])
def test_another_estates_staff_do_not_find_the_pages(app, factory, name):
    estate, other = factory.estate(roster=small_roster()), factory.estate(roster=small_roster())
    vote = open_vote(estate)
    url = f"/estates/{estate.code}/elections/{vote.election.id}/{name}"
    for role in (Role.STREET_OFFICE, Role.COMMUNITY, Role.PREP_GROUP, Role.CLERK):
        assert staff_client(app, factory, other, role).get(url).status_code == 404, role
    assert (
        staff_client(app, factory, other).get(f"/estates/{other.code}/elections/{vote.election.id}/{name}").status_code
        == 404
    )
