"""A vote of the owners' assembly: its motions, officers, frozen roll and credentials."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voting.auth.models import Staff
from voting.core import scopes
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

MOTION_KINDS = ("ordinary", "major", "committee", "choice")
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
    "choice": _l("choice among options"),
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
        # others ordinary; a committee election decides item 3. A choice among options takes the
        # threshold of whichever item it names, so its kind says nothing of it.
        CheckConstraint(
            "kind IN ('committee', 'choice') OR (item IN (6, 7, 8)) = (kind = 'major')", name="kind_follows_item"
        ),
        CheckConstraint("kind <> 'committee' OR item = 3", name="committee_is_item_3"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    position: Mapped[int]
    motion_id: Mapped[str] = mapped_column(String(20))
    item: Mapped[int]  # Civil Code art. 278 para. 1, 1–9
    kind: Mapped[str] = mapped_column(String(10))  # follows from the item; "committee" or "choice" apart
    title: Mapped[str] = mapped_column(String(300))
    seats: Mapped[int | None]
    election: Mapped[Election] = relationship(back_populates="motions")
    candidates: Mapped[list[Candidate]] = relationship(
        back_populates="motion", cascade="all, delete-orphan", order_by="Candidate.position"
    )
    options: Mapped[list[MotionOption]] = relationship(
        back_populates="motion", cascade="all, delete-orphan", order_by="MotionOption.position"
    )
    documents: Mapped[list[MotionDocument]] = relationship(
        back_populates="motion", cascade="all, delete-orphan", order_by="MotionDocument.position"
    )

    # No parts: the whole estate decides (voting.elections.scopes).
    scope_parts: Mapped[list[MotionScopePart]] = relationship(
        cascade="all, delete-orphan", order_by="MotionScopePart.position"
    )

    @property
    def scope_title(self) -> str | None:
        """Whose owners decide it, e.g. 「3幢2单元」; None for the whole estate."""
        return scopes.scope_title(part.part for part in self.scope_parts) or None


class MotionDocument(db.Model):
    """The full text a motion decides (the draft 议事规则 or 管理规约, a contract) as a PDF. Its
    SHA-256 is in the record (spec v2 §3.1 `documents`), so the copy an owner reads can be checked
    against the text the vote decided."""

    __tablename__ = "motion_document"
    __table_args__ = (
        UniqueConstraint("motion_id", "position"),
        CheckConstraint("length(sha256) = 43", name="sha256_is_b64_of_32_bytes"),
        CheckConstraint("size > 0", name="size_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # The vote too, so that a document's address is checked against its vote in one step.
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]  # bytes
    sha256: Mapped[str] = mapped_column(String(43))  # b64 (spec v2 §1), as the record states it
    attached_by: Mapped[str] = mapped_column(String(100))
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    motion: Mapped[Motion] = relationship(back_populates="documents")

    def record_entry(self) -> dict:
        return {"title": self.title, "sha256": self.sha256}


class Candidate(db.Model):
    __tablename__ = "candidate"
    __table_args__ = (UniqueConstraint("motion_id", "candidate_id"), UniqueConstraint("motion_id", "position"))
    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"), index=True)
    position: Mapped[int]
    candidate_id: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    motion: Mapped[Motion] = relationship(back_populates="candidates")


class MotionOption(db.Model):
    """One option of a choice motion (which company, which management mode); an owner picks at
    most one (spec election-record-v2 §3.1)."""

    __tablename__ = "motion_option"
    __table_args__ = (UniqueConstraint("motion_id", "option_id"), UniqueConstraint("motion_id", "position"))
    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"), index=True)
    position: Mapped[int]
    option_id: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    motion: Mapped[Motion] = relationship(back_populates="options")


SCOPE_PART_KINDS = ("building", "stairwell", "unit")


class MotionScopePart(db.Model):
    """A building, stairwell (单元) or unit whose owners alone decide a motion, named as the roll
    names it: a roll imported again while the vote is drafted keeps its names, not its row ids.
    Opening the vote resolves the parts to units (voting.elections.scopes)."""

    __tablename__ = "motion_scope_part"
    __table_args__ = (
        UniqueConstraint("motion_id", "position"),
        UniqueConstraint("motion_id", "building", "entrance", "unit_label"),
        one_of("kind", SCOPE_PART_KINDS),
        CheckConstraint("(kind = 'unit') = (unit_label <> '')", name="unit_names_its_label"),
        CheckConstraint("(kind = 'unit') = (building = '')", name="building_unless_unit"),
        CheckConstraint("(kind = 'stairwell') = (entrance <> '')", name="entrance_of_stairwell"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    building: Mapped[str] = mapped_column(String(40), default="")
    entrance: Mapped[str] = mapped_column(String(20), default="")
    unit_label: Mapped[str] = mapped_column(String(120), default="")

    @property
    def part(self) -> scopes.Part:
        return scopes.Part(self.building, self.entrance, self.unit_label)


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


class ElectionVoterScope(db.Model):
    """A voter's weight in a scope other than the whole estate (spec v2 §4), frozen at opening:
    the area of their units in it; one head, as everywhere."""

    __tablename__ = "election_voter_scope"
    __table_args__ = (
        UniqueConstraint("election_voter_id", "scope_id"),
        # 0 for the owner of only a parking space the estate's rules leave out: one head, no area.
        CheckConstraint("area >= 0", name="area_not_negative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    election_voter_id: Mapped[int] = mapped_column(ForeignKey("election_voter.id"), index=True)
    scope_id: Mapped[str] = mapped_column(String(20))
    area: Mapped[int]  # 0.01 m²


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
