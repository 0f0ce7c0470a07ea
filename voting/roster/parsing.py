"""Read an owner roster (业主名册) upload: .xlsx (first sheet) or .csv.

The template is binding (roster-format.md): headers by name in any order, other columns ignored,
one exclusive part per row. An import is all or nothing, so ``ParseResult.rows`` is empty
whenever there is an error, and every error is reported with its spreadsheet row (header = 1).

Messages are English %-format templates with named parameters, marked with ``N_`` for Babel
extraction and translated only when shown: ``gettext(error.template) % error.params``.

ID numbers (证件号码):

* 17 digits + digit/X with a valid date of birth: a resident ID, which must pass the
  GB 11643-1999 ISO 7064 MOD 11-2 check digit. A lower-case x becomes X.
* Any other 18 characters: a unified social credit code, which must pass the GB 32100-2015
  check character. (A rare all-digit code whose positions 7-14 happen to form a valid date is
  read as a resident ID and will most likely fail its check; the message names the number.)
* 15 digits with a valid date: a first-generation resident ID, upgraded to its 18-digit form
  (insert "19", append the check digit) so the owner matches rows that use the new number.
* Other strings of 13-19 digits, optionally ending in X: rejected as a resident ID with digits
  missing or extra.
* Anything else of 5-20 letters, digits, "()" or "-": accepted unchecked as another document
  (passport, Hong Kong/Macau/Taiwan permits, foreign permanent residence card).

A check failure on a unit that belongs to the developer (未售/未交付) is a warning, not an
error: whoever is listed there does not decide any voter (法释〔2009〕7号 art. 9), and the
shared demo fixture lists its developer under a code that fails the GB 32100 check.

An upload is bounded before it is read: a workbook's zip declares how large its parts unpack to
(and Python's zipfile reads no more than declared), reading stops at the first row past
``max_rows``, and checking stops once more than ``MAX_FAULTS`` faults are found; a file with
thousands of faults is the wrong file or a wrong column, and the first ones say which.

One ID number must carry one name throughout the roster: the number is the voter's key, so two
names on it mean a wrong number or a wrong name, either of which would merge two people or split
one. Renamed owners and variant characters must be made consistent in the sheet before import.
Two people sharing a name with different numbers are, of course, fine.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import astuple, dataclass
from decimal import Decimal
from pathlib import PurePath

import openpyxl

from voting.core.weights import DELIVERED, STATUSES, USES, Unit


def N_(message: str) -> str:
    """Mark a message template for Babel extraction; translation happens when it is shown."""
    return message


BUILDING, ENTRANCE, ROOM, USE, AREA = "楼栋", "单元", "室号", "用途", "专有部分面积"
AREA_SOURCE, OWNERS, ID_NUMBERS, PHONES, STATUS = "面积来源", "权利人", "证件号码", "联系电话", "房屋状态"
HEADERS = (BUILDING, ENTRANCE, ROOM, USE, AREA, AREA_SOURCE, OWNERS, ID_NUMBERS, PHONES, STATUS)
OPTIONAL_HEADERS = (PHONES,)
AREA_SOURCES = ("登记", "实测", "合同")
SEPARATOR = "、"
# The longest text the roll stores (the models' columns agree; a test checks what passes fits).
MAX_CHARS = {BUILDING: 40, ENTRANCE: 20, ROOM: 40}
MAX_NAME_CHARS = 100  # each owner's name in 权利人
# Defaults of ROSTER_MAX_ROWS and ROSTER_MAX_UNPACKED_BYTES: ten times a large estate's units,
# and about twice what Excel makes of a roster of that many rows.
MAX_ROWS = 50_000
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_FAULTS = 200  # listed; the preview says when more were found


@dataclass(frozen=True)
class RowError:
    """A problem found in the upload; ``row`` is None for a problem with the whole file."""

    row: int | None
    template: str
    params: dict

    @property
    def message(self) -> str:
        return self.template % self.params

    def __str__(self) -> str:
        where = "file" if self.row is None else f"row {self.row}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class RosterRow:
    row: int
    building: str
    entrance: str
    room: str
    label: str
    use: str
    area: int  # 0.01 m²
    area_source: str
    owner_names: tuple[str, ...]
    owner_ids: tuple[str, ...]  # normalised: upper case, 15-digit IDs upgraded to 18
    phones: tuple[str, ...]
    status: str

    def to_unit(self, owner_key: tuple[str, ...] | None = None) -> Unit:
        """The unit for the weights; pass keyed hashes as ``owner_key`` to keep IDs out of it."""
        key = self.owner_ids if owner_key is None else owner_key
        return Unit(self.label, self.area, self.use, self.status, key)


@dataclass(frozen=True)
class ParseResult:
    rows: tuple[RosterRow, ...]
    errors: tuple[RowError, ...]
    warnings: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> str:
        """The result as staged for the preview and the confirmation, which do not read the file again."""
        return json.dumps(
            {
                "rows": [astuple(row) for row in self.rows],
                "errors": [astuple(error) for error in self.errors],
                "warnings": [astuple(warning) for warning in self.warnings],
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> ParseResult:
        data = json.loads(text)
        rows = (
            RosterRow(*(tuple(value) if isinstance(value, list) else value for value in values))
            for values in data["rows"]
        )
        return cls(
            tuple(rows),
            tuple(RowError(*values) for values in data["errors"]),
            tuple(RowError(*values) for values in data["warnings"]),
        )


# --- check digits -------------------------------------------------------------------------

_RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def resident_id_check_digit(first17: str) -> str:
    """GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _RESIDENT_ID_WEIGHTS))
    return "10X98765432"[total % 11]


