"""choice motions and their options

Revision ID: b7d41c2e9a05
Revises: 1f506c1191b6
Create Date: 2026-12-05 10:00:00

A motion may be a choice among several options (which property services company, which
management mode): kind "choice", whose threshold follows from the item it names like a question's,
with its options in a table of their own.
"""

import sqlalchemy as sa
from alembic import op

revision = "b7d41c2e9a05"
down_revision = "1f506c1191b6"
branch_labels = None
depends_on = None

KINDS = "kind IN ('ordinary', 'major', 'committee'{})"
FOLLOWS = "kind {} OR (item IN (6, 7, 8)) = (kind = 'major')"


def upgrade():
    with op.batch_alter_table("motion", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_motion_kind_known"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_motion_kind_follows_item"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_motion_kind_known"), KINDS.format(", 'choice'"))
        batch_op.create_check_constraint(
            batch_op.f("ck_motion_kind_follows_item"), FOLLOWS.format("IN ('committee', 'choice')")
        )
    op.create_table(
        "motion_option",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("motion_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["motion_id"], ["motion.id"], name=op.f("fk_motion_option_motion_id_motion")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_motion_option")),
        sa.UniqueConstraint("motion_id", "option_id", name=op.f("uq_motion_option_motion_id_option_id")),
        sa.UniqueConstraint("motion_id", "position", name=op.f("uq_motion_option_motion_id_position")),
    )
    with op.batch_alter_table("motion_option", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_motion_option_motion_id"), ["motion_id"], unique=False)


def downgrade():
    # Choice motions had no place before: while one exists the restored check refuses it and the
    # downgrade stops, changing nothing; whoever downgrades decides what becomes of those votes.
    with op.batch_alter_table("motion_option", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_motion_option_motion_id"))
    op.drop_table("motion_option")
    with op.batch_alter_table("motion", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_motion_kind_follows_item"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_motion_kind_known"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_motion_kind_known"), KINDS.format(""))
        batch_op.create_check_constraint(batch_op.f("ck_motion_kind_follows_item"), FOLLOWS.format("= 'committee'"))
