"""Casting: check a signed ballot, append it to the election's log, answer with a receipt.

All or nothing: a ballot is either in the log with its receipt, or refused with a reason and
nothing written. Appends to one election are serialised by a lock on its row (PostgreSQL) or
an immediate transaction (SQLite), so seq stays gap-free; unique constraints back that up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from voting.ballots.models import LogEntry, TreeHead
from voting.core import merkle, record, signing
from voting.core.canonical import b64d, b64e, canon, format_time
from voting.elections.models import Election, ElectionVoter, State
from voting.elections.operations import election_key, locked
from voting.extensions import db
from voting.timeutil import utcnow


# 64 random bytes in base64url: far above the 16 the spec asks for, within the stored column.
MAX_NONCE_CHARS = 86


class BallotRefused(ValueError):
    """The ballot was not logged; the message says why, for the voter or clerk."""


@dataclass(frozen=True)
class Receipt:
    seq: int
    received_at: str  # with the ballot, enough for the phone to recompute entry_hash itself
    entry_hash: str
    tree_head: dict
    inclusion_proof: list[str]

    def as_json(self, election: Election) -> dict:
        return {"election_id": election.public_id, "seq": self.seq, "received_at": self.received_at,
                "entry_hash": self.entry_hash,
                "tree_head": self.tree_head, "inclusion_proof": self.inclusion_proof}


def sign_head(election: Election, size: int, frontier_json: dict, moment: datetime) -> dict:
    body = {"election_hash": election.election_hash, "size": size,
            "root": b64e(merkle.Frontier.from_json(frontier_json).root()), "timestamp": format_time(moment)}
    return {"body": body, "signature": signing.sign(election_key(election), "tree-head", body)}


@lru_cache(maxsize=32)
def _entry_checker(election_hash: str, election_id: int) -> record.EntryChecker:
    """One per frozen election (the hash names its definition and roll), kept between requests,
    so the documents are read and parsed once, not with every ballot."""
    definition_json, roll_json = db.session.execute(
        select(Election.definition_json, Election.roll_json).where(Election.id == election_id)).one()
    return record.EntryChecker(json.loads(definition_json), json.loads(roll_json))


def check_ballot(election: Election, ballot, signatures) -> None:
    """Everything the verifier will check of this entry, so that the log never holds a
    ballot the published record would fail on."""
    checker = _entry_checker(election.election_hash, election.id)
    try:
        checker.check(ballot, signatures)
    except record.RecordInvalid as fault:
        raise BallotRefused(_("The ballot is not valid: %(fault)s", fault=str(fault))) from None


def append(election_id: int, ballot: dict, signatures: list[dict], now: datetime | None = None) -> Receipt:
    """Append a checked ballot under the election's lock; the caller commits."""
    election = locked(election_id)
    now = now or utcnow()
    if election.state != State.OPEN:
        raise BallotRefused(_("This vote is not open for voting."))
    if now < election.opens_at:
        raise BallotRefused(_("Voting has not started."))
    if now > election.closes_at:
        raise BallotRefused(_("Voting has closed."))
    if isinstance(ballot, dict) and len(str(ballot.get("nonce", ""))) > MAX_NONCE_CHARS:
        raise BallotRefused(_("The ballot's nonce is too long."))
    check_ballot(election, ballot, signatures)
    voter_code = ballot["voter_id"]
    holder = db.session.scalar(select(ElectionVoter).where(
        ElectionVoter.election_id == election.id, ElectionVoter.voter_code == voter_code))
    if ballot["channel"] == "online" and holder.key_revoked_at is not None:
        raise BallotRefused(_("This voting notice was revoked; please vote on paper."))
    previous = db.session.scalar(select(LogEntry.seq).where(
        LogEntry.election_id == election.id, LogEntry.voter_code == voter_code).limit(1))
    if election.revote == "first" and previous is not None:
        raise BallotRefused(_("A ballot of this voter is already counted; this vote counts the first ballot only."))
    if db.session.scalar(select(LogEntry.id).where(
            LogEntry.election_id == election.id, LogEntry.voter_code == voter_code,
            LogEntry.nonce == ballot["nonce"])) is not None:
        raise BallotRefused(_("This ballot was already received."))

    seq = election.log_size
    entry = {"seq": seq, "received_at": format_time(now), "ballot": ballot, "signatures": signatures}
    leaf = record.entry_leaf_hash(entry)
    before = json.loads(election.frontier_json)
    frontier = merkle.Frontier.from_json(before)
    frontier.append(leaf)
    election.log_size = seq + 1
    election.frontier_json = json.dumps(frontier.to_json())
    head = sign_head(election, seq + 1, frontier.to_json(), now)
    db.session.add(LogEntry(
        election_id=election.id, seq=seq, received_at=now, voter_code=voter_code, nonce=ballot["nonce"],
        channel=ballot["channel"], sole_ballot_of=voter_code if election.revote == "first" else None,
        entry_json=canon(entry).decode(), leaf_hash=b64e(leaf),
    ))
    db.session.add(TreeHead(election_id=election.id, size=seq + 1, body_json=canon(head["body"]).decode(),
                            signature=head["signature"]))
    db.session.flush()
    # The newest leaf's audit path is the frontier it joined, smallest subtree first: O(log n).
    return Receipt(seq, entry["received_at"], b64e(leaf), head, list(reversed(before["nodes"])))


