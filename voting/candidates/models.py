"""Candidate lists for the owners' committee: nominees, their review, objections."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, Date, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voting.errors import Refusal
from voting.estates.models import Estate
from voting.extensions import FrozenDocument, db, one_of
from voting.formatting import format_datetime
from voting.objections.models import ObjectionRecord, objection_constraints
from voting.timeutil import UTCDateTime, utcnow


class CandidateError(Refusal):
    """A request the list's state or rules do not allow; the message says why."""


class ListState(StrEnum):
    NOMINATING = "nominating"
    REVIEWING = "reviewing"  # rules fixed; each body records its verdicts
    PUBLISHED = "published"  # 公示: owners object, the group answers
    ADOPTED = "adopted"  # a committee motion of a vote


class ListKind(StrEnum):
    """What a list elects: the whole committee, or the seats a committee has left unfilled."""

    ELECTION = "election"  # the whole committee: an odd number of seats within the estate's rules
    BY_ELECTION = "by_election"  # 补选: seats left unfilled by a tie or by members who left


NOMINATION_KINDS = ("self", "joint", "community")
GENDERS = ("F", "M")
BODIES = ("street_office", "community", "police", "organisation")


class CandidateList(db.Model):
    """One round of nominations for the committee's seats, from nominations to a motion."""

    __tablename__ = "candidate_list"
    __table_args__ = (
        one_of("state", tuple(ListState)),
        one_of("kind", tuple(ListKind)),
        CheckConstraint("seats >= 1", name="seats_positive"),
        CheckConstraint("margin_percent >= 0", name="margin_natural"),
        CheckConstraint("publication_days >= 1", name="publication_positive"),
        CheckConstraint("min_joint_households >= 1", name="households_positive"),
        CheckConstraint("(published_at IS NULL) = (publication_ends_at IS NULL)", name="publication_period"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12), default=ListKind.ELECTION.value)
    seats: Mapped[int]
    margin_percent: Mapped[int] = mapped_column(default=20)  # 差额: candidates exceed seats by this share
    publication_days: Mapped[int] = mapped_column(default=7)  # 公示
    min_joint_households: Mapped[int] = mapped_column(default=10)  # 联名推荐
    state: Mapped[str] = mapped_column(String(12), default=ListState.NOMINATING.value)
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

    # --- where the list stands: nominating → reviewing → published → adopted ---

    def _require(self, *states: ListState, message: str) -> None:
        if self.state not in states:
            raise CandidateError(message)

    @property
    def takes_nominations(self) -> bool:
        return self.state == ListState.NOMINATING

    @property
    def under_review(self) -> bool:
        return self.state == ListState.REVIEWING

    @property
    def is_published(self) -> bool:
        return self.state == ListState.PUBLISHED

    @property
    def on_ballot(self) -> bool:
        return self.state == ListState.ADOPTED

    @property
    def settings_open(self) -> bool:
        return self.state in (ListState.NOMINATING, ListState.REVIEWING)

    def require_settings_open(self) -> None:
        self._require(
            ListState.NOMINATING, ListState.REVIEWING, message=_("The settings are fixed once the list is published.")
        )

    def require_rules_open(self) -> None:
        self._require(ListState.NOMINATING, message=_("The rules are fixed once the review has begun."))

    def require_nominations_open(self) -> None:
        self._require(ListState.NOMINATING, message=_("Nominations are closed for this list."))

    def require_review(self) -> None:
        self._require(ListState.REVIEWING, message=_("Verdicts are recorded while the list is under review."))

    def start_review(self) -> None:
        self._require(ListState.NOMINATING, message=_("Only a list taking nominations can go to review."))
        self.state = ListState.REVIEWING.value

    def reopen_nominations(self) -> None:
        self._require(ListState.REVIEWING, message=_("Only a list under review can reopen nominations."))
        self.state = ListState.NOMINATING.value

    def publish(self, now: datetime, vetted: list[Nominee], fault: str | None = None) -> None:
        """The vetted nominees stand for the configured number of days; ``fault`` says why the
        review does not allow it yet."""
        self._require(ListState.REVIEWING, message=_("Only a reviewed list can be published."))
        if fault:
            raise CandidateError(fault)
        for nominee in vetted:
            nominee.vetted_at = now
        self.state = ListState.PUBLISHED.value
        self.published_at = now
        self.publication_ends_at = now + timedelta(days=self.publication_days)

    def objection_fault(self, moment: datetime) -> str | None:
        """Why an objection lodged at this moment is not taken; None within the publication period."""
        if self.published_at is None or not self.is_published:
            return _("This list is not open to objections.")
        if not self.published_at <= moment < self.publication_ends_at:
            return _(
                "Objections are accepted during the publication period only, until %(time)s.",
                time=format_datetime(self.publication_ends_at),
            )
        return None

    def adoption_fault(self, now: datetime) -> str | None:
        """Why the list cannot become a committee motion now; None once its publication ended
        with every objection answered."""
        if self.on_ballot:
            return _("This list is already on a ballot.")
        if not self.is_published:
            return _("Only a vetted and published list can become a committee motion.")
        if now < self.publication_ends_at:
            return _(
                "The list is published until %(time)s; objections may come until then.",
                time=format_datetime(self.publication_ends_at),
            )
        unanswered = sum(o.answer is None for o in self.objections)
        if unanswered:
            return _("Objections still awaiting a written answer: %(count)d.", count=unanswered)
        return None

    def adopt(self, motion_id: int, now: datetime) -> None:
        fault = self.adoption_fault(now)
        if fault:
            raise CandidateError(fault)
        self.state = ListState.ADOPTED.value
        self.motion_id = motion_id


class NomineeStatus(StrEnum):
    """Where a nominee stands in the review: from the verdicts until publication fixes it."""

    PASSED = "passed"
    FAILED = "failed"
    PENDING = "pending"
    WITHDRAWN = "withdrawn"


class EligibilityRule(db.Model):
    """A rule of the built-in catalogue as this list applies it: parameters and attesting bodies."""

    __tablename__ = "eligibility_rule"
    __table_args__ = (UniqueConstraint("list_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("candidate_list.id"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(30))
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    params = FrozenDocument("params_json")
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

    def withdraw(self, actor: str, reason: str, now: datetime) -> None:
        """Their own wish, or an objection upheld; the reason is public."""
        if self.candidate_list.on_ballot:
            raise CandidateError(_("The list is already on a ballot; the candidates can no longer change."))
        if self.withdrawn_at is not None:
            raise CandidateError(_("%(name)s is already withdrawn.", name=self.name))
        if not reason.strip():
            raise CandidateError(_("Give the reason for the withdrawal; it is published with the list."))
        self.withdrawn_at = now
        self.withdrawal_reason = reason.strip()
        self.withdrawn_by = actor


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


class Objection(ObjectionRecord, db.Model):
    """An owner's objection (异议) to a published list, and the group's written answer."""

    __tablename__ = "objection"
    __table_args__ = objection_constraints()
    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("candidate_list.id"), index=True)
    nominee_id: Mapped[int | None] = mapped_column(ForeignKey("nominee.id"))  # None: the list as a whole
    candidate_list: Mapped[CandidateList] = relationship(back_populates="objections")
    nominee: Mapped[Nominee | None] = relationship()
