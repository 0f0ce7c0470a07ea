"""Printed documents: Jinja templates under templates/pdf/ laid out by WeasyPrint.

Fonts come from fontconfig (Noto Sans/Serif CJK SC, Debian's fonts-noto-cjk) and WeasyPrint
embeds the subsets it uses, so a PDF prints the same anywhere and its text stays selectable.
A template may load nothing from outside: images are ``data:`` URIs (see :func:`qr_data_uri`),
so neither a file on the server nor an address on the network can be pulled into a document.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import qrcode
from flask import current_app, render_template
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML, Document
from weasyprint.urls import URLFetcher

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def public_base_url() -> str:
    """The address owners reach the service at, for links printed on paper (no trailing /).

    PUBLIC_BASE_URL, which production requires; elsewhere the development server's address.
    Never the host a request came to: a job renders without one, and a Host header is whatever
    the sender wrote.
    """
    return (current_app.config.get("PUBLIC_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` as a PNG ``data:`` URI, one pixel per module, for <img src>.

    Show it with ``image-rendering: pixelated`` so the PDF keeps the modules sharp at any size
    (WeasyPrint then turns interpolation off). A bitmap of a few hundred bytes lays out and
    prints far faster than the same code as an SVG path of hundreds of squares.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=4)
    code.add_data(text)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def render_document(template_name: str, **context) -> Document:
    """Lay out one template, e.g. to check its page count before writing it."""
    html = render_template(template_name, **context)
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return HTML(string=html, url_fetcher=fetcher).render()


def render_pdf(template_name: str, **context) -> bytes:
    return render_document(template_name, **context).write_pdf()


def merge_pdfs(parts: Sequence[bytes]) -> bytes:
    """The PDFs' pages, in order, as one PDF with the first one's metadata.

    Long print runs lay out and write one chunk at a time and merge the results: a laid-out
    page holds about a megabyte until it is written, so keeping thousands at once would not do.
    Each part embeds its own font subsets, a few hundred kilobytes per part.
    """
    if len(parts) == 1:
        return parts[0]
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    metadata = PdfReader(io.BytesIO(parts[0])).metadata
    if metadata:
        writer.add_metadata(metadata)
    merged = io.BytesIO()
    writer.write(merged)
    return merged.getvalue()
