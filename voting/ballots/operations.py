"""The vote's log (spec election-record-v2 §5): check an entry, append it, answer with a receipt.

All or nothing: an entry is either in the log with its signed head, or refused with a reason and
nothing written. Appends to one election are serialised by a lock on its row (PostgreSQL) or
an immediate transaction (SQLite), so seq stays gap-free; unique constraints back that up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import select

from voting.ballots.log import close_witnessed, election_key, leaf_hashes, locked, tree_head_at
from voting.ballots.models import LogEntry, TreeHead
from voting.core import checkpoint, merkle, record_v2, rules
from voting.core.canonical import b64e, canon, format_time
from voting.elections.models import Election, ElectionVoter, State
from voting.elections.operations import published_record
from voting.errors import Refusal
from voting.extensions import db
from voting.timeutil import utcnow

# 64 random bytes in base64url: far above the 16 the spec asks for, within the stored column.
MAX_NONCE_CHARS = 86


class BallotRefused(Refusal):
    """The entry was not logged; the message says why, for the voter or clerk."""


@dataclass(frozen=True)
class Receipt:
    """An entry's place in the log: the head signed right after it and the path to it (§10)."""

    seq: int
    logged_at: str
    entry_hash: str
    checkpoint: dict  # size, root, signature: the vote key's C2SP checkpoint
    inclusion_proof: list[str]

    def as_json(self, election: Election) -> dict:
        return {
            "format": record_v2.RECEIPT_FORMAT,
            "election_id": election.public_id,
            "election_hash": election.election_hash,
            "seq": self.seq,
            "entry_hash": self.entry_hash,
            "logged_at": self.logged_at,
            "checkpoint": self.checkpoint,
            "inclusion_proof": self.inclusion_proof,
        }


@lru_cache(maxsize=32)
def _entry_checker(election_hash: str, election_id: int) -> record_v2.EntryChecker:
    """One per frozen election (the hash names its definition and roll), kept between requests,
    so the documents are read and parsed once, not with every entry."""
    definition_json, roll_json = db.session.execute(
        select(Election.definition_json, Election.roll_json).where(Election.id == election_id)
    ).one()
    return record_v2.EntryChecker(json.loads(definition_json), json.loads(roll_json))


def _check(election: Election, log_entry: dict, key_in_effect: str | None) -> bytes:
    """Everything the verifier checks of this entry on its own, so that the log never holds an
    entry the published record would fail on. Returns its leaf hash."""
    try:
        return _entry_checker(election.election_hash, election.id).check(
            log_entry, key_in_effect, format_time(election.closes_at)
        )
    except record_v2.RecordInvalid as fault:
        raise BallotRefused(_("The entry is not valid: %(fault)s", fault=str(fault))) from None


def _require_window(election: Election, kind: str, channel: str | None, now: datetime) -> None:
    """When the log takes an entry of this kind (spec v2 §5): online ballots and hand-ins within
    the voting period; credential acts and the notices' download until the close; paper ballots,
    keyed from the sealed box, until the count."""
    if channel == "paper":
        if election.state not in (State.OPEN, State.CLOSED):
            raise BallotRefused(_("This vote is counted; no more paper ballots can be keyed."))
        return
    # A cosignature witnessing the close is no later than the server's clock (witness.cosign).
    if (
        election.state != State.OPEN
        or now > election.closes_at
        or (now >= election.closes_at and close_witnessed(election))
    ):
        raise BallotRefused(_("Voting has closed."))
    if now < election.opens_at and (kind == "handin" or channel == "online"):
        raise BallotRefused(_("Voting has not started."))


def append(
    election_id: int, kind: str, body: dict, signatures: list[dict], now: datetime | None = None, **columns
) -> Receipt:
    """Check an entry of any kind and append it under the election's lock; the caller commits.
    ``columns`` are the LogEntry columns the server finds the entry by (voter_code, desk_receipt…)."""
    election = locked(election_id)
    now = now or utcnow()
    if kind == "ballot":
        return _append_ballot(election, body, signatures, now)
    _require_window(election, kind, None, now)
    if kind == "handin":
        _require_unused_receipt(election, columns.get("desk_receipt"))
    return _append(election, kind, body, signatures, now, None, **columns)


def _require_unused_receipt(election: Election, desk_receipt) -> None:
    """A desk receipt number names one hand-in (check L13); checked under the election's lock, so
    two desks offering the same number cannot both log it."""
    if (
        db.session.scalar(
            select(LogEntry.seq).where(LogEntry.election_id == election.id, LogEntry.desk_receipt == desk_receipt)
        )
        is not None
    ):
        raise BallotRefused(
            _(
                "Desk receipt %(receipt)s is already given to another hand-in; prepare the slip again.",
                receipt=desk_receipt,
            )
        )


