"""A vote of the owners' assembly: its motions, officers, frozen roll and credentials."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voting.auth.models import Staff
from voting.core.canonical import canon
from voting.errors import Refusal
from voting.estates.models import Estate
from voting.extensions import FrozenDocument, db, one_of
from voting.formatting import format_datetime
from voting.timeutil import UTCDateTime, utcnow


class ElectionError(Refusal):
    """A request the election's state or rules do not allow; the message says why."""

    status = 409  # for JSON answers: the request is fine, the vote's state forbids it


class State(StrEnum):
    DRAFT = "draft"  # motions and officers may change
    OPEN = "open"  # frozen: definition, roll and credentials fixed; ballots accepted in the period
    CLOSED = "closed"  # the period is over, no more ballots
    TALLIED = "tallied"  # the tally is computed and the record can be exported


STATE_NAMES = {
    State.DRAFT: _l("Draft"),
    State.OPEN: _l("Open"),
    State.CLOSED: _l("Closed"),
    State.TALLIED: _l("Counted"),
}

MOTION_KINDS = ("ordinary", "major", "committee")
# The matters of Civil Code art. 278 para. 1 the owners decide jointly; a motion names one, and its
# threshold follows from it (voting.core.rules.threshold).
ITEM_NAMES = {
    1: _l("Making or amending the rules of procedure of the owners' assembly"),
    2: _l("Making or amending the management covenant"),
    3: _l("Electing the owners' committee or replacing its members"),
    4: _l("Hiring or dismissing the property services company or another manager"),
    5: _l("Using the maintenance fund of the buildings and their ancillary facilities"),
    6: _l("Raising the maintenance fund of the buildings and their ancillary facilities"),
    7: _l("Rebuilding or reconstructing the buildings and their ancillary facilities"),
    8: _l("Changing the use of common parts or running a business on them"),
    9: _l("Other major matters of common ownership and joint management"),
}
COMMITTEE_ITEM = 3
KIND_NAMES = {
    "ordinary": _l("ordinary matter"),
    "major": _l("major matter"),
    "committee": _l("committee election"),
}
THRESHOLD_NAMES = {
    "ordinary": _l("Ordinary matter: more than half must agree"),
    "major": _l("Major matter: three quarters must agree"),
}

# Why the clerks found a paper ballot's choice invalid (废票), spec v2 §5.1.
INVALID_REASON_NAMES = {
    "several_marks": _l("several boxes ticked"),
    "too_many_candidates": _l("too many candidates ticked"),
    "unsigned": _l("ballot not signed"),
    "unreadable": _l("unreadable"),
    "other": _l("other reason"),
}
# How the estate's rules count an invalid choice (spec v2 §7.2).
INVALID_RULE_NAMES = {
    "took_part": _l("Counted as taking part, not agreeing (the default)"),
    "not_counted": _l("Not counted as taking part"),
}


def item_label(item: int) -> str:
    """The item as staff and owners read it, e.g. on the ballot and the results."""
    return _("Item %(number)d of Civil Code art. 278: %(name)s", number=item, name=ITEM_NAMES[item])


REVOTE_POLICIES = ("first", "last")
OFFICER_ROLES = ("clerk", "preparation_group", "street_office")


