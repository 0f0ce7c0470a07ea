"""objections to the published owner roll and to a unit's voting rights, with their answers

Revision ID: 4f8a2c6e1d93
Revises: b7e2c4a9d1f3
Create Date: 2026-12-04 17:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "4f8a2c6e1d93"
down_revision = "b7e2c4a9d1f3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "roll_objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("ground", sa.String(length=10), nullable=False),
        sa.Column("about_unit", sa.String(length=120), nullable=True),
        sa.Column("ref", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("unit_label", sa.String(length=120), nullable=False),
        sa.Column("owner_id_hash", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lodged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint("channel IN ('online', 'paper')", name=op.f("ck_roll_objection_channel_known")),
        sa.CheckConstraint("(answer IS NULL) = (answered_at IS NULL)", name=op.f("ck_roll_objection_answer_is_dated")),
        sa.CheckConstraint(
            "ground IN ('area', 'owner', 'status', 'missing', 'other')", name=op.f("ck_roll_objection_ground_known")
        ),
        sa.CheckConstraint(
            "ground = 'other' OR about_unit IS NOT NULL", name=op.f("ck_roll_objection_names_its_unit")
        ),
        sa.ForeignKeyConstraint(["estate_id"], ["estate.id"], name=op.f("fk_roll_objection_estate_id_estate")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roll_objection")),
        sa.UniqueConstraint("ref", name=op.f("uq_roll_objection_ref")),
    )
    with op.batch_alter_table("roll_objection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roll_objection_estate_id"), ["estate_id"], unique=False)


def downgrade():
    with op.batch_alter_table("roll_objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roll_objection_estate_id"))
    op.drop_table("roll_objection")
