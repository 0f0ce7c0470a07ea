"""motions decided within buildings, stairwells or units; the voters' weights there

Revision ID: 7d2f4c8e1a35
Revises: b7d41c2e9a05
Create Date: 2026-12-04 16:46:42

A motion's parts are kept by name (a building, a stairwell, a unit label) until the vote opens;
then each voter's weight in each scope is frozen with the roll.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d2f4c8e1a35'
down_revision = 'b7d41c2e9a05'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('election_voter_scope',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('election_voter_id', sa.Integer(), nullable=False),
    sa.Column('scope_id', sa.String(length=20), nullable=False),
    sa.Column('area', sa.Integer(), nullable=False),
    sa.CheckConstraint('area >= 0', name=op.f('ck_election_voter_scope_area_not_negative')),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_election_voter_scope_election_id_election')),
    sa.ForeignKeyConstraint(['election_voter_id'], ['election_voter.id'], name=op.f('fk_election_voter_scope_election_voter_id_election_voter')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_election_voter_scope')),
    sa.UniqueConstraint('election_voter_id', 'scope_id', name=op.f('uq_election_voter_scope_election_voter_id_scope_id'))
    )
    with op.batch_alter_table('election_voter_scope', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_election_voter_scope_election_id'), ['election_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_election_voter_scope_election_voter_id'), ['election_voter_id'], unique=False)

    op.create_table('motion_scope_part',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('motion_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('building', sa.String(length=40), nullable=False),
    sa.Column('entrance', sa.String(length=20), nullable=False),
    sa.Column('unit_label', sa.String(length=120), nullable=False),
    sa.CheckConstraint("(kind = 'stairwell') = (entrance <> '')", name=op.f('ck_motion_scope_part_entrance_of_stairwell')),
    sa.CheckConstraint("(kind = 'unit') = (building = '')", name=op.f('ck_motion_scope_part_building_unless_unit')),
    sa.CheckConstraint("(kind = 'unit') = (unit_label <> '')", name=op.f('ck_motion_scope_part_unit_names_its_label')),
    sa.CheckConstraint("kind IN ('building', 'stairwell', 'unit')", name=op.f('ck_motion_scope_part_kind_known')),
    sa.ForeignKeyConstraint(['motion_id'], ['motion.id'], name=op.f('fk_motion_scope_part_motion_id_motion')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_motion_scope_part')),
    sa.UniqueConstraint('motion_id', 'building', 'entrance', 'unit_label', name=op.f('uq_motion_scope_part_motion_id_building_entrance_unit_label')),
    sa.UniqueConstraint('motion_id', 'position', name=op.f('uq_motion_scope_part_motion_id_position'))
    )
    with op.batch_alter_table('motion_scope_part', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_motion_scope_part_motion_id'), ['motion_id'], unique=False)



def downgrade():
    with op.batch_alter_table('motion_scope_part', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_motion_scope_part_motion_id'))

    op.drop_table('motion_scope_part')
    with op.batch_alter_table('election_voter_scope', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_election_voter_scope_election_voter_id'))
        batch_op.drop_index(batch_op.f('ix_election_voter_scope_election_id'))

    op.drop_table('election_voter_scope')
