"""unit labels of the frozen roll as rows; a set-aside paper ballot's differences and the log's refusal as columns

Revision ID: 5c1e7a9d2b40
Revises: 7c4e1b8a2d90
Create Date: 2026-12-04 14:20:00.000000

A unit now finds its voter by an exact, indexed look-up instead of LIKE over JSON text, and a
paper ballot's differences and last refusal are read from its row, not back out of the audit
log. Both are copied over: unit labels in their order, the differences and refusal from the
latest audit event naming the ballot.
"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e7a9d2b40'
down_revision = '7c4e1b8a2d90'
branch_labels = None
depends_on = None

election_voter = sa.table(
    'election_voter',
    sa.column('id', sa.Integer()), sa.column('election_id', sa.Integer()), sa.column('units_json', sa.Text()),
)
election_voter_unit = sa.table(
    'election_voter_unit',
    sa.column('election_id', sa.Integer()), sa.column('election_voter_id', sa.Integer()),
    sa.column('position', sa.Integer()), sa.column('label', sa.String()),
)
election = sa.table('election', sa.column('id', sa.Integer()), sa.column('public_id', sa.String()))
paper_ballot = sa.table(
    'paper_ballot',
    sa.column('id', sa.Integer()), sa.column('election_id', sa.Integer()), sa.column('status', sa.String()),
    sa.column('voter_differs', sa.Boolean()), sa.column('differing_motions', sa.Text()),
    sa.column('refused_reason', sa.Text()),
)
audit_event = sa.table(
    'audit_event',
    sa.column('id', sa.Integer()), sa.column('action', sa.String()), sa.column('target', sa.String()),
    sa.column('detail_json', sa.Text()),
)


def _last_detail(connection, target: str, action: str) -> dict | None:
    detail = connection.execute(sa.select(audit_event.c.detail_json).where(
        audit_event.c.target == target, audit_event.c.action == action
    ).order_by(audit_event.c.id.desc()).limit(1)).scalar()
    return json.loads(detail) if detail is not None else None


def upgrade():
    op.create_table(
        'election_voter_unit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('election_id', sa.Integer(), nullable=False),
        sa.Column('election_voter_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(['election_id'], ['election.id'],
                                name=op.f('fk_election_voter_unit_election_id_election')),
        sa.ForeignKeyConstraint(['election_voter_id'], ['election_voter.id'],
                                name=op.f('fk_election_voter_unit_election_voter_id_election_voter')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_election_voter_unit')),
        sa.UniqueConstraint('election_id', 'label', name=op.f('uq_election_voter_unit_election_id_label')),
        sa.UniqueConstraint('election_voter_id', 'position',
                            name=op.f('uq_election_voter_unit_election_voter_id_position')),
    )
    with op.batch_alter_table('election_voter_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_election_voter_unit_election_voter_id'), ['election_voter_id'],
                              unique=False)
    connection = op.get_bind()
    rows = [
        {"election_id": election_id, "election_voter_id": voter_id, "position": position, "label": label}
        for voter_id, election_id, units_json in connection.execute(
            sa.select(election_voter.c.id, election_voter.c.election_id, election_voter.c.units_json))
        for position, label in enumerate(json.loads(units_json))
    ]
    if rows:
        connection.execute(election_voter_unit.insert(), rows)
    with op.batch_alter_table('election_voter', schema=None) as batch_op:
        batch_op.drop_column('units_json')

    with op.batch_alter_table('paper_ballot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voter_differs', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('differing_motions', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('refused_reason', sa.Text(), nullable=True))
    papers = connection.execute(
        sa.select(paper_ballot.c.id, paper_ballot.c.status, election.c.public_id)
        .join(election, election.c.id == paper_ballot.c.election_id)
        .where(paper_ballot.c.status.in_(("mismatch", "awaiting_check")))).all()
    for paper_id, status, public_id in papers:
        target = f"paper:{public_id}/{paper_id}"
        if status == "mismatch":
            detail = _last_detail(connection, target, "paper.mismatch") or {}
            values = {"voter_differs": bool(detail.get("voter")), "differing_motions": " ".join(detail.get("motions", []))}
        else:
            refused = _last_detail(connection, target, "paper.refused")
            if refused is None:
                continue
            values = {"refused_reason": refused["reason"]}
        connection.execute(paper_ballot.update().where(paper_ballot.c.id == paper_id).values(**values))
    with op.batch_alter_table('paper_ballot', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_paper_ballot_mismatch_has_differences'),
            "(status = 'mismatch') = (voter_differs IS NOT NULL AND differing_motions IS NOT NULL)")
        batch_op.create_check_constraint(op.f('ck_paper_ballot_logged_has_seq'),
                                         "(status = 'logged') = (log_seq IS NOT NULL)")


def downgrade():
    with op.batch_alter_table('paper_ballot', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_paper_ballot_logged_has_seq'), type_='check')
        batch_op.drop_constraint(op.f('ck_paper_ballot_mismatch_has_differences'), type_='check')
        batch_op.drop_column('refused_reason')
        batch_op.drop_column('differing_motions')
        batch_op.drop_column('voter_differs')

    with op.batch_alter_table('election_voter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('units_json', sa.Text(), nullable=True))
    connection = op.get_bind()
    units: dict[int, list[str]] = {}
    for voter_id, label in connection.execute(
            sa.select(election_voter_unit.c.election_voter_id, election_voter_unit.c.label)
            .order_by(election_voter_unit.c.election_voter_id, election_voter_unit.c.position)):
        units.setdefault(voter_id, []).append(label)
    for voter_id, labels in units.items():
        connection.execute(election_voter.update().where(election_voter.c.id == voter_id)
                           .values(units_json=json.dumps(labels, ensure_ascii=False)))
    connection.execute(election_voter.update().where(election_voter.c.units_json.is_(None)).values(units_json="[]"))
    with op.batch_alter_table('election_voter', schema=None) as batch_op:
        batch_op.alter_column('units_json', existing_type=sa.Text(), nullable=False)
    with op.batch_alter_table('election_voter_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_election_voter_unit_election_voter_id'))
    op.drop_table('election_voter_unit')
