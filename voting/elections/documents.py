"""The full texts motions decide (议事规则, 管理规约, a contract), attached as PDFs while the vote
is a draft. Opening freezes each one's SHA-256 into the record (spec v2 §3.1), so an owner, or
anyone, can check that the copy they read is the text the vote decided."""

from __future__ import annotations

from flask_babel import gettext as _

from voting.audit.operations import record_event
from voting.core.canonical import H, b64e
from voting.elections.models import ElectionError, Motion, MotionDocument, State
from voting.extensions import db

PDF_MAGIC = b"%PDF-"
MAX_DOCUMENT_BYTES = 15 * 1024 * 1024  # a scanned 管理规约 of some 60 pages; the request cap is 20 MB
MAX_TITLE_LENGTH = 200


def attach_document(actor: str, motion: Motion, title: str, filename: str, content: bytes) -> MotionDocument:
    """Attach a PDF to a draft vote's motion; the title says what it is (e.g. 「管理规约（草案）」)."""
    motion.election.require_state(State.DRAFT)
    title = title.strip()
    if not title or len(title) > MAX_TITLE_LENGTH:
        raise ElectionError(_("Give the document a title of at most %(num)d characters.", num=MAX_TITLE_LENGTH))
    if not content.startswith(PDF_MAGIC):
        raise ElectionError(_("“%(file)s” is not a PDF file.", file=filename))
    if len(content) > MAX_DOCUMENT_BYTES:
        raise ElectionError(
            _("“%(file)s” is larger than %(num)d MB.", file=filename, num=MAX_DOCUMENT_BYTES // (1024 * 1024))
        )
    document = MotionDocument(
        election_id=motion.election_id,
        position=max((d.position for d in motion.documents), default=0) + 1,
        title=title,
        filename=filename[:200],
        content=content,
        size=len(content),
        sha256=b64e(H(content)),
        attached_by=actor,
    )
    motion.documents.append(document)
    record_event(
        actor,
        "election.document_attach",
        f"election:{motion.election.public_id}",
        estate_id=motion.election.estate_id,
        motion=motion.motion_id,
        title=title,
        sha256=document.sha256,
    )
    return document


def remove_document(actor: str, document: MotionDocument) -> None:
    """Take a document off a draft vote's motion (a wrong file, a newer draft)."""
    motion = document.motion
    motion.election.require_state(State.DRAFT)
    motion.documents.remove(document)
    db.session.delete(document)
    record_event(
        actor,
        "election.document_remove",
        f"election:{motion.election.public_id}",
        estate_id=motion.election.estate_id,
        motion=motion.motion_id,
        title=document.title,
        sha256=document.sha256,
    )