def leaf_hashes(election: Election, size: int | None = None) -> list[bytes]:
    query = select(LogEntry.leaf_hash).where(LogEntry.election_id == election.id).order_by(LogEntry.seq)
    if size is not None:
        query = query.where(LogEntry.seq < size)
    return [b64d(h) for h in db.session.scalars(query)]


def cast_online(election: Election, ballot: dict, signature: str, now: datetime | None = None) -> Receipt:
    """An owner's ballot, signed on their phone with the credential from their notice."""
    if not isinstance(ballot, dict) or ballot.get("channel") != "online":
        raise BallotRefused(_("Only online ballots can be cast here."))
    return append(election.id, ballot, [{"signer": ballot.get("voter_id"), "signature": signature}], now)


def tree_head_at(election: Election, size: int) -> dict | None:
    head = db.session.scalar(select(TreeHead).where(TreeHead.election_id == election.id, TreeHead.size == size))
    return {"body": json.loads(head.body_json), "signature": head.signature} if head else None


def check_receipt(election: Election, receipt: dict) -> dict:
    """Check a receipt against the newest signed tree head: the receipt's tree head is
    genuine, the entry is in it, and the newest tree extends it. Returns the proofs used."""
    from voting.elections.operations import latest_tree_head

    try:
        head = receipt["tree_head"]
        size, seq = int(head["body"]["size"]), int(receipt["seq"])
        entry_hash = b64d(receipt["entry_hash"])
        proof = [b64d(p) for p in receipt["inclusion_proof"]]
        old_root = b64d(head["body"]["root"])
    except (KeyError, TypeError, ValueError):
        raise BallotRefused(_("This is not a Gongzhi receipt.")) from None
    if head["body"].get("election_hash") != election.election_hash or not signing.verify(
            election.public_key, "tree-head", head["body"], head.get("signature", "")):
        raise BallotRefused(_("The receipt's tree head is not signed by this vote's key."))
    if not merkle.verify_inclusion(entry_hash, seq, size, proof, old_root):
        raise BallotRefused(_("The receipt's ballot is not in its tree head."))
    latest = latest_tree_head(election)
    latest_size = latest["body"]["size"]
    consistency = merkle.consistency_proof(leaf_hashes(election, latest_size), size)
    if not merkle.verify_consistency(size, latest_size, old_root, b64d(latest["body"]["root"]), consistency):
        raise BallotRefused(_("The log no longer extends the receipt's tree head."))
    return {"latest_tree_head": latest, "consistency_proof": [b64e(p) for p in consistency]}
