"""Printed documents (notices, announcements, minutes, certifications) rendered to PDF."""

from voting.pdf.render import merge_pdfs, public_base_url, qr_data_uri, render_document, render_pdf

__all__ = ["merge_pdfs", "public_base_url", "qr_data_uri", "render_document", "render_pdf"]
