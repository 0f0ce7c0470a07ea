"""The browser's record verifier (voting/static/verify/) against the Python one: every
conformance vector of format 2, a simulated record and its tampered copies."""

import json

import pytest

from tests.core import vectors_v2
from tests.e2e.verifier_kit import verify_in_browser

EXPECTED = json.loads((vectors_v2.DIRECTORY / "expected.json").read_text(encoding="utf-8"))
RECEIPTS = json.loads((vectors_v2.DIRECTORY / "receipts" / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def page(live_server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url("/login"))
    yield page
    context.close()


def _vector(name: str) -> bytes:
    return (vectors_v2.DIRECTORY / f"{name}.json").read_bytes()


def test_every_record_vector_gets_its_verdict_in_the_browser(page):
    names = sorted(EXPECTED)
    verdicts = verify_in_browser(page, [(_vector(name), []) for name in names])
    got = {name: verdict["record"] for name, verdict in zip(names, verdicts)}
    wanted = {}
    for name in names:
        expected = EXPECTED[name]
        if expected["valid"]:
            wanted[name] = {"valid": True, "tally": expected["tally"], "engine": "webcrypto"}
        else:
            wanted[name] = {"valid": False, "check": expected["check"]}
            got[name].pop("reason")
    assert got == wanted
    assert {verdict["valid"] for verdict in wanted.values()} == {True, False}


def test_every_receipt_vector_gets_its_finding_in_the_browser(page):
    names = sorted(RECEIPTS)
    verdicts = verify_in_browser(page, [
        (_vector(RECEIPTS[name]["record"]), [(vectors_v2.DIRECTORY / "receipts" / f"{name}.json").read_bytes()])
        for name in names])
    got = {name: verdict["receipts"][0] for name, verdict in zip(names, verdicts)}
    wanted = {}
    for name in names:
        expected = {key: value for key, value in RECEIPTS[name].items() if key not in ("record", "reason")}
        wanted[name] = expected
    assert got == wanted
