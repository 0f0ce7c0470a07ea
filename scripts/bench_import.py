#!/usr/bin/env python3
"""Roster import speed: parse and import generated rosters, print the figures.

    .venv/bin/python scripts/bench_import.py [--units 5000] [--database-url URL]

Uses a throwaway SQLite database unless --database-url is given (its tables are emptied and
migrated first: never point it at a database you need).
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voting import create_app  # noqa: E402
from voting.extensions import db  # noqa: E402
from voting.roster.generate import generate_roster, write_csv, write_xlsx  # noqa: E402
from voting.roster.parsing import parse_roster  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    url = args.database_url or f"sqlite:///{work / 'bench.sqlite'}"
    roster = generate_roster(args.units, seed=1)
    files = {"xlsx": work / "roster.xlsx", "csv (GB18030)": work / "roster.csv"}
    write_xlsx(roster.rows, files["xlsx"])
    write_csv(roster.rows, files["csv (GB18030)"], encoding="gb18030")

    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
                      "SECRET_KEY": "bench-" + "s" * 40, "DATA_KEY": "bench-" + "d" * 40})
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
            print(f"{label:<16}{parse_seconds:>14.2f}{finished - started:>10.2f}"
                  f"{args.units / (finished - started):>10.0f}")


if __name__ == "__main__":
    main()
