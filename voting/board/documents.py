"""A notice written on the board's page (meeting notice, committee filing …) as a PDF."""

from voting.estates.models import Estate
from voting.formatting import SHANGHAI, format_date
from voting.pdf.render import qr_data_uri, render_pdf
from voting.timeutil import utcnow


def announcement_pdf(estate: Estate, title: str, text: str, signed_by: str, board_url: str) -> bytes:
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    return render_pdf(
        "pdf/announcement.html",
        estate=estate,
        title=title,
        paragraphs=paragraphs,
        signed_by=signed_by,
        date=format_date(utcnow().astimezone(SHANGHAI).date()),
        qr=qr_data_uri(board_url),
        board_url=board_url,
    )


def tree_head_pdf(
    estate: Estate, election_title: str, public_id: str, day: str, size: int, note: str, board_url: str
) -> bytes:
    """The day's head of a vote's log: its signed note, to compare later with the published record."""
    return render_pdf(
        "pdf/tree_head.html",
        estate=estate,
        election_title=election_title,
        public_id=public_id,
        day=day,
        size=size,
        note=note,
        note_qr=qr_data_uri(note),
        qr=qr_data_uri(board_url),
        board_url=board_url,
    )
