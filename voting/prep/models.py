"""The preparation group and the dates that follow an election."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voting.auth.models import Staff
from voting.estates.models import Estate
from voting.extensions import db, one_of
from voting.timeutil import UTCDateTime, utcnow

MEMBER_ROLES = ("street_office", "owner", "community", "developer", "police", "other")
MILESTONES = ("first_meeting", "filing")


class PrepGroup(db.Model):
    """An estate's preparation group. Its confirmed composition is public once formed."""

    __tablename__ = "prep_group"
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), unique=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    formed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # first confirmed composition
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # latest confirmed composition
    estate: Mapped[Estate] = relationship()
    members: Mapped[list[PrepMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="PrepMember.id"
    )


class PrepMember(db.Model):
    """A member, from proposal (joined_at unset) through membership to leaving (left_at set).

    A removal is proposed by giving a leave reason; it takes effect, like a joining, only when
    the street office confirms the whole new composition against the rules.
    """

    __tablename__ = "prep_member"
    __table_args__ = (
        one_of("role", MEMBER_ROLES),
        CheckConstraint("(role = 'owner') = (owner_id_hash IS NOT NULL)", name="owner_is_identified"),
        CheckConstraint("NOT is_leader OR role = 'street_office'", name="leader_from_street_office"),
        CheckConstraint(
            "left_at IS NULL OR (joined_at IS NOT NULL AND leave_reason IS NOT NULL)", name="left_after_joining"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("prep_group.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    organisation: Mapped[str] = mapped_column(String(100), default="")
    is_leader: Mapped[bool] = mapped_column(default=False)
    # Owner representatives: the keyed hash of the ID number, matched against the roll, and
    # their units as the roll had them (owners are re-created whenever the roll is imported).
    owner_id_hash: Mapped[str | None] = mapped_column(String(64))
    unit_labels: Mapped[str] = mapped_column(String(300), default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    account_created: Mapped[bool] = mapped_column(default=False)  # made for this membership
    proposed_by: Mapped[str] = mapped_column(String(100))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    leave_reason: Mapped[str | None] = mapped_column(Text)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    group: Mapped[PrepGroup] = relationship(back_populates="members")
    staff: Mapped[Staff | None] = relationship()

    @property
    def is_current(self) -> bool:
        """In the confirmed composition (whatever changes are pending)."""
        return self.joined_at is not None and self.left_at is None

    @property
    def is_pending(self) -> bool:
        return self.joined_at is None or (self.left_at is None and self.leave_reason is not None)

    @property
    def stays(self) -> bool:
        """In the composition that confirming the pending changes would give."""
        return self.left_at is None and self.leave_reason is None


class CommitteeMilestone(db.Model):
    """After an election: the committee's first meeting (7 days) and its filing (30 days)."""

    __tablename__ = "committee_milestone"
    __table_args__ = (UniqueConstraint("election_id", "kind"), one_of("kind", MILESTONES))
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    done_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
