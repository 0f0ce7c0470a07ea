"""Voting notices (表决通知书): the secrets a NoticeBatch holds become one printed page per voter,
then the server forgets them; a lost notice is replaced one page at a time (voting.credentials).

The secrets and the PDF are sealed under the key derived from the notices passphrase set when
the vote opened (voting.notices.sealing): starting the rendering and downloading ask for it,
and only the render job holds the key, and the secrets in the clear, while it runs.

render_notices runs as a background job (voting.jobs). It commits its own progress in short
transactions and never keeps one open while laying out pages, so ballots keep flowing (on SQLite
any open transaction holds the write lock).
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from voting.audit.operations import record_event
from voting.ballots.operations import BallotRefused, append
from voting.core import signing
from voting.core.canonical import SHANGHAI, b64e
from voting.elections.models import BatchStatus, Election, ElectionVoter, NoticeBatch, State
from voting.elections.operations import units_by_voter, voter_holding
from voting.elections.scopes import scope_titles
from voting.errors import Refusal
from voting.extensions import db
from voting.formatting import format_date
from voting.notices import sealing
from voting.pdf import merge_pdfs, public_base_url, qr_data_uri, render_document
from voting.pdf.documents import vote_header
from voting.timeutil import utcnow

TEMPLATE = "pdf/notice.html"
CHUNK_SIZE = 100  # voters laid out (and memory held) between two progress reports
UNITS_SHOWN = 8  # the developer may hold hundreds of units; a page names the first few


class NoticeError(Refusal):
    """The notices cannot be started, rendered or handed out now; the message says why."""


def latest_batch(election: Election) -> NoticeBatch | None:
    return db.session.scalar(
        select(NoticeBatch).where(NoticeBatch.election_id == election.id).order_by(NoticeBatch.id.desc()).limit(1)
    )


def voter_url(base_url: str, election_public_id: str, secret: bytes) -> str:
    """The address in a voter's QR code. The secret sits in the fragment, which browsers never send."""
    return f"{base_url}/v/{election_public_id}#{b64e(secret)}"


def _notice_locale() -> str:
    # Notices are for owners, whatever language the staff member reads the site in.
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _shared(election: Election, issued_at: datetime) -> dict:
    """What every page of a vote's notices shows: the vote as its documents head it (a notice
    reissued after an extension gives the new close), its frozen motions."""
    definition = election.definition
    return vote_header(election) | {
        "motions": definition["motions"],
        "scopes": scope_titles(definition),
        "issued_on": format_date(issued_at.astimezone(SHANGHAI).date()),
        # Not frozen with the vote: a desk that moves is printed where it is now.
        "help_desk": election.estate.help_desk,
    }


def _page(holder, units: list[str], url: str) -> dict:
    """One voter's page; ``holder`` is an ElectionVoter or a row of its columns."""
    return {
        "voter_code": holder.voter_code,
        "units_salt": holder.units_salt,
        "units_shown": units[:UNITS_SHOWN],
        "units_more": max(0, len(units) - UNITS_SHOWN),
        "area": holder.area,
        "qr": qr_data_uri(url),
    }


def _holds_current_key(holder, secret: bytes) -> bool:
    """False once the voter's notice was reissued or revoked: that old page must not be printed."""
    return holder.public_key == signing.public_key_b64(signing.private_key_from_seed(secret))


def _lay_out(shared: dict, pages: list[dict], *, reissued: bool = False):
    """The pages as a document of exactly one A4 page per voter, in smaller type if it must be."""
    for compact in (False, True):
        document = render_document(TEMPLATE, notice=shared, voters=pages, reissued=reissued, compact=compact)
        if len(document.pages) == len(pages):
            return document
    raise NoticeError(_("A notice does not fit on one page: the motions or candidates are too long."))


def unlock(batch: NoticeBatch, passphrase: str) -> bytes:
    """The batch's key, derived from its notices passphrase; a wrong passphrase is refused."""
    key = sealing.derive_key(passphrase, batch.passphrase_kdf)
    if not sealing.is_key(key, batch.passphrase_check):
        raise NoticeError(_("That is not the notices passphrase set when the vote was opened. Nothing was changed."))
    return key


def batch_secrets(election: Election, batch: NoticeBatch, key: bytes) -> dict[str, bytes]:
    """Voter code -> credential seed, in the clear: for the render job (and for simulations
    standing in for owners who read their notices)."""
    return sealing.unseal_secrets(key, election.public_id, batch.secrets_enc)


def start_rendering(actor: str, election: Election, batch: NoticeBatch, passphrase: str) -> bytes:
    """Mark the batch running and return its key; the caller commits, then enqueues
    render_notice_batch with that key.

    A batch left running by a worker that died may be started again: the secrets stay until the
    PDF is stored, and only the first run to finish stores it.
    """
    if election.state != State.OPEN:
        raise NoticeError(_("The vote is not open; its notices can no longer be printed."))
    if batch.secrets_enc is None:
        raise NoticeError(_("These notices were rendered already; a lost notice can only be reissued on its own."))
    key = unlock(batch, passphrase)
    batch.start()
    record_event(
        actor,
        "notices.start",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        batch=batch.id,
        voters=batch.total,
    )
    return key


