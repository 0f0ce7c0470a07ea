"""The estate's rules profile: its page, the rules it sets (group and committee sizes, notice
periods before voting), and its place in each vote's record."""

import json
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.elections_kit import NOW, PASSPHRASE, announced, open_vote
from tests.factories import login, small_roster
from voting.audit.models import AuditEvent
from voting.auth.models import Role
from voting.board.operations import publish
from voting.core import rules
from voting.core.weights import Buyers
from voting.elections.models import ElectionError
from voting.elections.operations import add_motion, create_election, open_election
from voting.estates.models import RollRules
from voting.estates.operations import change_roll_rules, change_rules_profile
from voting.extensions import db
from voting.formatting import format_datetime
from voting.prep.models import PrepMember
from voting.prep.operations import composition_faults
from voting.roster.operations import import_roster, publish_roll
from voting.roster.owners import owner_hashes
from voting.timeutil import utcnow

PROFILE_FIELDS = {
    "invalid_ballot": "took_part",
    "notice_days": "15",
    "roll_publication_days": "15",
    "max_extension_days": "90",
    "committee_min_members": "5",
    "committee_max_members": "11",
    "group_min_members": "",
    "group_max_members": "",
    "group_min_owner_percent": "50",
}


@pytest.fixture(autouse=True)
def english(app):
    """Refusals in English, as these tests read them (staff pages are Chinese by default)."""
    with force_locale("en"):
        yield


def save_rules(client, estate, **fields):
    return client.post(f"/estates/{estate.code}/rules", data=PROFILE_FIELDS | fields, headers={"Accept-Language": "en"})


# --- the page ------------------------------------------------------------------------------


