"""The schema comes only from migrations: after `upgrade head` the models must agree with it."""

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from tests.elections_kit import NOW, open_vote
from tests.factories import small_roster
from voting.elections.models import Candidate, Election, Motion
from voting.elections.operations import create_election
from voting.estates.models import Building, Unit
from voting.extensions import db


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
    db.session.add(Unit(estate_id=estate.id, building_id=building.id, room="1", label="9幢-1",
                        use="住宅", area=0, area_source="登记", status="已交付", source_row=2))
    with pytest.raises(IntegrityError):
        db.session.flush()


@pytest.mark.parametrize("item, kind, seats", [(8, "ordinary", None), (5, "major", None), (4, "committee", 1),
                                               (0, "ordinary", None), (10, "ordinary", None)])
def test_the_database_refuses_a_motion_whose_kind_contradicts_its_item(app, factory, item, kind, seats):
    election = create_election("test", factory.estate(), "表决", NOW, NOW + timedelta(days=1))
    db.session.add(Motion(election=election, position=1, motion_id="m1", item=8, kind="major", title="改变绿地用途"))
    db.session.flush()  # the same motion with a matching kind is taken
    db.session.add(Motion(election=election, position=2, motion_id="m2", item=item, kind=kind, title="改变绿地用途",
                          seats=seats))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_the_migration_gives_stored_motions_the_item_their_kind_allows(app, factory):
    """Back to the schema before items, with an open vote's motions, and up again: each motion gets
    the item its kind allows (see the migration), the frozen definition stays, the checks hold."""
    election = open_vote(factory.estate(roster=small_roster())).election  # items 4, 6 and 3
    frozen = election.definition_json
    db.session.remove()
    db.engine.dispose()
    try:
        downgrade(revision="3535cb7784af")
    finally:
        upgrade()
    assert db.session.execute(select(Motion.kind, Motion.item).order_by(Motion.position)).all() == [
        ("ordinary", 9), ("major", 8), ("committee", 3)]
    assert db.session.get(Election, election.id).definition_json == frozen
    assert len(db.session.scalars(select(Candidate)).all()) == 3
    with pytest.raises(IntegrityError):
        db.session.execute(update(Motion).where(Motion.kind == "major").values(kind="ordinary"))
