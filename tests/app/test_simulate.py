"""The simulation holds a whole vote through the HTTP endpoints; its record must verify."""

import json
import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_simulated_vote_gives_a_valid_record(app, tmp_path):
    output = tmp_path / "record.json"
    result = app.test_cli_runner().invoke(args=[
        "simulate", "--voters", "50", "--turnout", "0.8", "--paper", "0.25", "--seed", "7", "--out", str(output)])
    assert result.exit_code == 0, result.output
    for phase in ("roll import", "online ballots", "paper ballots", "close and tally", "export"):
        assert phase in result.output
    document = json.loads(output.read_text())
    channels = {entry["ballot"]["channel"] for entry in document["log"]}
    assert channels == {"online", "paper"}
    assert len(document["log"]) > document["tally"]["counted"]  # some owners changed their ballot
    verified = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "verify_record.py"), str(output), "--json"],
                              capture_output=True, text=True)
    assert verified.returncode == 0, verified.stdout
    assert json.loads(verified.stdout) == document["tally"]
