"""The preparation group runs a vote from its pages: draft, motions, open, close, count, record."""

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from tests.elections_kit import PASSPHRASE
from tests.factories import login, small_roster
from voting.auth.models import Role
from voting.core import record
from voting.elections.models import Election
from voting.extensions import db


def test_draft_open_close_count_and_download(app, factory):
    estate = factory.estate(roster=small_roster())
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    client.post("/lang/en")
    base = f"/estates/{estate.code}/elections"
    past = datetime.now(timezone(timedelta(hours=8))) - timedelta(days=2)
    created = client.post(f"{base}/", data={
        "title": "2026年业主大会", "opens_at": past.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (past + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"), "revote": "last",
        "publish_units": "y",
    })
    assert created.status_code == 302
    election = db.session.scalar(select(Election).where(Election.estate_id == estate.id))
    assert election.publish_units is True
    assert election.opens_at.astimezone(timezone(timedelta(hours=8))).strftime("%H:%M") == past.strftime("%H:%M")
    page = f"{base}/{election.id}"
    client.post(f"{page}/motions", data={"kind": "ordinary", "title": "选聘物业"})
    client.post(f"{page}/motions", data={"kind": "major", "title": "使用维修资金"})
    # A committee election cannot be typed in: its candidates come from a vetted list.
    refused = client.post(f"{page}/motions", data={"kind": "committee", "title": "选举业委会"}, follow_redirects=True)
    assert "Not a valid choice" in refused.get_data(as_text=True)
    assert [m.kind for m in election.motions] == ["ordinary", "major"]
    # Opening sets the notices passphrase, typed twice; the page says what it is for.
    assert "Without it the notices cannot be printed" in client.get(f"{page}/").get_data(as_text=True)
    for typed, reason in [({"passphrase": PASSPHRASE, "confirm": PASSPHRASE.upper()}, "The two passphrases differ."),
                          ({"passphrase": "too short", "confirm": "too short"},
                           "The notices passphrase needs at least 10 characters.")]:
        refused = client.post(f"{page}/open", data=typed, follow_redirects=True).get_data(as_text=True)
        assert reason in refused
        db.session.refresh(election)
        assert election.state == "draft"
    for step, typed in (("open", {"passphrase": PASSPHRASE, "confirm": PASSPHRASE}), ("close", {}), ("tally", {})):
        assert client.post(f"{page}/{step}", data=typed).status_code == 302
        db.session.refresh(election)
    assert election.state == "tallied"
    downloaded = client.get(f"{page}/record.json")
    tally = record.verify(json.loads(downloaded.data))
    assert tally["counted"] == 0 and tally["motions"][0]["result"] == "not_quorate"
    public = app.test_client().get(f"/p/{estate.code}/elections/{election.public_id}/record.json")
    assert json.loads(public.data) == json.loads(downloaded.data)


def test_how_each_unit_voted_is_off_unless_the_group_ticks_it(app, factory):
    estate = factory.estate(roster=small_roster())
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    client.post("/lang/en")
    base = f"/estates/{estate.code}/elections/"
    form = client.get(base).get_data(as_text=True)
    assert 'name="publish_units"' in form and 'name="publish_units" type="checkbox" value="y">' in form
    assert "The published record, the minutes and the notice board never show them." in form
    created = client.post(base, data={"title": "x", "opens_at": "2026-12-01T08:00", "closes_at": "2026-12-02T08:00",
                                      "revote": "last"})
    assert created.status_code == 302
    assert db.session.scalar(select(Election).where(Election.estate_id == estate.id)).publish_units is False


def test_clerks_and_community_staff_cannot_run_a_vote(app, factory):
    estate = factory.estate(roster=small_roster())
    for role in (Role.CLERK, Role.COMMUNITY):
        client = login(app.test_client(), factory.staff(role, estate))
        client.post(f"/estates/{estate.code}/elections/", data={
            "title": "x", "opens_at": "2026-12-01T08:00", "closes_at": "2026-12-02T08:00", "revote": "last"})
        assert db.session.scalar(select(Election).where(Election.estate_id == estate.id)) is None


def test_record_is_not_public_before_the_count(app, factory):
    from tests.elections_kit import open_vote

    vote = open_vote(factory.estate(roster=small_roster()))
    url = f"/p/{vote.election.estate.code}/elections/{vote.election.public_id}/record.json"
    assert app.test_client().get(url).status_code == 404
