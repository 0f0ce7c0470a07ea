"""Candidate lists for the owners' committee: nominees, their review, objections."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voting.estates.models import Estate
from voting.extensions import db, one_of
from voting.timeutil import UTCDateTime, utcnow

LIST_STATES = ("nominating", "reviewing", "published", "adopted")
NOMINATION_KINDS = ("self", "joint", "community")
GENDERS = ("F", "M")
BODIES = ("street_office", "community", "police", "organisation")
OBJECTION_CHANNELS = ("online", "paper")


class CandidateList(db.Model):
    """One round of nominations for the committee's seats, from nominations to a motion."""

    __tablename__ = "candidate_list"
    __table_args__ = (
        one_of("state", LIST_STATES),
        CheckConstraint("seats >= 1", name="seats_positive"),
        CheckConstraint("margin_percent >= 0", name="margin_natural"),
        CheckConstraint("publication_days >= 1", name="publication_positive"),
        CheckConstraint("min_joint_households >= 1", name="households_positive"),
        CheckConstraint("(published_at IS NULL) = (publication_ends_at IS NULL)", name="publication_period"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    seats: Mapped[int]
    margin_percent: Mapped[int] = mapped_column(default=20)  # 差额: candidates exceed seats by this share
    publication_days: Mapped[int] = mapped_column(default=7)  # 公示
    min_joint_households: Mapped[int] = mapped_column(default=10)  # 联名推荐
    state: Mapped[str] = mapped_column(String(12), default="nominating")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    publication_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    motion_id: Mapped[int | None] = mapped_column(ForeignKey("motion.id"))  # once adopted
    estate: Mapped[Estate] = relationship()
    rules: Mapped[list[EligibilityRule]] = relationship(
        back_populates="candidate_list", cascade="all, delete-orphan", order_by="EligibilityRule.position"
    )
    nominees: Mapped[list[Nominee]] = relationship(
        back_populates="candidate_list", cascade="all, delete-orphan", order_by="Nominee.number"
    )
    objections: Mapped[list[Objection]] = relationship(
        back_populates="candidate_list", cascade="all, delete-orphan", order_by="Objection.id"
    )


class EligibilityRule(db.Model):
    """A rule of the built-in catalogue as this list applies it: parameters and attesting bodies."""

    __tablename__ = "eligibility_rule"
    __table_args__ = (UniqueConstraint("list_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("candidate_list.id"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(30))
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    bodies: Mapped[str] = mapped_column(String(100), default="")  # space-separated; empty: checked from data
    candidate_list: Mapped[CandidateList] = relationship(back_populates="rules")


class Nominee(db.Model):
    """A person nominated to the list, with the profile owners see."""

    __tablename__ = "nominee"
    __table_args__ = (
        UniqueConstraint("list_id", "number"),
        UniqueConstraint("list_id", "owner_id_hash"),
        one_of("kind", NOMINATION_KINDS),
        one_of("gender", GENDERS),
        CheckConstraint("(withdrawn_at IS NULL) = (withdrawal_reason IS NULL)", name="withdrawal_has_reason"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("candidate_list.id"), index=True)
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    recommended_by: Mapped[str] = mapped_column(String(100), default="")  # the community's organisation
    name: Mapped[str] = mapped_column(String(100))
    owner_id_hash: Mapped[str] = mapped_column(String(64))  # keyed hash of the ID number
    unit_labels: Mapped[str] = mapped_column(String(300))  # as the roll had them at nomination
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    occupation: Mapped[str] = mapped_column(String(100), default="")
    party_member: Mapped[bool] = mapped_column(default=False)
    statement: Mapped[str] = mapped_column(Text, default="")
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    photo_type: Mapped[str | None] = mapped_column(String(20))
    nominated_by: Mapped[str] = mapped_column(String(100))
    nominated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    vetted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # passed review, set on publication
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))
    candidate_list: Mapped[CandidateList] = relationship(back_populates="nominees")
    signatures: Mapped[list[JointSignature]] = relationship(
        back_populates="nominee", cascade="all, delete-orphan", order_by="JointSignature.row"
    )
    reviews: Mapped[list[NomineeReview]] = relationship(
        back_populates="nominee", cascade="all, delete-orphan", order_by="NomineeReview.id"
    )


class JointSignature(db.Model):
    """One owner household's signature on a joint recommendation (联名推荐)."""

    __tablename__ = "joint_signature"
    __table_args__ = (UniqueConstraint("nominee_id", "household_key"), UniqueConstraint("nominee_id", "owner_id_hash"))
    id: Mapped[int] = mapped_column(primary_key=True)
    nominee_id: Mapped[int] = mapped_column(ForeignKey("nominee.id"), index=True)
    row: Mapped[int]  # line of the entry, as the group typed it
    owner_id_hash: Mapped[str] = mapped_column(String(64))
    household_key: Mapped[str] = mapped_column(String(64))  # the voter's owner-set key
    household_code: Mapped[str] = mapped_column(String(20))  # the voter id when it was signed
    nominee: Mapped[Nominee] = relationship(back_populates="signatures")


class NomineeReview(db.Model):
    """A reviewing body's verdict on one rule for one nominee (资格联审); the latest counts."""

    __tablename__ = "nominee_review"
    __table_args__ = (
        UniqueConstraint("nominee_id", "rule_code", "body"),
        one_of("body", BODIES),
        CheckConstraint("passed OR reason <> ''", name="fail_has_reason"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    nominee_id: Mapped[int] = mapped_column(ForeignKey("nominee.id"), index=True)
    rule_code: Mapped[str] = mapped_column(String(30))
    body: Mapped[str] = mapped_column(String(20))
    passed: Mapped[bool]
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    nominee: Mapped[Nominee] = relationship(back_populates="reviews")


class Objection(db.Model):
    """An owner's objection (异议) to a published list, and the group's written answer."""

    __tablename__ = "objection"
    __table_args__ = (
        one_of("channel", OBJECTION_CHANNELS),
        CheckConstraint("(answer IS NULL) = (answered_at IS NULL)", name="answer_is_dated"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("candidate_list.id"), index=True)
    nominee_id: Mapped[int | None] = mapped_column(ForeignKey("nominee.id"))  # None: the list as a whole
    ref: Mapped[str] = mapped_column(String(24), unique=True)  # the owner's receipt: reads the answer
    channel: Mapped[str] = mapped_column(String(10))
    unit_label: Mapped[str] = mapped_column(String(120))
    owner_id_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    lodged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by: Mapped[str | None] = mapped_column(String(100))  # paper objections: who keyed it
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by: Mapped[str | None] = mapped_column(String(100))
    candidate_list: Mapped[CandidateList] = relationship(back_populates="objections")
    nominee: Mapped[Nominee | None] = relationship()