def _append(
    election: Election,
    kind: str,
    body: dict,
    signatures: list[dict],
    now: datetime,
    key_in_effect: str | None,
    **columns,
) -> Receipt:
    seq = election.log_size
    log_entry = record_v2.entry(seq, format_time(now), kind, body, signatures)
    leaf = _check(election, log_entry, key_in_effect)
    before = json.loads(election.frontier_json)
    frontier = merkle.Frontier.from_json(before)
    frontier.append(leaf)
    election.log_size = seq + 1
    election.frontier_json = json.dumps(frontier.to_json())
    head = checkpoint.sign(election_key(election), election.election_hash, seq + 1, frontier.root())
    db.session.add(
        LogEntry(
            election_id=election.id,
            seq=seq,
            logged_at=now,
            kind=kind,
            entry_json=canon(log_entry).decode(),
            leaf_hash=b64e(leaf),
            **columns,
        )
    )
    db.session.add(TreeHead(election_id=election.id, size=seq + 1, root=head["root"], signature=head["signature"]))
    db.session.flush()
    # The newest leaf's audit path is the frontier it joined, smallest subtree first: O(log n).
    return Receipt(seq, log_entry["logged_at"], b64e(leaf), _signed_head(head), list(reversed(before["nodes"])))


def _signed_head(head: dict) -> dict:
    return {"size": head["size"], "root": head["root"], "signature": head["signature"]}


def _append_ballot(election: Election, ballot, signatures: list[dict], now: datetime) -> Receipt:
    if not isinstance(ballot, dict) or ballot.get("channel") not in ("online", "paper"):
        raise BallotRefused(_("The ballot is not valid: it names no channel."))
    channel = ballot["channel"]
    _require_window(election, "ballot", channel, now)
    if len(str(ballot.get("nonce", ""))) > MAX_NONCE_CHARS:
        raise BallotRefused(_("The ballot's nonce is too long."))
    voter_code = ballot.get("voter_id")
    if not isinstance(voter_code, str) or not isinstance(ballot.get("nonce"), str):
        # Nothing is looked up by such values: the entry's own checks name the fault.
        _check(election, record_v2.entry(election.log_size, format_time(now), "ballot", ballot, signatures), None)
    holder = db.session.scalar(
        select(ElectionVoter).where(ElectionVoter.election_id == election.id, ElectionVoter.voter_code == voter_code)
    )
    if channel == "online" and holder is not None and holder.public_key is None:
        raise BallotRefused(_("This voting notice was revoked; please vote on paper."))
    ballots = select(LogEntry.seq).where(
        LogEntry.election_id == election.id, LogEntry.kind == "ballot", LogEntry.voter_code == voter_code
    )
    if election.revote == "first" and db.session.scalar(ballots.limit(1)) is not None:
        raise BallotRefused(_("A ballot of this voter is already counted; this vote counts the first ballot only."))
    if db.session.scalar(ballots.where(LogEntry.nonce == ballot.get("nonce"))) is not None:
        raise BallotRefused(_("This ballot was already received."))
    cast_at, handin_seq = now, None
    if channel == "paper":
        handin = handin_for(election, ballot)
        cast_at, handin_seq = handin.logged_at, handin.seq
    return _append(
        election,
        "ballot",
        ballot,
        signatures,
        now,
        holder.public_key if holder else None,
        # .get: a malformed ballot reaches the entry's own checks, which name its fault
        voter_code=voter_code,
        nonce=ballot.get("nonce"),
        channel=channel,
        cast_at=cast_at,
        handin_seq=handin_seq,
        sole_ballot_of=voter_code if election.revote == "first" else None,
    )


def handin_for(election: Election, ballot: dict) -> LogEntry:
    """The hand-in a paper ballot names (spec v2 §5.1, checks L10 and L11): an earlier hand-in of
    this voter or of nobody known, named by no other ballot; and where the owner had voted online
    before handing the paper in, it counts only if the clerk checked the owner's identity."""
    seq = ballot.get("handin")
    handin = (
        db.session.scalar(
            select(LogEntry).where(LogEntry.election_id == election.id, LogEntry.kind == "handin", LogEntry.seq == seq)
        )
        if type(seq) is int and 0 <= seq < election.log_size
        else None
    )
    if handin is None:
        raise BallotRefused(_("The paper ballot names no hand-in at the desk."))
    if (
        db.session.scalar(select(LogEntry.seq).where(LogEntry.election_id == election.id, LogEntry.handin_seq == seq))
        is not None
    ):
        raise BallotRefused(
            _("Desk receipt %(receipt)s is already keyed as another ballot.", receipt=handin.desk_receipt)
        )
    if handin.voter_code not in (None, ballot.get("voter_id")):
        raise BallotRefused(_("Desk receipt %(receipt)s was handed in for another voter.", receipt=handin.desk_receipt))
    online_before = db.session.scalar(
        select(LogEntry.seq)
        .where(
            LogEntry.election_id == election.id,
            LogEntry.kind == "ballot",
            LogEntry.channel == "online",
            LogEntry.voter_code == ballot.get("voter_id"),
            LogEntry.seq < seq,
        )
        .limit(1)
    )
    if online_before is not None and not handin.body["identity_checked"]:
        raise BallotRefused(
            _(
                "This owner voted online before the paper ballot was handed in, and nobody checked "
                "their identity at the desk: the paper ballot cannot replace the online one."
            )
        )
    return handin


