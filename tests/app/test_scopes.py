"""Motions decided within a stairwell (3幢2单元): drafted, opened with the scope declared and each
voter weighed on their units there, voted on (only by those owners), counted and shown."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.elections_kit import NOW, add_witness, count_vote, notice_secrets, opened, roster_voter_ids
from tests.factories import login, resident_id, roster_csv
from voting.auth.models import Role
from voting.ballots.operations import BallotRefused
from voting.core.scopes import Part
from voting.elections.models import ElectionVoter, Motion
from voting.elections.operations import add_motion, create_election, voter_holding
from voting.elections.scopes import ScopeRefused, motions_of
from voting.estates.operations import change_roll_rules
from voting.extensions import db
from voting.paper.operations import PaperEntry, PaperRefused, read_marks

pytestmark = pytest.mark.usefixtures("english")  # the reasons asserted are English

STAIRWELL = Part("3幢", "2")


def stairwell_roster() -> bytes:
    """In 3幢2单元: 甲's flat (100.00 m²), one of 钱多's two flats (80.00 m²; the other, 120.00 m²,
    is in 5幢) and two of the developer's unsold flats (60.00 m² each; a third, 90.00 m², is in
    5幢). 丙 lives in 3幢1单元."""
    return roster_csv(
        [
            ["3幢", "2", "101", "住宅", "100.00", "登记", "甲", resident_id(1), "", "已交付"],
            ["3幢", "2", "201", "住宅", "80.00", "登记", "钱多", resident_id(2), "", "已交付"],
            ["5幢", "1", "101", "住宅", "120.00", "登记", "钱多", resident_id(2), "", "已交付"],
            ["3幢", "2", "301", "住宅", "60.00", "登记", "", "", "", "未售"],
            ["3幢", "2", "302", "住宅", "60.00", "登记", "", "", "", "未售"],
            ["5幢", "1", "102", "住宅", "90.00", "登记", "", "", "", "未售"],
            ["3幢", "1", "101", "住宅", "100.00", "登记", "丙", resident_id(3), "", "已交付"],
        ]
    )


# The roster's voter codes follow the units' labels: 3幢-1-101 丙, 3幢-2-101 甲, 3幢-2-201 钱多, 3幢-2-301 developer.
BING, JIA, QIAN, DEVELOPER = "v00001", "v00002", "v00003", "v00004"


def draft(estate, *, estate_motion: bool = True):
    election = create_election("test", estate, "加装电梯表决", NOW - timedelta(days=1), NOW + timedelta(days=7))
    add_motion("test", election, 8, "3幢2单元加装电梯", scope=[STAIRWELL])
    if estate_motion:
        add_motion("test", election, 4, "续聘物业服务企业")
    return election


@pytest.fixture
def draft_with_witness(factory):
    """Open a draft() on stairwell_roster, witnessed by the street office so it can be counted."""

    def make(**options):
        election = draft(factory.estate(roster=stairwell_roster()), **options)
        return opened(election, add_witness(election))

    return make


def election_voters(election) -> list[ElectionVoter]:
    return db.session.scalars(select(ElectionVoter).where(ElectionVoter.election_id == election.id)).all()


def test_opening_declares_the_scope_and_weighs_each_voter_on_their_units_there(app, factory):
    vote = opened(draft(factory.estate(roster=stairwell_roster())), None)
    election = vote.election
    definition, roll = election.definition, election.roll
    assert definition["scopes"][1] == {"scope_id": "scope-1", "title": "3幢2单元"}
    assert [motion["scope"] for motion in definition["motions"]] == ["scope-1", "estate"]
    assert roll["totals"] == {"estate": {"area": 61000, "heads": 4}, "scope-1": {"area": 30000, "heads": 3}}
    weights = {voter["voter_id"]: voter["weights"] for voter in roll["voters"]}
    ids = vote.ids
    # 钱多 weighs 200.00 m² in the estate but only the 80.00 m² of the flat in 3幢2单元 there;
    # the developer's two unsold flats there are one person; 丙 has no weight there at all.
    assert weights[ids[QIAN]]["scope-1"] == {"area": 8000, "heads": 1}
    assert weights[ids[QIAN]]["estate"] == {"area": 20000, "heads": 1}
    assert weights[ids[DEVELOPER]]["scope-1"] == {"area": 12000, "heads": 1}
    assert "scope-1" not in weights[ids[BING]]


def test_only_owners_in_the_scope_vote_on_it_and_its_quorum_is_counted_there(app, draft_with_witness):
    vote = draft_with_witness()
    election, ids = vote.election, vote.ids
    for voter in (QIAN, DEVELOPER):
        vote.cast(ids[voter], {"m1": "yes", "m2": "yes"})
    with pytest.raises(BallotRefused, match="outside the scope of motion"):
        vote.cast(ids[BING], {"m1": "no", "m2": "yes"})
    db.session.rollback()
    vote.cast(ids[BING], {"m2": "yes"})
    tally = count_vote(election)
    lift, manager = tally["motions"]
    # 钱多 and the developer hold exactly 2/3 of the area (200.00 of 300.00 m²) and of the heads there.
    assert lift["totals"] == {"area": 30000, "heads": 3}
    assert lift["participation"] == {"area": 20000, "heads": 2}
    assert (lift["quorate"], lift["result"]) == (True, "passed")
    # The estate's motion counts the same three on all their units: 510.00 of 610.00 m².
    assert manager["participation"] == {"area": 51000, "heads": 3}


def test_the_phone_ballot_and_paper_ballots_hold_only_the_voters_motions(app, draft_with_witness):
    vote = draft_with_witness()
    election = vote.election
    holder = {voter.voter_code: voter for voter in election_voters(election)}
    ids = vote.ids
    assert [m["motion_id"] for m in motions_of(election, holder[ids[JIA]])] == ["m1", "m2"]
    assert [m["motion_id"] for m in motions_of(election, holder[ids[BING]])] == ["m2"]
    entry = PaperEntry("3幢-1-101", None, {"m1": "yes"}, {}, False, None, None, None, None)
    with pytest.raises(PaperRefused, match="decided only by the owners of 3幢2单元"):
        read_marks(election, holder[ids[BING]], entry)


def test_with_every_motion_scoped_only_owners_in_a_scope_get_a_notice(app, draft_with_witness):
    vote = draft_with_witness(estate_motion=False)
    ids = roster_voter_ids(vote.election)
    assert vote.batch.total == 3
    assert set(notice_secrets(vote.batch)) == {ids[JIA], ids[QIAN], ids[DEVELOPER]}


def test_a_scope_names_only_what_the_roll_holds(app, factory):
    election = create_election("test", factory.estate(roster=stairwell_roster()), "表决", NOW, NOW + timedelta(days=7))
    with pytest.raises(ScopeRefused, match="no 9幢"):
        add_motion("test", election, 5, "维修9幢屋面", scope=[Part("9幢")])
    with pytest.raises(ScopeRefused, match="no 3幢7单元"):
        add_motion("test", election, 5, "维修屋面", scope=[Part("3幢", "7")])


def test_staff_draft_a_scoped_motion_and_read_its_scope_on_the_results(app, factory, client):
    estate = factory.estate(roster=stairwell_roster())
    login(client, factory.staff(Role.PREP_GROUP, estate))
    election = create_election("test", estate, "表决", NOW - timedelta(days=1), NOW + timedelta(days=7))
    db.session.commit()
    base = f"/estates/{estate.code}/elections/{election.id}"
    page = client.get(f"{base}/").get_data(as_text=True)
    assert "3幢2单元" in page and "5幢1单元" in page  # the stairwells offered
    response = client.post(
        f"{base}/motions",
        data={"item": "8", "title": "3幢2单元加装电梯", "stairwells": '["3幢", "2"]', "units": "5幢-1-101\n"},
    )
    assert response.status_code == 302
    motion = db.session.scalars(select(Motion).where(Motion.election_id == election.id)).one()
    assert motion.scope_title == "3幢2单元、5幢-1-101"
    assert "Decided only by the owners of 3幢2单元、5幢-1-101." in client.get(f"{base}/").get_data(as_text=True)

    vote = opened(election, add_witness(election))
    ids = vote.ids
    vote.cast(ids[QIAN], {"m1": "yes"})
    vote.cast(ids[JIA], {"m1": "no"})
    turnout = client.get(f"{base}/turnout").get_data(as_text=True)
    assert "Within the scopes of motions" in turnout and "3幢2单元、5幢-1-101" in turnout
    count_vote(vote.election)
    results = client.get(f"{base}/results").get_data(as_text=True)
    assert "Decided only by the owners of 3幢2单元、5幢-1-101" in results


def test_a_parking_space_left_out_of_the_area_keeps_its_owner_a_voter_in_the_scope(app, factory):
    """Where the estate leaves parking out, only the area goes (DOMAIN.md): in the stairwell, 丁,
    who owns only a space there, is one head with no area, and 甲's space adds nothing to 甲."""
    rows = [
        ["3幢", "2", "101", "住宅", "100.00", "登记", "甲", resident_id(1), "", "已交付"],
        ["3幢", "2", "车位1", "车位", "12.00", "登记", "甲", resident_id(1), "", "已交付"],
        ["3幢", "2", "车位2", "车位", "12.00", "登记", "丁", resident_id(4), "", "已交付"],
        ["3幢", "1", "101", "住宅", "100.00", "登记", "丙", resident_id(3), "", "已交付"],
    ]
    estate = factory.estate(roster=roster_csv(rows))
    change_roll_rules("test", estate, replace(estate.roll_rules, count_parking=False))
    election = opened(draft(estate), None).election
    weights = {voter["voter_id"]: voter["weights"] for voter in election.roll["voters"]}
    jia, ding = (voter_holding(election, label).voter_code for label in ("3幢-2-101", "3幢-2-车位2"))
    assert weights[jia]["scope-1"] == {"area": 10000, "heads": 1}
    assert weights[ding]["scope-1"] == {"area": 0, "heads": 1}
    assert election.roll["totals"]["scope-1"] == {"area": 10000, "heads": 2}
