"""The preparation group: the street office forms it under the rules, its members are public
(masked), its accounts work for its estate only; and the deadlines around a vote."""

import html
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.elections_kit import PASSPHRASE, add_witness, announced, count_vote
from tests.factories import PASSWORD, login, resident_id, roster_csv
from voting.audit.models import AuditEvent
from voting.auth.models import Role, Staff
from voting.board.operations import publish
from voting.elections.models import ElectionError
from voting.elections.operations import add_committee_election, create_election, open_election
from voting.extensions import db
from voting.prep.operations import (
    CompositionRejected,
    PrepError,
    confirm_group,
    deadlines,
    group_of,
    propose_member,
    propose_removal,
    published_group,
    record_milestone,
)

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)

# (name, birth date): one owner per flat of building 1; the 17th ID digit (the serial) sets the gender.
OWNERS = [
    ("周一", "19800101"),
    ("吴二", "19750505"),
    ("郑三", "19901010"),
    ("王四", "19660303"),
    ("冯五", "19851212"),
    ("陈六", "19700707"),
    ("褚七", "19950909"),
    ("卫八", "19600606"),
    ("蒋九", "19820202"),
    ("沈十", "19880808"),
    ("韩一", "19920404"),
    ("杨二", "19500101"),
]


def owner_id(number: int) -> str:
    """The ID number of OWNERS[number - 1]."""
    return resident_id(number, OWNERS[number - 1][1])


def estate_roster(without: tuple[int, ...] = ()) -> bytes:
    """Twelve flats with one owner each (but the numbers left out); 郑三 also owns a shop; 孔甲
    and 曹乙 co-own a flat."""
    rows = [
        ["1幢", "1", f"{100 + n}", "住宅", "90.00", "登记", name, owner_id(n), f"1390000{n:04d}", "已交付"]
        for n, (name, _born) in enumerate(OWNERS, start=1)
        if n not in without
    ]
    rows.append(["商铺", "", "S1", "商业", "50.00", "登记", "郑三", owner_id(3), "", "已交付"])
    rows.append(
        [
            "2幢",
            "1",
            "101",
            "住宅",
            "100.00",
            "登记",
            "孔甲、曹乙",
            f"{resident_id(21, '19781111')}、{resident_id(22, '19790202')}",
            "",
            "已交付",
        ]
    )
    return roster_csv(rows)


def propose_valid_group(estate, officer, actor="officer"):
    """Leader from the street office, a community member, three owner representatives."""
    propose_member(actor, estate, name="街道 刘主任", role="street_office", leader=True, account=officer)
    propose_member(actor, estate, name="社区 孙书记", role="community", organisation="测试社区")
    for number, username in ((1, "zhou1"), (2, "wu2"), (3, "zheng3")):
        propose_member(
            actor,
            estate,
            name=OWNERS[number - 1][0],
            role="owner",
            id_number=owner_id(number),
            new_account=(username, PASSWORD),
        )


def formed_group(factory, now=NOW):
    """An estate with the roll above and a confirmed five-member group; its street officer."""
    estate = factory.estate(roster=estate_roster())
    officer = factory.staff(Role.STREET_OFFICE, estate)
    propose_valid_group(estate, officer, officer.username)
    confirm_group(officer.username, estate, now=now)
    db.session.commit()
    return estate, officer


def english():
    return force_locale("en")


def test_the_rules_refuse_a_group_that_breaks_them(app, factory):
    estate = factory.estate(roster=estate_roster())
    officer = factory.staff(Role.STREET_OFFICE, estate)
    with english():
        propose_member("officer", estate, name="刘主任", role="street_office", leader=True, account=officer)
        propose_member("officer", estate, name="孙书记", role="community")
        propose_member("officer", estate, name="开发商代表", role="developer")
        propose_member("officer", estate, name="周一", role="owner", id_number=owner_id(1))
        with pytest.raises(CompositionRejected) as even:
            confirm_group("officer", estate, now=NOW)
        assert "The group would have 4 members; it needs an odd number." in even.value.faults
        assert "Owner representatives would be 1 of 4; at least half (2) are needed." in even.value.faults

        propose_member("officer", estate, name="吴二", role="owner", id_number=owner_id(2))
        with pytest.raises(CompositionRejected) as few_owners:
            confirm_group("officer", estate, now=NOW)
        assert few_owners.value.faults == ["Owner representatives would be 2 of 5; at least half (3) are needed."]

        propose_member("officer", estate, name="郑三", role="owner", id_number=owner_id(3))
        with pytest.raises(CompositionRejected) as even_again:
            confirm_group("officer", estate, now=NOW)
        assert even_again.value.faults == ["The group would have 6 members; it needs an odd number."]

        with pytest.raises(PrepError, match="The leader of the group comes from the street office."):
            propose_member("officer", estate, name="孙书记", role="community", leader=True)
        with pytest.raises(PrepError, match="李四 is not an owner of this estate according to the roll"):
            propose_member("officer", estate, name="李四", role="owner", id_number=resident_id(99))
        with pytest.raises(PrepError, match="The roll lists this ID number under another name than 周二."):
            propose_member("officer", estate, name="周二", role="owner", id_number=owner_id(1))
        with pytest.raises(PrepError, match="周一 is already a member."):
            propose_member("officer", estate, name="周一", role="owner", id_number=owner_id(1))

        developer = next(m for m in group_of(estate).members if m.role == "developer")
        propose_removal("officer", developer, "")  # only proposed: dropped at once
        group = confirm_group("officer", estate, now=NOW)
    assert group.formed_at == NOW and group.published_at == NOW
    assert sorted(m.role for m in group.members if m.is_current) == [
        "community",
        "owner",
        "owner",
        "owner",
        "street_office",
    ]


