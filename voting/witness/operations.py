"""The street office witnesses a vote's log: its officer cosigns checkpoints in the browser
(C2SP tlog-cosignature/v1, spec v2 §6) with the certifying key registered before the vote
opened. The server holds no witness key: it can only check a cosignature and keep it.

A witness never cosigns a fork. The server refuses a checkpoint that does not extend the last
one the witness cosigned, but that check runs on the operator's machine and cannot protect
against the operator; the one that does runs in the witness's browser (officer_keys.js), which
keeps the last head it cosigned and checks the RFC 9162 consistency proof itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from voting.audit.operations import record_event
from voting.auth.access import own_street_office_officer
from voting.auth.models import Staff
from voting.ballots.log import (
    checkpoint_of,
    checkpoint_text,
    close_witnessed,
    consistency_proof,
    extends,
    locked,
    make_checkpoint,
)
from voting.ballots.models import Checkpoint, Cosignature, LogEntry
from voting.core import checkpoint, signing
from voting.core.canonical import b64d
from voting.elections.models import Election, Officer, State
from voting.elections.operations import officer_keys
from voting.errors import Refusal
from voting.extensions import db
from voting.timeutil import utcnow

# How far a cosignature's time may be from the server's clock; the browser checks the same.
CLOCK_TOLERANCE = timedelta(minutes=5)


class CosignatureRefused(Refusal):
    status = 400


@dataclass(frozen=True)
class ToCosign:
    """A checkpoint of the log as it is now, the server's time to cosign it at, and the proof
    that it extends the head the browser cosigned before (when it says which)."""

    election_hash: str
    size: int
    root: str
    signature: str  # the vote key's, over the checkpoint text
    time: int
    consistency_proof: list[str] | None

    def as_json(self) -> dict:
        return {
            "election_hash": self.election_hash,
            "size": self.size,
            "root": self.root,
            "signature": self.signature,
            "time": self.time,
            "consistency_proof": self.consistency_proof,
        }


@dataclass(frozen=True)
class WitnessStatus:
    """What the vote's pages offer its witness: ``due`` is "opening" (nothing cosigned since the
    vote opened), "running", "closing" (the final log is not cosigned yet) or None."""

    keys: list[Officer]
    last_size: int | None  # of the last head this officer cosigned
    last_at: datetime | None
    due: str | None

    clock_tolerance = int(CLOCK_TOLERANCE.total_seconds())  # for the browser's check of the server's clock


def witness_keys(election: Election, staff: Staff) -> list[Officer]:
    """The certifying keys of this officer for this vote: the same key witnesses the log."""
    return officer_keys(election, staff, "street_office")


def _require_witness(staff: Staff, election: Election) -> None:
    if not own_street_office_officer(staff, election.estate):
        raise CosignatureRefused(_("Only an officer of this estate's street office can witness its votes."), 403)
    if election.state == State.DRAFT:
        raise CosignatureRefused(_("The vote's log begins when the vote opens."), 409)


def _last_cosigned(election: Election, officer_ids: list[str]) -> tuple[Cosignature, Checkpoint] | None:
    """The witness's cosignature of the largest head; heads it cosigns only ever grow."""
    row = db.session.execute(
        select(Cosignature, Checkpoint)
        .join(Checkpoint, Cosignature.checkpoint_id == Checkpoint.id)
        .where(Checkpoint.election_id == election.id, Cosignature.witness.in_(officer_ids))
        .order_by(Checkpoint.size.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def witness_status(staff: Staff, election: Election) -> WitnessStatus | None:
    """None for anyone but the vote's witness, or before the vote opens."""
    if not own_street_office_officer(staff, election.estate) or election.state == State.DRAFT:
        return None
    keys = witness_keys(election, staff)
    last = _last_cosigned(election, [o.officer_id for o in keys])
    if election.state == State.OPEN:
        due = "running" if last else "opening"
    else:
        # Until a cosignature at or after the close, the close is not witnessed, however large the
        # head cosigned while voting ran (spec v2 §6): the vote cannot be counted without it.
        covered = last and last[1].size == election.log_size and close_witnessed(election)
        due = None if covered else "closing"
    if not last:
        return WitnessStatus(keys, None, None, due if keys else None)
    return WitnessStatus(keys, last[1].size, datetime.fromtimestamp(last[0].time, UTC), due if keys else None)


def checkpoint_to_cosign(staff: Staff, election: Election, since=None, now: datetime | None = None) -> ToCosign:
    """Make the checkpoint of the log as it is now for the witness's browser to cosign.
    ``since`` is the size of the head the browser cosigned last, if it keeps one."""
    _require_witness(staff, election)
    made = make_checkpoint(election.id)
    proof = None
    if type(since) is int and 0 <= since <= made.size:
        proof = consistency_proof(election, since, made.size)
    moment = now or utcnow()
    return ToCosign(election.election_hash, made.size, made.root, made.signature, int(moment.timestamp()), proof)


def cosign(
    staff: Staff, election: Election, officer_id, size, time, signature, now: datetime | None = None
) -> Cosignature:
    """Keep a cosignature the witness's browser made, once it verifies with the witness's
    registered key over the exact C2SP bytes of that checkpoint at that time.

    Under the election's lock, which every append takes: a cosignature at or after the close
    witnesses the close (spec v2 §6, T5), so it must cover the whole log as it is, and no entry
    other than a paper ballot may be appended after it."""
    election = locked(election.id)
    _require_witness(staff, election)
    if election.state == State.TALLIED:
        raise CosignatureRefused(_("This vote is counted: its log is witnessed and closed."), 409)
    officer = next((o for o in witness_keys(election, staff) if o.officer_id == officer_id), None)
    if officer is None:
        raise CosignatureRefused(
            _("This browser holds no certifying key registered to your account for this vote."), 403
        )
    made = checkpoint_of(election, size) if type(size) is int else None
    if made is None:
        raise CosignatureRefused(_("There is no such checkpoint of this vote's log; reload the page."), 404)
    if type(time) is not int or type(signature) is not str:
        raise CosignatureRefused(_("The cosignature is not complete."))
    now = now or utcnow()
    # Not ahead of the server's clock: the browser signs the time the server proposed, and a time
    # after the close, sent early, would close voting before its time.
    if not 0 <= now.timestamp() - time <= CLOCK_TOLERANCE.total_seconds():
        raise CosignatureRefused(_("The cosignature's time is not now; reload the page and cosign again."))
    if time >= math.ceil(election.closes_at.timestamp()) and made.size != election.log_size:
        raise CosignatureRefused(
            _("At the close only the whole log can be cosigned; reload the page and cosign the final log."), 409
        )
    if size and time < int(_logged_at(election, size - 1).timestamp()):
        raise CosignatureRefused(_("The cosignature's time is before the last ballot it covers."))
    message = checkpoint.cosignature_message(checkpoint_text(election, made), time)
    if not signing.verify_message(b64d(officer.public_key), message, signature):
        raise CosignatureRefused(_("The cosignature does not verify with your registered key."))
    earlier = next((c for c in made.cosignatures if c.witness == officer.officer_id), None)
    if earlier is not None and time <= earlier.time:
        raise CosignatureRefused(_("You have already cosigned this checkpoint."), 409)
    last = _last_cosigned(election, [officer.officer_id])
    if last and not extends(election, last[1], made):
        raise CosignatureRefused(
            _(
                "This checkpoint does not extend the one you cosigned before: a witness never "
                "cosigns a fork. Report it to the platform's administrators."
            ),
            409,
        )
    if earlier is not None:
        # The same head seen again later, at the close say, when no ballot came in meanwhile: the
        # record keeps one cosignature per witness and head (spec v2 §6), the latest.
        earlier.time, earlier.signature = time, signature
        cosignature = earlier
    else:
        cosignature = Cosignature(checkpoint_id=made.id, witness=officer.officer_id, time=time, signature=signature)
        made.cosignatures.append(cosignature)
    db.session.flush()
    record_event(
        staff.username,
        "election.cosign",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        witness=officer.officer_id,
        size=made.size,
        root=made.root,
        time=time,
    )
    return cosignature


def _logged_at(election: Election, seq: int) -> datetime:
    return db.session.scalar(select(LogEntry.logged_at).where(LogEntry.election_id == election.id, LogEntry.seq == seq))
