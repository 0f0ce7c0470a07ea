"""candidate lists elect the whole committee or, in a by-election (补选), the seats it left unfilled

Revision ID: c3a8f1d92b47
Revises: b7d2e4f6a8c1
Create Date: 2026-12-04 18:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c3a8f1d92b47"
down_revision = "b7d2e4f6a8c1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("candidate_list", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=12), server_default="election", nullable=False))
        batch_op.create_check_constraint(op.f("ck_candidate_list_kind_known"), "kind IN ('election', 'by_election')")
    # Fewer seats than the smallest committee (指导规则 art. 31: 5) can only have been a by-election.
    op.execute("UPDATE candidate_list SET kind = 'by_election' WHERE seats < 5")


def downgrade():
    with op.batch_alter_table("candidate_list", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_candidate_list_kind_known"), type_="check")
        batch_op.drop_column("kind")
