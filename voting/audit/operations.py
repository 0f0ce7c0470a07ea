"""Appending to the audit log. Callers add the event in the same transaction as the change."""

import json

from voting.audit.models import AuditEvent
from voting.extensions import db


def record_event(actor: str, action: str, target: str, estate_id: int | None = None, **detail):
    event = AuditEvent(
        actor=actor,
        action=action,
        target=target,
        estate_id=estate_id,
        detail_json=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
    )
    db.session.add(event)
    return event
