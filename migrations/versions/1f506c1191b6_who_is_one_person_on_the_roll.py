"""who is one person on the roll: the developer's credit code, sole and joint titles, parking-only owners

Revision ID: 1f506c1191b6
Revises: 4f8a2c6e1d93
Create Date: 2026-12-05 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "1f506c1191b6"
down_revision = "4f8a2c6e1d93"
branch_labels = None
depends_on = None

ESTATE_CHECKS = {
    "developer_credit_code_length": "length(developer_credit_code) IN (0, 18)",
    "buyers_known": "buyers IN ('title', 'person')",
}


def upgrade():
    with op.batch_alter_table("estate", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("developer_credit_code", sa.String(length=18), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("buyers", sa.String(length=10), server_default="title", nullable=False))
    # Autogenerate does not compare check constraints: added by hand.
    with op.batch_alter_table("estate", schema=None) as batch_op:
        for name, condition in ESTATE_CHECKS.items():
            batch_op.create_check_constraint(op.f(f"ck_estate_{name}"), condition)
    # The owner of only a parking space keeps a head without area where parking's area is left out.
    with op.batch_alter_table("voter", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_voter_area_positive"), type_="check")
        batch_op.create_check_constraint(op.f("ck_voter_area_not_negative"), "area >= 0")


def downgrade():
    # The old rule left such owners off the roll: their units go back to no voter, as it had them.
    op.execute("UPDATE unit SET voter_id = NULL WHERE voter_id IN (SELECT id FROM voter WHERE area = 0)")
    op.execute("DELETE FROM voter WHERE area = 0")
    with op.batch_alter_table("voter", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_voter_area_not_negative"), type_="check")
        batch_op.create_check_constraint(op.f("ck_voter_area_positive"), "area > 0")
    with op.batch_alter_table("estate", schema=None) as batch_op:
        for name in ESTATE_CHECKS:
            batch_op.drop_constraint(op.f(f"ck_estate_{name}"), type_="check")
    with op.batch_alter_table("estate", schema=None) as batch_op:
        batch_op.drop_column("buyers")
        batch_op.drop_column("developer_credit_code")
