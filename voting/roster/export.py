"""The roll as a spreadsheet for the preparation group's files."""

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from voting.estates.models import Estate
from voting.formatting import format_area
from voting.roster.operations import RollView

# How a spreadsheet recognises a formula (with a leading tab or line break that it trims).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def roll_workbook(estate: Estate, view: RollView) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Voters")
    sheet.append([_("Voter"), _("Owners"), _("Units"), _("Area (m²)"), _("Heads")])
    for voter in view.voters:
        sheet.append(
            [
                voter.code,
                _("Developer") if voter.is_developer else "、".join(voter.owner_names),
                "、".join(u.label for u in voter.units),
                format_area(voter.area),
                1,
            ]
        )
    units = book.create_sheet(_("Units"))
    units.append(
        [_("Unit"), _("Use"), _("Area (m²)"), _("Area counted"), _("Area source"), _("Status"), _("Owners"), _("Voter")]
    )
    for voter in view.voters:
        for unit in voter.units:
            units.append(
                [
                    unit.label,
                    unit.use,
                    format_area(unit.area),
                    _("yes") if unit.area_counted else _("no"),
                    unit.area_source,
                    unit.status,
                    "、".join(unit.owner_names),
                    voter.code,
                ]
            )
    for ws in (sheet, units):
        for cell in ws[1]:
            cell.font = Font(bold=True)
    sheet.append([])
    sheet.append([estate.name, estate.code])
    _text_only(book)
    return book


def _text_only(book: Workbook) -> None:
    """Names and labels come from an uploaded file: openpyxl would write one starting with "=" as a
    live formula, and a spreadsheet would evaluate the others once a cell is edited. As text
    marked with Excel's quote prefix they show as typed and stay text."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    cell.data_type = "s"
                    cell.quotePrefix = True
