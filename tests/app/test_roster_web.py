"""The roll in the browser: upload, preview with faults, confirm, publish, export."""

import html
import io
from dataclasses import replace

from openpyxl import load_workbook

from tests.factories import credit_code, login, resident_id, roster_csv, small_roster, titles_roster
from voting.auth.models import Role
from voting.core.weights import Buyers
from voting.estates.operations import change_roll_rules
from voting.extensions import db
from voting.roster.operations import roll_summary


def upload(client, estate, data: bytes, name="roster.csv"):
    return client.post(
        f"/estates/{estate.code}/roll/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_preview_then_confirm(app, factory):
    estate = factory.estate()
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    response = upload(client, estate, small_roster())
    assert response.status_code == 302
    preview = client.get(response.headers["Location"])
    page = preview.get_data(as_text=True)
    assert "1幢-1-101" in page and "张三、李四" in page
    assert roll_summary(estate)["units"] == 0  # nothing saved before confirmation
    confirmed = client.post(response.headers["Location"])
    assert confirmed.status_code == 302
    assert roll_summary(estate)["units"] == 5


def test_the_preview_counts_by_the_estates_rules(app, factory):
    """Developer's code and merged titles set: the developer's flat and shop, 张三-李四-王五, 赵六."""
    developer = credit_code(1)
    estate = factory.estate()
    change_roll_rules(
        "test", estate, replace(estate.roll_rules, developer_credit_code=developer, buyers=Buyers.BY_PERSON)
    )
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    page = client.get(upload(client, estate, titles_roster(developer)).headers["Location"]).get_data(as_text=True)
    assert '<div class="value">3</div><div class="label">投票人数</div>' in page
    assert '<div class="value">2 / 290.00</div>' in page


def test_preview_lists_faults_with_rows_and_offers_no_save(app, factory):
    estate = factory.estate()
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    bad = roster_csv(
        [
            ["1幢", "", "101", "住宅", "-5", "登记", "张三", resident_id(1), "", "已交付"],
            ["1幢", "", "102", "住宅", "10", "登记", "李四", resident_id(2), "", "已出租"],
        ]
    )
    location = upload(client, estate, bad).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "第 2 行" in page and "第 3 行" in page and "已出租" in page
    assert "保存此名册" not in page
    client.post(location)  # a forced confirmation still saves nothing
    assert roll_summary(estate)["units"] == 0


def test_public_roll_is_masked_and_only_after_publication(app, factory):
    estate = factory.estate(roster=small_roster())
    assert app.test_client().get(f"/p/{estate.code}/roll").status_code == 404
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    assert client.post(f"/estates/{estate.code}/roll/publish").status_code == 302
    page = app.test_client().get(f"/p/{estate.code}/roll").get_data(as_text=True)
    assert "张*" in page and "王*" in page and "1幢-1-101" in page and "89.56" in page
    for secret in ("张三", "王五", resident_id(3), "13800000000", resident_id(3)[-4:]):
        assert secret not in page


def published_roll(app, factory, roster: bytes, **rules):
    """The public roll, in English, of an estate counted by these rules."""
    estate = factory.estate(roster=roster)
    change_roll_rules("test", estate, replace(estate.roll_rules, **rules))
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    assert client.post(f"/estates/{estate.code}/roll/publish").status_code == 302
    public = app.test_client().get(f"/p/{estate.code}/roll", headers={"Accept-Language": "en"})
    return html.unescape(public.get_data(as_text=True))


def test_the_public_roll_states_the_national_default_rules_it_is_counted_by(app, factory):
    page = published_roll(app, factory, small_roster())
    assert "Parking spaces: their area counts like any other exclusive part." in page
    assert "Joint titles are separate buyers: A alone and A with B are two voters." in page
    assert "The developer: its unsold and undelivered units are one voter." in page


def test_the_public_roll_states_the_estates_own_rules_without_the_developers_code(app, factory):
    developer = credit_code(1)
    page = published_roll(
        app, factory, small_roster(), count_parking=False, developer_credit_code=developer, buyers=Buyers.BY_PERSON
    )
    assert "Parking spaces: their area is left out; the owner of a parking space is still one person." in page
    assert "A person's sole and joint titles are one buyer" in page
    assert "and its delivered units under its unified social credit code, are one voter." in page
    assert developer not in page  # the staff pages show it; the public roll shows no ID number


def test_the_public_roll_lists_a_parking_space_left_out_with_its_owner_and_no_area(app, factory):
    rows = [
        ["1幢", "", "101", "住宅", "100", "登记", "张三", resident_id(1), "", "已交付"],
        ["车库", "", "P01", "车位", "12.5", "登记", "李四", resident_id(2), "", "已交付"],
    ]
    page = published_roll(app, factory, roster_csv(rows), count_parking=False)
    row = page[page.index("<td>车库-P01</td>") :].split("</tr>")[0]
    assert "李*" in row and "12.50" in row and "not counted" in row


def test_export_to_xlsx(app, factory):
    estate = factory.estate(roster=small_roster())
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    response = client.get(f"/estates/{estate.code}/roll/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    wang = next(r for r in rows if r[1] == "王五")
    assert wang[2] == "1幢-1-102、1幢-1-201" and wang[3] == "180.00"


def test_english_interface(app, factory):
    estate = factory.estate(roster=small_roster())
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    client.post("/lang/en", data={"next": "/"})
    page = client.get(f"/estates/{estate.code}/roll/").get_data(as_text=True)
    assert "Owner roll" in page and "Co-owned units" in page


def test_the_same_warning_on_many_rows_is_one_line_with_the_count_and_the_rows(app, factory):
    """A developer's credit code failing its check on each of its 15 shops: one line, not 15."""
    estate = factory.estate()
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    doubtful = "91330100716105852E"  # fails the GB 32100 check character; warned, not refused
    rows = [
        ["商业", "", f"S{n:02d}", "商业", "50.00", "登记", "某某置业有限公司", doubtful, "", "已交付"]
        for n in range(1, 16)
    ]
    rows.insert(5, ["1幢", "1", "101", "住宅", "89.56", "登记", "张三", resident_id(1), "", "已交付"])
    rows.append(["商业", "", "S99", "商业", "50.00", "登记", "另一公司", "91330100716105853E", "", "已交付"])
    page = client.get(upload(client, estate, roster_csv(rows)).headers["Location"]).get_data(as_text=True)
    warnings = page[page.index('<ul class="warnings">') :]
    warnings = warnings[: warnings.index("</ul>")]
    assert warnings.count("<li>") == 2
    assert warnings.count(doubtful) == 1
    assert "15 行（第 2–6、8–17 行）：" in warnings  # the rows of the header, 张三's flat between
    assert "第 18 行：" in warnings and "91330100716105853E" in warnings


def test_export_writes_no_live_formula(app, factory):
    """Names and unit labels come from an uploaded file: one starting like a formula stays text."""
    estate = factory.estate(
        roster=roster_csv(
            [
                [
                    "=1+2",
                    "1",
                    "101",
                    "住宅",
                    "89.56",
                    "登记",
                    '=HYPERLINK("http://evil.example","x")',
                    resident_id(1),
                    "",
                    "已交付",
                ],
                ["1幢", "1", "102", "住宅", "90.00", "登记", "@SUM(A1)", resident_id(2), "", "已交付"],
                ["1幢", "1", "103", "住宅", "90.00", "登记", "+王五", resident_id(3), "", "已交付"],
            ]
        )
    )
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    book = load_workbook(io.BytesIO(client.get(f"/estates/{estate.code}/roll/export.xlsx").data))
    cells = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value[:1] in "=+-@"
    ]
    assert {cell.value for cell in cells} >= {
        '=HYPERLINK("http://evil.example","x")',
        "@SUM(A1)",
        "+王五",
        "=1+2-1-101",
    }
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate


def test_an_upload_is_parsed_once_and_kept_encrypted(app, factory, monkeypatch):
    from sqlalchemy import text

    from voting.roster import operations

    parses = []
    parse = operations.parse_roster
    monkeypatch.setattr(operations, "parse_roster", lambda *a, **k: parses.append(1) or parse(*a, **k))
    estate = factory.estate()
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    location = upload(client, estate, small_roster()).headers["Location"]
    assert "张三、李四" in client.get(location).get_data(as_text=True)
    assert "张三、李四" in client.get(location).get_data(as_text=True)
    stored = b"".join(value for (value,) in db.session.execute(text("SELECT parsed_enc FROM roster_upload")))
    for secret in ("张三", resident_id(1), resident_id(3)[-6:], "13800000000"):
        assert secret.encode() not in stored
    assert client.post(location).status_code == 302
    assert roll_summary(estate)["units"] == 5
    assert len(parses) == 1


def test_an_upload_left_unconfirmed_for_a_day_is_refused_and_deleted(app, factory):
    from datetime import timedelta

    from voting.roster.models import RosterUpload

    estate = factory.estate()
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    client.post("/lang/en")
    location = upload(client, estate, small_roster()).headers["Location"]
    staged = db.session.query(RosterUpload).one()
    staged.uploaded_at -= timedelta(hours=24, minutes=1)
    db.session.commit()
    refused = client.post(location, content_type="application/x-www-form-urlencoded", follow_redirects=True)
    assert refused.request.path == f"/estates/{estate.code}/roll/import"
    assert "This upload waited more than 24 hours unconfirmed and has been deleted" in refused.get_data(as_text=True)
    assert roll_summary(estate)["units"] == 0 and db.session.query(RosterUpload).count() == 0
    assert client.get(location).status_code == 404


def test_the_row_limit_is_the_apps_setting(app, factory):
    app.config["ROSTER_MAX_ROWS"] = 4
    estate = factory.estate()
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    client.post("/lang/en")
    page = client.get(upload(client, estate, small_roster()).headers["Location"]).get_data(as_text=True)
    assert "the sheet has more than 4 rows below its header" in page
