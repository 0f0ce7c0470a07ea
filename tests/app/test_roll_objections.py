"""Objections to the published owner roll and to a unit's voting rights (指导规则 art. 12): an
owner objects from the public roll or on paper through the group, the group answers each in
writing, the answers stand beside the public roll; none is taken before the roll is published
or once a vote has opened on it; another estate's group answers none of them."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.elections_kit import open_vote
from tests.factories import login, resident_id, small_roster
from voting.audit.models import AuditEvent
from voting.auth.models import Role
from voting.extensions import db
from voting.objections.models import ObjectionError
from voting.roster.models import RollObjection
from voting.roster.objections import answer_roll_objection, lodge_roll_objection, record_paper_roll_objection
from voting.roster.operations import publish_roll
from voting.timeutil import utcnow

ZHAO = ("1幢-2-101", resident_id(4))  # the roll's sole owner of 1幢-2-101 (tests.factories.small_roster)


@pytest.fixture
def published(app, factory):
    """An estate with its roll published, and its preparation group's account."""
    estate = factory.estate(roster=small_roster())
    group = factory.staff(Role.PREP_GROUP, estate)
    publish_roll(group.username, estate)
    db.session.commit()
    return estate, group


def test_an_owner_objects_on_the_public_roll_and_reads_the_published_answer(app, published, english):
    estate, group = published
    public = app.test_client()
    lodged = public.post(
        f"/p/{estate.code}/roll",
        data={
            "unit_label": ZHAO[0],
            "id_last4": ZHAO[1][-4:],
            "ground": "area",
            "about_unit": "1幢-1-102",
            "text": "1幢-1-102的面积应为登记面积89.00平方米。",
        },
    )
    assert lodged.status_code == 302
    objection = db.session.scalar(select(RollObjection))
    assert lodged.location == f"/p/{estate.code}/roll/objections/{objection.ref}"
    assert (objection.channel, objection.unit_label, objection.ground, objection.about_unit) == (
        "online",
        ZHAO[0],
        "area",
        "1幢-1-102",
    )
    assert "Not answered yet." in public.get(lodged.location).get_data(as_text=True)

    group_client = login(app.test_client(), group)
    page = group_client.get(f"/estates/{estate.code}/roll/objections").get_data(as_text=True)
    assert "1幢-1-102的面积应为登记面积89.00平方米。" in page
    answered = group_client.post(
        f"/estates/{estate.code}/roll/objections/{objection.id}/answer",
        data={"answer": "经核对不动产登记簿，1幢-1-102面积已更正。"},
    )
    assert answered.status_code == 302
    roll = public.get(f"/p/{estate.code}/roll").get_data(as_text=True)
    assert "经核对不动产登记簿，1幢-1-102面积已更正。" in roll and "The area of a unit: 1幢-1-102" in roll
    assert "1幢-1-102的面积应为登记面积89.00平方米。" not in roll  # the objection itself stays with its owner
    assert "经核对不动产登记簿" in public.get(lodged.location).get_data(as_text=True)
    with pytest.raises(ObjectionError, match="This objection is already answered."):
        answer_roll_objection(group.username, objection, "再答一次")

    events = db.session.scalars(select(AuditEvent).where(AuditEvent.estate_id == estate.id)).all()
    assert [(e.actor, e.action) for e in events if e.action in ("roster.objection", "roster.answer")] == [
        (f"owner:{ZHAO[0]}", "roster.objection"),
        (group.username, "roster.answer"),
    ]


def test_a_paper_objection_is_keyed_by_the_group_and_checked_against_the_roll(app, published, english):
    estate, group = published
    client = login(app.test_client(), group)
    form = {
        "unit_label": ZHAO[0],
        "id_number": resident_id(3),  # 王五's: not an owner of 1幢-2-101
        "ground": "missing",
        "about_unit": "1幢-2-102",
        "received_on": (utcnow() + timedelta(hours=8)).date().isoformat(),
        "text": "1幢-2-102未列入名册。",
    }
    refused = client.post(f"/estates/{estate.code}/roll/objections", data=form)
    assert refused.status_code == 422
    assert "The roll lists no owner of unit 1幢-2-101 with this ID number." in refused.get_data(as_text=True)
    recorded = client.post(f"/estates/{estate.code}/roll/objections", data=form | {"id_number": ZHAO[1]})
    assert recorded.status_code == 302
    objection = db.session.scalar(select(RollObjection))
    assert (objection.channel, objection.recorded_by, objection.ground) == ("paper", group.username, "missing")
    with pytest.raises(ObjectionError, match="Name the unit the objection is about."):
        record_paper_roll_objection(group.username, estate, ZHAO[0], ZHAO[1], "area", " ", "面积不对", utcnow())


def test_no_objection_before_the_roll_is_published_or_once_a_vote_opened_on_it(app, factory, english):
    estate = factory.estate(roster=small_roster())
    group = factory.staff(Role.PREP_GROUP, estate)
    with pytest.raises(ObjectionError, match="The owner roll is not published"):
        lodge_roll_objection(estate, ZHAO[0], ZHAO[1][-4:], "other", "", "名册有误")
    paper = login(app.test_client(), group).post(
        f"/estates/{estate.code}/roll/objections",
        data={
            "unit_label": ZHAO[0],
            "id_number": ZHAO[1],
            "ground": "other",
            "received_on": utcnow().date().isoformat(),
            "text": "名册有误",
        },
    )
    assert paper.status_code == 422 and "The owner roll is not published" in paper.get_data(as_text=True)
    assert app.test_client().get(f"/p/{estate.code}/roll").status_code == 404

    publish_roll(group.username, estate)
    lodge_roll_objection(estate, ZHAO[0], ZHAO[1][-4:], "other", "", "名册有误")
    open_vote(estate, now=utcnow())
    with pytest.raises(ObjectionError, match="has opened on this roll"):
        lodge_roll_objection(estate, ZHAO[0], ZHAO[1][-4:], "status", "1幢-1-101", "状态有误")
    page = app.test_client().get(f"/p/{estate.code}/roll").get_data(as_text=True)
    assert "has opened on this roll" in page and 'name="id_last4"' not in page
    assert db.session.scalar(select(db.func.count()).select_from(RollObjection)) == 1


def test_another_estates_group_cannot_answer(app, factory, published):
    estate, group = published
    theirs = factory.estate(roster=small_roster())
    their_group = factory.staff(Role.PREP_GROUP, theirs)
    publish_roll(their_group.username, theirs)
    mine = lodge_roll_objection(estate, ZHAO[0], ZHAO[1][-4:], "owner", "1幢-1-101", "业主姓名有误")
    their_own = lodge_roll_objection(theirs, ZHAO[0], ZHAO[1][-4:], "owner", "1幢-1-101", "业主姓名有误")
    db.session.commit()
    intruder = login(app.test_client(), their_group)
    answer = {"answer": "不予采纳"}
    assert intruder.post(f"/estates/{estate.code}/roll/objections/{mine.id}/answer", data=answer).status_code == 404
    assert intruder.post(f"/estates/{theirs.code}/roll/objections/{mine.id}/answer", data=answer).status_code == 404
    assert intruder.get(f"/estates/{estate.code}/roll/objections").status_code == 404
    db.session.refresh(mine)
    assert mine.answer is None
    # The same route answers their own objection: the refusals above are of the estate, not the route.
    assert (
        intruder.post(f"/estates/{theirs.code}/roll/objections/{their_own.id}/answer", data=answer).status_code == 302
    )
    db.session.refresh(their_own)
    assert their_own.answer == "不予采纳" and their_own.answered_by == their_group.username
