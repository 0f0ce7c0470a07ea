"""The append-only ballot log, its signed tree heads and witnessed checkpoints, and paper ballots
awaiting their check."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voting.extensions import db, one_of
from voting.timeutil import UTCDateTime, utcnow


class LogEntry(db.Model):
    """One accepted ballot. ``entry_json`` is canon(entry) exactly as it is hashed into the tree."""

    __tablename__ = "log_entry"
    __table_args__ = (
        UniqueConstraint("election_id", "seq"),
        UniqueConstraint("election_id", "voter_code", "nonce"),
        # Under revote "first" this column holds the voter code, so a second ballot cannot be
        # stored whatever the race; under "last" it is NULL, which unique constraints ignore.
        UniqueConstraint("election_id", "sole_ballot_of"),
        one_of("channel", ("online", "paper")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    seq: Mapped[int]
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    voter_code: Mapped[str] = mapped_column(String(20))
    nonce: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(6))
    sole_ballot_of: Mapped[str | None] = mapped_column(String(20))
    entry_json: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(44))


class TreeHead(db.Model):
    """A signed tree head, published after every append."""

    __tablename__ = "tree_head"
    __table_args__ = (UniqueConstraint("election_id", "size"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    size: Mapped[int]
    body_json: Mapped[str] = mapped_column(Text)
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


class PaperBallot(db.Model):
    """A paper ballot keyed by one clerk, waiting for a second clerk's blind re-keying."""

    __tablename__ = "paper_ballot"
    __table_args__ = (one_of("status", ("awaiting_check", "mismatch", "logged")),)
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    voter_code: Mapped[str] = mapped_column(String(20))
    scan_id: Mapped[int] = mapped_column(ForeignKey("paper_scan.id"))
    ballot_json: Mapped[str] = mapped_column(Text)  # the ballot body both clerks sign
    keyed_by: Mapped[str] = mapped_column(String(60))  # officer_id
    keyed_signature: Mapped[str] = mapped_column(String(100))
    checked_by: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(15), default="awaiting_check")
    log_seq: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
