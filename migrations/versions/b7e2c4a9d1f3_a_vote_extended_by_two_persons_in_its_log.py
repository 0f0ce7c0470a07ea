"""a vote's period extended by two persons: extension requests, and `extension` entries in the log

Revision ID: b7e2c4a9d1f3
Revises: 3a7d9c1e5b24
Create Date: 2026-12-04 17:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b7e2c4a9d1f3"
down_revision = "3a7d9c1e5b24"
branch_labels = None
depends_on = None

# Autogenerate does not compare check constraints: the log's entry kinds are changed by hand.
KINDS_BEFORE = "kind IN ('ballot', 'handin', 'credential', 'notices')"
KINDS_AFTER = "kind IN ('ballot', 'handin', 'credential', 'notices', 'extension')"


def _entry_kinds(condition):
    with op.batch_alter_table("log_entry", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_log_entry_kind_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_log_entry_kind_known"), condition)


def upgrade():
    op.create_table(
        "extension_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("previous_closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=9), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("requester_signature", sa.String(length=88), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("log_seq", sa.Integer(), nullable=True),
        sa.Column("board_notice_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("closes_at > previous_closes_at", name=op.f("ck_extension_request_closes_later")),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_extension_request_reason_given")),
        sa.CheckConstraint(
            "status = 'withdrawn' OR (status = 'prepared') = (requester_signature IS NULL)",
            name=op.f("ck_extension_request_requested_is_signed"),
        ),
        sa.CheckConstraint(
            "(status IN ('approved', 'withdrawn')) = (decided_at IS NOT NULL AND decided_by_id IS NOT NULL)",
            name=op.f("ck_extension_request_decided_has_decider"),
        ),
        sa.CheckConstraint(
            "(status = 'approved') = (log_seq IS NOT NULL)", name=op.f("ck_extension_request_approved_is_logged")
        ),
        sa.CheckConstraint(
            "status IN ('prepared', 'requested', 'approved', 'withdrawn')",
            name=op.f("ck_extension_request_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["board_notice_id"], ["board_notice.id"], name=op.f("fk_extension_request_board_notice_id_board_notice")
        ),
        sa.ForeignKeyConstraint(["decided_by_id"], ["staff.id"], name=op.f("fk_extension_request_decided_by_id_staff")),
        sa.ForeignKeyConstraint(["election_id"], ["election.id"], name=op.f("fk_extension_request_election_id_election")),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["officer.id"], name=op.f("fk_extension_request_requester_id_officer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extension_request")),
    )
    with op.batch_alter_table("extension_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_extension_request_election_id"), ["election_id"], unique=False)
    _entry_kinds(KINDS_AFTER)


def downgrade():
    # Fails while a log holds an extension entry: the earlier release cannot verify such a record.
    _entry_kinds(KINDS_BEFORE)
    with op.batch_alter_table("extension_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extension_request_election_id"))
    op.drop_table("extension_request")
