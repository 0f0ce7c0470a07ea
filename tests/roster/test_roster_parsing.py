"""Every validation rule of the roster import, each with a targeted row."""

import datetime
import random

import pytest
from openpyxl import Workbook

from voting.roster.generate import generate_roster, write_csv, write_xlsx
from voting.roster.parsing import (
    AREA,
    AREA_SOURCE,
    BUILDING,
    ENTRANCE,
    HEADERS,
    ID_NUMBERS,
    OWNERS,
    PHONES,
    ROOM,
    STATUS,
    USE,
    parse_roster,
)

ZHANG_ID = "11010519491231002X"  # the GB 11643 example
LI_ID = "440524188001010014"
VALID = {
    BUILDING: "3幢",
    ENTRANCE: "2",
    ROOM: "1502",
    USE: "住宅",
    AREA: "89.56",
    AREA_SOURCE: "登记",
    OWNERS: "张三",
    ID_NUMBERS: ZHANG_ID,
    PHONES: "13800138000",
    STATUS: "已交付",
}


def unit(**changes_by_position) -> dict:
    """VALID with some fields replaced, e.g. unit(room="1501")."""
    fields = dict(
        zip(
            ("building", "entrance", "room", "use", "area", "area_source", "owners", "ids", "phones", "status"), HEADERS
        )
    )
    return {**VALID, **{fields[name]: value for name, value in changes_by_position.items()}}


def parse_csv(tmp_path, rows, columns=HEADERS, encoding="utf-8"):
    path = tmp_path / "roster.csv"
    write_csv(rows, path, encoding, columns)
    return parse_roster(path.read_bytes(), path.name)