def test_a_group_without_a_leader_or_with_two_is_refused(app, factory):
    estate = factory.estate(roster=estate_roster())
    with english():
        for number in (1, 2, 3):
            propose_member("officer", estate, name=OWNERS[number - 1][0], role="owner", id_number=owner_id(number))
        propose_member("officer", estate, name="刘主任", role="street_office")
        propose_member("officer", estate, name="孙书记", role="community")
        with pytest.raises(CompositionRejected) as leaderless:
            confirm_group("officer", estate, now=NOW)
        assert leaderless.value.faults == ["The group needs a leader from the street office."]
        propose_member("officer", estate, name="周主任", role="street_office", leader=True)
        propose_member("officer", estate, name="吴主任", role="street_office", leader=True)
        with pytest.raises(CompositionRejected) as two:
            confirm_group("officer", estate, now=NOW)
        assert "Only one member can lead the group; 周主任、吴主任 are marked as leader." in two.value.faults


def test_owner_representatives_must_still_be_on_the_roll_when_confirmed(app, factory):
    from voting.roster.operations import import_roster

    estate = factory.estate(roster=estate_roster())
    officer = factory.staff(Role.STREET_OFFICE, estate)
    propose_valid_group(estate, officer)
    # A new roll without 周一's flat arrives before the street office confirms.
    import_roster(
        "test",
        estate,
        roster_csv([["1幢", "1", "102", "住宅", "90.00", "登记", "吴二", owner_id(2), "", "已交付"]]),
        "new.csv",
    )
    with english(), pytest.raises(CompositionRejected) as rejected:
        confirm_group("officer", estate, now=NOW)
    assert "周一 is not an owner of this estate according to the current roll." in rejected.value.faults
    assert "郑三 is not an owner of this estate according to the current roll." in rejected.value.faults


def test_member_accounts_work_for_their_estate_once_confirmed(app, factory):
    estate = factory.estate(roster=estate_roster())
    officer = factory.staff(Role.STREET_OFFICE, estate)
    propose_valid_group(estate, officer)
    db.session.commit()
    zhou = db.session.scalar(select(Staff).where(Staff.username == "zhou1"))
    assert (zhou.role, zhou.estate_id, zhou.active) == ("prep_group", estate.id, False)
    assert app.test_client().post("/login", data={"username": "zhou1", "password": PASSWORD}).status_code == 200

    confirm_group("officer", estate, now=NOW)
    db.session.commit()
    client = login(app.test_client(), zhou)
    assert client.get(f"/estates/{estate.code}/prep/").status_code == 200
    other = factory.estate(roster=estate_roster())
    assert client.get(f"/estates/{other.code}/prep/").status_code == 404

    # 周一 leaves and 冯五 takes the seat: one change, confirmed as a whole.
    member = next(m for m in group_of(estate).members if m.name == "周一")
    propose_removal("officer", member, "搬离小区")
    propose_member("officer", estate, name="冯五", role="owner", id_number=owner_id(5), new_account=("feng5", PASSWORD))
    confirm_group("officer", estate, now=NOW + timedelta(days=3))
    db.session.commit()
    assert not zhou.active and member.left_at == NOW + timedelta(days=3)
    assert db.session.scalar(select(Staff).where(Staff.username == "feng5")).active


