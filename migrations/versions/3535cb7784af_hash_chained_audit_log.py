"""hash-chained audit log

Revision ID: 3535cb7784af
Revises: 030b8a9fa4a4
Create Date: 2026-11-22 02:50:42.562575

Events already stored join the chain in id order, exactly as record_event would have chained
them, so `flask --app voting audit verify` covers the whole log and not only what follows.
"""
from datetime import timezone

from alembic import op
import sqlalchemy as sa

from voting.core.canonical import b64e, b64h, format_time


# revision identifiers, used by Alembic.
revision = '3535cb7784af'
down_revision = '030b8a9fa4a4'
branch_labels = None
depends_on = None

EMPTY_CHAIN = b64e(bytes(32))
audit_event = sa.table(
    'audit_event',
    sa.column('id', sa.Integer()), sa.column('at', sa.DateTime(timezone=True)), sa.column('actor', sa.String()),
    sa.column('action', sa.String()), sa.column('estate_id', sa.Integer()), sa.column('target', sa.String()),
    sa.column('detail_json', sa.Text()), sa.column('prev_hash', sa.String()), sa.column('hash', sa.String()),
)


def _chain_stored_events():
    """The hash of voting.audit.operations.event_hash as of this revision, written out here so
    that a later change there cannot change what this migration did."""
    connection = op.get_bind()
    links, prev_hash = [], EMPTY_CHAIN
    for row in connection.execute(sa.select(audit_event).order_by(audit_event.c.id)):
        at = row.at if row.at.tzinfo else row.at.replace(tzinfo=timezone.utc)  # SQLite keeps UTC without a zone
        digest = b64h({"prev_hash": prev_hash, "at": format_time(at), "actor": row.actor, "action": row.action,
                       "estate_id": row.estate_id, "target": row.target, "detail": row.detail_json})
        links.append({"event_id": row.id, "link": prev_hash, "digest": digest})
        prev_hash = digest
    if links:
        connection.execute(
            audit_event.update().where(audit_event.c.id == sa.bindparam("event_id"))
            .values(prev_hash=sa.bindparam("link"), hash=sa.bindparam("digest")),
            links,
        )


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=44), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=44), nullable=True))
    _chain_stored_events()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=44), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=44), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_prev_hash'), ['prev_hash'])


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_event_prev_hash'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
