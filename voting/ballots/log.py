"""The vote's log as stored and its tree heads: the election row's lock every append takes, the
vote's signing key, the entries and their leaf hashes, the head signed after each entry, and
the checkpoints: C2SP signed notes of its tree heads that witnesses cosign (spec v2 §6).
Elections, ballots, witnesses and the notice board read the log through this module, so none of
them imports another's operations for it.

The per-append tree heads of format 1 are signed only by the vote's key, which the server holds;
a checkpoint is the head a witness the operator does not control (the street office's officer,
in the browser) cosigns, and that the estate's notice board shows once a day.
"""

from __future__ import annotations

import json
import math

from sqlalchemy import select
from sqlalchemy.orm import defer

from voting.ballots.models import Checkpoint, Cosignature, LogEntry, TreeHead
from voting.core import checkpoint, merkle, signing
from voting.core.canonical import b64d, b64e
from voting.elections.models import Election
from voting.extensions import db
from voting.privacy import personal_data


def locked(election_id: int) -> Election:
    """The election row as it is now that we hold its lock, until commit. Every append to the
    vote's log takes it, and so does anything that decides by the log's size. The frozen
    documents are left unloaded: the ballot checker keeps them parsed, the roll is deferred."""
    return db.session.scalar(
        select(Election)
        .where(Election.id == election_id)
        .with_for_update()
        .options(defer(Election.definition_json), defer(Election.tally_json))
        .execution_options(populate_existing=True)
    )


def election_key(election: Election):
    """The key that signs tree heads, decrypted only for the moment it is needed."""
    return signing.private_key_from_seed(b64d(personal_data().decrypt(election.key_enc)))


def log_entries(election: Election) -> list[dict]:
    return [
        json.loads(text)
        for text in db.session.scalars(
            select(LogEntry.entry_json).where(LogEntry.election_id == election.id).order_by(LogEntry.seq)
        )
    ]


def leaf_hashes(election: Election, size: int | None = None) -> list[bytes]:
    query = select(LogEntry.leaf_hash).where(LogEntry.election_id == election.id).order_by(LogEntry.seq)
    if size is not None:
        query = query.where(LogEntry.seq < size)
    return [b64d(h) for h in db.session.scalars(query)]


def tree_head_at(election: Election, size: int) -> dict | None:
    """The head signed when the log reached ``size`` entries."""
    head = db.session.scalar(select(TreeHead).where(TreeHead.election_id == election.id, TreeHead.size == size))
    return {"size": head.size, "root": head.root, "signature": head.signature} if head else None


def close_witnessed(election: Election) -> bool:
    """Has a witness cosigned a head at or after the close? From then on only paper ballots
    handed in before it may join the log (spec v2 §6, the witnessed close)."""
    # A cosignature's time is in whole seconds; closes_at may have a fraction, which it must pass.
    return (
        db.session.scalar(
            select(Cosignature.id)
            .join(Checkpoint, Cosignature.checkpoint_id == Checkpoint.id)
            .where(Checkpoint.election_id == election.id, Cosignature.time >= math.ceil(election.closes_at.timestamp()))
            .limit(1)
        )
        is not None
    )


def final_tree_head(election: Election) -> dict:
    """The checkpoint of the whole log (spec v2 §6) with the cosignatures it has."""
    witnessed = checkpoint_of(election, election.log_size)
    if witnessed is not None:
        return checkpoint_json(witnessed)
    return {**tree_head_at(election, election.log_size), "cosignatures": []}


def make_checkpoint(election_id: int) -> Checkpoint:
    """The checkpoint of the log as it is now: made under the election's row lock, which every
    append takes, from the frontier kept in the election row. One per size: the log has not
    grown since an earlier one of this size, so that one is it."""
    election = locked(election_id)
    made = checkpoint_of(election, election.log_size)
    if made is not None:
        return made
    root = merkle.Frontier.from_json(json.loads(election.frontier_json)).root()
    signed = checkpoint.sign(election_key(election), election.election_hash, election.log_size, root)
    made = Checkpoint(
        election_id=election.id, size=election.log_size, root=signed["root"], signature=signed["signature"]
    )
    db.session.add(made)
    db.session.flush()
    return made


def checkpoint_of(election: Election, size: int) -> Checkpoint | None:
    return db.session.scalar(select(Checkpoint).where(Checkpoint.election_id == election.id, Checkpoint.size == size))


def checkpoint_text(election: Election, made: Checkpoint) -> bytes:
    return checkpoint.text(election.election_hash, made.size, b64d(made.root))


def checkpoint_json(made: Checkpoint) -> dict:
    """The format-2 checkpoint object (spec v2 §6) with every cosignature it has."""
    return {
        "size": made.size,
        "root": made.root,
        "signature": made.signature,
        "cosignatures": [{"witness": c.witness, "time": c.time, "signature": c.signature} for c in made.cosignatures],
    }


def checkpoints(election: Election) -> list[dict]:
    """Every checkpoint of the vote's log, by increasing size, as the record carries them."""
    return [
        checkpoint_json(made)
        for made in db.session.scalars(
            select(Checkpoint).where(Checkpoint.election_id == election.id).order_by(Checkpoint.size)
        )
    ]


def signed_note(election: Election, made: Checkpoint) -> str:
    """The checkpoint as a C2SP signed note, with the vote's key and every cosigner's."""
    witness_keys = {o.officer_id: b64d(o.public_key) for o in election.officers}
    return checkpoint.signed_note(
        election.election_hash, checkpoint_json(made), b64d(election.public_key), witness_keys
    )


def consistency_proof(election: Election, old_size: int, new_size: int) -> list[str]:
    """RFC 9162 proof that the log's first ``new_size`` entries extend its first ``old_size``."""
    return [b64e(node) for node in merkle.consistency_proof(leaf_hashes(election, new_size), old_size)]


def extends(election: Election, old: Checkpoint, new: Checkpoint) -> bool:
    """Does the log as stored now show ``new`` extending ``old``? Always, on an honest server."""
    if old.size > new.size:
        return False
    proof = [b64d(node) for node in consistency_proof(election, old.size, new.size)]
    return merkle.verify_consistency(old.size, new.size, b64d(old.root), b64d(new.root), proof)
