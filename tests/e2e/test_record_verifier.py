"""The browser's record verifier (voting/static/verify/) against the Python one: every
conformance vector of format 2, a simulated record and its tampered copies."""

import json

import pytest

from simulation.browser import WITHOUT_WEBCRYPTO_ED25519
from tests.core import vectors_v2
from tests.e2e.verifier_kit import verify_in_browser
from voting.core import record_v2
from voting.core.canonical import canon, parse_json
from voting.core.fields import RecordInvalid

EXPECTED = json.loads((vectors_v2.DIRECTORY / "expected.json").read_text(encoding="utf-8"))
RECEIPTS = json.loads((vectors_v2.DIRECTORY / "receipts" / "expected.json").read_text(encoding="utf-8"))
HELD = json.loads((vectors_v2.DIRECTORY / "held" / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(params=["webcrypto"])
def page(request, live_server, browser):
    """A page of the live server; parametrized with "noble", one whose WebCrypto lacks Ed25519."""
    context = browser.new_context()
    if request.param == "noble":
        context.add_init_script(WITHOUT_WEBCRYPTO_ED25519)
    page = context.new_page()
    page.goto(live_server.url("/login"))
    yield page
    context.close()


def _vector(name: str) -> bytes:
    return (vectors_v2.DIRECTORY / f"{name}.json").read_bytes()


@pytest.mark.parametrize("page", ["webcrypto", "noble"], indirect=True)
def test_every_record_vector_gets_its_verdict_in_the_browser(page, request):
    names = sorted(EXPECTED)
    engine = request.node.callspec.params["page"]
    verdicts = verify_in_browser(page, [_vector(name) for name in names])
    got = {name: verdict["record"] for name, verdict in zip(names, verdicts)}
    wanted = {}
    for name in names:
        expected = EXPECTED[name]
        if expected["valid"]:
            wanted[name] = {"valid": True, "tally": expected["tally"], "engine": engine}
        else:
            wanted[name] = {"valid": False, "check": expected["check"]}
            got[name].pop("reason")
    assert got == wanted
    assert {verdict["valid"] for verdict in wanted.values()} == {True, False}


@pytest.mark.parametrize("page", ["webcrypto", "noble"], indirect=True)
@pytest.mark.parametrize(
    "folder, expectations, suffix, verdict_key",
    [("receipts", RECEIPTS, "json", "receipt"), ("held", HELD, "txt", "checkpoint")],
    ids=["receipts", "held"],
)
def test_every_receipt_and_held_checkpoint_vector_gets_its_finding_in_the_browser(
    page, folder, expectations, suffix, verdict_key
):
    got, wanted = {}, {}
    for record in sorted({expected["record"] for expected in expectations.values()}):
        names = sorted(name for name, expected in expectations.items() if expected["record"] == record)
        files = [(vectors_v2.DIRECTORY / folder / f"{name}.{suffix}").read_bytes() for name in names]
        [verdict] = verify_in_browser(page, [_vector(record)], **{folder: files})
        got.update(zip(names, verdict[folder]))
        wanted.update(
            (name, {key: value for key, value in expectations[name].items() if key not in ("record", "reason")})
            for name in names
        )
    assert got == wanted
    assert {finding[verdict_key] for finding in wanted.values()} > {"invalid"}  # findings of both kinds


def _python_verdict(document: dict) -> dict:
    try:
        return {"valid": True, "tally": record_v2.verify(document)}
    except RecordInvalid as fault:
        return {"valid": False, "check": fault.check}


def _changed_choice(document: dict) -> None:
    ballot = next(entry["body"] for entry in reversed(document["log"]) if entry["kind"] == "ballot")
    ballot["choices"]["m1"] = "no" if ballot["choices"].get("m1") == "yes" else "yes"


def _dropped_entry(document: dict) -> None:
    del document["log"][len(document["log"]) // 2]


def _inflated_tally(document: dict) -> None:
    document["tally"]["motions"][0]["participation"]["heads"] += 1


def test_the_browser_recounts_a_simulated_vote_as_the_python_verifier_does(page, simulated_vote):
    document = json.loads(simulated_vote.record)
    kinds = {(entry["kind"], entry["body"].get("channel")) for entry in document["log"]}
    assert {("ballot", "online"), ("ballot", "paper"), ("handin", None)} <= kinds
    assert len([entry for entry in document["log"] if entry["kind"] == "ballot"]) > document["tally"]["counted"] > 150
    [verdict] = verify_in_browser(page, [simulated_vote.record])
    assert verdict["record"]["valid"] is True
    assert canon(verdict["record"]["tally"]) == canon(record_v2.verify(parse_json(simulated_vote.record)))


@pytest.mark.parametrize("tamper, check", [(_changed_choice, "L12"), (_dropped_entry, "L1"), (_inflated_tally, "C1")])
def test_the_browser_rejects_a_tampered_record_with_the_python_verifiers_fault(page, simulated_vote, tamper, check):
    document = parse_json(simulated_vote.record)
    tamper(document)
    expected = _python_verdict(document)
    assert expected == {"valid": False, "check": check}
    [verdict] = verify_in_browser(page, [canon(document)])
    assert {key: verdict["record"][key] for key in ("valid", "check")} == expected


def test_a_bad_signature_is_reported_before_a_later_fault_whatever_the_slices(page, simulated_vote):
    """Signatures are verified a slice of entries at a time, the next slice checked meanwhile:
    a bad signature still comes before the fault of any later entry, as in the Python verifier."""
    document = parse_json(simulated_vote.record)
    ballot_seq = next(entry["seq"] for entry in document["log"][20:] if entry["kind"] == "ballot")
    body = document["log"][ballot_seq]["body"]
    body["nonce"] = body["nonce"][:-2] + ("AA" if body["nonce"][-2:] != "AA" else "AQ")
    document["log"][ballot_seq + 40]["seq"] += 1
    expected = _python_verdict(document)
    assert expected == {"valid": False, "check": "L12"}
    for slice_entries in (1, 7, 40, None):
        [verdict] = verify_in_browser(page, [canon(document)], slice_entries=slice_entries)
        assert verdict["record"]["check"] == "L12"
        assert verdict["record"]["reason"] == f"[L12] entry {ballot_seq}: bad signature"
