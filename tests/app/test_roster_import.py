"""Importing the owner roll: exact totals, all-or-nothing, encrypted personal data."""

import json
from dataclasses import replace

from sqlalchemy import func, select

from tests.conftest import shared_path
from tests.factories import resident_id, roster_csv, small_roster
from voting.estates.models import Estate, Unit
from voting.extensions import db
from voting.roster.models import Owner, RosterImport, Voter
from voting.roster.operations import RosterRejected, import_roster, roll_summary


def table_counts() -> dict[str, int]:
    return {
        t.name: db.session.execute(select(func.count()).select_from(t)).scalar_one() for t in db.metadata.sorted_tables
    }


def run_cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_cli_import_of_demo_fixture_gives_expected_summary(app):
    fixture = shared_path("fixtures", "roster-demo.xlsx")
    expected = json.loads(shared_path("fixtures", "roster-demo.expected.json").read_text())
    result = run_cli(app, "roster", "import", "DEMO-X", str(fixture), "--name", "示例小区")
    assert result.exit_code == 0, result.output
    summary = run_cli(app, "roster", "summary", "DEMO-X", "--json")
    assert summary.exit_code == 0
    assert json.loads(summary.output) == expected
    assert db.session.scalar(select(Estate.name).where(Estate.code == "DEMO-X")) == "示例小区"


def test_cli_import_of_bad_fixture_names_every_fault_and_saves_nothing(app, factory):
    factory.estate(roster=small_roster())
    before = table_counts()
    result = run_cli(app, "roster", "import", "BAD-X", str(shared_path("fixtures", "roster-bad.xlsx")))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert all(line.startswith("row ") for line in lines), lines
    text = result.output
    for fault in (
        "must be greater than 0",
        "more than two decimals",
        "already listed on row",
        "check digit",
        "is not one of",
        "needs its owners",
    ):
        assert fault in text, fault
    assert table_counts() == before


def test_rejected_reimport_keeps_the_previous_roll(app, factory, tmp_path):
    estate = factory.estate(roster=small_roster())
    before = roll_summary(estate)
    bad = roster_csv([["1幢", "1", "101", "住宅", "-1", "登记", "张三", resident_id(1), "", "已交付"]])
    path = tmp_path / "roster.csv"
    path.write_bytes(bad)
    result = run_cli(app, "roster", "import", estate.code, str(path))
    assert result.exit_code == 1
    assert result.output.startswith("row 2: ")
    db.session.expire_all()
    assert roll_summary(estate) == before


def test_small_roster_weights(app, factory):
    estate = factory.estate(roster=small_roster())
    assert roll_summary(estate) == {
        "units": 5,
        "voters": 4,  # the couple, 王五 (two flats), 赵六, the developer
        "total_heads": 4,
        "total_area": 8956 + 9000 + 9000 + 12025 + 20000,
        "developer": {"units": 1, "area": 20000},
        "multi_unit_voters": 1,
        "co_owned_units": 1,
    }
    wang = db.session.scalar(select(Voter).join(Unit).where(Unit.label == "1幢-1-102"))
    assert wang.area == 18000 and sorted(u.label for u in wang.units) == ["1幢-1-102", "1幢-1-201"]


def test_id_numbers_and_phones_are_encrypted_and_matched_by_keyed_hash(app, factory):
    estate = factory.estate(roster=small_roster())
    owners = db.session.scalars(select(Owner).where(Owner.estate_id == estate.id)).all()
    raw_ids = {resident_id(n) for n in (1, 2, 3, 4)}
    for owner in owners:
        assert owner.id_hash not in raw_ids and len(owner.id_hash) == 64
        assert not any(raw.encode() in owner.id_number_enc for raw in raw_ids)
    wang = next(o for o in owners if o.name == "王五")
    from voting.privacy import personal_data

    assert personal_data().decrypt(wang.id_number_enc) == resident_id(3)
    assert personal_data().decrypt(wang.phone_enc) == "13800000000"
    assert wang.id_hash == personal_data().match_hash(resident_id(3).lower())


def test_parking_left_out_drops_its_area_but_not_its_owner(app, factory):
    """李四 owns only a parking space: with parking left out he is still one person, of no area."""
    rows = [
        ["1幢", "", "101", "住宅", "100", "登记", "张三", resident_id(1), "", "已交付"],
        ["车库", "", "P01", "车位", "12.5", "登记", "李四", resident_id(2), "", "已交付"],
    ]
    estate = factory.estate(roster=roster_csv(rows))
    assert roll_summary(estate)["total_area"] == 11250
    from voting.estates.operations import change_roll_rules

    change_roll_rules("test", estate, replace(estate.roll_rules, count_parking=False))
    db.session.commit()
    assert roll_summary(estate) | {"developer": None} == {
        "units": 2,
        "voters": 2,
        "total_heads": 2,
        "total_area": 10000,
        "developer": None,
        "multi_unit_voters": 0,
        "co_owned_units": 0,
    }
    stored = db.session.execute(select(Voter.area, Voter.heads).order_by(Voter.code)).all()
    assert stored == [(10000, 1), (0, 1)]
    assert db.session.scalar(select(func.count()).where(Unit.voter_id.is_(None))) == 0


def test_gb18030_csv_of_thousands_of_units(app, factory, tmp_path):
    from voting.roster.generate import generate_roster, write_csv

    roster = generate_roster(2000, seed=7)
    path = str(tmp_path / "gb.csv")
    write_csv(roster.rows, path, encoding="gb18030")
    estate = factory.estate()
    result = run_cli(app, "roster", "import", estate.code, path)
    assert result.exit_code == 0, result.output[:500]
    summary = roll_summary(estate)
    assert summary == roster.expected_summary() and summary["units"] == 2000
    assert db.session.scalar(select(func.count()).select_from(Unit).where(Unit.estate_id == estate.id)) == 2000
    assert summary["total_area"] == db.session.scalar(select(func.sum(Voter.area)).where(Voter.estate_id == estate.id))


def test_import_records_history_and_audit(app, factory):
    from voting.audit.models import AuditEvent

    estate = factory.estate()
    import_roster("someone", estate, small_roster(), "r.csv")
    db.session.commit()
    history = db.session.scalar(select(RosterImport).where(RosterImport.estate_id == estate.id))
    assert history.imported_by == "someone" and json.loads(history.summary_json)["units"] == 5
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.import"))
    assert event.actor == "someone" and event.estate_id == estate.id


def test_operation_raises_with_every_fault(app, factory):
    estate = factory.estate()
    bad = roster_csv(
        [
            ["1幢", "", "101", "住宅", "1.001", "登记", "张三", resident_id(1), "", "已交付"],
            ["1幢", "", "102", "住宅", "10", "估算", "李四", resident_id(2), "", "已交付"],
        ]
    )
    try:
        import_roster("test", estate, bad, "bad.csv")
    except RosterRejected as rejected:
        assert [e.row for e in rejected.errors] == [2, 3]
    else:
        raise AssertionError("a roster with faults was accepted")
