"""Scope: every route, every role. Staff of estate A never reach estate B, whatever the URL."""

import pytest

from tests.elections_kit import open_vote
from tests.factories import login, small_roster
from voting.auth.access import ROLE_PERMISSIONS, Permission
from voting.auth.models import Role
from voting.extensions import db
from voting.roster.operations import stage_upload

SCOPED_ROLES = [Role.STREET_OFFICE, Role.COMMUNITY, Role.PREP_GROUP, Role.CLERK]


def estate_routes(app):
    """(rule, methods) for every route that names an estate by code."""
    return [
        (rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
        for rule in app.url_map.iter_rules()
        if "code" in rule.arguments
    ]


def fill(rule, code: str, ids: dict) -> str:
    """The rule's URL for this estate code and the other ids (all of the foreign estate)."""
    values = {"code": code} | {name: ids.get(name, 1) for name in rule.arguments - {"code"}}
    return rule.build(values, append_unknown=False)[1]


@pytest.fixture
def two_estates(app, factory):
    """My estate and theirs, each with a vote; ids of their upload and vote."""
    mine = factory.estate(roster=small_roster())
    theirs = factory.estate(roster=small_roster())
    open_vote(mine)
    staff = factory.staff(Role.PREP_GROUP, theirs)
    their_upload = stage_upload(theirs, small_roster(), "x.csv", staff.id)
    their_vote = open_vote(theirs)
    db.session.commit()
    return mine, theirs, {"upload_id": their_upload.id, "election_id": their_vote.election.id,
                          "public_id": their_vote.election.public_id}


def test_the_walk_covers_the_estate_routes(app):
    endpoints = {rule.endpoint for rule, _methods in estate_routes(app)}
    assert {"estates.estate", "roster.roll", "roster.upload", "roster.confirm", "roster.export",
            "audit.log", "public.roll", "elections.detail", "elections.open_", "elections.record"} <= endpoints


@pytest.mark.parametrize("role", SCOPED_ROLES)
def test_foreign_estate_is_not_found_on_every_route(app, factory, two_estates, role):
    mine, theirs, their_ids = two_estates
    client = login(app.test_client(), factory.staff(role, mine))
    checked = 0
    for rule, methods in estate_routes(app):
        if rule.rule.startswith("/p/"):  # public pages: anyone may read them
            continue
        for method in methods:
            url = fill(rule, theirs.code, their_ids)
            response = client.open(url, method=method)
            assert response.status_code == 404, (role, method, url, response.status_code)
            checked += 1
    assert checked >= 8


@pytest.mark.parametrize("role", SCOPED_ROLES)
def test_own_estate_pages_open_as_the_role_permits(app, factory, two_estates, role):
    mine, _theirs, _upload = two_estates
    client = login(app.test_client(), factory.staff(role, mine))
    expectations = {
        f"/estates/{mine.code}": Permission.VIEW_ROLL,
        f"/estates/{mine.code}/roll/": Permission.VIEW_ROLL,
        f"/estates/{mine.code}/roll/import": Permission.IMPORT_ROLL,
        f"/estates/{mine.code}/roll/export.xlsx": Permission.EXPORT_ROLL,
        f"/estates/{mine.code}/audit": Permission.VIEW_AUDIT,
    }
    for url, permission in expectations.items():
        expected = 200 if permission in ROLE_PERMISSIONS[role] else 403
        assert client.get(url).status_code == expected, (role, url)


@pytest.mark.parametrize("role", SCOPED_ROLES)
def test_upload_of_another_estate_is_not_reachable_through_my_estate(app, factory, two_estates, role):
    mine, _theirs, their_ids = two_estates
    client = login(app.test_client(), factory.staff(role, mine))
    expected = 404 if Permission.IMPORT_ROLL in ROLE_PERMISSIONS[role] else 403
    assert client.get(f"/estates/{mine.code}/roll/import/{their_ids['upload_id']}").status_code == expected
    assert client.post(f"/estates/{mine.code}/roll/import/{their_ids['upload_id']}").status_code == expected
    election_page = f"/estates/{mine.code}/elections/{their_ids['election_id']}/"
    assert client.get(election_page).status_code == 404


def test_anonymous_users_are_sent_to_login(app, two_estates):
    mine, _theirs, ids = two_estates
    client = app.test_client()
    for rule, methods in estate_routes(app):
        if rule.rule.startswith("/p/"):  # public pages: anyone may read them
            continue
        for method in methods:
            response = client.open(fill(rule, mine.code, ids), method=method)
            assert response.status_code == 302 and "/login" in response.headers["Location"], (method, rule)


def test_dashboard_lists_only_estates_in_scope(app, factory, two_estates):
    mine, theirs, _upload = two_estates
    neighbour = factory.estate(community=mine.community)
    for role, visible in {
        Role.STREET_OFFICE: {mine.code, neighbour.code},
        Role.COMMUNITY: {mine.code, neighbour.code},
        Role.PREP_GROUP: {mine.code},
        Role.CLERK: {mine.code},
    }.items():
        page = login(app.test_client(), factory.staff(role, mine)).get("/").get_data(as_text=True)
        for estate in (mine, theirs, neighbour):
            assert (estate.code in page) == (estate.code in visible), (role, estate.code)


def test_platform_admin_sees_every_estate(app, factory, two_estates):
    mine, theirs, _upload = two_estates
    client = login(app.test_client(), factory.staff(Role.PLATFORM_ADMIN))
    assert client.get(f"/estates/{theirs.code}/roll/").status_code == 200
    assert client.get(f"/estates/{mine.code}/roll/").status_code == 200


@pytest.mark.parametrize("role", [Role.COMMUNITY, Role.PREP_GROUP, Role.CLERK])
def test_staff_and_organisation_pages_need_the_right_role(app, factory, two_estates, role):
    mine, _theirs, _upload = two_estates
    client = login(app.test_client(), factory.staff(role, mine))
    assert client.get("/staff").status_code == 403
    assert client.get("/organisation").status_code == 403


def test_street_office_creates_accounts_only_within_its_office(app, factory, two_estates):
    mine, theirs, _upload = two_estates
    officer = factory.staff(Role.STREET_OFFICE, mine)
    client = login(app.test_client(), officer)
    page = client.get("/staff").get_data(as_text=True)
    assert f"estate:{mine.id}" in page and f"estate:{theirs.id}" not in page
    refused = client.post("/staff", data={"username": "x1", "display_name": "x", "password": "p" * 12,
                                          "role": "prep_group", "scope": f"estate:{theirs.id}"})
    assert refused.status_code == 200  # form error: not a valid choice
    from voting.auth.models import Staff
    from sqlalchemy import select

    assert db.session.scalar(select(Staff).where(Staff.username == "x1")) is None
    created = client.post("/staff", data={"username": "x2", "display_name": "x", "password": "p" * 12,
                                          "role": "prep_group", "scope": f"estate:{mine.id}"})
    assert created.status_code == 302
    assert db.session.scalar(select(Staff).where(Staff.username == "x2")).estate_id == mine.id
