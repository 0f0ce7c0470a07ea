"""Every user-facing string has its Chinese translation, with the same placeholders."""

import re
import subprocess
import sys

from babel.messages.pofile import read_po

from tests.conftest import REPO_ROOT

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_every_message_is_translated(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "N_",
            "-k",
            "lazy_pgettext:1c,2",
            "--no-location",
            "-o",
            str(template),
            ".",
        ],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    with open(REPO_ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po", "rb") as source:
        catalog = read_po(source)
    with open(template, "rb") as source:
        wanted = [message for message in read_po(source) if message.id]
    missing, mismatched = [], []
    for message in wanted:
        found = catalog.get(message.id, context=message.context)
        strings = [s for s in (found.string if isinstance(found.string, tuple) else (found.string,))] if found else []
        if not found or not all(strings) or found.fuzzy:
            missing.append(message.id)
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = set(PLACEHOLDER.findall(" ".join(ids)))
        if any(set(PLACEHOLDER.findall(s)) - expected for s in strings):
            mismatched.append(message.id)
    assert missing == [] and mismatched == []
