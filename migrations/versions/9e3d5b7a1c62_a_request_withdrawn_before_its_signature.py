"""a credential request withdrawn before its requester signed it stays unsigned

Revision ID: 9e3d5b7a1c62
Revises: 5c1e7a9d2b40
Create Date: 2026-12-04 15:05:00

"""

from alembic import op

revision = "9e3d5b7a1c62"
down_revision = "5c1e7a9d2b40"
branch_labels = None
depends_on = None

SIGNED = "(status = 'prepared') = (requester_signature IS NULL)"


def upgrade():
    with op.batch_alter_table("credential_request", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_credential_request_requested_is_signed"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_credential_request_requested_is_signed"), f"status = 'withdrawn' OR {SIGNED}"
        )


def downgrade():
    # Withdrawn before signing had no place in the old rule: such requests go, as if never made.
    op.execute("DELETE FROM credential_request WHERE status = 'withdrawn' AND requester_signature IS NULL")
    with op.batch_alter_table("credential_request", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_credential_request_requested_is_signed"), type_="check")
        batch_op.create_check_constraint(op.f("ck_credential_request_requested_is_signed"), SIGNED)
