#!/usr/bin/env python3
"""Verify a Gongzhi election record (format gongzhi-record/1 or gongzhi-record/2).

    python scripts/verify_record.py RECORD [--json] [--workers N] [--receipt RECEIPT]

Prints VALID and exits 0, or prints one line ``INVALID: <fault>`` and exits 1; a format-2 fault
starts with the id of the failing check, e.g. ``INVALID: [L12] entry 7: bad signature``. With
--json a valid record prints only the recounted tally in canonical JSON.

With --receipt (format 2), the owner's saved receipt is checked against the record: that its
ballot is in the published log, that the log still extends the head the receipt was given with,
and whether that ballot is the one counted or was replaced by a later one (which, when, how).
With --checkpoint (format 2), a checkpoint a witness or the notice board kept, as a C2SP signed
note, is checked: genuine, and extended by the published log.

Needs only the standard library and ``cryptography``.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voting.core import record, record_v2  # noqa: E402
from voting.core.canonical import canon, parse_json  # noqa: E402
from voting.core.fields import RecordInvalid  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Gongzhi election record (format 1 or 2).")
    parser.add_argument("file", help="the record, a JSON file")
    parser.add_argument("--json", action="store_true", help="print the recounted tally (or the receipt's finding) only")
    parser.add_argument("--workers", type=int, default=1, help="processes that verify signatures (default 1)")
    parser.add_argument("--receipt", help="a receipt saved from the phone, to check against the record (format 2)")
    parser.add_argument(
        "--checkpoint", help="a checkpoint (C2SP signed note) a witness or the notice board kept (format 2)"
    )
    args = parser.parse_args(argv)
    # Fault messages quote ids from the record; never fail to print them.
    sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")
    try:
        document = _read(args.file, "record")
    except RecordInvalid as fault:
        return _invalid(str(fault))
    # The receipt and the note are read only once the record passed, each when its turn comes
    # (the receipt first): a file that is not one is a fault of its own check (P1, H1), and no
    # receipt or note is checked against a record that fails its own checks (spec §10).
    held = bool(args.receipt) or bool(args.checkpoint)
    try:
        # Format 1 only where the record says so; anything else gets format 2's checks, which
        # name an unknown format.
        if type(document) is dict and document.get("format") == record.FORMAT:
            if held:
                return _invalid(f"receipts and checkpoints are checked against {record_v2.FORMAT} records only")
            tally = record.verify(document, workers=args.workers)
        else:
            verified = record_v2.verify_record(document, workers=args.workers)
            tally = verified.tally
            if held:
                findings = []
                if args.receipt:
                    finding = record_v2.check_receipt(document, verified, _read(args.receipt, "receipt"))
                    findings.append((finding.as_json(), _describe(finding)))
                if args.checkpoint:
                    extended = record_v2.check_held_checkpoint(document, verified, _read_text(args.checkpoint))
                    findings.append((extended, _describe_checkpoint(extended)))
                if args.json:
                    print("\n".join(canon(as_json).decode("utf-8") for as_json, _ in findings))
                else:
                    print("\n".join(["VALID", *(lines for _, lines in findings)]))
                return 0
    except RecordInvalid as fault:
        return _invalid(str(fault))
    print(canon(tally).decode("utf-8") if args.json else "VALID")
    return 0


def _read(path: str, what: str):
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise RecordInvalid(f"cannot read {path}: {error.strerror}") from None
    try:
        return parse_json(data)
    except (ValueError, RecursionError) as error:  # RecursionError: nesting too deep
        raise RecordInvalid(f"not a JSON {what}: {error}", "D1" if what == "record" else "P1") from None


def _read_text(path: str) -> str:
    try:
        return Path(path).read_bytes().decode("utf-8")
    except OSError as error:
        raise RecordInvalid(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise RecordInvalid(f"{path} is not UTF-8 text", "H1") from None


def _describe_checkpoint(extended: dict) -> str:
    cosigners = ", cosigned by " + " and ".join(extended["cosigned_by"]) if extended["cosigned_by"] else ""
    listed = (
        "" if extended["listed_in_record"] else " The record does not list it: ask whoever published the record why."
    )
    return (
        f"CHECKPOINT: the published log extends this checkpoint of {extended['size']} entries"
        f" (signed by the vote's key{cosigners}).{listed}"
    )


def _describe(finding: record_v2.ReceiptFinding) -> str:
    lines = [
        f"RECEIPT: entry {finding.seq} is in the published log, which extends the head the receipt "
        f"was given with (voter {finding.voter_id}).",
    ]
    if finding.status == "counted":
        lines.append(f"COUNTED: entry {finding.seq} is the ballot counted for this voter.")
        return "\n".join(lines)
    by = finding.replaced_by
    how = f"{by['channel']}, cast {by['cast_at']}"
    if by["channel"] == "paper":
        checked = "identity checked" if by["identity_checked"] else "identity not checked"
        how += (
            f", handed in with desk receipt {by['desk_receipt']} (entry {by['handin_seq']}, {checked}),"
            f" keyed and checked by {' and '.join(by['clerks'])}"
        )
    lines.append(f"REPLACED: entry {by['seq']} counts for this voter instead: {how}.")
    return "\n".join(lines)


def _invalid(fault: str) -> int:
    one_line = " ".join(fault.splitlines())  # the output contract is exactly one line
    print(f"INVALID: {one_line}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
