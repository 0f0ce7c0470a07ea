"""The demo of ./scripts/run: loads once, has two clerks who are two people, a group account that
acts for the confirmed group, a committee list ready for the vote at once (no clock shift), and
tells each role where to start."""

from urllib.parse import urlsplit

from sqlalchemy import func, select

from voting.auth.access import Permission, can
from voting.auth.models import Role, Staff
from voting.candidates.models import CandidateList
from voting.candidates.motion import lists_ready
from voting.demo import DEMO_ESTATE, DEMO_PASSWORD, start_here
from voting.elections.models import Election
from voting.estates.models import Estate
from voting.extensions import db

ROLES = ("Street office", "Preparation group", "Clerk 1", "Clerk 2", "Owner")


def load(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def counts() -> dict:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Estate, Staff, CandidateList, Election)
    }


def sign_in(client, username: str):
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.data
    return client


def demo_parts():
    estate = db.session.scalar(select(Estate).where(Estate.code == DEMO_ESTATE))
    election = db.session.scalar(select(Election).where(Election.estate_id == estate.id))
    return estate, election


def test_the_demo_loads_once_and_a_second_load_changes_nothing(app):
    first = load(app)
    before = counts()
    second = load(app)
    assert counts() == before
    assert "Loaded" in first and "Loaded" not in second
    assert before == {"Estate": 1, "Staff": 6, "CandidateList": 1, "Election": 1}


def test_the_demo_has_two_clerks_who_are_two_named_people(app):
    load(app)
    estate, _election = demo_parts()
    clerks = db.session.scalars(select(Staff).where(Staff.role == Role.CLERK.value, Staff.estate_id == estate.id)).all()
    assert len(clerks) == 2
    assert len({clerk.id_hash for clerk in clerks}) == 2 and None not in {clerk.id_hash for clerk in clerks}
    assert len({clerk.display_name for clerk in clerks}) == 2
    for clerk in clerks:
        sign_in(app.test_client(), clerk.username)


def test_the_demo_group_account_acts_for_the_confirmed_group(app):
    load(app)
    group_account = db.session.scalar(select(Staff).where(Staff.role == Role.PREP_GROUP.value))
    assert can(group_account, Permission.MANAGE_ELECTION)
    assert can(group_account, Permission.MANAGE_CANDIDATES)


def test_the_committee_election_goes_on_the_draft_and_opens_at_once(app):
    """Through the pages the group uses, on the real clock: the list's publication is over."""
    assert "CLOCK_SHIFT" not in app.config
    load(app)
    estate, election = demo_parts()
    [ready] = lists_ready(estate)
    client = sign_in(app.test_client(), "choubei")
    here = f"/estates/{estate.code}/elections/{election.id}/"
    page = client.get(here).get_data(as_text=True)
    adopt = f"/estates/{estate.code}/candidates/{ready.id}/motion/{election.id}"
    assert adopt in page
    client.post(adopt)
    client.post(
        here + "open",
        data={"passphrase": "demo notices passphrase", "confirm": "demo notices passphrase", "confirmed": "y"},
    )
    db.session.expire_all()
    assert election.state == "open"
    committee = [motion for motion in election.motions if motion.kind == "committee"]
    assert len(committee) == 1 and committee[0].seats == ready.seats
    assert len(committee[0].candidates) > committee[0].seats
    assert client.get(here + "notices/").status_code == 200


def test_the_printed_start_here_names_every_role_with_its_login_and_first_page(app):
    output = load(app)
    entries = {entry.role: entry for entry in start_here()}
    for role in ROLES:
        [entry] = [e for name, e in entries.items() if role in name]
        assert entry.url in output and entry.zh in output and entry.en in output
    logins = {"Street office": "jiedao", "Preparation group": "choubei", "Clerk 1": "jipiao", "Clerk 2": "jipiao2"}
    for role, username in logins.items():
        [entry] = [e for name, e in entries.items() if role in name]
        assert entry.login.startswith(username + "（")
        # the page to start on opens for that login
        response = sign_in(app.test_client(), username).get(urlsplit(entry.url).path)
        assert response.status_code == 200, (role, entry.url)
    [owner] = [e for name, e in entries.items() if "Owner" in name]
    assert owner.url.endswith("/notices/") and "/p/" + DEMO_ESTATE in owner.en


def test_start_here_links_follow_the_base_url(app):
    output = app.test_cli_runner().invoke(args=["demo", "load", "--base-url", "http://demo.example:8080/"]).output
    assert "http://demo.example:8080/estates/" + DEMO_ESTATE in output
    assert "127.0.0.1" not in output


def test_a_database_with_an_earlier_demo_is_told_how_to_load_the_current_one(app):
    from voting.estates.operations import create_community, create_estate, create_street_office

    office = create_street_office("test", "SO-OLD", "旧街道")
    create_estate("test", DEMO_ESTATE, "金色家园", create_community("test", office, "CO-OLD", "旧社区"))
    db.session.commit()
    output = load(app)
    assert "Loaded" not in output and "earlier demo" in output and "instance/gongzhi.sqlite" in output
