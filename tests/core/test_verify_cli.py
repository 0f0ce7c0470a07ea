"""scripts/verify_record.py as an outside verifier runs it: a separate process."""

import json
import os
import subprocess
import sys

import pytest

from voting.core.canonical import canon

from tests.core.recordkit import REPO_ROOT, full_kit

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
        (b"", b"INVALID: not a JSON record: Expecting value: line 1 column 1 (char 0)\n"),
        (
            b'{"format": 1.5}',
            b"INVALID: not a JSON record: floating-point number 1.5 in a record\n",
        ),
        (b'{"a": 1, "a": 1}', b"INVALID: not a JSON record: duplicate key 'a'\n"),
        (b'{"a": NaN}', b"INVALID: not a JSON record: floating-point number NaN in a record\n"),
        (b"\xff\xfe", None),
        (b"[]", b"INVALID: record is not an object\n"),
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
    assert (
        result.stdout
        == f"INVALID: cannot read {tmp_path / 'nowhere.json'}: No such file or directory\n".encode()
    )


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
    assert result.stdout == 'INVALID: entry 0: voter "业主\\n2" is not on the roll\n'.encode(
        "utf-8"
    )


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
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, cwd=REPO_ROOT.parent, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"VALID\n"