def uscc_check_char(first17: str) -> str:
    """GB 32100-2015: weights 3^i mod 31 over the 31-character alphabet."""
    total = sum(USCC_ALPHABET.index(char) * pow(3, i, 31) for i, char in enumerate(first17))
    return USCC_ALPHABET[-total % 31]


def is_valid_uscc(code: str) -> bool:
    return len(code) == 18 and all(char in USCC_ALPHABET for char in code) and code[17] == uscc_check_char(code[:17])


def _is_birth_date(yyyymmdd: str) -> bool:
    try:
        born = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return datetime.date(1800, 1, 1) <= born <= datetime.date.today()


_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]")
_FIRST_GENERATION_ID = re.compile(r"[0-9]{15}")
_MISSIZED_RESIDENT_ID = re.compile(r"[0-9]{13,19}X?")
_OTHER_DOCUMENT = re.compile(r"[A-Z0-9][A-Z0-9()\-]{4,19}")


def normalise_id_number(text: str) -> str:
    number = text.replace(" ", "").upper()
    if _FIRST_GENERATION_ID.fullmatch(number) and _is_birth_date("19" + number[6:12]):
        body = number[:6] + "19" + number[6:]
        return body + resident_id_check_digit(body)
    return number


def is_resident_id(number: str) -> bool:
    """A normalised ID number that is a resident ID: a real date of birth and the GB 11643 check digit."""
    return (
        _RESIDENT_ID.fullmatch(number) is not None
        and _is_birth_date(number[6:14])
        and number[17] == resident_id_check_digit(number[:17])
    )


def id_number_doubt(number: str) -> str | None:
    """A warning for a company code failing its GB 32100 check character.

    The template demands the check only of resident IDs, and registries' exports carry
    codes that fail it, so such a code is shown in the preview but does not block the import.
    """
    if len(number) == 18 and not _RESIDENT_ID.fullmatch(number) and not is_valid_uscc(number):
        return N_(
            '%(field)s "%(value)s" fails the unified social credit code check (GB 32100); '
            "please check it against the title"
        )
    return None


def id_number_problem(number: str) -> str | None:
    """What is wrong with a normalised ID number, as a template over field and value."""
    if len(number) == 18:
        if _RESIDENT_ID.fullmatch(number) and _is_birth_date(number[6:14]):
            if number[17] != resident_id_check_digit(number[:17]):
                return N_('%(field)s "%(value)s" fails the resident ID check digit (GB 11643)')
            return None
        if _RESIDENT_ID.fullmatch(number) and not is_valid_uscc(number):
            return N_(
                '%(field)s "%(value)s" has no valid date of birth for a resident ID and '
                "is no valid unified social credit code either"
            )
        return None  # a company's code: see id_number_doubt
    if _FIRST_GENERATION_ID.fullmatch(number):
        return N_('%(field)s "%(value)s" is a 15-digit ID without a valid date of birth')
    if _MISSIZED_RESIDENT_ID.fullmatch(number):
        return N_('%(field)s "%(value)s" has digits missing or extra: a resident ID has 18')
    if not _OTHER_DOCUMENT.fullmatch(number):
        return N_('%(field)s "%(value)s" is not a recognised ID number')
    return None