def test_an_estate_starts_at_the_national_defaults(app, factory):
    estate = factory.estate()
    assert estate.rules_profile.as_record() == rules.NATIONAL_RULES
    client = login(app.test_client(), factory.staff(Role.COMMUNITY, estate))
    page = client.get(f"/estates/{estate.code}/rules", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The national defaults, unchanged." in page
    assert "Save the rules" not in page  # the community reads them; it does not set them


@pytest.mark.parametrize("role", [Role.PREP_GROUP, Role.STREET_OFFICE])
def test_the_group_or_street_office_sets_the_rules_which_is_audited(app, factory, role):
    estate = factory.estate()
    client = login(app.test_client(), factory.staff(role, estate))
    response = save_rules(
        client, estate, notice_days="20", invalid_ballot="not_counted", group_min_members="5", group_max_members="11"
    )
    assert response.status_code == 302
    db.session.expire_all()
    profile = estate.rules_profile
    assert (profile.notice_days, profile.invalid_ballot) == (20, "not_counted")
    assert (profile.group_min_members, profile.group_max_members) == (5, 11)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "estate.rules"))
    changed = json.loads(event.detail_json)
    assert changed["notice_days"] == 20 and "committee_min_members" not in changed


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"committee_min_members": "4"}, "Committee, fewest members: give an odd number from 5 to 11."),
        ({"committee_max_members": "13"}, "Committee, most members: give an odd number from 5 to 11."),
        (
            {"committee_min_members": "9", "committee_max_members": "7"},
            "Committee, most members: it cannot be fewer than the fewest members.",
        ),
        ({"notice_days": "10"}, "Notice period: give a number of days from 15 to 365."),
        ({"roll_publication_days": ""}, "Roll publication period: give a number of days."),
        ({"max_extension_days": "120"}, "Longest extension: give a number of days from 0 to 90 (three months)."),
        ({"group_min_members": "4"}, "Preparation group, fewest members: give an odd number, or leave it empty."),
        ({"group_min_owner_percent": "40"}, "Owner representatives: give a percentage from 50 to 100."),
    ],
)
def test_a_rule_out_of_bounds_is_refused_naming_its_field(app, factory, fields, message):
    estate = factory.estate()
    client = login(app.test_client(), factory.staff(Role.STREET_OFFICE, estate))
    response = save_rules(client, estate, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert estate.rules_profile.as_record() == rules.NATIONAL_RULES


# --- the record ----------------------------------------------------------------------------


def test_a_vote_records_how_its_roll_was_weighed(app, factory):
    """Parking left out by area and sole and joint titles of one person as one buyer: settings of
    the estate a verifier cannot recompute from the weights, so the record states them."""
    estate = factory.estate(roster=small_roster())
    change_roll_rules("test", estate, RollRules(count_parking=False, buyers=Buyers.BY_PERSON))
    recorded = open_vote(estate).election.definition["rules"]
    assert (recorded["parking_area"], recorded["buyers"]) == ("left_out", "person")
    assert "developer_credit_code" not in recorded


def test_a_vote_records_the_profile_in_force_when_it_opens(app, factory):
    estate = factory.estate(roster=small_roster())
    change_rules_profile("test", estate, {"invalid_ballot": "not_counted", "max_extension_days": 30})
    vote = open_vote(estate)
    recorded = vote.election.definition["rules"]
    assert recorded == rules.NATIONAL_RULES | rules.ROLL_RULES | {
        "invalid_ballot": "not_counted",
        "max_extension_days": 30,
    }

    change_rules_profile("test", estate, {"invalid_ballot": "took_part", "max_extension_days": 60})
    db.session.commit()
    assert vote.election.rules == recorded  # the open vote keeps what it recorded
    assert vote.count()["motions"]  # and its record, with the profile, verifies


# --- the preparation group -----------------------------------------------------------------


def _composition(estate, owners: int, others: int) -> list[PrepMember]:
    hashes = sorted(owner_hashes(estate))
    leader = PrepMember(name="街道", role="street_office", is_leader=True)
    return [
        leader,
        *(PrepMember(name=f"业主{i}", role="owner", owner_id_hash=hashes[i]) for i in range(owners)),
        *(PrepMember(name=f"社区{i}", role="community") for i in range(others)),
    ]


def test_the_group_size_follows_the_profile(app, factory):
    estate = factory.estate(roster=small_roster())
    three = _composition(estate, owners=2, others=0)
    assert composition_faults(estate, three) == []  # nationally any odd number

    change_rules_profile("test", estate, {"group_min_members": 5, "group_max_members": 11})
    assert composition_faults(estate, three) == ["The group would have 3 members; it needs an odd number from 5 to 11."]
    change_rules_profile("test", estate, {"group_min_members": None, "group_max_members": None})
    assert composition_faults(estate, _composition(estate, owners=2, others=1)) == [
        "The group would have 4 members; it needs an odd number."
    ]


def test_the_owner_share_follows_the_profile(app, factory):
    estate = factory.estate(roster=small_roster())
    group = _composition(estate, owners=3, others=1)  # 3 of 5 owners: more than half
    assert composition_faults(estate, group) == []
    change_rules_profile("test", estate, {"group_min_owner_percent": 75})
    assert composition_faults(estate, group) == ["Owner representatives would be 3 of 5; at least 75% (4) are needed."]


# --- notice periods before voting ----------------------------------------------------------


def _draft(estate, opens_at):
    election = create_election("test", estate, "业主大会表决", opens_at, opens_at + timedelta(days=7))
    add_motion("test", election, 1, "审议议事规则")
    return election


def _post_meeting_notice(estate, election, posted_at):
    notice = publish(
        "test",
        estate,
        "meeting_notice",
        "召开业主大会会议的通知",
        lambda _url: b"%PDF meeting notice",
        published_from=posted_at,
        election_id=election.id,
    )
    notice.published_at = posted_at
    return notice


def test_a_vote_opens_only_after_the_notice_and_the_roll_were_public_long_enough(app, factory):
    estate = factory.estate(roster=small_roster())
    now = utcnow()
    election = _draft(estate, now)
    with pytest.raises(ElectionError, match="Post the meeting notice of this vote on the notice board first"):
        open_election("test", election, PASSPHRASE, now=now)

    _post_meeting_notice(estate, election, now - timedelta(days=20))
    with pytest.raises(ElectionError, match="Publish the owner roll first"):
        open_election("test", election, PASSPHRASE, now=now)

    publish_roll("test", estate)  # today: the roll's 15 days have not begun to run out
    with pytest.raises(ElectionError) as refused:
        open_election("test", election, PASSPHRASE, now=now)
    earliest = estate.roll_published_at + timedelta(days=15)
    assert f"The vote may open on {format_datetime(earliest)}, not before" in str(refused.value)

    open_election("test", election, PASSPHRASE, now=earliest)  # the day it names, it opens


def test_a_notice_dated_back_does_not_shorten_the_period(app, factory):
    """The period runs from when the notice was entered on the board, whatever start was typed."""
    estate = factory.estate(roster=small_roster())
    now = utcnow()
    election = _draft(estate, now)
    estate.roll_published_at = now - timedelta(days=30)
    publish(
        "test",
        estate,
        "meeting_notice",
        "召开业主大会会议的通知",
        lambda _url: b"%PDF",
        published_from=now - timedelta(days=30),
        election_id=election.id,
    )
    with pytest.raises(ElectionError, match="The vote may open on"):
        open_election("test", election, PASSPHRASE, now=utcnow())


def test_a_later_voting_period_may_open_early_once_it_begins_after_the_notice_period(app, factory):
    """Voting begins at the period's start: opening (and printing the notices) days before it is fine."""
    estate = factory.estate(roster=small_roster())
    now = utcnow()
    election = _draft(estate, now + timedelta(days=16))
    _post_meeting_notice(estate, election, now - timedelta(hours=1))
    estate.roll_published_at = now - timedelta(hours=1)
    open_election("test", election, PASSPHRASE, now=now)


def test_the_profile_s_longer_notice_period_holds(app, factory):
    estate = factory.estate(roster=small_roster())
    now = utcnow()
    election = _draft(estate, now)
    _post_meeting_notice(estate, election, now - timedelta(days=16))
    estate.roll_published_at = now - timedelta(days=16)
    change_rules_profile("test", estate, {"notice_days": 20})
    with pytest.raises(ElectionError, match="must be on the notice board 20 days"):
        open_election("test", election, PASSPHRASE, now=now)


def test_reimporting_the_roll_unpublishes_it_and_restarts_its_period(app, factory):
    estate = factory.estate(roster=small_roster())
    now = utcnow()
    election = _draft(estate, now)
    announced(election)
    assert estate.roll_published_at is not None
    import_roster("test", estate, small_roster(), "roster.csv")
    assert estate.roll_published_at is None
    with pytest.raises(ElectionError, match="Publish the owner roll first"):
        open_election("test", election, PASSPHRASE, now=now)


def test_the_kit_s_votes_open_with_their_notice_periods_over(app, factory):
    """open_vote, which most tests use, posts the roll and notice far enough back: the rule holds."""
    vote = open_vote(factory.estate(roster=small_roster()), now=NOW)
    assert vote.election.state == "open"
