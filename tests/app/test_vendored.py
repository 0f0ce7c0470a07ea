"""Every vendored JavaScript file is the pinned one: its SHA-256 is the one its README records."""

import hashlib
import re

import pytest

from tests.conftest import REPO_ROOT

VENDOR_DIRECTORIES = [REPO_ROOT / "voting" / "static" / "vendor", REPO_ROOT / "tests" / "e2e" / "vendor"]
# A table row: | `file` | package | version | licence | `sha256` |
ROW = re.compile(r"^\| `(?P<file>[^`]+\.js)` \|.*\| `(?P<sha256>[0-9a-f]{64})` \|$", re.MULTILINE)


def recorded(directory) -> dict[str, str]:
    return {match["file"]: match["sha256"] for match in ROW.finditer((directory / "README.md").read_text("utf-8"))}


@pytest.mark.parametrize(
    "directory", VENDOR_DIRECTORIES, ids=lambda directory: directory.relative_to(REPO_ROOT).as_posix()
)
def test_each_vendored_file_is_recorded_with_its_hash_and_licence(directory):
    files = sorted(path.name for path in directory.glob("*.js"))
    hashes = recorded(directory)
    assert files and sorted(hashes) == files
    for name, sha256 in hashes.items():
        assert hashlib.sha256((directory / name).read_bytes()).hexdigest() == sha256, name
        assert (directory / name.replace(".js", ".LICENSE")).is_file(), name
