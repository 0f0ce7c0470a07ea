"""Display helpers shared by templates, exports and PDFs."""


def format_area(hundredths: int) -> str:
    """8956 → '89.56': integer 0.01 m² shown exactly, never through a float."""
    sign = "-" if hundredths < 0 else ""
    whole, cents = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{cents:02d}"
