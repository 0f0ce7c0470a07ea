"""motions carry the full text they decide as PDF documents, hashed into the record

Revision ID: 3a7d9c1e5b24
Revises: 9e3d5b7a1c62
Create Date: 2026-12-04 17:10:00

"""

import sqlalchemy as sa
from alembic import op

import voting.timeutil

revision = "3a7d9c1e5b24"
down_revision = "9e3d5b7a1c62"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "motion_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("motion_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=43), nullable=False),
        sa.Column("attached_by", sa.String(length=100), nullable=False),
        sa.Column("attached_at", voting.timeutil.UTCDateTime(), nullable=False),
        sa.CheckConstraint("length(sha256) = 43", name=op.f("ck_motion_document_sha256_is_b64_of_32_bytes")),
        sa.CheckConstraint("size > 0", name=op.f("ck_motion_document_size_positive")),
        sa.ForeignKeyConstraint(["election_id"], ["election.id"], name=op.f("fk_motion_document_election_id_election")),
        sa.ForeignKeyConstraint(["motion_id"], ["motion.id"], name=op.f("fk_motion_document_motion_id_motion")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_motion_document")),
        sa.UniqueConstraint("motion_id", "position", name=op.f("uq_motion_document_motion_id_position")),
    )
    with op.batch_alter_table("motion_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_motion_document_election_id"), ["election_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_motion_document_motion_id"), ["motion_id"], unique=False)


def downgrade():
    with op.batch_alter_table("motion_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_motion_document_motion_id"))
        batch_op.drop_index(batch_op.f("ix_motion_document_election_id"))
    op.drop_table("motion_document")
