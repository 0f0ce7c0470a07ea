"""Scope: every route, every role. Staff of estate A never reach estate B, whatever the URL."""

import html

import pytest

from tests.elections_kit import open_vote
from tests.estate_world import CHINESE, EstateWorld, world_values
from tests.factories import PASSWORD, login, resident_id, small_roster
from voting.auth.access import ROLE_PERMISSIONS, Permission
from voting.auth.models import Role
from voting.extensions import db
from voting.prep.operations import group_of

SCOPED_ROLES = [Role.STREET_OFFICE, Role.COMMUNITY, Role.PREP_GROUP, Role.CLERK]


def estate_routes(app):
    """(rule, methods) for every staff route that names an estate by code (public pages aside:
    anyone may read them)."""
    return [
        (rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
        for rule in app.url_map.iter_rules()
        if "code" in rule.arguments and not rule.rule.startswith("/p/")
    ]


def url_values(world: EstateWorld) -> dict:
    """A real object of the world's estate for every argument a staff route takes; the open vote,
    which the paper ballot and the credential request belong to."""
    return {name: values[0] for name, values in world_values(world).items()} | {
        "election_id": world.open.id,
        "public_id": world.open.public_id,
    }


def build(rule, values: dict) -> str:
    return rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]


@pytest.fixture
def two_estates(app, factory):
    """My estate and theirs, each with a vote, for the pages that list estates."""
    mine = factory.estate(roster=small_roster())
    theirs = factory.estate(roster=small_roster())
    open_vote(mine)
    open_vote(theirs)
    db.session.commit()
    return mine, theirs, None


@pytest.fixture
def worlds(app, factory):
    """Two estates in use, each with an object behind every route: mine (X) and theirs (Y)."""
    return EstateWorld(app, factory, CHINESE), EstateWorld(app, factory, CHINESE, name="Y")


def test_every_scoped_route_refuses_foreign_objects_and_opens_own_ones(app, worlds):
    """Each scoped route, for each role of my estate: with their estate's objects, 404; with my
    estate's code and one of their objects in place of mine, 404 (403 where the role may not use
    the route at all); with my own objects, not 404. So no route passes by a 404 that any id
    would give, and every id a route takes is checked to belong to the estate in the URL."""
    mine, theirs = worlds
    own, foreign = url_values(mine), url_values(theirs)
    people = {
        "street office": mine.officer,
        "community": mine.community_staff,
        "group": mine.group,
        "clerk": mine.clerks[0],
    }
    clients = {who: login(app.test_client(), staff) for who, staff in people.items()}
    walk = [(rule, method, who) for rule, methods in estate_routes(app) for method in methods for who in clients]
    refused = {}
    for rule, method, who in walk:
        refused[rule.rule, method, who] = {
            "foreign": clients[who].open(build(rule, foreign), method=method).status_code,
            **{
                name: clients[who].open(build(rule, own | {name: foreign[name]}), method=method).status_code
                for name in rule.arguments - {"code"}
                if foreign[name] != own[name]
            },
        }  # a desk receipt (J-0001) is numbered per vote: both have it
    # My own objects last, reading before any change: a POST may change what it acts on.
    answered = {
        (rule.rule, method, who): clients[who].open(build(rule, own), method=method).status_code
        for rule, method, who in sorted(walk, key=lambda step: step[1] != "GET")
    }
    first = {}  # each route's first answer with my objects, before any POST could use them up
    for (rule, method, _who), status in answered.items():
        first.setdefault((rule, method), status)
    for (rule, method, who), statuses in refused.items():
        own_status = answered[rule, method, who]
        where = (who, method, rule, statuses, own_status)
        assert first[rule, method] != 404 and (method != "GET" or own_status != 404), where
        assert statuses.pop("foreign") == 404, where
        assert all(status == 404 or (status == 403 and own_status in (403, 404)) for status in statuses.values()), where
    assert len({rule.rule for rule, _method, _who in walk}) > 60
    assert any(status == 403 for status in answered.values())  # the roles differ where they should


def test_the_walk_covers_the_estate_routes(app):
    endpoints = {rule.endpoint for rule, _methods in estate_routes(app)}
    assert {
        "estates.estate",
        "roster.roll",
        "roster.upload",
        "roster.confirm",
        "roster.export",
        "audit.log",
        "elections.detail",
        "elections.open_",
        "elections.record",
        "paper.proxy_scan",
        "candidates.answer",
        "prep.remove",
        "credentials.detail",
    } <= endpoints


@pytest.mark.parametrize("role", SCOPED_ROLES)
def test_own_estate_pages_open_as_the_role_permits(app, factory, two_estates, role):
    mine, _theirs, _ids = two_estates
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


