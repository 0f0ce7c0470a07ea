"""private roll: units salt and commitment per voter; publish_units off by default

Revision ID: 853984877c8a
Revises: 4790757bab38
Create Date: 2026-12-03 13:48:06.127946

Voters of votes opened before this get a salt and commitment too, so the columns can be NOT
NULL; their notices were printed without the salt, so nobody can use it, and their frozen
rolls (and hashes) stay as they were.
"""
import json

from alembic import op
import sqlalchemy as sa

from voting.core.canonical import b64e
from voting.core.roll import new_salt, units_commitment


# revision identifiers, used by Alembic.
revision = '853984877c8a'
down_revision = '4790757bab38'
branch_labels = None
depends_on = None

election_voter = sa.table(
    'election_voter',
    sa.column('id', sa.Integer()), sa.column('units_json', sa.Text()),
    sa.column('units_salt', sa.String()), sa.column('units_commitment', sa.String()),
)


def upgrade():
    with op.batch_alter_table('election_voter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('units_salt', sa.String(length=22), nullable=True))
        batch_op.add_column(sa.Column('units_commitment', sa.String(length=43), nullable=True))

    connection = op.get_bind()
    for voter_id, units_json in connection.execute(sa.select(election_voter.c.id, election_voter.c.units_json)).all():
        salt = new_salt()
        connection.execute(election_voter.update().where(election_voter.c.id == voter_id).values(
            units_salt=b64e(salt), units_commitment=units_commitment(salt, json.loads(units_json))))

    with op.batch_alter_table('election_voter', schema=None) as batch_op:
        batch_op.alter_column('units_salt', existing_type=sa.String(length=22), nullable=False)
        batch_op.alter_column('units_commitment', existing_type=sa.String(length=43), nullable=False)
    with op.batch_alter_table('election', schema=None) as batch_op:
        batch_op.alter_column('publish_units', existing_type=sa.Boolean(), server_default=sa.false())
    # The setting now shows owners how each unit voted; drafts took the old default (publish unit
    # numbers in the record) without any assembly deciding that, so they start off again.
    connection.execute(sa.text("UPDATE election SET publish_units = :off WHERE state = 'draft'").bindparams(off=False))


def downgrade():
    with op.batch_alter_table('election', schema=None) as batch_op:
        batch_op.alter_column('publish_units', existing_type=sa.Boolean(), server_default=None)
    with op.batch_alter_table('election_voter', schema=None) as batch_op:
        batch_op.drop_column('units_commitment')
        batch_op.drop_column('units_salt')
