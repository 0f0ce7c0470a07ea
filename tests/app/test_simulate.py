"""The simulation holds a whole vote through the HTTP endpoints; its record must verify."""

import json
import subprocess
import sys

from simulation.vote import simulate_command
from tests.conftest import REPO_ROOT


def test_simulated_vote_gives_a_valid_record(app, tmp_path):
    output = tmp_path / "record.json"
    result = app.test_cli_runner().invoke(
        simulate_command, ["--voters", "50", "--turnout", "0.8", "--paper", "0.25", "--seed", "7", "--out", str(output)]
    )
    assert result.exit_code == 0, result.output
    for phase in ("roll import", "online ballots", "paper ballots", "close and tally", "export"):
        assert phase in result.output
    document = json.loads(output.read_text())
    ballots = [entry["body"] for entry in document["log"] if entry["kind"] == "ballot"]
    assert {ballot["channel"] for ballot in ballots} == {"online", "paper"}
    # Every paper ballot was handed in at the desk first.
    assert sum(entry["kind"] == "handin" for entry in document["log"]) == sum(
        ballot["channel"] == "paper" for ballot in ballots
    )
    assert len(ballots) > document["tally"]["counted"]  # some owners changed their ballot
    verified = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "verify_record.py"), str(output), "--json"],
        capture_output=True,
        text=True,
    )
    assert verified.returncode == 0, verified.stdout
    assert json.loads(verified.stdout) == document["tally"]


def test_simulation_artifacts_are_certified_and_published(app, tmp_path):
    output, artifacts = tmp_path / "record.json", tmp_path / "artifacts"
    result = app.test_cli_runner().invoke(
        simulate_command,
        [
            "--voters",
            "60",
            "--turnout",
            "0.8",
            "--paper",
            "0.2",
            "--seed",
            "3",
            "--out",
            str(output),
            "--artifacts",
            str(artifacts),
        ],
    )
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in artifacts.iterdir())
    assert names == ["certification.pdf", "minutes.pdf", "notices.pdf", "record.json", "results.pdf"]
    assert all((artifacts / name).read_bytes().startswith(b"%PDF") for name in names if name.endswith(".pdf"))
    document = json.loads((artifacts / "record.json").read_text())
    assert len(document["certifications"]) == 1
    verified = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "verify_record.py"), str(artifacts / "record.json")],
        capture_output=True,
        text=True,
    )
    assert verified.stdout.strip() == "VALID"
