"""Display helpers shared by templates, exports and PDFs."""

from datetime import date, datetime

from flask_babel import get_locale

from voting.core.canonical import SHANGHAI  # Beijing time: UTC+8 all year


def format_area(hundredths: int) -> str:
    """8956 → '89.56': integer 0.01 m² shown exactly, never through a float."""
    sign = "-" if hundredths < 0 else ""
    whole, cents = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{cents:02d}"


def _in_chinese() -> bool:
    locale = get_locale()
    return locale is None or locale.language == "zh"


def format_date(value: date) -> str:
    """As people write a date: 2026年12月3日, or 3 Dec 2026."""
    if _in_chinese():
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {value:%b} {value.year}"


def format_datetime(value: datetime) -> str:
    """Beijing time as people write it: 2026年12月3日 20:51, or 3 Dec 2026 20:51."""
    local = value.astimezone(SHANGHAI)
    return f"{format_date(local.date())} {local:%H:%M}"