def cast_online(election: Election, ballot: dict, signature: str, now: datetime | None = None) -> Receipt:
    """An owner's ballot, signed on their phone with the credential from their notice."""
    if not isinstance(ballot, dict) or ballot.get("channel") != "online":
        raise BallotRefused(_("Only online ballots can be cast here."))
    return append(election.id, "ballot", ballot, [{"signer": ballot.get("voter_id"), "signature": signature}], now)


def receipt_of(election: Election, seq: int) -> Receipt:
    """The receipt of entry ``seq`` against the head signed when it was appended."""
    hashes = leaf_hashes(election, seq + 1)
    logged_at = json.loads(
        db.session.scalar(select(LogEntry.entry_json).where(LogEntry.election_id == election.id, LogEntry.seq == seq))
    )["logged_at"]
    return Receipt(
        seq,
        logged_at,
        b64e(hashes[seq]),
        tree_head_at(election, seq + 1),
        [b64e(node) for node in merkle.inclusion_proof(hashes, seq)],
    )


def check_receipt(election: Election, receipt) -> dict:
    """What a receipt shows against the log: while the vote runs, that the ballot is in the log
    and the log still extends the receipt's head; once counted, against the published record
    exactly as ``scripts/verify_record.py --receipt`` checks it. Either way its ``status``: the
    ballot counted for its voter ("counted"; "pending" until the count), or "replaced" with
    ``replaced_by`` the later ballot that counts instead; ``ballot`` describes the receipt's own."""
    try:
        if election.state == State.TALLIED:
            published = published_record(election)
            if published.verified is None:
                raise record_v2.RecordInvalid(published.fault)
            finding = record_v2.check_receipt(published.record, published.verified, receipt).as_json()
            own = record_v2.describe_ballot(published.verified.ballots[finding["seq"]])
            return {**finding, "ballot": own, "published": True}
        seq = record_v2.check_receipt_in_log(election.definition, receipt, leaf_hashes(election))
    except record_v2.RecordInvalid as fault:
        raise BallotRefused(_("The receipt does not check out: %(fault)s", fault=str(fault))) from None
    logged = db.session.scalar(select(LogEntry).where(LogEntry.election_id == election.id, LogEntry.seq == seq))
    if logged.kind != "ballot" or receipt["logged_at"] != logged.entry["logged_at"]:
        raise BallotRefused(_("The receipt does not check out: entry %(seq)d of the log is not its ballot.", seq=seq))
    counted = counted_ballot(election, logged.voter_code)
    return {
        "receipt": "valid",
        "seq": seq,
        "published": False,
        "log_size": election.log_size,
        "status": "pending" if counted.seq == seq else "replaced",
        "replaced_by": None if counted.seq == seq else _described(election, counted),
        "ballot": _described(election, logged),
    }


def counted_ballot(election: Election, voter_code: str) -> LogEntry:
    """The voter's logged ballot that counts so far (spec v2 §7.1, as the count will choose it):
    under revote "last" the latest cast, a paper ballot cast when it was handed in; of equal
    cast times the later entry."""
    counting = rules.CountedBallots(election.revote)
    for entry in db.session.scalars(
        select(LogEntry)
        .where(LogEntry.election_id == election.id, LogEntry.kind == "ballot", LogEntry.voter_code == voter_code)
        .order_by(LogEntry.seq)
    ):
        counting.add(voter_code, entry.cast_at, entry)
    return counting.ballots()[voter_code]


def _described(election: Election, entry: LogEntry) -> dict:
    """A logged ballot as ``record_v2.describe_ballot`` tells an owner of a published one."""
    described = {"seq": entry.seq, "channel": entry.channel, "cast_at": format_time(entry.cast_at)}
    if entry.channel == "paper":
        handin = db.session.scalar(
            select(LogEntry).where(LogEntry.election_id == election.id, LogEntry.seq == entry.handin_seq)
        )
        described.update(
            desk_receipt=handin.desk_receipt,
            handin_seq=handin.seq,
            identity_checked=handin.body["identity_checked"],
            clerks=[signature["signer"] for signature in entry.entry["signatures"]],
        )
    return described
