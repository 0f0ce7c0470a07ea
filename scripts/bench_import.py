#!/usr/bin/env python3
"""Roster import speed: parse and import generated rosters, print the figures.

    .venv/bin/python scripts/bench_import.py [--units 5000] [--database-url URL]
    .venv/bin/python scripts/bench_import.py --refused-rows 3000000

Uses a throwaway SQLite database unless --database-url is given (its tables are emptied and
migrated first: never point it at a database you need). --refused-rows writes an .xlsx of that
many rows and times how soon the upload limits refuse it, with the process's peak memory.
"""

import argparse
import re
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voting import create_app  # noqa: E402
from voting.extensions import db  # noqa: E402
from voting.roster.generate import generate_roster, write_csv, write_xlsx  # noqa: E402
from voting.roster.parsing import parse_roster  # noqa: E402


def write_long_xlsx(path: Path, rows: int) -> None:
    """An .xlsx of ``rows`` rows, streamed: one generated unit repeated, as a careless export might."""
    small = path.with_name("one-row.xlsx")
    write_xlsx(generate_roster(1, seed=1).rows, small)
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            if part.filename != "xl/worksheets/sheet1.xml":
                target.writestr(part, source.read(part))
                continue
            xml = source.read(part).decode()
            head, header, row, tail = re.fullmatch(
                r"(.*?<sheetData>)(<row.*?</row>)(<row.*?</row>)(</sheetData>.*)", xml, re.S
            ).groups()
            row = re.sub(r' r="[A-Z]*2"', "", row)  # positions follow from the order
            with target.open("xl/worksheets/sheet1.xml", "w") as sheet:
                sheet.write((head + header).encode())
                chunk = (row * 1000).encode()
                for _ in range(rows // 1000):
                    sheet.write(chunk)
                sheet.write(tail.encode())


def bench_refusal(rows: int) -> None:
    path = Path(tempfile.mkdtemp()) / "long.xlsx"
    write_long_xlsx(path, rows)
    data = path.read_bytes()
    unpacked = sum(part.file_size for part in zipfile.ZipFile(path).infolist())
    started, cpu_started = time.perf_counter(), time.process_time()
    parsed = parse_roster(data, path.name)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{rows} rows, {len(data) / 2**20:.1f} MB (unpacked {unpacked / 2**20:.0f} MB): "
        f"{seconds:.2f} s ({cpu_seconds:.2f} s CPU), peak memory {peak_mb:.0f} MB"
    )
    print(f"  {parsed.errors[0] if parsed.errors else f'accepted {len(parsed.rows)} rows'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--database-url")
    parser.add_argument("--refused-rows", type=int, help="time the refusal of an .xlsx this long instead")
    args = parser.parse_args()
    if args.refused_rows:
        bench_refusal(args.refused_rows)
        return
    work = Path(tempfile.mkdtemp())
    url = args.database_url or f"sqlite:///{work / 'bench.sqlite'}"
    roster = generate_roster(args.units, seed=1)
    files = {"xlsx": work / "roster.xlsx", "csv (GB18030)": work / "roster.csv"}
    write_xlsx(roster.rows, files["xlsx"])
    write_csv(roster.rows, files["csv (GB18030)"], encoding="gb18030")

    app = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-" + "s" * 40,
            "DATA_KEY": "bench-" + "d" * 40,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        if url.startswith("postgresql"):
            db.session.execute(db.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        from voting.estates.operations import create_estate
        from voting.roster.operations import import_roster

        print(f"{args.units} units on {db.engine.dialect.name}")
        print(f"{'file':<16}{'parse only s':>14}{'import s':>10}{'units/s':>10}")
        for number, (label, path) in enumerate(files.items()):
            data = path.read_bytes()
            started = time.perf_counter()
            parsed = parse_roster(data, path.name)
            parse_seconds = time.perf_counter() - started
            assert parsed.ok, parsed.errors[:3]
            estate = create_estate("bench", f"BENCH-{number}", "bench")
            started = time.perf_counter()  # the import parses and checks the file again itself
            summary = import_roster("bench", estate, data, path.name)
            db.session.commit()
            finished = time.perf_counter()
            assert summary == roster.expected_summary(), summary
            print(
                f"{label:<16}{parse_seconds:>14.2f}{finished - started:>10.2f}"
                f"{args.units / (finished - started):>10.0f}"
            )


if __name__ == "__main__":
    main()
