"""Geometry of the turnout bars, drawn as inline SVG by templates/tally/_bars.html.

The page runs no script and may carry no style attribute (CSP ``style-src 'self'``), so a bar is
sized by SVG presentation attributes (``x=``, ``width=``) in a fixed viewBox and coloured by
classes of tally.css. Widths are for the eye only: every decision is voting.core.rules'.
"""

from __future__ import annotations

from dataclasses import dataclass

from voting.tally.operations import Share

SCALE = 1000  # viewBox width of a bar


@dataclass(frozen=True)
class Bar:
    online: int  # width of the online part, from x = 0
    paper: int  # width of the paper part, drawn after the online part
    line: str  # x of the 2/3 line, as an SVG number
    percent: str  # participation as a percentage with one decimal, e.g. "66.7%"


def participation_bar(share: Share, measure: str) -> Bar | None:
    """The bar of one measure (area or heads) of a share of the roll; None for an empty total
    (a building where no voter's first unit stands holds no heads)."""
    total = getattr(share.total, measure)
    if total == 0:
        return None
    online, paper = getattr(share.online, measure), getattr(share.paper, measure)
    least = next(check.least for check in share.quorum.measures if check.measure == measure)
    online_width = online * SCALE // total
    return Bar(
        online=online_width,
        paper=(online + paper) * SCALE // total - online_width,
        line=_svg_number(least * SCALE, total),
        percent=percent(online + paper, total),
    )


def percent(part: int, total: int) -> str:
    """part/total as a percentage rounded to one decimal, by integer arithmetic."""
    tenths = (part * 1000 + total // 2) // total
    return f"{tenths // 10}.{tenths % 10}%"


def _svg_number(numerator: int, denominator: int) -> str:
    """numerator/denominator with two decimals (rounded down), for an SVG coordinate."""
    hundredths = numerator * 100 // denominator
    return f"{hundredths // 100}.{hundredths % 100:02d}"