class Election(db.Model):
    __tablename__ = "election"
    __table_args__ = (
        one_of("state", tuple(State)),
        one_of("revote", REVOTE_POLICIES),
        CheckConstraint("closes_at > opens_at", name="period_positive"),
        CheckConstraint("log_size >= 0", name="log_size_natural"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(60), unique=True)  # election_id in the record
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revote: Mapped[str] = mapped_column(String(5), default="last")
    state: Mapped[str] = mapped_column(String(10), default=State.DRAFT.value)
    require_id_last4: Mapped[bool] = mapped_column(default=False)
    # Whether owners holding a credential of this vote may see how each unit voted, once counted
    # (the assembly decides); the public record and minutes never show it.
    publish_units: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Fixed when the election opens:
    definition_json: Mapped[str | None] = mapped_column(Text)  # the record's `election`, canonical
    election_hash: Mapped[str | None] = mapped_column(String(44))
    # The record's `roll`, canonical: a megabyte for 10,000 voters, so read only where it is used,
    # not with every ballot that loads its election.
    roll_json: Mapped[str | None] = mapped_column(Text, deferred=True)
    public_key: Mapped[str | None] = mapped_column(String(44))  # signs tree heads
    key_enc: Mapped[bytes | None] = mapped_column(LargeBinary)  # its seed, encrypted at rest
    # The log's Merkle frontier, updated under the election's row lock with every append.
    log_size: Mapped[int] = mapped_column(Integer, default=0)
    frontier_json: Mapped[str] = mapped_column(Text, default='{"size": 0, "nodes": []}')
    tally_json: Mapped[str | None] = mapped_column(Text)
    definition = FrozenDocument("definition_json")
    roll = FrozenDocument("roll_json")
    tally = FrozenDocument("tally_json")
    estate: Mapped[Estate] = relationship()
    motions: Mapped[list[Motion]] = relationship(
        back_populates="election", cascade="all, delete-orphan", order_by="Motion.position"
    )
    officers: Mapped[list[Officer]] = relationship(
        back_populates="election", cascade="all, delete-orphan", order_by="Officer.officer_id"
    )

    @property
    def rules(self) -> dict:
        """The estate's rules profile this vote follows (spec v2 §3 `rules`): as recorded when it
        opened, or as the estate's profile stands while it is a draft."""
        return self.definition["rules"] if self.definition_json else self.estate.rules_profile.as_record()

    # --- draft → open → closed → tallied ---

    def require_state(self, *states: State) -> None:
        if self.state not in states:
            raise ElectionError(_("This vote is %(state)s; that is not possible now.", state=STATE_NAMES[self.state]))

    def open(self) -> None:
        """Frozen: definition, roll and credentials fixed; ballots accepted in the period."""
        self.require_state(State.DRAFT)
        self.state = State.OPEN.value

    def close(self, now: datetime) -> None:
        self.require_state(State.OPEN)
        if now < self.closes_at:
            raise ElectionError(_("The voting period runs until %(time)s.", time=format_datetime(self.closes_at)))
        self.state = State.CLOSED.value

    def record_tally(self, tally: dict) -> None:
        self.require_state(State.CLOSED)
        self.tally_json = canon(tally).decode()
        self.state = State.TALLIED.value


class Motion(db.Model):
    __tablename__ = "motion"
    __table_args__ = (
        UniqueConstraint("election_id", "motion_id"),
        UniqueConstraint("election_id", "position"),
        one_of("kind", MOTION_KINDS),
        CheckConstraint("(kind = 'committee') = (seats IS NOT NULL AND seats >= 1)", name="seats_for_committee"),
        CheckConstraint("item BETWEEN 1 AND 9", name="item_of_art_278"),
        # The threshold follows from the item (voting.core.rules.threshold): items 6–8 major, the
        # others ordinary; a committee election decides item 3.
        CheckConstraint("kind = 'committee' OR (item IN (6, 7, 8)) = (kind = 'major')", name="kind_follows_item"),
        CheckConstraint("kind <> 'committee' OR item = 3", name="committee_is_item_3"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    position: Mapped[int]
    motion_id: Mapped[str] = mapped_column(String(20))
    item: Mapped[int]  # Civil Code art. 278 para. 1, 1–9
    kind: Mapped[str] = mapped_column(String(10))  # follows from the item; "committee" for an election
    title: Mapped[str] = mapped_column(String(300))
    seats: Mapped[int | None]
    election: Mapped[Election] = relationship(back_populates="motions")
    candidates: Mapped[list[Candidate]] = relationship(
        back_populates="motion", cascade="all, delete-orphan", order_by="Candidate.position"
    )


class Candidate(db.Model):
    __tablename__ = "candidate"
    __table_args__ = (UniqueConstraint("motion_id", "candidate_id"), UniqueConstraint("motion_id", "position"))
    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"), index=True)
    position: Mapped[int]
    candidate_id: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    motion: Mapped[Motion] = relationship(back_populates="candidates")


class Officer(db.Model):
    """A clerk, preparation-group member or street-office officer whose browser-held key is
    registered for this vote."""

    __tablename__ = "officer"
    __table_args__ = (
        UniqueConstraint("election_id", "officer_id"),
        UniqueConstraint("election_id", "public_key"),
        # One key per account, role and vote, so an account cannot stand in for two officers.
        UniqueConstraint("election_id", "staff_id", "role"),
        one_of("role", OFFICER_ROLES),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    officer_id: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(20))  # "preparation_group" has 17
    public_key: Mapped[str] = mapped_column(String(44))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    election: Mapped[Election] = relationship(back_populates="officers")
    staff: Mapped[Staff] = relationship()

    def key_json(self) -> dict:
        """The key as the browser that holds it finds it (voting/officer_keys.py)."""
        return {"officer_id": self.officer_id, "role": self.role, "public_key": self.public_key}


class ElectionVoter(db.Model):
    """A voter of the frozen roll, with the public half of the credential on their notice.

    voter_code is drawn at random for this vote (voting.core.roll), never the roster's code, so
    that the public record's ballots cannot be lined up with the roll's order."""

    __tablename__ = "election_voter"
    __table_args__ = (UniqueConstraint("election_id", "voter_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    voter_code: Mapped[str] = mapped_column(String(20))
    area: Mapped[int]
    heads: Mapped[int]
    # The salt printed on the voter's notice (b64) and the commitment to the units it salts,
    # the record's units_commitment (spec election-record-v2 §4).
    units_salt: Mapped[str] = mapped_column(String(22))
    units_commitment: Mapped[str] = mapped_column(String(43))
    # The key in effect (spec v2 §5.3): the roll's, then as the log's credential entries set it;
    # None: paper only.
    public_key: Mapped[str | None] = mapped_column(String(44))
    # Keyed hashes of the last four ID characters of each owner, for estates that ask for them.
    id_last4_hashes: Mapped[str] = mapped_column(Text, default="[]")
    last4_hashes = FrozenDocument("id_last4_hashes")
    # For notices and staff; never published.
    units: Mapped[list[ElectionVoterUnit]] = relationship(
        cascade="all, delete-orphan", order_by="ElectionVoterUnit.position"
    )

    @property
    def unit_labels(self) -> list[str]:
        return [unit.label for unit in self.units]


class ElectionVoterUnit(db.Model):
    """A unit of a voter of the frozen roll, by its label, so that a unit finds its one voter."""

    __tablename__ = "election_voter_unit"
    __table_args__ = (UniqueConstraint("election_id", "label"), UniqueConstraint("election_voter_id", "position"))
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    election_voter_id: Mapped[int] = mapped_column(ForeignKey("election_voter.id"), index=True)
    position: Mapped[int]  # in the roster's order, as the units commitment takes them
    label: Mapped[str] = mapped_column(String(120))


class BatchStatus(StrEnum):
    QUEUED = "queued"  # sealed secrets, waiting for the passphrase that starts the rendering
    RUNNING = "running"
    READY = "ready"  # the PDF, sealed, until it is downloaded
    DOWNLOADED = "downloaded"  # once; the PDF is deleted
    FAILED = "failed"  # the secrets are kept: it can be started again


class NoticeBatch(db.Model):
    """Voting notices being rendered in the background. The voters' secrets, and then the PDF
    that holds them, are sealed under the notices passphrase (voting.notices.sealing), never
    under DATA_KEY, and kept only until rendered and downloaded."""

    __tablename__ = "notice_batch"
    __table_args__ = (one_of("status", tuple(BatchStatus)),)
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=BatchStatus.QUEUED.value)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    # The passphrase's scrypt salt and cost, and the check that tells a wrong one; None only on
    # batches from before notices had a passphrase, whose secrets were deleted.
    passphrase_kdf: Mapped[str | None] = mapped_column(Text)
    passphrase_check: Mapped[str | None] = mapped_column(String(44))
    secrets_enc: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed; until rendered
    pdf_enc: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed; until downloaded
    notice_count: Mapped[int | None]  # notices in the PDF, once rendered
    # The hand-over that the record's `notices` log entry states.
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    downloaded_by: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))

    def start(self) -> None:
        """Queued or failed, or left running by a worker that died: rendering (again)."""
        self.status = BatchStatus.RUNNING.value
        self.done = 0
        self.error = None

    def fail(self, error: str) -> None:
        self.status = BatchStatus.FAILED.value
        self.error = error

    def finish(self, pdf_enc: bytes, notice_count: int) -> None:
        """The sealed PDF replaces the secrets."""
        self.pdf_enc = pdf_enc
        self.secrets_enc = None
        self.notice_count = notice_count
        self.status = BatchStatus.READY.value

    def hand_over(self, actor: str, at: datetime) -> None:
        """Downloaded once: the PDF is gone from the server."""
        self.pdf_enc = None
        self.status = BatchStatus.DOWNLOADED.value
        self.downloaded_at, self.downloaded_by = at, actor
