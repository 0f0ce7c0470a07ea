"""staff session token: logging out and a new password end every login of the account

Revision ID: 5f1c2a9d7e3b
Revises: 5b1e0f3c9d2a
Create Date: 2026-12-10 10:00:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '5f1c2a9d7e3b'
down_revision = '5b1e0f3c9d2a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=32), nullable=True))
    # Each account a token of its own; sessions from before carry none and end (log in again).
    staff = sa.table('staff', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    connection = op.get_bind()
    for (staff_id,) in connection.execute(sa.select(staff.c.id)).all():
        connection.execute(staff.update().where(staff.c.id == staff_id)
                           .values(session_token=secrets.token_urlsafe(24)))
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=32), nullable=False)


def downgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('session_token')
