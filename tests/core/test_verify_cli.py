"""scripts/verify_record.py as an outside verifier runs it: a separate process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulation import records_v2
from simulation.records import full_kit
from tests.conftest import REPO_ROOT
from tests.core import vectors_v2
from voting.core import checkpoint
from voting.core.canonical import b64d, canon

SCRIPT = REPO_ROOT / "scripts" / "verify_record.py"


def run(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        cwd=cwd or REPO_ROOT.parent,
        timeout=120,
    )


@pytest.fixture
def valid_file(tmp_path):
    document = full_kit().record()
    path = tmp_path / "record.json"
    path.write_bytes(canon(document))
    return path, document


def test_valid_record_prints_valid_and_exits_0(valid_file):
    path, _ = valid_file
    result = run(path)
    assert (result.returncode, result.stdout, result.stderr) == (0, b"VALID\n", b"")


def test_json_prints_only_the_canonical_recount(valid_file):
    path, document = valid_file
    result = run(path, "--json", "--workers", "2")
    assert result.returncode == 0
    assert result.stdout == canon(document["tally"]) + b"\n"


def test_invalid_record_prints_one_line_and_exits_1(valid_file):
    path, document = valid_file
    document["log"][1]["ballot"]["choices"]["a"] = "yes"
    path.write_bytes(canon(document))
    result = run(path, "--json")
    assert (result.returncode, result.stdout) == (1, b"INVALID: entry 1: bad signature\n")


@pytest.mark.parametrize(
    "content, fault",
    [
        (b"", b"INVALID: [D1] not a JSON record: Expecting value: line 1 column 1 (char 0)\n"),
        (
            b'{"format": 1.5}',
            b"INVALID: [D1] not a JSON record: floating-point number 1.5 in a record\n",
        ),
        (b'{"a": 1, "a": 1}', b"INVALID: [D1] not a JSON record: duplicate key 'a'\n"),
        (b'{"a": NaN}', b"INVALID: [D1] not a JSON record: floating-point number NaN in a record\n"),
        (b"\xff\xfe", None),
        (b"[]", b"INVALID: [D2] record is not an object\n"),
        # Deeper than CPython's parser recurses, and than canonical JSON could be written: a verdict.
        (
            b"[" * 100_000 + b"]" * 100_000,
            b"INVALID: [D1] not a JSON record: objects and lists nested deeper than 64 levels\n",
        ),
        (
            '{"format": "gongzhi-record/2"}'.encode("utf-32"),
            b"INVALID: [D1] not a JSON record: not UTF-8 (byte 0 of the file)\n",
        ),
        (b'{"ext": "\xed\xa0\x80"}', b"INVALID: [D1] not a JSON record: not UTF-8 (byte 9 of the file)\n"),
        (
            b'{"ext": "\\udfff"}',
            b"INVALID: [D1] not a JSON record: a string holds a lone surrogate, which no UTF-8 text can\n",
        ),
    ],
)
def test_unparseable_files_are_invalid(tmp_path, content, fault):
    path = tmp_path / "record.json"
    path.write_bytes(content)
    result = run(path)
    assert result.returncode == 1
    assert result.stdout.startswith(b"INVALID: ") and result.stdout.count(b"\n") == 1
    if fault is not None:
        assert result.stdout == fault


def test_a_missing_file_is_invalid(tmp_path):
    result = run(tmp_path / "nowhere.json")
    assert result.returncode == 1
    assert result.stdout == f"INVALID: cannot read {tmp_path / 'nowhere.json'}: No such file or directory\n".encode()


def test_faults_quote_ids_as_json_in_utf8_whatever_the_locale(valid_file):
    path, document = valid_file
    document["log"][0]["ballot"]["voter_id"] = "业主\n2"
    path.write_bytes(canon(document))
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(path)],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"},
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == 'INVALID: entry 0: voter "业主\\n2" is not on the roll\n'.encode()


def test_every_vector_through_the_cli(vectors):
    expected = json.loads((vectors / "expected.json").read_text(encoding="utf-8"))
    for name, outcome in expected.items():
        result = run(vectors / f"{name}.json", "--json")
        if outcome["valid"]:
            assert (result.returncode, result.stdout) == (0, canon(outcome["tally"]) + b"\n"), name
        else:
            assert (result.returncode, result.stdout) == (
                1,
                f"INVALID: {outcome['reason']}\n".encode(),
            ), name


def test_the_verifier_needs_neither_flask_nor_sqlalchemy(valid_file):
    path, _ = valid_file
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['verify_record.py', {str(path)!r}]\n"
        "try:\n"
        f"    runpy.run_path({str(SCRIPT)!r}, run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "assert 'voting.core.record' in sys.modules\n"
        "heavy = {name.split('.')[0] for name in sys.modules} & {'flask', 'sqlalchemy'}\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, cwd=REPO_ROOT.parent, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"VALID\n"


# --- format 2 ---------------------------------------------------------------------------------


def test_every_format_2_vector_through_the_cli():
    expected = json.loads((vectors_v2.DIRECTORY / "expected.json").read_text(encoding="utf-8"))
    for name, outcome in expected.items():
        result = run(vectors_v2.DIRECTORY / f"{name}.json", "--json")
        if outcome["valid"]:
            assert (result.returncode, result.stdout) == (0, canon(outcome["tally"]) + b"\n"), name
        else:
            assert (result.returncode, result.stdout) == (1, f"INVALID: {outcome['reason']}\n".encode()), name


def test_format_2_with_workers(tmp_path):
    kit = records_v2.full_kit()
    path = tmp_path / "record.json"
    path.write_bytes(canon(kit.record()))
    assert run(path, "--workers", "2").stdout == b"VALID\n"


def receipt_files(tmp_path, kit, seq: int):
    record_path, receipt_path = tmp_path / "record.json", tmp_path / "receipt.json"
    record_path.write_bytes(canon(kit.record()))
    receipt_path.write_bytes(canon(kit.receipt(seq)))
    return record_path, receipt_path


def test_a_receipt_of_the_counted_ballot(tmp_path):
    record_path, receipt_path = receipt_files(tmp_path, records_v2.full_kit(), 1)
    result = run(record_path, "--receipt", receipt_path)
    assert result.returncode == 0
    assert result.stdout.decode().splitlines() == [
        "VALID",
        "RECEIPT: entry 1 is in the published log, which extends the head the receipt was given with (voter a7k2).",
        "COUNTED: entry 1 is the ballot counted for this voter.",
    ]


def test_a_receipt_replaced_by_a_paper_ballot_names_its_desk_and_clerks(tmp_path):
    kit = records_v2.RecordKit(records_v2.voters(2), [records_v2.question("m1")])
    kit.online("v0000", {"m1": "yes"})
    handin = kit.handin("D0042", "v0000", identity_checked=True)
    kit.paper("v0000", {"m1": "no"}, handin["seq"])
    record_path, receipt_path = receipt_files(tmp_path, kit, 0)
    result = run(record_path, "--receipt", receipt_path)
    assert result.returncode == 0
    assert result.stdout.decode().splitlines()[2] == (
        f"REPLACED: entry 2 counts for this voter instead: paper, cast {kit.log[1]['logged_at']},"
        " handed in with desk receipt D0042 (entry 1, identity checked), keyed and checked by clerk-a and clerk-b."
    )
    as_json = json.loads(run(record_path, "--receipt", receipt_path, "--json").stdout)
    assert (as_json["status"], as_json["replaced_by"]["desk_receipt"]) == ("replaced", "D0042")


def test_a_receipt_the_log_no_longer_extends_is_invalid(tmp_path):
    kit = records_v2.RecordKit(records_v2.voters(3), [records_v2.question("m1")])
    kit.online("v0000", {"m1": "yes"})
    kit.online("v0001", {"m1": "yes"})
    receipt = kit.receipt(1)
    del kit.log[0]  # the operator deletes the first ballot
    kit.log[0]["seq"] = 0
    kit.online("v0002", {"m1": "yes"})
    record_path, receipt_path = tmp_path / "record.json", tmp_path / "receipt.json"
    record_path.write_bytes(canon(kit.record()))
    receipt_path.write_bytes(canon(receipt))
    result = run(record_path, "--receipt", receipt_path)
    assert result.returncode == 1
    assert result.stdout.startswith(b"INVALID: [P")


def test_a_receipt_against_a_format_1_record_is_refused(valid_file, tmp_path):
    path, _ = valid_file
    receipt_path = tmp_path / "receipt.json"
    receipt_path.write_bytes(b"{}")
    result = run(path, "--receipt", receipt_path)
    assert (result.returncode, result.stdout) == (
        1,
        b"INVALID: receipts and checkpoints are checked against gongzhi-record/2 records only\n",
    )


def held_checkpoint_file(tmp_path, kit, head: dict) -> Path:
    keys = {officer["officer_id"]: b64d(officer["public_key"]) for officer in kit.election["officers"]}
    path = tmp_path / "checkpoint.txt"
    path.write_text(
        checkpoint.signed_note(kit.hash, head, b64d(kit.election["election_public_key"]), keys), encoding="utf-8"
    )
    return path


def test_a_checkpoint_held_by_a_witness_is_extended_by_the_record(tmp_path):
    kit = records_v2.full_kit()
    record_path, receipt_path = receipt_files(tmp_path, kit, 1)
    note = held_checkpoint_file(tmp_path, kit, kit.checkpoints[2])
    result = run(record_path, "--checkpoint", note, "--receipt", receipt_path)
    assert result.returncode == 0
    lines = result.stdout.decode().splitlines()
    assert lines[0] == "VALID" and lines[2].startswith("COUNTED")
    assert lines[3] == (
        "CHECKPOINT: the published log extends this checkpoint of 11 entries"
        " (signed by the vote's key, cosigned by street-1 and witness.example/w1)."
    )


def test_a_checkpoint_the_record_left_out_catches_a_rewritten_history(tmp_path):
    """The operator deletes a ballot and publishes no head at all; the street office's kept
    checkpoint (or the notice board's printout) no longer fits."""
    kit = records_v2.RecordKit(records_v2.voters(3), [records_v2.question("m1")])
    kit.online("v0000", {"m1": "yes"})
    kit.online("v0001", {"m1": "yes"})
    note = held_checkpoint_file(tmp_path, kit, kit.witness())
    kit.checkpoints.clear()
    del kit.log[0]
    kit.log[0]["seq"] = 0
    kit.online("v0002", {"m1": "no"})
    record_path = tmp_path / "record.json"
    record_path.write_bytes(canon(kit.record()))
    assert run(record_path).stdout == b"VALID\n"  # the record alone cannot tell
    result = run(record_path, "--checkpoint", note)
    assert (result.returncode, result.stdout) == (
        1,
        (
            "INVALID: [H3] checkpoint: the published log does not extend this checkpoint of 2 entries"
            " — the history it covers was rewritten\n"
        ).encode(),
    )


def test_a_forged_checkpoint_is_refused(tmp_path):
    kit = records_v2.full_kit()
    record_path, _ = receipt_files(tmp_path, kit, 1)
    forged = held_checkpoint_file(tmp_path, kit, {**kit.checkpoints[1], "signature": kit.checkpoints[0]["signature"]})
    result = run(record_path, "--checkpoint", forged)
    assert (result.returncode, result.stdout) == (1, b"INVALID: [H2] checkpoint: bad signature by the vote's key\n")


def test_no_receipt_or_note_is_read_against_a_record_that_fails(tmp_path):
    """A record failing its own checks is reported as such, even beside a receipt that is not
    JSON or a note that is not UTF-8 (spec §10)."""
    kit = records_v2.full_kit()
    document = kit.record()
    document["format"] = "gongzhi-record/3"
    record_path, receipt_path, note_path = tmp_path / "record.json", tmp_path / "receipt.json", tmp_path / "note.txt"
    record_path.write_bytes(canon(document))
    receipt_path.write_bytes(b"not JSON")
    note_path.write_bytes(b"\xff")
    result = run(record_path, "--receipt", receipt_path, "--checkpoint", note_path)
    assert result.returncode == 1
    assert result.stdout.startswith(b"INVALID: [D2] ") and result.stdout.count(b"\n") == 1


def test_given_both_the_receipt_is_checked_first_and_only_the_first_fault_is_printed(tmp_path):
    kit = records_v2.full_kit()
    record_path, receipt_path = receipt_files(tmp_path, kit, 1)
    note_path = tmp_path / "note.txt"
    note_path.write_bytes(b"\xff")  # not UTF-8: H1
    # The receipt valid, the note not: only the note's fault, no finding of the receipt.
    result = run(record_path, "--receipt", receipt_path, "--checkpoint", note_path)
    assert (result.returncode, result.stdout.count(b"\n")) == (1, 1)
    assert result.stdout.startswith(b"INVALID: [H1] ")
    # The receipt invalid (P3) as well: its fault only, though the note is read second.
    receipt_path.write_bytes(canon({**kit.receipt(1), "seq": 0}))
    result = run(record_path, "--receipt", receipt_path, "--checkpoint", note_path, "--json")
    assert (result.returncode, result.stdout.count(b"\n")) == (1, 1)
    assert result.stdout.startswith(b"INVALID: [P3] ")
