"""ruff, configured in pyproject.toml, over the code: the lint step of ./scripts/test. Lint
findings and unformatted files both fail; `ruff check --fix` and `ruff format` fix most."""

import subprocess
import sys

from tests.conftest import REPO_ROOT

CODE = ["voting", "simulation", "tests", "scripts"]


def ruff(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *arguments, *CODE], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )


def test_ruff_finds_nothing():
    result = ruff("check", "--output-format", "concise")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted():
    result = ruff("format", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