def test_anonymous_users_are_sent_to_login_and_scripts_told_so(app, worlds):
    mine, _theirs = worlds
    own = url_values(mine)
    client = app.test_client()
    for rule, methods in estate_routes(app):
        for method in methods:
            response = client.open(build(rule, own), method=method)
            if rule.endpoint.startswith("api."):  # a script is told, in JSON: no page to go to
                assert response.status_code == 401 and "error" in response.json, (method, rule)
            else:
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
    refused = client.post(
        "/staff",
        data={
            "username": "x1",
            "display_name": "x",
            "password": "p" * 12,
            "role": "prep_group",
            "scope": f"estate:{theirs.id}",
        },
    )
    assert refused.status_code == 200  # form error: not a valid choice
    from sqlalchemy import select

    from voting.auth.models import Staff

    assert db.session.scalar(select(Staff).where(Staff.username == "x1")) is None
    created = client.post(
        "/staff",
        data={
            "username": "x2",
            "display_name": "x",
            "password": "p" * 12,
            "role": "prep_group",
            "scope": f"estate:{mine.id}",
            "id_number": resident_id(41),
        },
    )
    assert created.status_code == 302
    assert db.session.scalar(select(Staff).where(Staff.username == "x2")).estate_id == mine.id


@pytest.mark.parametrize("role", ["street_office", "prep_group", "clerk"])
def test_accounts_that_act_for_a_vote_need_a_valid_id_number_kept_only_as_a_keyed_hash(app, factory, english, role):
    from sqlalchemy import select, text

    from voting.auth.models import Staff

    estate = factory.estate()
    client = login(app.test_client(), factory.staff(Role.PLATFORM_ADMIN))
    scope = {"street_office": f"street_office:{estate.community.street_office_id}"}.get(role, f"estate:{estate.id}")
    form = {"display_name": "陈", "password": "p" * 12, "role": role, "scope": scope}
    number = resident_id(42, "19720229")
    wrong_check_digit = number[:17] + ("0" if number[17] != "0" else "1")
    for username, id_number, reason in (
        ("nobody", "", "need the person's resident ID number"),
        ("typo", wrong_check_digit, "not a valid resident ID number"),
        ("company", "91330282MA2AXXXX0X", "not a valid resident ID number"),
    ):
        page = client.post("/staff", data=form | {"username": username, "id_number": id_number})
        assert page.status_code == 422 and reason in html.unescape(page.get_data(as_text=True)), username
        assert db.session.scalar(select(Staff).where(Staff.username == username)) is None
    assert client.post("/staff", data=form | {"username": "chen", "id_number": " " + number.lower()}).status_code == 302
    chen = db.session.scalar(select(Staff).where(Staff.username == "chen"))
    assert chen.id_hash and len(chen.id_hash) == 64
    # The number itself is nowhere: not in the accounts, not in the audit log of their creation.
    for table in ("staff", "audit_event"):
        rows = db.session.execute(text(f"SELECT * FROM {table}")).all()
        assert rows and not any(number[:17] in str(value) for row in rows for value in row), table


def test_an_account_made_before_id_numbers_gets_one_once(app, factory, english):
    estate = factory.estate()
    clerk = factory.staff(Role.CLERK, estate)
    clerk.id_hash = None
    db.session.commit()
    officer = login(app.test_client(), factory.staff(Role.STREET_OFFICE, estate))
    assert "cannot register officer keys" in officer.get("/staff").get_data(as_text=True)
    bad = officer.post(f"/staff/{clerk.id}/id-number", data={"id_number": "123"}, follow_redirects=True)
    assert "not a valid resident ID number" in bad.get_data(as_text=True)
    officer.post(f"/staff/{clerk.id}/id-number", data={"id_number": resident_id(43)})
    db.session.refresh(clerk)
    recorded = clerk.id_hash
    assert recorded is not None and "cannot register officer keys" not in officer.get("/staff").get_data(as_text=True)
    again = officer.post(f"/staff/{clerk.id}/id-number", data={"id_number": resident_id(44)}, follow_redirects=True)
    assert "already recorded" in again.get_data(as_text=True)
    db.session.refresh(clerk)
    assert clerk.id_hash == recorded
    stranger = factory.staff(Role.CLERK, factory.estate())
    assert officer.post(f"/staff/{stranger.id}/id-number", data={"id_number": resident_id(45)}).status_code == 404


def test_a_group_account_acts_only_while_its_holder_is_a_confirmed_member(app, factory, two_estates):
    """An officer can make a preparation-group account outside any group: it may not log in,
    and an account whose holder leaves the group loses its powers, also in an open session."""
    mine, _theirs, _ids = two_estates
    outside = factory.staff(Role.PREP_GROUP, mine, group_member=False)
    client = app.test_client()
    client.post("/lang/en")
    refused = client.post("/login", data={"username": outside.username, "password": PASSWORD})
    assert refused.status_code == 200
    assert "not a member of its estate&#39;s confirmed preparation group" in refused.get_data(as_text=True)
    assert client.get(f"/estates/{mine.code}/roll/").status_code == 302  # not logged in

    member = factory.staff(Role.PREP_GROUP, mine)
    client = login(app.test_client(), member)
    pages = [f"/estates/{mine.code}/roll/", f"/estates/{mine.code}/board/", f"/estates/{mine.code}/elections/"]
    assert [client.get(path).status_code for path in pages] == [200, 200, 200]
    [membership] = [m for m in group_of(mine).members if m.staff_id == member.id]
    membership.left_at, membership.leave_reason = membership.joined_at, "调离"
    db.session.commit()
    assert [client.get(path).status_code for path in pages] == [403, 403, 403]