def _running_batch(batch_id: int) -> NoticeBatch | None:
    """The batch, locked and freshly read, if it is still running (else another run took over)."""
    return db.session.scalar(
        select(NoticeBatch)
        .where(NoticeBatch.id == batch_id, NoticeBatch.status == BatchStatus.RUNNING)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def render_notice_batch(batch_id: int, key: bytes) -> None:
    """The background job the notices page enqueues, given the key start_rendering returned."""
    batch = db.session.get(NoticeBatch, batch_id)
    if batch is not None:
        render_notices(batch, key)


def render_notices(batch: NoticeBatch, key: bytes, *, chunk_size: int = CHUNK_SIZE) -> None:
    """Lay out one page per voter into one PDF, store it sealed under the key until it is
    downloaded and forget the secrets. Commits as it goes. On failure the batch is marked failed
    with the error, and keeps its sealed secrets so it can be started again."""
    batch_id = batch.id
    base_url = public_base_url()
    with force_locale(_notice_locale()):
        try:
            _render(batch_id, key, base_url, chunk_size)
        except Exception as fault:  # any fault: record it on the batch rather than lose it in a worker log
            db.session.rollback()
            current_app.logger.exception("rendering the notices of batch %s failed", batch_id)
            batch = _running_batch(batch_id)
            if batch is not None:
                batch.fail(str(fault) if isinstance(fault, NoticeError) else f"{type(fault).__name__}: {fault}")
                db.session.commit()


def _render(batch_id: int, key: bytes, base_url: str, chunk_size: int) -> None:
    batch = _running_batch(batch_id)
    if batch is None:
        return
    election = db.session.get(Election, batch.election_id)
    secrets = batch_secrets(election, batch, key)
    shared = _shared(election, batch.created_at)
    # In roll order, as the voters were frozen, so the pages come out building by building
    # for handing out; the random voter codes have no useful order.
    holders = {
        row.voter_code: row
        for row in db.session.execute(
            select(ElectionVoter.voter_code, ElectionVoter.units_salt, ElectionVoter.area, ElectionVoter.public_key)
            .where(ElectionVoter.election_id == election.id)
            .order_by(ElectionVoter.id)
        )
    }
    units = units_by_voter(election)
    election_public_id = election.public_id
    db.session.commit()  # ends the read: no transaction stays open while pages are laid out

    codes = [code for code in holders if code in secrets]
    parts = []  # one PDF per chunk: memory stays bounded by the chunk, not the estate
    printed = 0
    for start in range(0, len(codes), chunk_size):
        chunk = codes[start : start + chunk_size]
        pages = [
            _page(holders[code], units[code], voter_url(base_url, election_public_id, secrets[code]))
            for code in chunk
            if _holds_current_key(holders[code], secrets[code])
        ]
        if pages:
            parts.append(_lay_out(shared, pages).write_pdf())
            printed += len(pages)
        if not _report_progress(batch_id, start + len(chunk)):
            return
    if not parts:
        raise NoticeError(_("Every notice of this batch was reissued on its own; there is nothing left to print."))
    pdf_enc = sealing.seal(key, election_public_id, sealing.PDF, merge_pdfs(parts))

    batch = _running_batch(batch_id)
    if batch is None or batch.secrets_enc is None:
        db.session.rollback()  # another run finished first; its PDF stands
        return
    batch.finish(pdf_enc, printed)
    db.session.commit()
    erase_old_row_versions()


def erase_old_row_versions() -> None:
    """Call after committing the removal of secrets or of the PDF. SQLite in WAL mode keeps
    earlier versions of changed pages in the -wal file until a checkpoint: truncate it, so
    what was cleared does not linger on disk (SQLite's secure_delete zeroes freed space in the
    main file). PostgreSQL keeps dead row versions until VACUUM; they stay encrypted there."""
    if db.engine.dialect.name != "sqlite":
        return
    connection = db.engine.raw_connection()
    try:
        connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def _report_progress(batch_id: int, done: int) -> bool:
    batch = _running_batch(batch_id)
    if batch is None:
        db.session.rollback()
        return False
    batch.done = done
    db.session.commit()
    return True


def take_pdf(actor: str, election: Election, batch: NoticeBatch, passphrase: str) -> bytes:
    """The notices PDF, opened with the notices passphrase, and deleted from the server: it can
    be downloaded once. Who took it, when, and how many notices it held go into the vote's log
    (a `notices` entry, spec v2 §5.4): until then no owner could have voted online."""
    batch = db.session.scalar(
        select(NoticeBatch)
        .where(NoticeBatch.id == batch.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if batch.status == BatchStatus.DOWNLOADED:
        raise NoticeError(
            _("The notices were downloaded once already and the file is deleted. A lost notice can be reissued below.")
        )
    if batch.status != BatchStatus.READY or batch.pdf_enc is None:
        raise NoticeError(_("The notices are not ready yet."))
    pdf = sealing.unseal(unlock(batch, passphrase), election.public_id, sealing.PDF, batch.pdf_enc)
    batch.hand_over(actor, utcnow())
    try:
        append(
            election.id,
            "notices",
            {"election_hash": election.election_hash, "count": batch.notice_count, "downloaded_by": actor},
            [],
            batch.downloaded_at,
        )
    except BallotRefused as refusal:
        raise NoticeError(str(refusal)) from None
    record_event(
        actor,
        "notices.download",
        f"election:{election.public_id}",
        estate_id=election.estate_id,
        batch=batch.id,
        voters=batch.total,
        count=batch.notice_count,
    )
    return pdf


def voter_for_unit(election: Election, unit_label: str) -> ElectionVoter:
    """The voter of this vote whose units include this label."""
    label = unit_label.strip()
    holder = voter_holding(election, label)
    if holder is not None:
        return holder
    raise NoticeError(_("No unit “%(unit)s” in this vote's roll.", unit=label))


def replacement_notice(election: Election, holder: ElectionVoter, secret: bytes, base_url: str) -> bytes:
    """A one-page notice for a reissued key (voting.credentials), handed out once, never stored."""
    with force_locale(_notice_locale()):
        page = _page(holder, holder.unit_labels, voter_url(base_url, election.public_id, secret))
        return _lay_out(_shared(election, utcnow()), [page], reissued=True).write_pdf()