def test_a_foreign_or_taken_account_cannot_be_linked(app, factory):
    estate = factory.estate(roster=estate_roster())
    other = factory.estate(roster=estate_roster())
    foreign = factory.staff(Role.PREP_GROUP, other)
    officer = factory.staff(Role.STREET_OFFICE, estate)
    with english():
        with pytest.raises(PrepError, match=f"The account {foreign.username} works for another place."):
            propose_member("officer", estate, name="某人", role="other", account=foreign)
        propose_member("officer", estate, name="刘主任", role="street_office", leader=True, account=officer)
        with pytest.raises(PrepError, match=f"The account {officer.username} already belongs to a member."):
            propose_member("officer", estate, name="刘主任", role="street_office", account=officer)


def test_street_office_forms_the_group_from_its_pages_and_the_public_sees_masked_names(app, factory):
    estate = factory.estate(roster=estate_roster())
    officer = factory.staff(Role.STREET_OFFICE, estate)
    client = login(app.test_client(), officer)
    client.post("/lang/en")
    base = f"/estates/{estate.code}/prep"
    assert app.test_client().get(f"/p/{estate.code}/prep/").status_code == 404
    client.post(
        f"{base}/members", data={"name": "刘主任", "role": "street_office", "leader": "y", "account": str(officer.id)}
    )
    client.post(f"{base}/members", data={"name": "孙书记", "role": "community", "account": "0"})
    for number in (1, 2):
        client.post(
            f"{base}/members",
            data={"name": OWNERS[number - 1][0], "role": "owner", "id_number": owner_id(number), "account": "0"},
        )
    refused = client.post(
        f"{base}/members",
        data={"name": "李四", "role": "owner", "id_number": resident_id(98), "account": "0"},
        follow_redirects=True,
    )
    assert "李四 is not an owner of this estate according to the roll" in refused.get_data(as_text=True)
    page = client.get(f"{base}/").get_data(as_text=True)
    assert "Owner representatives would be 2 of 4; at least half (2) are needed." not in page
    assert "The group would have 4 members; it needs an odd number." in page
    failed = client.post(f"{base}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "The group would have 4 members" in failed and group_of(estate).formed_at is None

    client.post(
        f"{base}/members",
        data={
            "name": "郑三",
            "role": "owner",
            "id_number": owner_id(3),
            "account": "0",
            "new_username": "zheng3",
            "new_password": PASSWORD,
        },
    )
    assert "The composition is confirmed" in client.post(f"{base}/confirm", follow_redirects=True).get_data(
        as_text=True
    )

    public = app.test_client().get(f"/p/{estate.code}/prep/").get_data(as_text=True)
    assert "周*" in public and "郑*" in public and "1幢-1-103" in public
    for secret in ("周一", "郑三", "孙书记", owner_id(1), owner_id(1)[-4:], "13900000001"):
        assert secret not in public

    member = login(app.test_client(), db.session.scalar(select(Staff).where(Staff.username == "zheng3")))
    assert member.post(f"{base}/members", data={"name": "x", "role": "other", "account": "0"}).status_code == 403
    assert member.get(f"{base}/").status_code == 200

    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.estate_id == estate.id, AuditEvent.action.like("prep.%"))
    ).all()
    assert [e.action for e in events].count("prep.propose_member") == 5
    assert [e.action for e in events][-1] == "prep.confirm"
    assert all(e.actor == officer.username and e.at is not None for e in events)
    assert published_group(estate).members[0].masked_name == "刘**"  # the leader first


def committee_vote(estate, opens_at, closes_at):
    election = create_election("test", estate, "选举业主委员会", opens_at, closes_at)
    add_committee_election("test", election, "选举第一届业主委员会", 1, candidates=["甲", "乙"])
    return election


