"""The preparation group runs a vote from its pages: draft, motions, open, close, count, record."""

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from tests.conftest import REPO_ROOT
from tests.elections_kit import NOW, PASSPHRASE, WITNESSES, add_witness, announced
from tests.factories import login, small_roster
from voting.auth.models import Role
from voting.core import record_v2
from voting.elections.models import Election
from voting.elections.operations import add_motion, create_election
from voting.extensions import db


def test_draft_open_close_count_and_download(app, factory, tmp_path):
    estate = factory.estate(roster=small_roster())
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    client.post("/lang/en")
    base = f"/estates/{estate.code}/elections"
    past = datetime.now(timezone(timedelta(hours=8))) - timedelta(days=2)
    created = client.post(
        f"{base}/",
        data={
            "title": "2026年业主大会",
            "opens_at": past.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (past + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "revote": "last",
            "publish_units": "y",
        },
    )
    assert created.status_code == 302
    election = db.session.scalar(select(Election).where(Election.estate_id == estate.id))
    assert election.publish_units is True
    assert election.opens_at.astimezone(timezone(timedelta(hours=8))).strftime("%H:%M") == past.strftime("%H:%M")
    page = f"{base}/{election.id}"
    client.post(f"{page}/motions", data={"item": "4", "title": "选聘物业"})
    client.post(f"{page}/motions", data={"item": "8", "title": "改变绿地用途"})
    # A committee election cannot be typed in: its candidates come from a vetted list.
    refused = client.post(f"{page}/motions", data={"kind": "committee", "title": "选举业委会"}, follow_redirects=True)
    assert "Not a valid choice" in refused.get_data(as_text=True)
    assert [(m.item, m.kind) for m in election.motions] == [(4, "ordinary"), (8, "major")]
    # Opening sets the notices passphrase, typed twice; the page says what it is for.
    assert "Without it the notices cannot be printed" in client.get(f"{page}/open").get_data(as_text=True)
    for typed, reason in [
        ({"passphrase": PASSPHRASE, "confirm": PASSPHRASE.upper(), "confirmed": "y"}, "The two passphrases differ."),
        (
            {"passphrase": "too short", "confirm": "too short", "confirmed": "y"},
            "The notices passphrase needs at least 10 characters.",
        ),
    ]:
        refused = client.post(f"{page}/open", data=typed, follow_redirects=True).get_data(as_text=True)
        assert reason in refused
        db.session.refresh(election)
        assert election.state == "draft"
    add_witness(election)  # the street office's officer registers the key that witnesses the log
    announced(election)
    db.session.commit()
    for step, typed in (("open", {"passphrase": PASSPHRASE, "confirm": PASSPHRASE, "confirmed": "y"}), ("close", {})):
        assert client.post(f"{page}/{step}", data=typed).status_code == 302
        db.session.refresh(election)
    # No count before a witness cosigned the log at the close (the record's check T5).
    refused = client.post(f"{page}/tally", follow_redirects=True).get_data(as_text=True)
    assert "has not yet witnessed the log at the close" in refused
    WITNESSES[election.id].witness_close(election)
    db.session.commit()
    assert client.post(f"{page}/tally").status_code == 302
    db.session.refresh(election)
    assert election.state == "tallied"
    downloaded = client.get(f"{page}/record.json")
    document = json.loads(downloaded.data)
    # Format 2: each motion is a question on its art. 278 item, whose threshold follows from it.
    assert [(m["kind"], m["item"]) for m in document["election"]["motions"]] == [("question", 4), ("question", 8)]
    tally = record_v2.verify(document)
    assert [m["threshold"] for m in tally["motions"]] == ["ordinary", "major"]
    assert tally["counted"] == 0 and tally["motions"][0]["result"] == "not_quorate"
    saved = tmp_path / "record.json"
    saved.write_bytes(downloaded.data)
    verified = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "verify_record.py"), str(saved)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verified.stdout.strip() == "VALID", verified.stdout + verified.stderr
    public = app.test_client().get(f"/p/{estate.code}/elections/{election.public_id}/record.json")
    assert json.loads(public.data) == json.loads(downloaded.data)


def test_opening_asks_first_and_states_what_it_locks(app, factory):
    estate = factory.estate(roster=small_roster())
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    client.post("/lang/en")
    now = datetime.now(UTC)
    election = create_election("test", estate, "2026年业主大会", now, now + timedelta(days=1))
    add_motion("test", election, 4, "选聘物业服务企业")
    db.session.commit()
    page = f"/estates/{estate.code}/elections/{election.id}"
    # The vote's page leads to the confirmation; it does not open from there.
    detail = client.get(f"{page}/").get_data(as_text=True)
    assert f'href="{page}/open"' in detail and f'action="{page}/open"' not in detail
    confirm = client.get(f"{page}/open").get_data(as_text=True)
    assert (
        "Once the vote opens, the motions, the candidates and the owner roll are locked and can no longer be changed."
    ) in confirm
    assert "选聘物业服务企业" in confirm and 'name="confirmed"' in confirm and "I have checked the above" in confirm
    assert "The street office has registered no certifying key for this vote." in confirm
    assert f'href="{page}/"' in confirm  # the way back
    # Without the tick the server refuses, whatever else is right, and nothing changes.
    refused = client.post(f"{page}/open", data={"passphrase": PASSPHRASE, "confirm": PASSPHRASE})
    assert refused.status_code == 302 and refused.location.endswith(f"{page}/open")
    assert "Tick “I have checked the above” to confirm. Nothing has been changed." in client.get(
        f"{page}/open"
    ).get_data(as_text=True)
    db.session.refresh(election)
    assert election.state == "draft" and election.election_hash is None
    # Nor before the meeting notice and the roll were public long enough; the page says so first.
    assert "Post the meeting notice of this vote on the notice board first" in client.get(f"{page}/open").get_data(
        as_text=True
    )
    announced(election)
    db.session.commit()
    opened = client.post(f"{page}/open", data={"passphrase": PASSPHRASE, "confirm": PASSPHRASE, "confirmed": "y"})
    assert opened.location.endswith(f"{page}/")
    db.session.refresh(election)
    assert election.state == "open"
    # Once open, the confirmation is not offered again.
    assert client.get(f"{page}/open").location.endswith(f"{page}/")


