"""spent sign-in challenges: a phone's answer to a challenge is taken once

Revision ID: 7c4e1b8a2d90
Revises: 5f1c2a9d7e3b
Create Date: 2026-12-10 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '7c4e1b8a2d90'
down_revision = '5f1c2a9d7e3b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('spent_challenge',
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('spent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('nonce', name=op.f('pk_spent_challenge'))
    )
    with op.batch_alter_table('spent_challenge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spent_challenge_spent_at'), ['spent_at'], unique=False)


def downgrade():
    with op.batch_alter_table('spent_challenge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spent_challenge_spent_at'))
    op.drop_table('spent_challenge')
