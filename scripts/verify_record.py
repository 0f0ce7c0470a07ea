#!/usr/bin/env python3
"""Verify a Gongzhi election record (format gongzhi-record/1).

    python scripts/verify_record.py FILE [--json] [--workers N]

Prints VALID and exits 0, or prints one line ``INVALID: <fault>`` and exits 1. With --json a
valid record prints only the recounted tally in canonical JSON. Needs only the standard library
and ``cryptography``.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voting.core.canonical import canon, parse_json  # noqa: E402
from voting.core.record import RecordInvalid, verify  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a gongzhi-record/1 election record.")
    parser.add_argument("file", help="the record, a JSON file")
    parser.add_argument("--json", action="store_true", help="print the recounted tally only")
    parser.add_argument(
        "--workers", type=int, default=1, help="processes that verify signatures (default 1)"
    )
    args = parser.parse_args(argv)
    # Fault messages quote ids from the record; never fail to print them.
    sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")
    try:
        data = Path(args.file).read_bytes()
    except OSError as error:
        return _invalid(f"cannot read {args.file}: {error.strerror}")
    try:
        record = parse_json(data)
    except (ValueError, RecursionError) as error:  # RecursionError: nesting too deep
        return _invalid(f"not a JSON record: {error}")
    try:
        tally = verify(record, workers=args.workers)
    except RecordInvalid as error:
        return _invalid(str(error))
    print(canon(tally).decode("utf-8") if args.json else "VALID")
    return 0


def _invalid(fault: str) -> int:
    one_line = " ".join(fault.splitlines())  # the output contract is exactly one line
    print(f"INVALID: {one_line}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
