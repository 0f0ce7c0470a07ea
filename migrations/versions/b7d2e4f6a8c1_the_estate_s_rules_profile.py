"""the estate's rules profile, recorded with each vote; the election's invalid-ballot rule moves there

Revision ID: b7d2e4f6a8c1
Revises: 7d2f4c8e1a35
Create Date: 2026-12-04 17:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b7d2e4f6a8c1"
down_revision = "7d2f4c8e1a35"
branch_labels = None
depends_on = None


def _odd_or_open(column: str) -> str:
    return f"{column} IS NULL OR ({column} >= 1 AND {column} % 2 = 1)"


def upgrade():
    op.create_table(
        "rules_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("invalid_ballot", sa.String(length=11), nullable=False),
        sa.Column("notice_days", sa.Integer(), nullable=False),
        sa.Column("roll_publication_days", sa.Integer(), nullable=False),
        sa.Column("max_extension_days", sa.Integer(), nullable=False),
        sa.Column("committee_min_members", sa.Integer(), nullable=False),
        sa.Column("committee_max_members", sa.Integer(), nullable=False),
        sa.Column("group_min_members", sa.Integer(), nullable=True),
        sa.Column("group_max_members", sa.Integer(), nullable=True),
        sa.Column("group_min_owner_percent", sa.Integer(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "invalid_ballot IN ('took_part', 'not_counted')", name=op.f("ck_rules_profile_invalid_ballot_known")
        ),
        sa.CheckConstraint("notice_days BETWEEN 15 AND 365", name=op.f("ck_rules_profile_notice_days_lawful")),
        sa.CheckConstraint(
            "roll_publication_days BETWEEN 15 AND 365", name=op.f("ck_rules_profile_roll_publication_days_lawful")
        ),
        sa.CheckConstraint("max_extension_days BETWEEN 0 AND 90", name=op.f("ck_rules_profile_max_extension_lawful")),
        sa.CheckConstraint(
            "committee_min_members % 2 = 1 AND committee_max_members % 2 = 1 AND 5 <= committee_min_members "
            "AND committee_min_members <= committee_max_members AND committee_max_members <= 11",
            name=op.f("ck_rules_profile_committee_size_lawful"),
        ),
        sa.CheckConstraint(_odd_or_open("group_min_members"), name=op.f("ck_rules_profile_group_min_odd")),
        sa.CheckConstraint(_odd_or_open("group_max_members"), name=op.f("ck_rules_profile_group_max_odd")),
        sa.CheckConstraint(
            "group_min_members IS NULL OR group_max_members IS NULL OR group_min_members <= group_max_members",
            name=op.f("ck_rules_profile_group_size_ordered"),
        ),
        sa.CheckConstraint(
            "group_min_owner_percent BETWEEN 50 AND 100", name=op.f("ck_rules_profile_group_owners_at_least_half")
        ),
        sa.ForeignKeyConstraint(["estate_id"], ["estate.id"], name=op.f("fk_rules_profile_estate_id_estate")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rules_profile")),
        sa.UniqueConstraint("estate_id", name=op.f("uq_rules_profile_estate_id")),
    )
    # Every estate at the national defaults, but for the invalid-ballot rule its latest vote chose.
    op.execute(
        "INSERT INTO rules_profile (estate_id, invalid_ballot, notice_days, roll_publication_days, "
        "max_extension_days, committee_min_members, committee_max_members, group_min_owner_percent) "
        "SELECT estate.id, COALESCE((SELECT election.invalid_ballot FROM election WHERE election.estate_id = "
        "estate.id ORDER BY election.id DESC LIMIT 1), 'took_part'), 15, 15, 90, 5, 11, 50 FROM estate"
    )
    with op.batch_alter_table("election", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_election_invalid_ballot_known"), type_="check")
        batch_op.drop_column("invalid_ballot")


def downgrade():
    with op.batch_alter_table("election", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("invalid_ballot", sa.String(length=11), server_default="took_part", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_election_invalid_ballot_known"), "invalid_ballot IN ('took_part', 'not_counted')"
        )
    op.execute(
        "UPDATE election SET invalid_ballot = (SELECT rules_profile.invalid_ballot FROM rules_profile "
        "WHERE rules_profile.estate_id = election.estate_id)"
    )
    op.drop_table("rules_profile")
