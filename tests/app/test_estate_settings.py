"""The estate's settings page: the help desk's place and hours, which notices and the ballot page show."""

import html

import pytest
from flask import template_rendered
from sqlalchemy import select, update
from sqlalchemy.exc import DataError, IntegrityError

from tests.elections_kit import open_vote
from tests.factories import login, small_roster
from voting.audit.models import AuditEvent
from voting.auth.models import Role
from voting.estates.models import Estate, HelpDesk
from voting.extensions import db

PLACE = "物业服务中心（3幢1楼）"
HOURS = "每天 9:00–11:30、14:00–17:00"


def settings_url(estate) -> str:
    return f"/estates/{estate.code}/settings"


def save(client, estate, **fields):
    data = {"count_parking": "y", "help_desk_place": "", "help_desk_hours": ""} | fields
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
