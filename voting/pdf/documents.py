"""The official documents of a counted vote: the results announcement (表决结果公告), the minutes
with their resolutions (会议记录/决议) and the street office's certification sheet.

Rendering only. The figures are the stored tally as voting.tally.operations.read_results lays it
out (every threshold decided by voting.core.rules, with integers); the minutes' annex reads the
log. Nothing is counted again and nothing is written. Every document carries a QR code to its
notice-board entry, which confirms the document's SHA-256, so a copy on the wall can be checked
from a phone.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from voting.ballots.log import final_tree_head, log_entries
from voting.core import rules
from voting.core.canonical import SHANGHAI, parse_time
from voting.elections.models import Election, State
from voting.elections.operations import ElectionError
from voting.formatting import format_date, format_datetime
from voting.pdf.render import qr_data_uri, render_pdf
from voting.tally.operations import choice_printers, read_results
from voting.tally.svg import percent
from voting.timeutil import utcnow


@dataclass(frozen=True)
class PublishedNotice:
    """A notice of this vote on the notice board, for the minutes' account of how owners were told."""

    title: str
    published_at: datetime
    until: datetime | None = None


@dataclass(frozen=True)
class AnnexRow:
    """One counted ballot in the minutes' annex: the voter id and the choices, as printed."""

    reference: str
    choices: tuple[str, ...]


# WeasyPrint's time to break one block of text into lines grows with the square of its
# length, so the annex is laid out in blocks of this many lines.
ANNEX_LINES_PER_BLOCK = 50
# The widest an annex column gets, in half-width characters: with the gaps, a row of a dozen
# motions still fits the 126 a line of A4 holds at 8 pt.
ANNEX_COLUMN_LIMIT = 36
ANNEX_GAP = "  "


@dataclass(frozen=True)
class AnnexText:
    """The annex as lines of a monospaced font, columns aligned with spaces: a table of thousands
    of rows takes WeasyPrint several times as long and as much memory to lay out."""

    heading: str  # the column headings, repeated at the top of every annex page
    blocks: list[str]  # the rows, ANNEX_LINES_PER_BLOCK rows to a block


def results_pdf(election: Election, board_url: str, *, now: datetime | None = None) -> bytes:
    """表决结果公告: every motion's figures, thresholds and outcome, the hashes that bind them."""
    return render_pdf("pdf/results.html", **_counted(election, board_url, now))


def minutes_pdf(
    election: Election,
    board_url: str,
    *,
    scrutineers: list[str],
    clerks: list[str],
    notices: Sequence[PublishedNotice] = (),
    now: datetime | None = None,
) -> bytes:
    """会议记录/决议, with an annex of every counted ballot by its random voter id: what the
    published record holds, on paper, so an owner checks their own line with the id on their
    notice. Never by unit, whatever the vote's settings: the minutes go on the public board."""
    context = _counted(election, board_url, now)
    definition = election.definition
    counted = {
        voter_id: entry["body"]
        for voter_id, entry in rules.counted_entries_v2(definition, log_entries(election)).items()
    }
    annex = _annex(definition, counted)
    headings = [_("No."), _("Voter ID"), *(str(motion.position) for motion in context["results"].motions)]
    return render_pdf(
        "pdf/minutes.html",
        **context,
        scrutineers=scrutineers,
        clerks=clerks,
        notices=notices,
        channels=Counter(ballot["channel"] for ballot in counted.values()),
        proxies=sum(1 for ballot in counted.values() if ballot.get("proxy_sha256")),
        revote=definition["revote"],
        annex_count=len(annex),
        annex=annex_text(headings, annex),
    )


def certification_pdf(
    election: Election,
    *,
    officer_name: str,
    street_office: str,
    body: dict,
    signature: str,
    board_url: str,
    now: datetime | None = None,
) -> bytes:
    """The certification sheet: the signed body (spec §2.6), who signed it, and the outcomes it covers."""
    if body["election_hash"] != election.election_hash:
        raise ElectionError(_("This certification is for another vote."))
    certified_at = parse_time(body["certified_at"])
    return render_pdf(
        "pdf/certification.html",
        **_counted(election, board_url, now),
        body=body,
        certified_at=certified_at,
        certified_on=format_date(certified_at.astimezone(SHANGHAI).date()),
        officer_name=officer_name,
        street_office=street_office,
        signature=signature,
    )


def vote_header(election: Election) -> dict:
    """The vote as its documents head it: the frozen definition's names and opening, and the close
    in effect, which an extension (spec v2 §5.5) moves past the definition's."""
    definition = election.definition
    return {
        "estate": definition["community"]["name"],
        "title": definition["title"],
        "election_id": definition["election_id"],
        "opens_at": parse_time(definition["opens_at"]),
        "closes_at": election.closes_at,
    }


