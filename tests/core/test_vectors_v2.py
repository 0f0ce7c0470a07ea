"""The conformance vectors of format 2 (tests/core/vectors-v2, made by tests/core/vectors_v2.py)."""

import importlib.util
import json
import re

import pytest

from tests.conftest import REPO_ROOT
from tests.core import vectors_v2
from voting.core import record_v2
from voting.core.canonical import canon, parse_json

SPEC = REPO_ROOT / "docs" / "spec" / "election-record-v2.md"
EXPECTED = json.loads((vectors_v2.DIRECTORY / "expected.json").read_text(encoding="utf-8"))


def test_the_files_are_what_the_generator_makes():
    """Nobody edits a vector by hand: python -m tests.core.vectors_v2 writes them all."""
    made = vectors_v2.file_contents()
    on_disk = {
        str(path.relative_to(vectors_v2.DIRECTORY)): path.read_bytes()
        for path in vectors_v2.DIRECTORY.rglob("*")
        if path.is_file()
    }
    assert on_disk.keys() == made.keys()
    for name, content in made.items():
        assert on_disk[name] == content, f"{name} differs: run python -m tests.core.vectors_v2"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_vector_gives_its_verdict(name):
    expected = EXPECTED[name]
    content = (vectors_v2.DIRECTORY / f"{name}.json").read_bytes()
    if expected["valid"]:
        assert canon(record_v2.verify(parse_json(content))) == canon(expected["tally"])
    else:
        assert expected["reason"].startswith(f"[{expected['check']}] ")
        assert vectors_v2.verdict_of(content) == expected["reason"]


def test_every_check_of_the_spec_has_a_vector_that_fails_it():
    checks = re.findall(r"^- ([A-Z]\d+) ", SPEC.read_text(encoding="utf-8"), re.MULTILINE)
    # P and H: receipts and held checkpoints, checked against a record (test_record_v2, test_verify_cli)
    record_checks = [check for check in checks if check[0] not in "PH"]
    assert len(record_checks) == len(set(record_checks)) > 30
    failed = {expected["check"] for expected in EXPECTED.values() if not expected["valid"]}
    assert set(record_checks) - failed == set()
    assert failed - set(record_checks) == set()


def test_the_receipt_vectors_cover_every_finding_and_receipt_check():
    findings = json.loads((vectors_v2.DIRECTORY / "receipts" / "expected.json").read_text(encoding="utf-8"))
    assert {"counted", "replaced"} <= {finding.get("status") for finding in findings.values()}
    assert {finding["check"] for finding in findings.values() if finding["receipt"] == "invalid"} == {
        "P1",
        "P2",
        "P3",
        "P4",
        "P5",
    }


HELD = json.loads((vectors_v2.DIRECTORY / "held" / "expected.json").read_text(encoding="utf-8"))
RECEIPTS = json.loads((vectors_v2.DIRECTORY / "receipts" / "expected.json").read_text(encoding="utf-8"))


def test_the_held_checkpoint_vectors_cover_every_finding_and_check():
    assert {True, False} <= {finding.get("listed_in_record") for finding in HELD.values()}
    assert {finding["check"] for finding in HELD.values() if finding["checkpoint"] == "invalid"} == {"H1", "H2", "H3"}


def _record(name: str) -> dict:
    return parse_json((vectors_v2.DIRECTORY / f"{name}.json").read_bytes())


@pytest.mark.parametrize("name", sorted(RECEIPTS))
def test_receipt_vector_gives_its_finding(name):
    expected = RECEIPTS[name]
    receipt = parse_json((vectors_v2.DIRECTORY / "receipts" / f"{name}.json").read_bytes())
    assert {
        "record": expected["record"],
        **vectors_v2.receipt_verdict(_record(expected["record"]), receipt),
    } == expected


@pytest.mark.parametrize("name", sorted(HELD))
def test_held_checkpoint_vector_gives_its_finding(name):
    expected = HELD[name]
    note = (vectors_v2.DIRECTORY / "held" / f"{name}.txt").read_bytes()
    assert {"record": expected["record"], **vectors_v2.held_verdict(_record(expected["record"]), note)} == expected


def _verify_record_script():
    spec = importlib.util.spec_from_file_location("verify_record", REPO_ROOT / "scripts" / "verify_record.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "folder, option, name",
    [("receipts", "--receipt", name) for name in sorted(RECEIPTS)]
    + [("held", "--checkpoint", name) for name in sorted(HELD)],
)
def test_the_cli_gives_each_receipt_and_held_checkpoint_its_finding(folder, option, name, capsys):
    """scripts/verify_record.py --json: the finding as canonical JSON (exit 0), or one line
    INVALID: [<check>] … (exit 1)."""
    expected = {**(RECEIPTS if folder == "receipts" else HELD)[name]}
    record = vectors_v2.DIRECTORY / f"{expected.pop('record')}.json"
    held = vectors_v2.DIRECTORY / folder / f"{name}.{'json' if folder == 'receipts' else 'txt'}"
    code = _verify_record_script().main([str(record), option, str(held), "--json"])
    out = capsys.readouterr().out
    if expected.get("receipt", expected.get("checkpoint")) == "invalid":
        assert code == 1
        assert out.startswith(f"INVALID: [{expected['check']}] ") and out.count("\n") == 1
    else:
        assert (code, out) == (0, canon(expected).decode("utf-8") + "\n")
