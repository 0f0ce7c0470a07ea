"""The append-only ballot log, its signed tree heads and witnessed checkpoints, and paper ballots
awaiting their check."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voting.extensions import FrozenDocument, db, one_of
from voting.timeutil import UTCDateTime, utcnow

ENTRY_KINDS = ("ballot", "handin", "credential", "notices", "extension")


class LogEntry(db.Model):
    """One entry of a vote's log (spec v2 §5): a ballot, a paper ballot's hand-in, a credential
    act or the notices' download. ``entry_json`` is canon(entry) exactly as it is hashed into the
    tree; the other columns repeat what the server looks entries up by."""

    __tablename__ = "log_entry"
    __table_args__ = (
        UniqueConstraint("election_id", "seq"),
        UniqueConstraint("election_id", "voter_code", "nonce"),
        # Under revote "first" this column holds the voter code of a ballot, so a second ballot
        # cannot be stored whatever the race; otherwise it is NULL, which unique constraints ignore.
        UniqueConstraint("election_id", "sole_ballot_of"),
        # A hand-in is named by one paper ballot; a desk receipt number is given once.
        UniqueConstraint("election_id", "handin_seq"),
        UniqueConstraint("election_id", "desk_receipt"),
        one_of("kind", ENTRY_KINDS),
        one_of("channel", ("online", "paper")),
        CheckConstraint(
            "(kind = 'ballot') = (channel IS NOT NULL AND nonce IS NOT NULL AND voter_code IS NOT NULL "
            "AND cast_at IS NOT NULL)",
            name="ballot_columns",
        ),
        CheckConstraint("(COALESCE(channel, '') = 'paper') = (handin_seq IS NOT NULL)", name="paper_names_handin"),
        CheckConstraint("(kind = 'handin') = (desk_receipt IS NOT NULL)", name="handin_has_receipt"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    seq: Mapped[int]
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(10))
    voter_code: Mapped[str | None] = mapped_column(String(20))  # whose ballot, hand-in or credential
    nonce: Mapped[str | None] = mapped_column(String(100))  # ballots
    channel: Mapped[str | None] = mapped_column(String(6))  # ballots
    # When a ballot was cast (spec v2 §5.1): its own logged_at online, its hand-in's on paper.
    cast_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handin_seq: Mapped[int | None]  # paper ballots: the seq of their hand-in entry
    desk_receipt: Mapped[str | None] = mapped_column(String(40))  # hand-ins
    sole_ballot_of: Mapped[str | None] = mapped_column(String(20))
    entry_json: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(44))
    entry = FrozenDocument("entry_json")

    @property
    def body(self) -> dict:
        return self.entry["body"]


class TreeHead(db.Model):
    """The head of the log signed after every append, as the C2SP checkpoint a receipt carries
    (spec v2 §6, §10): the vote key's signature over checkpoint.text(election_hash, size, root).
    Witnesses cosign the heads kept as Checkpoint rows."""

    __tablename__ = "tree_head"
    __table_args__ = (UniqueConstraint("election_id", "size"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    size: Mapped[int]
    root: Mapped[str] = mapped_column(String(44))
    signature: Mapped[str] = mapped_column(String(100))


class Checkpoint(db.Model):
    """A C2SP checkpoint of the first ``size`` entries of a vote's log (spec v2 §6): its root and
    the vote key's signature over ``checkpoint.text(election_hash, size, root)``. One per size."""

    __tablename__ = "checkpoint"
    __table_args__ = (UniqueConstraint("election_id", "size"), CheckConstraint("size >= 0", name="size_natural"))
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    size: Mapped[int]
    root: Mapped[str] = mapped_column(String(44))
    signature: Mapped[str] = mapped_column(String(100))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cosignatures: Mapped[list[Cosignature]] = relationship(order_by="Cosignature.id")


class Cosignature(db.Model):
    """A witness's C2SP tlog-cosignature/v1 of a checkpoint, made in the witness's browser."""

    __tablename__ = "cosignature"
    __table_args__ = (UniqueConstraint("checkpoint_id", "witness"), CheckConstraint("time >= 0", name="time_natural"))
    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoint.id"), index=True)
    witness: Mapped[str] = mapped_column(String(60))  # officer_id
    time: Mapped[int] = mapped_column(BigInteger)  # whole seconds since the epoch
    signature: Mapped[str] = mapped_column(String(100))


class PaperScan(db.Model):
    __tablename__ = "paper_scan"
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    mimetype: Mapped[str] = mapped_column(String(60))


class PaperStatus(StrEnum):
    AWAITING_CHECK = "awaiting_check"  # keyed, waiting for the second clerk's entry and signature
    MISMATCH = "mismatch"  # the two entries differed: set aside, the scan is keyed again
    LOGGED = "logged"  # in the log with both clerks' signatures


class PaperBallot(db.Model):
    """A paper ballot keyed by one clerk, waiting for a second clerk's blind re-keying. It names
    the hand-in that logged the paper at the desk before the close (spec v2 §5.2)."""

    __tablename__ = "paper_ballot"
    __table_args__ = (
        one_of("status", tuple(PaperStatus)),
        CheckConstraint("handin_seq >= 0", name="handin_seq_natural"),
        CheckConstraint(
            "(status = 'mismatch') = (voter_differs IS NOT NULL AND differing_motions IS NOT NULL)",
            name="mismatch_has_differences",
        ),
        CheckConstraint("(status = 'logged') = (log_seq IS NOT NULL)", name="logged_has_seq"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    voter_code: Mapped[str] = mapped_column(String(20))
    scan_id: Mapped[int] = mapped_column(ForeignKey("paper_scan.id"))
    # The scanned written proxy (委托书) where someone voted for the owner.
    proxy_scan_id: Mapped[int | None] = mapped_column(ForeignKey("paper_scan.id"))
    handin_seq: Mapped[int]  # the seq of the hand-in entry the ballot names
    ballot_json: Mapped[str] = mapped_column(Text)  # the ballot body both clerks sign
    body = FrozenDocument("ballot_json")
    keyed_by: Mapped[str] = mapped_column(String(60))  # officer_id
    keyed_signature: Mapped[str] = mapped_column(String(100))
    checked_by: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(15), default=PaperStatus.AWAITING_CHECK.value)
    log_seq: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set aside: what the two entries disagreed on (never the entries themselves): whether they
    # name another voter, and the ids of the motions that differ, space-separated.
    voter_differs: Mapped[bool | None] = mapped_column(Boolean)
    differing_motions: Mapped[str | None] = mapped_column(Text)
    # While it waits: why the log last refused it (e.g. under revote "first", after an online ballot).
    refused_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def awaiting_check(self) -> bool:
        return self.status == PaperStatus.AWAITING_CHECK

    @property
    def set_aside(self) -> bool:
        return self.status == PaperStatus.MISMATCH

    @property
    def logged(self) -> bool:
        return self.status == PaperStatus.LOGGED

    def _leave_check(self, status: PaperStatus) -> None:
        # voting.paper refuses a step out of turn with its reason first; reaching here is a bug.
        if not self.awaiting_check:
            raise ValueError(f"paper ballot {self.id} is {self.status}, not awaiting its check")
        self.status = status.value
        self.refused_reason = None

    def mark_mismatch(self, voter_differs: bool, motions: list[str]) -> None:
        self._leave_check(PaperStatus.MISMATCH)
        self.voter_differs = voter_differs
        self.differing_motions = " ".join(motions)

    def mark_logged(self, seq: int) -> None:
        self._leave_check(PaperStatus.LOGGED)
        self.log_seq = seq