def test_deadlines_follow_the_dates_of_the_vote(app, factory):
    estate, officer = formed_group(factory)
    election = committee_vote(estate, NOW + timedelta(days=10), NOW + timedelta(days=20))
    db.session.commit()
    (notice,) = deadlines(estate, now=NOW)
    assert (notice.kind, notice.status, notice.due_at) == ("meeting_notice", "overdue", NOW - timedelta(days=5))
    assert deadlines(estate, now=NOW - timedelta(days=6))[0].status == "due"

    # The meeting notice goes up on the board only five days before voting: late, and the vote
    # cannot open on time.
    late = publish(
        "test",
        estate,
        "meeting_notice",
        "会议通知",
        lambda _url: b"%PDF",
        published_from=NOW + timedelta(days=5),
        election_id=election.id,
    )
    late.published_at = late.published_from
    estate.roll_published_at = NOW - timedelta(days=30)
    assert deadlines(estate, now=NOW + timedelta(days=6))[0].status == "late"
    with english(), pytest.raises(ElectionError, match="The vote may open on"):
        open_election("test", election, PASSPHRASE, now=NOW + timedelta(days=10))

    add_witness(election)
    announced(election)  # an earlier notice, as the rule wants
    open_election("test", election, PASSPHRASE)
    count_vote(election)
    after = NOW + timedelta(days=29)  # 8 days after the close
    found = {d.kind: d for d in deadlines(estate, now=after)}
    assert found["meeting_notice"].status == "done"
    assert found["first_meeting"].status == "overdue" and found["filing"].status == "due"
    assert found["filing"].due_at == election.closes_at + timedelta(days=30)

    with english(), pytest.raises(PrepError, match="The date must lie between the end of the vote and today."):
        record_milestone(officer.username, election, "first_meeting", date(2026, 12, 1), now=after)
    # Voting closed 21 December, 10:00 Beijing time: the first meeting was due by the 28th.
    record_milestone(officer.username, election, "first_meeting", date(2026, 12, 29), now=after)
    record_milestone(officer.username, election, "filing", date(2026, 12, 30), now=after)
    found = {d.kind: d for d in deadlines(estate, now=after)}
    assert found["first_meeting"].status == "late" and found["filing"].status == "done"
    with english(), pytest.raises(PrepError, match="This step is already recorded."):
        record_milestone(officer.username, election, "filing", date(2026, 12, 30), now=after)


def test_the_estate_page_shows_what_is_due_and_overdue(app, factory):
    estate, officer = formed_group(factory)
    now = datetime.now(UTC)
    committee_vote(estate, now + timedelta(days=10), now + timedelta(days=12))
    committee_vote(estate, now + timedelta(days=40), now + timedelta(days=42))
    db.session.commit()
    client = login(app.test_client(), officer)
    client.post("/lang/en")
    page = client.get(f"/estates/{estate.code}").get_data(as_text=True)
    assert "Notice of the meeting on the notice board (as long before voting as the estate" in page
    assert page.count("<strong>overdue</strong>") == 1 and page.count(">due<") == 1


def test_milestones_are_recorded_by_the_street_office_from_the_group_page(app, factory):
    estate, officer = formed_group(factory)
    now = datetime.now(UTC)
    election = committee_vote(estate, now - timedelta(days=5), now - timedelta(days=2))
    add_witness(election)
    announced(election)
    open_election("test", election, PASSPHRASE)
    count_vote(election)
    client = login(app.test_client(), officer)
    today = now.astimezone(timezone(timedelta(hours=8))).date().isoformat()
    url = f"/estates/{estate.code}/prep/milestones/{election.id}"
    assert client.post(url, data={"kind": "first_meeting", "done_on": today}).status_code == 302
    assert {d.kind: d.status for d in deadlines(estate)}["first_meeting"] == "done"
    member = login(app.test_client(), db.session.scalar(select(Staff).where(Staff.username == "zhou1")))
    assert member.post(url, data={"kind": "filing", "done_on": today}).status_code == 403


def test_a_roll_that_drops_an_owner_representative_says_so_and_sends_the_group_back(app, factory):
    """The preview names the representative the new roll no longer lists; saving it proposes
    that member's leaving, so the street office must confirm a composition that keeps the rules,
    and the public page says the group awaits it."""
    from voting.roster.operations import stage_upload

    estate, officer = formed_group(factory)
    without_zhou = estate_roster(without=(1,))
    client = login(app.test_client(), officer)
    client.post("/lang/en")
    staged = stage_upload(estate, without_zhou, "new.csv", officer.id)
    db.session.commit()
    preview = html.unescape(client.get(f"/estates/{estate.code}/roll/import/{staged.id}").get_data(as_text=True))
    assert "This roll no longer lists 周一 as an owner, who represents the owners in the preparation group." in preview
    assert client.post(f"/estates/{estate.code}/roll/import/{staged.id}").status_code == 302

    db.session.expire_all()
    [zhou] = [m for m in group_of(estate).members if m.name == "周一"]
    assert zhou.is_current and zhou.leave_reason.startswith("No longer an owner of this estate according to the roll")
    public = html.unescape(client.get(f"/p/{estate.code}/prep/").get_data(as_text=True))
    assert "1 member no longer fits the group" in public
    with english(), pytest.raises(CompositionRejected) as rejected:
        confirm_group(officer.username, estate, now=NOW)
    assert "The group would have 4 members; it needs an odd number." in rejected.value.faults
