"""each motion names its Civil Code art. 278 item

Revision ID: 8307277104ad
Revises: 853984877c8a
Create Date: 2026-12-03 14:03:33.491051

A motion now names the item of Civil Code art. 278 para. 1 it decides, and its kind (the
threshold) follows from the item: items 6–8 major, the others ordinary, a committee election item 3.
Motions stored before named no item, so each gets the one its kind allows, keeping the threshold it
was drafted (and perhaps voted and counted) with:

- committee → 3 (electing the owners' committee): certain.
- ordinary → 9 (other matters of common ownership and joint management): the catch-all item. Items
  1–5 and 9 are all ordinary, and which one the motion meant is not stored; 9 claims no more than
  that, and the threshold stays ordinary.
- major → 8 (changing the use of common parts or running a business on them): a guess. Items 6, 7
  and 8 are all major and nothing stored tells them apart; 8 keeps the threshold at three quarters,
  which is what the motion was drafted with. A motion the group had labelled major though its
  matter is ordinary (e.g. using the maintenance fund, item 5) stays major: the migration does not
  change a threshold after the fact.

Frozen definitions are left as they are: the election hash that every ballot of an open or counted
vote signs covers them, so those records and their results pages carry no item.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8307277104ad'
down_revision = '853984877c8a'
branch_labels = None
depends_on = None

motion = sa.table('motion', sa.column('kind', sa.String()), sa.column('item', sa.Integer()))
LEGACY_ITEM = sa.case((motion.c.kind == 'committee', 3), (motion.c.kind == 'major', 8), else_=9)


def upgrade():
    with op.batch_alter_table('motion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item', sa.Integer(), nullable=True))
    op.execute(motion.update().values(item=LEGACY_ITEM))
    with op.batch_alter_table('motion', schema=None) as batch_op:
        batch_op.alter_column('item', existing_type=sa.Integer(), nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_motion_item_of_art_278'), 'item BETWEEN 1 AND 9')
        batch_op.create_check_constraint(batch_op.f('ck_motion_kind_follows_item'),
                                         "kind = 'committee' OR (item IN (6, 7, 8)) = (kind = 'major')")
        batch_op.create_check_constraint(batch_op.f('ck_motion_committee_is_item_3'), "kind <> 'committee' OR item = 3")


def downgrade():
    with op.batch_alter_table('motion', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_motion_committee_is_item_3'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_motion_kind_follows_item'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_motion_item_of_art_278'), type_='check')
        batch_op.drop_column('item')
