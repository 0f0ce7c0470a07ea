"""Publishing to and withdrawing from an estate's notice board.

Each document carries a QR code of its own board entry, so the entry is made first, the
document rendered with the entry's address, and its SHA-256 kept: the entry page then
confirms, to anyone reading the printout on the wall, which document is the genuine one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from voting.audit.operations import record_event
from voting.board.models import NOTICE_KINDS, BoardNotice
from voting.errors import Refusal
from voting.estates.models import Estate
from voting.extensions import db
from voting.pdf.render import public_base_url
from voting.timeutil import utcnow


class BoardError(Refusal):
    pass


def entry_url(notice: BoardNotice) -> str:
    """The public address of the entry, as printed in its document's QR code."""
    estate = db.session.get(Estate, notice.estate_id)
    return f"{public_base_url()}/p/{estate.code}/board/{notice.id}"


def publish(
    actor: str,
    estate: Estate,
    kind: str,
    title: str,
    render: Callable[[str], bytes],
    *,
    published_from: datetime | None = None,
    published_until: datetime | None = None,
    election_id: int | None = None,
) -> BoardNotice:
    """Put a document on the board; ``render(entry_url)`` makes the PDF that links back here."""
    if kind not in NOTICE_KINDS:
        raise BoardError(_("Unknown kind of notice."))
    published_from = published_from or utcnow()
    if published_until is not None and published_until <= published_from:
        raise BoardError(_("The publication period must end after it begins."))
    notice = BoardNotice(
        estate_id=estate.id,
        election_id=election_id,
        kind=kind,
        title=title,
        published_from=published_from,
        published_until=published_until,
        published_by=actor,
    )
    db.session.add(notice)
    db.session.flush()
    notice.pdf = render(entry_url(notice))
    notice.sha256 = hashlib.sha256(notice.pdf).hexdigest()
    record_event(
        actor, "board.publish", f"board:{notice.id}", estate_id=estate.id, kind=kind, title=title, sha256=notice.sha256
    )
    return notice


def withdraw(actor: str, notice: BoardNotice, reason: str) -> None:
    """Take a notice down; the entry, the document and the reason stay visible."""
    if notice.withdrawn_at is not None:
        raise BoardError(_("This notice is already withdrawn."))
    if not reason or not reason.strip():
        raise BoardError(_("Write the reason for withdrawing the notice."))
    notice.withdrawn_at, notice.withdrawn_by, notice.withdrawn_reason = utcnow(), actor, reason.strip()
    record_event(actor, "board.withdraw", f"board:{notice.id}", estate_id=notice.estate_id, reason=reason.strip())


def board(estate: Estate, now: datetime | None = None) -> dict[str, list[BoardNotice]]:
    """The notices now on the board, those whose period is over, and the withdrawn ones."""
    now = now or utcnow()
    notices = db.session.scalars(
        select(BoardNotice)
        .where(BoardNotice.estate_id == estate.id)
        .order_by(BoardNotice.published_from.desc(), BoardNotice.id.desc())
    ).all()
    sections = {"current": [], "upcoming": [], "ended": [], "withdrawn": []}
    for notice in notices:
        if notice.withdrawn_at is not None:
            sections["withdrawn"].append(notice)
        elif notice.published_from > now:
            sections["upcoming"].append(notice)
        elif notice.published_until is not None and notice.published_until <= now:
            sections["ended"].append(notice)
        else:
            sections["current"].append(notice)
    return sections


def find_notice(estate: Estate, notice_id: int) -> BoardNotice | None:
    return db.session.scalar(select(BoardNotice).where(BoardNotice.id == notice_id, BoardNotice.estate_id == estate.id))


def posted_at(notice: BoardNotice) -> datetime:
    """When a notice went up: from its start, but never before it was entered, so a start typed
    in the past does not shorten a notice period."""
    return max(notice.published_from, notice.published_at)


def meeting_notice_posted(estate: Estate, election_id: int, drafted_at: datetime) -> datetime | None:
    """When the vote's meeting notice went up: the first standing meeting notice made for the
    vote, or posted on the estate's board since the vote was drafted; None without one."""
    notices = db.session.scalars(
        select(BoardNotice).where(
            BoardNotice.estate_id == estate.id,
            BoardNotice.kind == "meeting_notice",
            BoardNotice.withdrawn_at.is_(None),
        )
    )
    times = [
        posted_at(n)
        for n in notices
        if n.election_id == election_id or (n.election_id is None and n.published_at >= drafted_at)
    ]
    return min(times, default=None)
