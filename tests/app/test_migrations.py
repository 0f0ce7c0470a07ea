"""The schema comes only from migrations: after `upgrade head` the models must agree with it."""

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from tests.elections_kit import NOW
from tests.factories import small_roster
from voting.auth.models import Role, Staff
from voting.elections.models import Candidate, Motion
from voting.elections.operations import add_committee_election, add_motion, create_election
from voting.estates.models import Building, Unit
from voting.extensions import db
from voting.roster.models import Voter


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_check_constraints_hold_in_the_database(app, factory):
    estate = factory.estate()
    building = Building(estate_id=estate.id, name="9幢")
    db.session.add(building)
    db.session.flush()
    db.session.add(
        Unit(
            estate_id=estate.id,
            building_id=building.id,
            room="1",
            label="9幢-1",
            use="住宅",
            area=0,
            area_source="登记",
            status="已交付",
            source_row=2,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_a_voter_may_hold_no_area_but_never_less(app, factory):
    """No area: the owner of only a parking space, where the estate leaves parking's area out."""
    estate = factory.estate()
    db.session.add(Voter(estate_id=estate.id, code="v00001", owner_key="a", area=0, heads=1))
    db.session.flush()
    db.session.add(Voter(estate_id=estate.id, code="v00002", owner_key="b", area=-1, heads=1))
    with pytest.raises(IntegrityError):
        db.session.flush()


@pytest.mark.parametrize(
    "item, kind, seats",
    [(8, "ordinary", None), (5, "major", None), (4, "committee", 1), (0, "ordinary", None), (10, "ordinary", None)],
)
def test_the_database_refuses_a_motion_whose_kind_contradicts_its_item(app, factory, item, kind, seats):
    election = create_election("test", factory.estate(), "表决", NOW, NOW + timedelta(days=1))
    db.session.add(Motion(election=election, position=1, motion_id="m1", item=8, kind="major", title="改变绿地用途"))
    db.session.flush()  # the same motion with a matching kind is taken
    db.session.add(
        Motion(election=election, position=2, motion_id="m2", item=item, kind=kind, title="改变绿地用途", seats=seats)
    )
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_the_migration_gives_stored_motions_the_item_their_kind_allows(app, factory):
    """Back to the schema before items, with a draft's motions, and up again: each motion gets the
    item its kind allows (see the migration), the checks hold. (A vote opened before format 2
    stops the upgrade: test_the_upgrade_to_format_2_refuses_votes_opened_under_format_1.)"""
    election = create_election("test", factory.estate(roster=small_roster()), "表决", NOW, NOW + timedelta(days=1))
    add_motion("test", election, 4, "选聘物业服务企业")
    add_motion("test", election, 6, "筹集住宅专项维修资金")
    add_committee_election("test", election, "选举业主委员会", 2, candidates=["甲", "乙", "丙"])
    db.session.commit()
    db.session.remove()
    db.engine.dispose()
    try:
        downgrade(revision="3535cb7784af")
    finally:
        upgrade()
    assert db.session.execute(select(Motion.kind, Motion.item).order_by(Motion.position)).all() == [
        ("ordinary", 9),
        ("major", 8),
        ("committee", 3),
    ]
    assert len(db.session.scalars(select(Candidate)).all()) == 3
    with pytest.raises(IntegrityError):
        db.session.execute(update(Motion).where(Motion.kind == "major").values(kind="ordinary"))


def test_the_upgrade_to_format_2_refuses_votes_opened_under_format_1(app, factory):
    """Such a vote's ballots carry format-1 signatures that this version neither makes nor counts:
    the upgrade stops, naming the vote, and the vote stays as it was."""
    public_id = create_election("test", factory.estate(), "表决", NOW, NOW + timedelta(days=1)).public_id
    db.session.commit()
    db.session.remove()
    db.engine.dispose()
    downgrade(revision="a0c6e3d87fc7")  # the last schema of format 1
    opened = text("UPDATE election SET state = :state WHERE public_id = :public_id")
    try:
        with db.engine.begin() as connection:
            connection.execute(opened, {"state": "open", "public_id": public_id})
        with pytest.raises(SystemExit):  # flask_migrate reports the migration's refusal and exits
            upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "a0c6e3d87fc7"
            assert (
                connection.execute(
                    text("SELECT state FROM election WHERE public_id = :public_id"), {"public_id": public_id}
                ).scalar()
                == "open"
            )
    finally:
        with db.engine.begin() as connection:
            connection.execute(opened, {"state": "draft", "public_id": public_id})
        upgrade()


def test_the_migration_gives_each_account_a_session_token_of_its_own(app, factory):
    """Down to the schema before session tokens and up again: every account gets its own token,
    so sessions from before the upgrade end (their cookies name none)."""
    estate = factory.estate()
    ids = [factory.staff(Role.CLERK, estate).id for _ in range(2)]
    db.session.remove()
    db.engine.dispose()
    try:
        downgrade(revision="dbb4d6a6e6f0")
    finally:
        upgrade()
    tokens = db.session.scalars(select(Staff.session_token).where(Staff.id.in_(ids))).all()
    assert len(set(tokens)) == 2 and all(len(token) == 32 for token in tokens)