def parse_cells(tmp_path, header, *rows):
    """An .xlsx with exactly these cell values, to control number and date cells."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    return parse_roster(path.read_bytes(), path.name)


def errors(result):
    return [str(error) for error in result.errors]


def test_a_valid_row_becomes_a_roster_row(tmp_path):
    (row,) = parse_csv(tmp_path, [VALID]).rows

    assert row.row == 2
    assert (row.building, row.entrance, row.room, row.label) == ("3幢", "2", "1502", "3幢-2-1502")
    assert (row.use, row.area, row.area_source, row.status) == ("住宅", 8956, "登记", "已交付")
    assert (row.owner_names, row.owner_ids, row.phones) == (("张三",), (ZHANG_ID,), ("13800138000",))


@pytest.mark.parametrize(
    "row, message",
    [
        (unit(building=""), "row 2: 楼栋 is required"),
        (unit(room=""), "row 2: 室号 is required"),
        (unit(area=""), "row 2: 专有部分面积 is required"),
        (unit(area="-12.5"), 'row 2: 专有部分面积 "-12.5" must be greater than 0'),
        (unit(area="0"), 'row 2: 专有部分面积 "0" must be greater than 0'),
        (unit(area="88.123"), 'row 2: 专有部分面积 "88.123" has more than two decimals'),
        (unit(area="89,56"), 'row 2: 专有部分面积 "89,56" is not a number'),
        (unit(area="1e2"), 'row 2: 专有部分面积 "1e2" is not a number'),
        (unit(area_source="估算"), 'row 2: 面积来源 "估算" is not one of 登记、实测、合同'),
        (unit(use="厂房"), 'row 2: 用途 "厂房" is not one of 住宅、商业、办公、车位、储藏室'),
        (unit(status="已出租"), 'row 2: 房屋状态 "已出租" is not one of 已交付、未交付、未售'),
        (unit(status=""), "row 2: 房屋状态 is required"),
        (unit(owners="张三、李四", phones=""), "row 2: 权利人 lists 2 names but 证件号码 lists 1 ID numbers"),
        (unit(owners="张三、", phones=""), 'row 2: 权利人 "张三、" has an empty entry between the 、 separators'),
        (unit(owners="", ids="", phones=""), "row 2: a delivered (已交付) unit needs its owners in 权利人"),
        (
            unit(ids="110105194912310021"),
            'row 2: 证件号码 "110105194912310021" fails the resident ID check digit (GB 11643)',
        ),
        (
            unit(ids="1101051949123100"),
            'row 2: 证件号码 "1101051949123100" has digits missing or extra: a resident ID has 18',
        ),
        (
            unit(owners="张三、张三", ids=f"{ZHANG_ID}、{ZHANG_ID}", phones=""),
            "row 2: 证件号码 lists the same number twice",
        ),
        (unit(phones="12345"), 'row 2: 联系电话 "12345" is not a mobile or landline number'),
        (
            unit(phones="13800138000、13900139000"),
            "row 2: 联系电话 lists 2 numbers for 1 owners; give one per owner or leave it empty",
        ),
    ],
)
def test_each_rule_names_the_field_and_value_on_its_row(tmp_path, row, message):
    result = parse_csv(tmp_path, [row])

    assert errors(result) == [message]
    assert result.rows == ()


def test_a_company_code_failing_its_check_is_a_warning_only(tmp_path):
    result = parse_csv(tmp_path, [unit(ids="91330100716105852E")])

    assert result.errors == () and len(result.rows) == 1
    assert [str(w) for w in result.warnings] == [
        'row 2: 证件号码 "91330100716105852E" fails the unified social credit code check (GB 32100); '
        "please check it against the title"
    ]


def test_errors_carry_a_translatable_template_and_their_parameters(tmp_path):
    (error,) = parse_csv(tmp_path, [unit(area="-12.5")]).errors

    assert error.row == 2
    assert error.template == '%(field)s "%(value)s" must be greater than 0'
    assert error.params == {"field": AREA, "value": "-12.5"}


@pytest.mark.parametrize(
    "row, field, value",
    [
        (unit(area="89.560"), "area", 8956),
        (unit(area="90"), "area", 9000),
        (unit(building="\u3000商业 ", entrance=" ", room=" S03\u3000"), "label", "商业-S03"),
        (unit(owners=" 张三\u3000", phones="１３８００１３８０００"), "phones", ("13800138000",)),
        (unit(ids="11010519491231002x"), "owner_ids", (ZHANG_ID,)),
        (unit(ids="110105491231002"), "owner_ids", (ZHANG_ID,)),
        (unit(owners="宏达贸易有限公司", ids="91330100716105852F"), "owner_ids", ("91330100716105852F",)),
        (unit(ids="E12345678"), "owner_ids", ("E12345678",)),
        (unit(phones="0574-62345678"), "phones", ("0574-62345678",)),
        (unit(phones="+86 138 0013 8000"), "phones", ("+86 138 0013 8000",)),
        (unit(phones=""), "phones", ()),
        (unit(owners="", ids="", phones="", status="未售"), "owner_ids", ()),
        (unit(owners="李四", ids=LI_ID, status="未交付"), "owner_names", ("李四",)),
    ],
)
def test_accepted_variants(tmp_path, row, field, value):
    result = parse_csv(tmp_path, [row])

    assert errors(result) == []
    assert getattr(result.rows[0], field) == value


@pytest.mark.parametrize("status", ["未售", "未交付"])
def test_bad_id_on_a_developer_unit_is_a_warning(tmp_path, status):
    result = parse_csv(tmp_path, [unit(ids="110105194912310021", status=status)])

    assert result.ok and len(result.rows) == 1
    assert [str(warning) for warning in result.warnings] == [
        'row 2: 证件号码 "110105194912310021" fails the resident ID check digit (GB 11643)'
    ]


def test_duplicate_unit_names_both_rows(tmp_path):
    result = parse_csv(tmp_path, [VALID, unit(room="1501"), unit(ids=LI_ID, owners="李四")])

    assert errors(result) == ["row 4: unit 3幢-2-1502 is already listed on row 2"]


def test_one_id_number_with_two_names_is_an_error(tmp_path):
    result = parse_csv(tmp_path, [VALID, unit(room="1501", owners="张叁")])

    assert errors(result) == [f'row 3: 证件号码 {ZHANG_ID} belongs to "张叁" here but to "张三" on row 2']


def test_one_name_with_two_id_numbers_is_two_people(tmp_path):
    result = parse_csv(tmp_path, [VALID, unit(room="1501", ids=LI_ID)])

    assert [row.owner_ids for row in result.rows] == [(ZHANG_ID,), (LI_ID,)]


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet(tmp_path):
    blank = dict.fromkeys(HEADERS, "")
    result = parse_csv(tmp_path, [VALID, blank, unit(room="1501", area="-1")])

    assert errors(result) == ['row 4: 专有部分面积 "-1" must be greater than 0']


def test_all_errors_are_collected_and_no_row_is_importable(tmp_path):
    result = parse_csv(tmp_path, [unit(room="1402", area="-1"), VALID, unit(room="1501", status="?", use="?")])

    assert errors(result) == [
        'row 2: 专有部分面积 "-1" must be greater than 0',
        'row 4: 房屋状态 "?" is not one of 已交付、未交付、未售',
        'row 4: 用途 "?" is not one of 住宅、商业、办公、车位、储藏室',
    ]
    assert result.rows == ()


def test_number_cells_become_text_without_dot_zero_and_areas_exact(tmp_path):
    result = parse_cells(
        tmp_path,
        list(HEADERS),
        ["3幢", 2, 1502, "住宅", 89.56, "登记", "张三", ZHANG_ID, 13800138000, "已交付"],
        ["3幢", 2.0, 1501, "住宅", 90, "登记", "张三", ZHANG_ID, None, "已交付"],
        ["3幢", 2, 1402.0, "住宅", 0.07, "登记", "张三", ZHANG_ID, None, "已交付"],
    )

    assert [(row.label, row.area) for row in result.rows] == [
        ("3幢-2-1502", 8956),
        ("3幢-2-1501", 9000),
        ("3幢-2-1402", 7),
    ]
    assert result.rows[0].phones == ("13800138000",)


def test_float_area_with_three_decimals_is_rejected(tmp_path):
    result = parse_cells(
        tmp_path, list(HEADERS), ["3幢", 2, 1502, "住宅", 89.565, "登记", "张三", ZHANG_ID, None, "已交付"]
    )

    assert errors(result) == ['row 2: 专有部分面积 "89.565" has more than two decimals']


def test_id_number_stored_as_an_excel_number_is_rejected(tmp_path):
    result = parse_cells(
        tmp_path, list(HEADERS), ["3幢", 2, 1502, "住宅", 89.56, "登记", "张三", 3.30282196406145e17, None, "已交付"]
    )

    assert errors(result) == [
        "row 2: 证件号码 was stored as a number and has lost digits; "
        "format the column as text and type the numbers again"
    ]


def test_text_that_excel_turned_into_a_date_is_rejected(tmp_path):
    result = parse_cells(
        tmp_path,
        list(HEADERS),
        ["3幢", 2, datetime.datetime(2024, 3, 2), "住宅", 89.56, "登记", "张三", ZHANG_ID, None, "已交付"],
    )

    assert errors(result) == ["row 2: 室号 holds the date 2024-03-02 00:00:00; format the column as text"]


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_column_order_and_extra_columns_do_not_matter(tmp_path, summary_of, suffix):
    roster = generate_roster(60, seed=11)
    rows = [{**row, "序号": str(n), "备注": "核对"} for n, row in enumerate(roster.rows, start=1)]
    columns = ["序号", *random.Random(3).sample(HEADERS, len(HEADERS)), "备注"]
    path = tmp_path / f"shuffled.{suffix}"
    (write_xlsx if suffix == "xlsx" else write_csv)(rows, path, columns=columns)

    assert summary_of(parse_roster(path.read_bytes(), path.name)) == roster.expected_summary()


def test_a_missing_column_is_a_file_error_naming_it(tmp_path):
    columns = [header for header in HEADERS if header != AREA_SOURCE]

    result = parse_csv(tmp_path, [VALID], columns=columns)

    assert errors(result) == ["file: required column 面积来源 is missing"]


def test_the_phone_column_may_be_left_out(tmp_path):
    result = parse_csv(tmp_path, [VALID], columns=[h for h in HEADERS if h != PHONES])

    assert result.ok and result.rows[0].phones == ()


def test_a_repeated_column_is_a_file_error(tmp_path):
    result = parse_cells(tmp_path, [*HEADERS, OWNERS], [*VALID.values(), "李四"])

    assert errors(result) == ["file: column 权利人 appears more than once"]


@pytest.mark.parametrize(
    "data, filename, message",
    [
        (b"", "roster.csv", "file: the file is empty"),
        (
            "楼栋,单元,室号,用途,专有部分面积,面积来源,权利人,证件号码,联系电话,房屋状态\n".encode(),
            "roster.csv",
            "file: the file has a header row but no units",
        ),
        (
            "楼栋".encode("utf-16"),
            "roster.csv",
            'file: the file is neither UTF-8 nor GB18030 text; save it from Excel as "CSV UTF-8"',
        ),
        (b"PK\x03\x04 not really a zip", "roster.xlsx", "file: the file is not a readable .xlsx workbook (BadZipFile)"),
        (
            b"\xd0\xcf\x11\xe0",
            "roster.xls",
            'file: unsupported file "roster.xls": upload an .xlsx workbook or a .csv file',
        ),
    ],
)
def test_unreadable_files_get_one_file_level_error(data, filename, message):
    result = parse_roster(data, filename)

    assert errors(result) == [message]
    assert result.errors[0].row is None


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_keep_rare_characters(tmp_path, encoding):
    result = parse_csv(
        tmp_path, [unit(owners="吉𠮷、王堃昇", ids=f"{ZHANG_ID}、{LI_ID}", phones="")], encoding=encoding
    )

    assert result.rows[0].owner_names == ("吉𠮷", "王堃昇")


# --- bounds on what an upload may cost -------------------------------------------------------


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    """A zip bomb: a valid roster plus a part of 65 MB of zeros, which deflates to 64 kB."""
    import zipfile

    path = tmp_path / "roster.xlsx"
    write_xlsx([VALID], path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", bytes(65 * 2**20))
    assert path.stat().st_size < 2**20

    def unread(*args, **kwargs):
        raise AssertionError("openpyxl was asked to read it")

    monkeypatch.setattr("openpyxl.load_workbook", unread)
    monkeypatch.setattr("voting.roster.parsing.openpyxl.load_workbook", unread)
    assert errors(parse_roster(path.read_bytes(), path.name)) == [
        "file: the workbook unpacks to 65 MB, more than the 64 MB a roster may take; delete other sheets, "
        "pictures and empty formatted rows"
    ]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_reading_stops_at_the_first_row_past_the_limit(tmp_path, suffix):
    rows = [unit(room=str(1000 + n), owners=f"业主{n}", ids=f"P{n:07d}", phones="") for n in range(12)]
    path = tmp_path / f"roster.{suffix}"
    (write_csv if suffix == "csv" else write_xlsx)(rows, path)
    assert len(parse_roster(path.read_bytes(), path.name, max_rows=12).rows) == 12
    assert errors(parse_roster(path.read_bytes(), path.name, max_rows=11)) == [
        "file: the sheet has more than 11 rows below its header (empty rows count too); a roster has one row per unit"
    ]


def test_checking_stops_after_the_first_200_faults_and_says_more_were_found(tmp_path):
    result = parse_csv(tmp_path, [unit(room=str(1000 + n), area="0", ids=f"P{n:07d}") for n in range(500)])
    assert len(result.errors) == 201
    assert all(error.row == n + 2 for n, error in enumerate(result.errors[:200]))
    assert str(result.errors[200]) == (
        "file: more than 200 faults: the first 200 are listed and checking stopped "
        "at row 202; correct them and upload the file again"
    )
