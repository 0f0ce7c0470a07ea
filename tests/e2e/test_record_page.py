"""The public record page: the reader's browser verifies the published record, recounts it
beside the published result, and checks an owner's receipt against it."""

import json

from sqlalchemy import select

from tests.e2e.conftest import PHONE
from voting.ballots.operations import receipt_of
from voting.core import record_v2
from voting.core.canonical import canon, parse_json
from voting.elections.models import Election
from voting.extensions import db


def _record_page(phone, live_server, vote):
    phone.goto(live_server.url(f"/p/{vote.estate_code}/"))
    phone.get_by_role("link", name="在本机核对选举记录并重新计票").click()
    verdict = phone.locator("#record-verdict")
    verdict.wait_for(state="visible", timeout=60_000)
    return verdict


def _online_receipt(live_server, vote, counted: bool) -> dict:
    """The receipt the ballot page gave an owner for an online ballot that counts (or was replaced)."""
    verified = record_v2.verify_record(parse_json(vote.record))
    seq = next(
        seq
        for seq, ballot in sorted(verified.ballots.items())
        if ballot.channel == "online" and (verified.counted[ballot.voter_id] == seq) == counted
    )
    with live_server.app.app_context():
        election = db.session.scalar(select(Election).where(Election.public_id == vote.public_id))
        return receipt_of(election, seq).as_json(election)


def test_the_record_page_verifies_and_recounts_a_counted_vote(live_server, phone, simulated_vote, screenshot):
    verdict = _record_page(phone, live_server, simulated_vote)
    assert verdict.get_attribute("data-check") == "valid"
    assert "记录有效" in verdict.inner_text()
    assert "与公布的结果完全一致" in phone.locator("#record-agreement").inner_text()
    rows = phone.locator("tr[data-path]")
    assert rows.count() > 20
    published = json.loads(simulated_vote.record)["tally"]
    # Every figure of the recount is shown beside the published one, and none is marked as differing.
    assert phone.locator("tr.mismatch").count() == 0
    counted = phone.locator('tr[data-path="counted"] td.recount').inner_text()
    assert counted == str(published["counted"])
    screenshot(phone, "record-valid")


def test_a_saved_receipt_checks_out_on_the_record_page(live_server, phone, simulated_vote):
    """The receipt the ballot page kept on this phone, one saved as a file, and one altered by hand."""
    counted, replaced = (_online_receipt(live_server, simulated_vote, counted) for counted in (True, False))
    phone.context.add_init_script(
        f"localStorage.setItem('gongzhi-receipts:{simulated_vote.public_id}', {json.dumps(json.dumps([counted]))})"
    )
    _record_page(phone, live_server, simulated_vote)

    def finding(status: str) -> dict:
        phone.get_by_role("button", name="核验回执").click()
        result = phone.locator(f"#receipt-result[data-finding*='\"{status}\"']")
        result.wait_for(state="visible")
        return json.loads(result.get_attribute("data-finding"))

    phone.get_by_role("button", name="使用本机保存的回执").click()
    kept = finding("counted")
    assert kept == {
        "receipt": "valid",
        "seq": counted["seq"],
        "voter_id": kept["voter_id"],
        "status": "counted",
        "replaced_by": None,
    }
    phone.locator("#receipt-file").set_input_files(
        files=[
            {
                "name": "receipt.json",
                "mimeType": "application/json",
                "buffer": json.dumps(replaced, ensure_ascii=False, indent=1).encode("utf-8"),
            }
        ]
    )
    phone.wait_for_function(f"document.getElementById('receipt-text').value.includes('\"seq\": {replaced['seq']}')")
    by = finding("replaced")
    assert by["seq"] == replaced["seq"] and by["replaced_by"]["seq"] > replaced["seq"]
    replaced["seq"] += 1
    phone.locator("#receipt-text").fill(json.dumps(replaced))
    assert finding("invalid") == {"receipt": "invalid", "check": "P3"}
    assert "P3" in phone.locator("#receipt-result").inner_text()


def test_the_record_page_names_the_fault_of_a_record_that_fails(live_server, browser, simulated_vote):
    """A server that serves an altered record: the page names the verifier's fault and recounts nothing."""
    document = parse_json(simulated_vote.record)
    document["tally"]["counted"] += 1
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.route("**/record.json", lambda route: route.fulfill(body=canon(document), content_type="application/json"))
    verdict = _record_page(page, live_server, simulated_vote)
    assert verdict.get_attribute("data-check") == "C1"
    assert "C1" in verdict.inner_text()
    assert page.locator("td.recount:not(:empty)").count() == 0
    context.close()
