"""The schema comes only from migrations: after `upgrade head` the models must agree with it."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sqlalchemy.exc import IntegrityError

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
