"""Every script the app serves runs on the oldest engines the owner's pages support (Chromium 80,
Safari 14.1; README, "Phones and browsers"): parsed for that target by acorn, inside Chromium."""

import re
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

STATIC = REPO_ROOT / "voting" / "static"
VENDORED = STATIC / "vendor"
CHECKER = [Path(__file__).parent / "vendor" / "acorn-8.19.0.js", Path(__file__).parent / "engine_check.js"]
# A template's <script src="{{ url_for('static', filename=...) }}"> without type="module" is classic.
SCRIPT_TAG = re.compile(
    r"<script(?P<attributes>[^>]*)\bsrc=\"\{\{ url_for\('static', filename='(?P<file>[^']+)'\) \}\}\""
)


def classic_scripts() -> set[str]:
    found = set()
    for template in (REPO_ROOT / "templates").rglob("*.html"):
        for match in SCRIPT_TAG.finditer(template.read_text("utf-8")):
            if 'type="module"' not in match["attributes"]:
                found.add(match["file"])
    return found


def served_scripts() -> list[dict]:
    classic = classic_scripts()
    scripts = []
    for path in sorted(STATIC.rglob("*.js")):
        name = path.relative_to(STATIC).as_posix()
        kind = "classic" if name in classic else "vendored" if VENDORED in path.parents else "module"
        scripts.append({"name": name, "source": path.read_text("utf-8"), "kind": kind})
    return scripts


@pytest.fixture(scope="module")
def checker(browser):
    page = browser.new_page()
    for script in CHECKER:
        page.add_script_tag(path=str(script))
    yield lambda scripts: page.evaluate("(scripts) => scripts.flatMap(checkScript)", scripts)
    page.close()


def test_every_served_script_runs_on_the_oldest_supported_engines(checker):
    scripts = served_scripts()
    kinds = {script["name"]: script["kind"] for script in scripts}
    assert kinds["vote_check.js"] == "classic" and kinds["vote.js"] == "module"
    assert kinds["vendor/noble-ed25519-3.2.0.js"] == "vendored"
    assert checker(scripts) == []


@pytest.mark.parametrize(
    "kind, source, fault",
    [
        ("module", "let a = 1; a ??= 2;", "does not parse as ES2020"),
        ("module", "class A { #secret = 1; }", "does not parse as ES2020"),
        ("module", "export const last = [1, 2].at(-1);", ".at(): Chromium 92"),
        ("module", "document.body?.replaceChildren();", ".replaceChildren(): Chromium 86"),
        ("module", "export const copy = structuredClone({});", "structuredClone: Chromium 98"),
        ("module", "export const found = /(?<=a)b/.test('ab');", "lookbehind"),
        ("vendored", "await Promise.resolve(1);", "top-level await"),
        ("vendored", "class A { static { this.b = 1; } }", "class static block"),
        ("vendored", "class A { #b = 1; }", "private class member"),
        ("classic", "const a = () => 1;", "does not parse as ES5"),
    ],
    ids=lambda value: value if value in ("module", "vendored", "classic") else None,
)
def test_the_check_finds_what_old_engines_cannot_run(checker, kind, source, fault):
    [found] = checker([{"name": "sample.js", "source": source, "kind": kind}])
    assert found.startswith("sample.js") and fault in found
    assert checker([{"name": "plain.js", "source": "var a = {at: 1}; a.at = a.at + 1;", "kind": kind}]) == []