def test_opening_in_chinese_says_what_is_locked(app, factory):
    estate = factory.estate(roster=small_roster())
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    now = datetime.now(UTC)
    election = create_election("test", estate, "2026年业主大会", now, now + timedelta(days=1))
    db.session.commit()
    confirm = client.get(f"/estates/{estate.code}/elections/{election.id}/open").get_data(as_text=True)
    assert "开始表决后，表决事项、候选人和业主名册将被锁定，不能再修改。" in confirm
    assert "我已核对以上内容" in confirm


def test_how_each_unit_voted_is_off_unless_the_group_ticks_it(app, factory):
    estate = factory.estate(roster=small_roster())
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    client.post("/lang/en")
    base = f"/estates/{estate.code}/elections/"
    form = client.get(base).get_data(as_text=True)
    assert 'name="publish_units"' in form and 'name="publish_units" type="checkbox" value="y">' in form
    assert "The published record, the minutes and the notice board never show them." in form
    created = client.post(
        base, data={"title": "x", "opens_at": "2026-12-01T08:00", "closes_at": "2026-12-02T08:00", "revote": "last"}
    )
    assert created.status_code == 302
    assert db.session.scalar(select(Election).where(Election.estate_id == estate.id)).publish_units is False


def draft(app, factory):
    """A draft vote and a preparation-group member's client reading English."""
    estate = factory.estate(roster=small_roster())
    election = create_election("test", estate, "2026年业主大会", NOW, NOW + timedelta(days=1))
    db.session.commit()
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    client.post("/lang/en")
    return election, client, f"/estates/{estate.code}/elections/{election.id}"


def test_the_motion_form_offers_the_nine_items_with_their_thresholds_and_no_threshold_apart(app, factory):
    _election, client, page = draft(app, factory)
    html = client.get(f"{page}/").get_data(as_text=True)
    options = re.findall(
        r'<option[^>]*value="(\d+)"[^>]*>([^<]*)</option>',
        html[html.index('name="item"') : html.index("</select>", html.index('name="item"'))],
    )
    assert [int(value) for value, _label in options] == list(range(1, 10))
    assert options[7][1] == (
        "8. Changing the use of common parts or running a business on them (Major matter: three quarters must agree)"
    )
    assert options[4][1] == (
        "5. Using the maintenance fund of the buildings and their ancillary facilities "
        "(Ordinary matter: more than half must agree)"
    )
    assert [label.endswith("(Major matter: three quarters must agree)") for _value, label in options] == [
        item in (6, 7, 8) for item in range(1, 10)
    ]
    assert 'name="kind"' not in html


def test_item_8_is_a_major_motion_whatever_the_request_says(app, factory):
    election, client, page = draft(app, factory)
    client.post(f"{page}/motions", data={"item": "8", "kind": "ordinary", "title": "利用共有部分设置广告位"})
    refused = client.post(f"{page}/motions", data={"kind": "ordinary", "title": "改变绿地用途"}, follow_redirects=True)
    assert "Not a valid choice" in refused.get_data(as_text=True)
    assert client.post(f"{page}/motions", data={"item": "10", "title": "改变绿地用途"}).status_code == 302
    db.session.refresh(election)
    assert [(m.item, m.kind, m.title) for m in election.motions] == [(8, "major", "利用共有部分设置广告位")]
    shown = client.get(f"{page}/").get_data(as_text=True)
    assert "Item 8 of Civil Code art. 278: Changing the use of common parts or running a business on them" in shown


def test_clerks_and_community_staff_cannot_run_a_vote(app, factory):
    estate = factory.estate(roster=small_roster())
    for role in (Role.CLERK, Role.COMMUNITY):
        client = login(app.test_client(), factory.staff(role, estate))
        client.post(
            f"/estates/{estate.code}/elections/",
            data={"title": "x", "opens_at": "2026-12-01T08:00", "closes_at": "2026-12-02T08:00", "revote": "last"},
        )
        assert db.session.scalar(select(Election).where(Election.estate_id == estate.id)) is None


def test_record_is_not_public_before_the_count(app, factory):
    from tests.elections_kit import open_vote

    vote = open_vote(factory.estate(roster=small_roster()))
    url = f"/p/{vote.election.estate.code}/elections/{vote.election.public_id}/record"
    assert app.test_client().get(url + ".json").status_code == 404
    assert app.test_client().get(url).status_code == 404  # nor the page that checks it