def _counted(election: Election, board_url: str, now: datetime | None) -> dict:
    """What every document shows: the vote, its results, the final tree head, the board entry."""
    election.require_state(State.TALLIED)
    results = read_results(election)
    generated_at = now or utcnow()
    vote = vote_header(election) | {"election_hash": election.election_hash}
    return {
        "vote": vote,
        "results": results,
        "tree": final_tree_head(election),
        "board_url": board_url,
        "qr": qr_data_uri(board_url),
        "issued_on": format_date(generated_at.astimezone(SHANGHAI).date()),
        "share": _share,
        "official": {
            "generated": _css_string(_("Printed %(time)s (Beijing time)", time=format_datetime(generated_at))),
            "page_numbers": _css_page_numbers(),
            "reference": _css_string(vote["election_id"]),
        },
    }


def _share(part: int, whole: int) -> str:
    """part/whole as a percentage to read beside the exact figures; never used to decide."""
    return percent(part, whole) if whole else "—"


def _annex(definition: dict, counted: dict) -> list[AnnexRow]:
    """Counted ballots in voter id order: the ids are random, so the order tells nothing. A
    ballot cast through a written proxy (授权委托书) says so beside its voter id."""
    printers = choice_printers(definition)
    return [
        AnnexRow(
            _("%(voter)s (proxy)", voter=voter_id) if counted[voter_id].get("proxy_sha256") else voter_id,
            tuple(p(counted[voter_id]) for p in printers),
        )
        for voter_id in sorted(counted)
    ]


def annex_text(headings: list[str], rows: list[AnnexRow]) -> AnnexText:
    """Rows numbered from 1 under ``headings``, each column as wide as its widest cell up to
    ANNEX_COLUMN_LIMIT; numbers to the right, the rest to the left, the last column (candidates'
    names) left ragged. A longer cell (many candidates' names) runs on, and the rest of its
    row continues on the next line, in its columns."""
    table = [headings] + [[str(number), row.reference, *row.choices] for number, row in enumerate(rows, 1)]
    widths = [
        min(ANNEX_COLUMN_LIMIT, max(display_width(cells[column]) for cells in table)) for column in range(len(headings))
    ]

    def aligned(cells: list[str]) -> str:
        number, *middle, last = cells
        text, column = _padded(number, widths[0], right=True), widths[0]
        for cell, width in zip(middle, widths[1:]):
            column += len(ANNEX_GAP) + width
            if display_width(cell) > width:
                text += ANNEX_GAP + cell + "\n" + " " * column
            else:
                text += ANNEX_GAP + _padded(cell, width)
        return text + ANNEX_GAP + last

    heading, *lines = (aligned(cells) for cells in table)
    blocks = [
        "\n".join(lines[start : start + ANNEX_LINES_PER_BLOCK]) for start in range(0, len(lines), ANNEX_LINES_PER_BLOCK)
    ]
    return AnnexText(heading, blocks)


def _padded(text: str, width: int, right: bool = False) -> str:
    spaces = " " * (width - display_width(text))
    return spaces + text if right else text + spaces


def display_width(text: str) -> int:
    """Columns ``text`` takes in a CJK monospaced font: two for a Chinese character."""
    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in text)


def _css_string(text: str) -> Markup:
    """A CSS string literal of ``text``, safe inside <style> (no quote, backslash or < left raw)."""
    escaped = "".join(f"\\{ord(c):x} " if c in '"\\<>\n\r' else c for c in text)
    return Markup(f'"{escaped}"')


def _css_page_numbers() -> Markup:
    """The footer's 第 N 页 共 M 页 as CSS content: the translated sentence around the page counters."""
    sentence = str(_css_string(_("Page %(page)s of %(pages)s", page="{page}", pages="{pages}")))
    return Markup(sentence.replace("{pages}", '" counter(pages) "').replace("{page}", '" counter(page) "'))


# --- the paper ballot (表决票) ------------------------------------------------------------------

# A developer may hold hundreds of units: a ballot names the first few, as the notice does.
BALLOT_UNITS_SHOWN = 8


@dataclass(frozen=True)
class BallotHolder:
    """The voter a printed ballot is for: units, owners by masked name, area (0.01 m²) and the
    motions they decide (those of the scopes they hold a unit in)."""

    units: list[str]
    owners: list[str]
    area: int
    motion_ids: list[str]


def paper_ballot_pdf(election: Election, holder: BallotHolder | None) -> bytes:
    """表决票: the vote's frozen motions with a box for each choice, each committee candidate by
    full name with the most one may tick, each option of a choice (one at most), a space for the
    desk's receipt number, the owner's signature and date lines (指导规则 art. 22) and how to hand
    the ballot in. For ``holder`` with their units and masked names, or blank (``None``) with empty
    lines for any voter. Printed for owners, so in the service's first language whatever the staff
    member reads."""
    definition = election.definition
    motions = definition["motions"]
    if holder is not None:
        motions = [motion for motion in motions if motion["motion_id"] in holder.motion_ids]
    scopes = {scope["scope_id"]: scope["title"] for scope in definition.get("scopes", [])}
    vote = vote_header(election) | {"revote": definition["revote"], "help_desk": election.estate.help_desk}
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return render_pdf(
            "pdf/ballot.html", vote=vote, motions=motions, scopes=scopes, holder=holder, units_shown=BALLOT_UNITS_SHOWN
        )
