"""Appending to the audit log, and checking its hash chain. Callers add the event in the same
transaction as the change.

Every event carries the hash of the one before it (in id order) and its own hash over its
fields, so an edited, inserted or deleted row breaks the chain where `verify_audit_chain`
looks. Only the newest events could be cut off unseen: `flask --app voting audit verify`
prints the head so that it can be noted elsewhere.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, select, text

from voting.audit.models import AuditEvent
from voting.core.canonical import b64e, b64h, format_time
from voting.extensions import db
from voting.timeutil import utcnow

EMPTY_CHAIN = b64e(bytes(32))  # the prev_hash of the first event
CHAIN_LOCK = int.from_bytes(b"gongzhi", "big")  # the key of PostgreSQL's advisory lock on the chain


def event_hash(
    *, prev_hash: str, at: datetime, actor: str, action: str, estate_id: int | None, target: str, detail_json: str
) -> str:
    """b64h over the event's fields; the details as stored text, so no re-encoding can change them."""
    return b64h(
        {
            "prev_hash": prev_hash,
            "at": format_time(at),
            "actor": actor,
            "action": action,
            "estate_id": estate_id,
            "target": target,
            "detail": detail_json,
        }
    )


def _locked_head() -> str:
    """The newest event's hash; no other transaction appends until this one ends."""
    # The caller's changes go first, so their row locks always come before the chain's lock.
    db.session.flush()
    if db.engine.dialect.name == "postgresql":
        # A row lock on the newest event would, after the wait, still hand back that row and not
        # the one the other transaction just added; an advisory lock is re-read after the wait.
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    # SQLite: transactions begin IMMEDIATE (serialise_sqlite_writes), so this one is alone already.
    return db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or EMPTY_CHAIN


def record_event(actor: str, action: str, target: str, estate_id: int | None = None, **detail) -> AuditEvent:
    fields = {
        "at": utcnow(),
        "actor": actor,
        "action": action,
        "target": target,
        "estate_id": estate_id,
        "detail_json": json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
        "prev_hash": _locked_head(),
    }
    event = AuditEvent(**fields, hash=event_hash(**fields))
    db.session.add(event)
    return event


def verify_audit_chain() -> int | None:
    """The id of the first event whose link or hash is wrong, or None when the chain holds."""
    expected_prev = EMPTY_CHAIN
    rows = db.session.execute(
        select(
            AuditEvent.id,
            AuditEvent.hash,
            AuditEvent.prev_hash,
            AuditEvent.at,
            AuditEvent.actor,
            AuditEvent.action,
            AuditEvent.estate_id,
            AuditEvent.target,
            AuditEvent.detail_json,
        )
        .order_by(AuditEvent.id)
        .execution_options(yield_per=1000)
    )
    for event_id, stored_hash, *fields in rows:
        prev_hash, at, actor, action, estate_id, target, detail_json = fields
        if prev_hash != expected_prev or stored_hash != event_hash(
            prev_hash=prev_hash,
            at=at,
            actor=actor,
            action=action,
            estate_id=estate_id,
            target=target,
            detail_json=detail_json,
        ):
            return event_id
        expected_prev = stored_hash
    return None


def audit_chain_head() -> tuple[int, str]:
    """How many events the chain holds, and the newest one's hash."""
    count = db.session.scalar(select(func.count()).select_from(AuditEvent))
    head = db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return count, head or EMPTY_CHAIN
