"""roster uploads keep their parse result, encrypted, not the file

Revision ID: 5b1e0f3c9d2a
Revises: dbb4d6a6e6f0
Create Date: 2026-12-05 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '5b1e0f3c9d2a'
down_revision = 'dbb4d6a6e6f0'
branch_labels = None
depends_on = None


def upgrade():
    # Unconfirmed uploads hold files in plain text and expire within a day anyway: they go, and
    # whoever uploaded one uploads it again.
    op.execute(sa.text('DELETE FROM roster_upload'))
    with op.batch_alter_table('roster_upload', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parsed_enc', sa.LargeBinary(), nullable=False))
        batch_op.drop_column('content')


def downgrade():
    op.execute(sa.text('DELETE FROM roster_upload'))
    with op.batch_alter_table('roster_upload', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content', sa.LargeBinary(), nullable=False))
        batch_op.drop_column('parsed_enc')
