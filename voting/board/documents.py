"""A notice written on the board's page (meeting notice, committee filing …) as a PDF."""

from voting.estates.models import Estate
from voting.pdf.render import qr_data_uri, render_pdf
from voting.templating import SHANGHAI
from voting.timeutil import utcnow


def announcement_pdf(estate: Estate, title: str, text: str, signed_by: str, board_url: str) -> bytes:
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    return render_pdf("pdf/announcement.html", estate=estate, title=title, paragraphs=paragraphs,
                      signed_by=signed_by, date=utcnow().astimezone(SHANGHAI).strftime("%Y-%m-%d"),
                      qr=qr_data_uri(board_url), board_url=board_url)