_PHONE = re.compile(r"(?:\+?86)?1[3-9][0-9]{9}|0[0-9]{9,11}|[2-9][0-9]{6,7}")


def is_phone_number(text: str) -> bool:
    """Loosely: a mobile (optionally +86), a landline with area code, or a local number."""
    return bool(_PHONE.fullmatch(re.sub(r"[\s()\-]", "", text)))


# --- reading the file ---------------------------------------------------------------------


class _Unreadable(Exception):
    def __init__(self, template: str, **params):
        super().__init__(template % params)
        self.error = RowError(None, template, params)


def _capped(rows: Iterable[tuple], max_rows: int) -> list[tuple]:
    """The header and the rows below it, reading no further than the first row past ``max_rows``."""
    table = list(itertools.islice(rows, max_rows + 2))
    if len(table) > max_rows + 1:
        raise _Unreadable(
            N_(
                "the sheet has more than %(limit)d rows below its header (empty rows count too); "
                "a roster has one row per unit"
            ),
            limit=max_rows,
        )
    return table


def _read_xlsx(data: bytes, max_rows: int, max_unpacked_bytes: int) -> list[tuple]:
    try:
        unpacked = sum(part.file_size for part in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except zipfile.BadZipFile as exc:
        raise _Unreadable(
            N_("the file is not a readable .xlsx workbook (%(reason)s)"), reason=type(exc).__name__
        ) from exc
    if unpacked > max_unpacked_bytes:
        raise _Unreadable(
            N_(
                "the workbook unpacks to %(size)d MB, more than the %(limit)d MB a roster may take; "
                "delete other sheets, pictures and empty formatted rows"
            ),
            size=unpacked // 2**20,
            limit=max_unpacked_bytes // 2**20,
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # some writers store a wrong size, which would cut rows off
            return _capped(sheet.iter_rows(values_only=True), max_rows)
        finally:
            workbook.close()
    except _Unreadable:
        raise
    # openpyxl raises many kinds of exceptions on damaged or foreign files; all mean the same here
    except Exception as exc:
        raise _Unreadable(
            N_("the file is not a readable .xlsx workbook (%(reason)s)"), reason=type(exc).__name__
        ) from exc


def _read_csv(data: bytes, max_rows: int) -> list[tuple]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _Unreadable(N_('the file is neither UTF-8 nor GB18030 text; save it from Excel as "CSV UTF-8"'))
    try:
        return _capped((tuple(record) for record in csv.reader(io.StringIO(text, newline=""))), max_rows)
    except csv.Error as exc:
        raise _Unreadable(N_("the file is not valid CSV (%(reason)s)"), reason=str(exc)) from exc


def _read_table(data: bytes, filename: str, max_rows: int, max_unpacked_bytes: int) -> list[tuple]:
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(data, max_rows, max_unpacked_bytes)
    if suffix == ".csv":
        return _read_csv(data, max_rows)
    raise _Unreadable(N_('unsupported file "%(name)s": upload an .xlsx workbook or a .csv file'), name=filename)


def _text(value) -> str:
    """A cell as trimmed text. Number cells lose Excel's ".0"; float cells are read through
    their shortest repr, so a stored 89.56 is "89.56" and never 89.5600000000000022737."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    # NFKC turns full-width digits and letters typed with a Chinese IME into ASCII
    return unicodedata.normalize("NFKC", str(value)).strip()


def _column_positions(header: tuple) -> tuple[dict[str, int], list[RowError]]:
    positions: dict[str, int] = {}
    errors = []
    for index, cell in enumerate(header):
        name = _text(cell)
        if name in HEADERS and name in positions:
            errors.append(RowError(None, N_("column %(header)s appears more than once"), {"header": name}))
        positions.setdefault(name, index)
    for name in HEADERS:
        if name not in positions and name not in OPTIONAL_HEADERS:
            errors.append(RowError(None, N_("required column %(header)s is missing"), {"header": name}))
    return {name: positions[name] for name in HEADERS if name in positions}, errors


# --- checking a row -----------------------------------------------------------------------


class _RowCheck:
    """Collects the problems of one row while reading its fields."""

    def __init__(self, number: int, raw: dict[str, object]):
        self.number = number
        self.raw = raw
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []

    def error(self, template: str, **params) -> None:
        self.errors.append(RowError(self.number, template, params))

    def warn(self, template: str, **params) -> None:
        self.warnings.append(RowError(self.number, template, params))

    def text(self, field: str, *, required: bool = False) -> str:
        value = self.raw.get(field)
        if isinstance(value, (datetime.date, datetime.time)):
            # Excel turns typed text like "3-2" into a date unless the column is text
            self.error(
                N_("%(field)s holds the date %(value)s; format the column as text"), field=field, value=str(value)
            )
            return ""
        text = _text(value)
        if required and not text:
            self.error(N_("%(field)s is required"), field=field)
        if any(unicodedata.category(char) == "Cc" for char in text):
            self.error(N_("%(field)s holds a control character such as a line break; type the cell again"), field=field)
        elif field in MAX_CHARS and len(text) > MAX_CHARS[field]:
            self.error(N_("%(field)s is longer than %(limit)d characters"), field=field, limit=MAX_CHARS[field])
        return text

    def choice(self, field: str, allowed: tuple[str, ...]) -> str:
        text = self.text(field, required=True)
        if text and text not in allowed:
            self.error(
                N_('%(field)s "%(value)s" is not one of %(allowed)s'),
                field=field,
                value=text,
                allowed=SEPARATOR.join(allowed),
            )
        return text

    def area(self) -> int:
        text = self.text(AREA, required=True)
        if not text:
            return 0
        if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", text):
            self.error(N_('%(field)s "%(value)s" is not a number'), field=AREA, value=text)
            return 0
        hundredths = Decimal(text) * 100
        if hundredths <= 0:
            self.error(N_('%(field)s "%(value)s" must be greater than 0'), field=AREA, value=text)
        elif hundredths != hundredths.to_integral_value():
            self.error(N_('%(field)s "%(value)s" has more than two decimals'), field=AREA, value=text)
        return int(hundredths)

    def entries(self, field: str) -> tuple[str, ...]:
        text = self.text(field)
        if not text:
            return ()
        entries = tuple(entry.strip() for entry in text.split(SEPARATOR))
        if not all(entries):
            self.error(
                N_('%(field)s "%(value)s" has an empty entry between the 、 separators'), field=field, value=text
            )
        if field == OWNERS and any(len(entry) > MAX_NAME_CHARS for entry in entries):
            self.error(N_("%(field)s has a name longer than %(limit)d characters"), field=field, limit=MAX_NAME_CHARS)
        return tuple(entry for entry in entries if entry)

    def id_numbers(self, status: str) -> tuple[str, ...] | None:
        """The normalised numbers, or None when the cell is unusable (already reported)."""
        if isinstance(self.raw.get(ID_NUMBERS), float):
            self.error(
                N_(
                    "%(field)s was stored as a number and has lost digits; format the "
                    "column as text and type the numbers again"
                ),
                field=ID_NUMBERS,
            )
            return None
        numbers = tuple(normalise_id_number(entry) for entry in self.entries(ID_NUMBERS))
        report = self.error if status == DELIVERED else self.warn
        for number in numbers:
            problem = id_number_problem(number)
            if problem:
                report(problem, field=ID_NUMBERS, value=number)
            doubt = id_number_doubt(number)
            if doubt:
                self.warn(doubt, field=ID_NUMBERS, value=number)
        if len(set(numbers)) < len(numbers):
            self.error(N_("%(field)s lists the same number twice"), field=ID_NUMBERS)
        return numbers

    def phones(self, owner_count: int) -> tuple[str, ...]:
        phones = self.entries(PHONES)
        # With no owners the row's fault is the missing owners, reported already.
        if phones and owner_count and len(phones) != owner_count:
            self.error(
                N_("%(field)s lists %(phones)d numbers for %(owners)d owners; give one per owner or leave it empty"),
                field=PHONES,
                phones=len(phones),
                owners=owner_count,
            )
        for phone in phones:
            if not is_phone_number(phone):
                self.error(N_('%(field)s "%(value)s" is not a mobile or landline number'), field=PHONES, value=phone)
        return phones


def _check_row(number: int, raw: dict[str, object]) -> tuple[RosterRow, _RowCheck]:
    check = _RowCheck(number, raw)
    building = check.text(BUILDING, required=True)
    entrance = check.text(ENTRANCE)
    room = check.text(ROOM, required=True)
    status = check.choice(STATUS, STATUSES)
    names = check.entries(OWNERS)
    ids = check.id_numbers(status)
    if ids is not None and len(names) != len(ids):
        check.error(
            N_("%(owners_field)s lists %(names)d names but %(ids_field)s lists %(ids)d ID numbers"),
            owners_field=OWNERS,
            names=len(names),
            ids_field=ID_NUMBERS,
            ids=len(ids),
        )
    if status == DELIVERED and not names and not ids:
        check.error(N_("a delivered (%(status)s) unit needs its owners in %(field)s"), status=DELIVERED, field=OWNERS)
    row = RosterRow(
        row=number,
        building=building,
        entrance=entrance,
        room=room,
        label="-".join(part for part in (building, entrance, room) if part),
        use=check.choice(USE, USES),
        area=check.area(),
        area_source=check.choice(AREA_SOURCE, AREA_SOURCES),
        owner_names=names,
        owner_ids=ids or (),
        phones=check.phones(len(names)),
        status=status,
    )
    return row, check


def parse_roster(
    data: bytes, filename: str, *, max_rows: int = MAX_ROWS, max_unpacked_bytes: int = MAX_UNPACKED_BYTES
) -> ParseResult:
    """Read and check every row of a roster upload; see the module docstring for the rules."""
    try:
        table = _read_table(data, filename, max_rows, max_unpacked_bytes)
    except _Unreadable as unreadable:
        return ParseResult((), (unreadable.error,))
    if not table:
        return ParseResult((), (RowError(None, N_("the file is empty"), {}),))
    positions, errors = _column_positions(table[0])
    if errors:
        return ParseResult((), tuple(errors))

    rows: list[RosterRow] = []
    warnings: list[RowError] = []
    first_row_of_label: dict[str, int] = {}
    holder_of_id: dict[str, tuple[str, int]] = {}
    for number, cells in enumerate(table[1:], start=2):
        raw = {name: cells[i] if i < len(cells) else None for name, i in positions.items()}
        if not any(_text(value) for value in raw.values()):
            continue
        row, check = _check_row(number, raw)
        if row.building and row.room and row.label in first_row_of_label:
            check.error(
                N_("unit %(label)s is already listed on row %(first_row)d"),
                label=row.label,
                first_row=first_row_of_label[row.label],
            )
        first_row_of_label.setdefault(row.label, number)
        if len(row.owner_names) == len(row.owner_ids):
            for name, id_number in zip(row.owner_names, row.owner_ids):
                other_name, other_row = holder_of_id.setdefault(id_number, (name, number))
                if other_name != name:
                    check.error(
                        N_(
                            '%(field)s %(value)s belongs to "%(name)s" here but to '
                            '"%(other_name)s" on row %(other_row)d'
                        ),
                        field=ID_NUMBERS,
                        value=id_number,
                        name=name,
                        other_name=other_name,
                        other_row=other_row,
                    )
        rows.append(row)
        errors += check.errors
        warnings += check.warnings
        if len(errors) > MAX_FAULTS:
            errors[MAX_FAULTS:] = [
                RowError(
                    None,
                    N_(
                        "more than %(limit)d faults: the first %(limit)d are "
                        "listed and checking stopped at row %(row)d; correct them "
                        "and upload the file again"
                    ),
                    {"row": number, "limit": MAX_FAULTS},
                )
            ]
            break
    if not rows and not errors:
        errors.append(RowError(None, N_("the file has a header row but no units"), {}))
    return ParseResult(() if errors else tuple(rows), tuple(errors), tuple(warnings))
