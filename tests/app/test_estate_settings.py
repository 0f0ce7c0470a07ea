"""The estate's settings page: the rules the roll is counted by (parking, the developer's credit code,
sole and joint titles), and the help desk's place and hours, which notices and the ballot page show."""

import html

import pytest
from flask import template_rendered
from sqlalchemy import select, update
from sqlalchemy.exc import DataError, IntegrityError

from tests.elections_kit import open_vote
from tests.factories import credit_code, login, resident_id, small_roster, titles_roster
from voting.audit.models import AuditEvent
from voting.auth.models import Role
from voting.estates.models import Estate, HelpDesk
from voting.extensions import db
from voting.roster.operations import roll_summary

PLACE = "物业服务中心（3幢1楼）"
HOURS = "每天 9:00–11:30、14:00–17:00"


def settings_url(estate) -> str:
    return f"/estates/{estate.code}/settings"


def save(client, estate, **fields):
    data = {
        "count_parking": "y",
        "developer_credit_code": "",
        "buyers": "title",
        "help_desk_place": "",
        "help_desk_hours": "",
    } | fields
    return client.post(settings_url(estate), data=data, headers={"Accept-Language": "en"})


@pytest.mark.parametrize("role", [Role.PREP_GROUP, Role.STREET_OFFICE])
def test_the_group_or_the_street_office_sets_the_help_desk_which_is_audited(app, factory, role):
    estate = factory.estate(roster=small_roster())
    client = login(app.test_client(), factory.staff(role, estate))
    assert estate.help_desk is None

    response = save(client, estate, help_desk_place=f"  {PLACE} ", help_desk_hours=HOURS)
    assert response.status_code == 302
    db.session.expire_all()
    assert estate.help_desk == HelpDesk(PLACE, HOURS)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "estate.settings"))
    assert PLACE in event.detail_json and HOURS in event.detail_json
    page = html.unescape(client.get(f"/estates/{estate.code}").get_data(as_text=True))
    assert f'value="{PLACE}"' in page and f'value="{HOURS}"' in page


def test_a_clerk_may_not_change_the_settings(app, factory):
    estate = factory.estate()
    client = login(app.test_client(), factory.staff(Role.CLERK, estate))
    assert save(client, estate, help_desk_place=PLACE).status_code == 403
    db.session.expire_all()
    assert estate.help_desk is None


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"help_desk_place": "楼" * 41}, "The help desk's place can be at most 40 characters long."),
        (
            {"help_desk_place": PLACE, "help_desk_hours": "9" * 41},
            "The help desk's opening hours can be at most 40 characters long.",
        ),
        ({"help_desk_hours": HOURS}, "Give the help desk's place too: owners cannot use opening hours alone."),
    ],
)
def test_a_fault_is_shown_beside_its_field_and_nothing_is_saved(app, factory, fields, message):
    estate = factory.estate()
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    response = save(client, estate, **fields)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert f'<div class="field-error">{message}</div>' in page
    db.session.expire_all()
    assert estate.help_desk is None


def test_the_database_refuses_a_help_desk_place_too_long(app, factory):
    estate = factory.estate()
    # PostgreSQL's varchar(40) refuses it first (DataError); SQLite has only the check constraint.
    with pytest.raises((IntegrityError, DataError)):
        db.session.execute(update(Estate).where(Estate.id == estate.id).values(help_desk_place="楼" * 41))


def test_the_ballot_page_is_given_the_help_desk(app, factory):
    """As `help_desk` in its context, for the step that sends an owner to the desk; None while unset."""
    estate = factory.estate(roster=small_roster())
    election = open_vote(estate).election
    rendered = []

    def record(_app, template, context):
        rendered.append(context)

    with template_rendered.connected_to(record, app):
        app.test_client().get(f"/v/{election.public_id}")
        estate.help_desk_place, estate.help_desk_hours = PLACE, HOURS
        db.session.commit()
        app.test_client().get(f"/v/{election.public_id}")
    assert [context["help_desk"] for context in rendered] == [None, HelpDesk(PLACE, HOURS)]


DEVELOPER = credit_code(1)


def test_the_developers_credit_code_makes_its_delivered_flat_part_of_its_one_voter(app, factory):
    estate = factory.estate(roster=titles_roster(DEVELOPER))
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    assert (roll_summary(estate)["voters"], roll_summary(estate)["developer"]["units"]) == (6, 1)

    typed = " " + DEVELOPER.lower()  # as typed: spaces and lower case are the same code
    assert save(client, estate, developer_credit_code=typed).status_code == 302

    db.session.expire_all()
    assert estate.developer_credit_code == DEVELOPER
    summary = roll_summary(estate)
    assert (summary["voters"], summary["total_heads"]) == (5, 5)
    assert summary["developer"] == {"units": 2, "area": 29000}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "estate.settings"))
    assert DEVELOPER in event.detail_json


@pytest.mark.parametrize(
    "code",
    [resident_id(7), resident_id(7)[:17] + "0", DEVELOPER[:17], DEVELOPER + "1"],
    ids=["resident ID", "resident ID failing its check digit", "17 characters", "19 characters"],
)
def test_a_developer_code_that_is_no_credit_code_is_refused(app, factory, code):
    estate = factory.estate(roster=titles_roster(DEVELOPER))
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    response = save(client, estate, developer_credit_code=code)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert (
        '<div class="field-error">Not a unified social credit code: a company\'s code has 18 characters '
        "and is no resident ID.</div>"
    ) in page
    db.session.expire_all()
    assert estate.developer_credit_code == "" and roll_summary(estate)["voters"] == 6


def test_a_developer_code_failing_its_check_character_is_taken_as_the_import_takes_it(app, factory):
    doubtful = "91330100716105852E"  # the import warns of it and takes it: it must match the titles
    estate = factory.estate(roster=titles_roster(DEVELOPER))
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    assert save(client, estate, developer_credit_code=doubtful).status_code == 302
    db.session.expire_all()
    assert estate.developer_credit_code == doubtful


def test_merging_a_persons_sole_and_joint_titles_makes_one_buyer_of_linked_titles(app, factory):
    estate = factory.estate(roster=titles_roster(DEVELOPER))
    client = login(app.test_client(), factory.staff(Role.STREET_OFFICE, estate))

    assert save(client, estate, buyers="person").status_code == 302

    db.session.expire_all()
    assert estate.buyers == "person"
    # 张三, 张三+李四 and 李四+王五 are one; 赵六, the developer's company (no code set), the developer
    assert roll_summary(estate)["voters"] == 4
    roll = client.get(f"/estates/{estate.code}/roll/").get_data(as_text=True)
    assert "1幢-101、1幢-102、1幢-201" in roll and "张三、李四、王五" in roll
    assert save(client, estate, buyers="title").status_code == 302
    assert roll_summary(estate)["voters"] == 6


def test_the_database_refuses_an_unknown_buyers_rule_and_a_short_credit_code(app, factory):
    estate = factory.estate()
    for values in ({"buyers": "household"}, {"developer_credit_code": DEVELOPER[:17]}):
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.execute(update(Estate).where(Estate.id == estate.id).values(**values))


def test_the_settings_page_states_the_rules_in_force(app, factory):
    estate = factory.estate(roster=titles_roster(DEVELOPER))
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    save(client, estate, count_parking="", developer_credit_code=DEVELOPER, buyers="person")

    page = html.unescape(
        client.get(f"/estates/{estate.code}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    )

    assert "Parking spaces: their area is left out; the owner of a parking space is still one person." in page
    assert f"the developer's delivered units under its unified social credit code {DEVELOPER}" in page
    assert "A person's sole and joint titles are one buyer" in page
