"""An owner votes on a phone (Chromium at a phone's size) from the QR code's URL, end to end."""

import base64
import json
import os
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from simulation.browser import WITHOUT_SUBTLE_CRYPTO, WITHOUT_WEBCRYPTO_ED25519
from tests.app.test_vote import WANG, ZHANG_LI, ZHAO, ballot_of
from tests.e2e.conftest import PHONE
from tests.e2e.journey_kit import zh
from tests.elections_kit import PHONE_MOTIONS, add_witness, count_vote, open_vote, opened, roster_voter_ids
from tests.factories import resident_id, small_roster
from voting.ballots.models import LogEntry
from voting.ballots.operations import cast_online
from voting.core import record_v2, signing
from voting.core.canonical import b64e, canon, parse_time
from voting.core.scopes import Part
from voting.elections.models import Election
from voting.elections.operations import add_motion, create_election
from voting.extensions import db
from voting.templating import format_datetime
from voting.timeutil import utcnow


@dataclass(frozen=True)
class LiveVote:
    election_id: int
    public_id: str
    election_hash: str
    secrets: dict[str, bytes]  # by roster code: OpenVote.roster_secrets
    voter_ids: dict[str, str]  # roster code -> this vote's voter id

    def qr_url(self, live_server, voter: str) -> str:
        """What the notice's QR code holds: the ballot page, the secret in the fragment."""
        return live_server.url(f"/v/{self.public_id}#{b64e(self.secrets[voter])}")


def open_live_vote(live_server, **options) -> LiveVote:
    with live_server.app.app_context():
        vote = open_vote(
            live_server.factory.estate(roster=small_roster()), **options, now=utcnow(), motions=PHONE_MOTIONS
        )
        election, secrets = vote.election, vote.roster_secrets
        return LiveVote(election.id, election.public_id, election.election_hash, secrets, roster_voter_ids(election))


def logged_entries(live_server, vote: LiveVote) -> list[dict]:
    with live_server.app.app_context():
        return [
            json.loads(text)
            for text in db.session.scalars(
                select(LogEntry.entry_json).where(LogEntry.election_id == vote.election_id).order_by(LogEntry.seq)
            )
        ]


def cast_in_python(live_server, vote: LiveVote, voter: str) -> dict:
    """Another owner's ballot, cast without a browser; returns its receipt."""
    with live_server.app.app_context():
        election = db.session.get(Election, vote.election_id)
        ballot = ballot_of(election, voter)
        key = signing.private_key_from_seed(vote.secrets[voter])
        receipt = cast_online(election, ballot, signing.sign(key, "ballot", ballot, record_v2.VERSION)).as_json(
            election
        )
        db.session.commit()
        return receipt


def shown_time(live_server, text: str) -> str:
    """A log time as the Chinese pages show it."""
    with live_server.app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        return format_datetime(parse_time(text))


def choose(page, motion_id: str, value: str) -> None:
    page.locator(f'label.choice:has(input[name="{motion_id}"][value="{value}"])').tap()


def current_motion(page):
    return page.locator("fieldset.motion:visible")


FALLBACK_MODULE = "/static/vendor/noble-ed25519-3.2.0.js"


@pytest.mark.parametrize("signer", ["webcrypto", "noble"])
def test_owner_votes_on_a_phone_and_checks_the_receipt(live_server, phone, screenshot, signer):
    """The whole journey, once where the browser's WebCrypto signs with Ed25519 and once on an
    older engine's, without it, where the vendored pure-JS signer does (fetched only then)."""
    if signer == "noble":
        phone.context.add_init_script(WITHOUT_WEBCRYPTO_ED25519)
    fetched, sent = [], []
    phone.on("request", lambda request: (fetched.append(request.url), sent.append(request.post_data or "")))
    vote = open_live_vote(live_server)
    secret = b64e(vote.secrets[ZHANG_LI])
    phone.goto(vote.qr_url(live_server, ZHANG_LI))
    phone.locator('fieldset[data-motion-id="m1"]').wait_for(state="visible")
    assert secret not in phone.url and "#" not in phone.url
    assert phone.locator("html").get_attribute("data-signer") == signer
    assert any(url.endswith(FALLBACK_MODULE) for url in fetched) == (signer == "noble")
    assert phone.locator('#step-voter [data-slot="units"]').inner_text() == "1幢-1-101"
    assert phone.locator('#step-voter [data-slot="area"]').inner_text() == "89.56"
    screenshot(phone, "first-motion")

    # A yes/no motion needs a choice before moving on.
    phone.locator('fieldset[data-motion-id="m1"] [data-go="next"]').tap()
    assert phone.locator('fieldset[data-motion-id="m1"] [data-error="choose-one"]').is_visible()
    choose(phone, "m1", "yes")
    assert not phone.locator('[data-error="choose-one"]:visible').count()
    phone.locator('fieldset[data-motion-id="m1"] [data-go="next"]').tap()
    assert current_motion(phone).get_attribute("data-motion-id") == "m2"
    choose(phone, "m2", "no")
    phone.locator('fieldset[data-motion-id="m2"] [data-go="next"]').tap()

    # The committee motion has two seats: a third candidate is refused.
    for candidate in ("c3-1", "c3-2", "c3-3"):
        choose(phone, "m3", candidate)
    assert phone.locator('input[name="m3"]:checked').count() == 2
    assert not phone.locator('input[value="c3-3"]').is_checked()
    assert phone.locator('fieldset[data-motion-id="m3"] [data-error="too-many"]').is_visible()
    screenshot(phone, "committee")
    choose(phone, "m3", "c3-2")  # change of mind: 张三 and 赵六
    choose(phone, "m3", "c3-3")
    phone.locator('fieldset[data-motion-id="m3"] [data-go="next"]').tap()

    # The review reads every motion back in full, each with a way back to change it.
    review = phone.locator("#review-list li")
    assert review.count() == 3
    assert "审议《管理规约》" in review.nth(0).inner_text()
    assert review.nth(0).locator(".review-label").inner_text() == "您的选择："
    assert review.nth(0).locator(".review-motion").inner_text() == "第 1 项（共 3 项） · 一般事项：须过半数同意"
    assert review.nth(1).locator(".review-choice").inner_text() == "反对"
    assert review.nth(2).locator(".review-choice").inner_text() == "张三、赵六"
    assert review.nth(2).locator(".review-count").inner_text() == "已选 2 人，最多 2 人"
    screenshot(phone, f"review-{signer}")
    review.nth(1).locator(".review-change").tap()
    assert current_motion(phone).get_attribute("data-motion-id") == "m2"
    choose(phone, "m2", "abstain")
    phone.locator('fieldset[data-motion-id="m2"] [data-go="next"]').tap()
    phone.locator('fieldset[data-motion-id="m3"] [data-go="next"]').tap()
    assert review.nth(1).locator(".review-choice").inner_text() == "弃权"
    phone.locator("#submit-ballot").tap()
    phone.locator("#step-receipt").wait_for(state="visible")
    screenshot(phone, f"receipt-{signer}")

    receipt = json.loads(phone.locator("#receipt-json").input_value())
    assert receipt["seq"] == 0 and receipt["election_id"] == vote.public_id
    # In words first: which unit, when, which entry; the proofs folded away.
    assert phone.locator('#step-receipt [data-slot="units"]').inner_text() == "1幢-1-101"
    logged_at = parse_time(receipt["logged_at"])
    assert phone.locator('#step-receipt [data-slot="logged_at"]').inner_text() == zh(
        live_server.app,
        "%(moment)s Beijing time",
        moment=f"{logged_at.year}年{logged_at.month}月{logged_at.day}日 {logged_at:%H:%M}",
    )
    assert phone.locator("#receipt-replaces").is_hidden()
    assert phone.locator('#step-receipt [data-slot="entry_hash"]').is_hidden()
    assert phone.locator('#step-receipt [data-slot="entry_hash"]').text_content() == receipt["entry_hash"]
    # The receipt as a picture too: a PNG the phone can keep.
    picture = phone.locator("#receipt-picture")
    assert picture.get_attribute("src").startswith("data:image/png;base64,")
    assert phone.evaluate("document.getElementById('receipt-picture').naturalWidth") == 1080
    with phone.expect_download() as download:
        phone.locator("#receipt-picture-download").tap()
    assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    kept = phone.evaluate(f"localStorage.getItem('gongzhi-receipts:{vote.public_id}')")
    assert json.loads(kept) == [receipt]
    with phone.expect_download() as download:
        phone.locator("#receipt-download").tap()
    assert json.loads(Path(download.value.path()).read_text(encoding="utf-8")) == receipt

    # The secret never left the page: no request carried it, in the address or in a body.
    assert not [text for text in fetched[1:] + sent if secret in text]
    # The server logged exactly what the phone signed: the browser's canon matched Python's.
    [entry] = logged_entries(live_server, vote)
    assert entry["body"]["choices"] == {"m1": "yes", "m2": "abstain", "m3": ["c3-1", "c3-3"]}
    assert (
        entry["body"]["voter_id"] == vote.voter_ids[ZHANG_LI] and entry["body"]["election_hash"] == vote.election_hash
    )
    with live_server.app.app_context():
        assert signing.verify(
            signing.public_key_b64(signing.private_key_from_seed(vote.secrets[ZHANG_LI])),
            "ballot",
            entry["body"],
            entry["signatures"][0]["signature"],
            record_v2.VERSION,
        )

    # Another notice's code opened in the same tab changes only the fragment: it starts afresh.
    phone.goto(vote.qr_url(live_server, WANG))
    phone.locator('#step-voter [data-slot="units"]').filter(has_text="1幢-1-102").wait_for()
    assert "#" not in phone.url
    # After another ballot, the first owner checks the receipt kept on the phone.
    cast_in_python(live_server, vote, WANG)
    phone.goto(live_server.url(f"/v/{vote.public_id}/receipt"))
    phone.locator("#receipt-load").tap()
    phone.locator('#receipt-form button[type="submit"]').tap()
    phone.locator("#receipt-ok").wait_for(state="visible")
    # In words: which vote, which units (as this phone kept them), when, and whether it counts.
    finding = phone.locator("#receipt-ok")
    assert finding.locator('[data-slot="headline"]').inner_text() == zh(
        live_server.app, "Your ballot is in the log, to be counted"
    )
    assert finding.locator('[data-slot="units"]').inner_text() == "1幢-1-101"
    assert finding.locator('[data-slot="cast"]').inner_text() == zh(
        live_server.app, "%(time)s, online", time=shown_time(live_server, receipt["logged_at"])
    )
    assert finding.locator('[data-slot="standing"]').inner_text() == zh(
        live_server.app,
        "In the log, unchanged, and it will count when the vote closes — unless you vote again "
        "before then: only your latest ballot counts.",
    )
    # The proofs are folded away, there for those who open the fold.
    assert finding.locator('[data-slot="message"]').is_hidden()
    assert receipt["entry_hash"] not in finding.inner_text()
    assert not re.search(r"\d{4}-\d\d-\d\dT", phone.locator("#receipt-result").inner_text())
    finding.locator("summary").tap()
    assert finding.locator('[data-slot="message"]').inner_text() == zh(
        live_server.app,
        "Your ballot is entry %(seq)d of the log, and the log, now %(size)d entries long, still "
        "holds it unchanged. Once the vote is counted, this page also tells whether it is the ballot that counts.",
        seq=receipt["seq"],
        size=2,
    )
    assert receipt["entry_hash"] in finding.inner_text()
    screenshot(phone, "receipt-checked")

    phone.locator("#receipt-form textarea").fill(json.dumps({**receipt, "seq": 1}))
    phone.locator('#receipt-form button[type="submit"]').tap()
    phone.locator("#receipt-fail").wait_for(state="visible")
    assert phone.locator("#receipt-ok").is_hidden()
    screenshot(phone, "receipt-refused")


def test_the_id_check_and_a_first_ballot_that_cannot_change(live_server, phone, screenshot):
    vote = open_live_vote(live_server, revote="first", require_id_last4=True)
    phone.goto(vote.qr_url(live_server, ZHAO))
    phone.locator("#step-id").wait_for(state="visible")
    assert phone.locator("#ballot").is_hidden()
    phone.locator("#id-last4").fill("1234")
    phone.locator('#step-id button[type="submit"]').tap()
    phone.locator("#vote-error").wait_for(state="visible")
    assert phone.locator("#ballot").is_hidden()
    screenshot(phone, "wrong-id")
    phone.locator("#id-last4").fill(resident_id(4)[-4:].lower())
    phone.locator('#step-id button[type="submit"]').tap()
    phone.locator('fieldset[data-motion-id="m1"]').wait_for(state="visible")
    for motion_id, value in (("m1", "abstain"), ("m2", "yes")):
        choose(phone, motion_id, value)
        phone.locator(f'fieldset[data-motion-id="{motion_id}"] [data-go="next"]').tap()
    phone.locator('fieldset[data-motion-id="m3"] [data-go="next"]').tap()
    assert phone.locator("#review-list li").nth(2).locator(".review-choice").inner_text() != ""
    phone.locator("#submit-ballot").tap()
    phone.locator("#step-receipt").wait_for(state="visible")
    assert logged_entries(live_server, vote)[0]["body"]["choices"] == {"m1": "abstain", "m2": "yes", "m3": []}

    # Scanning the notice again: the ballot is counted and no second one is offered.
    phone.goto(vote.qr_url(live_server, ZHAO))
    phone.locator("#id-last4").fill(resident_id(4)[-4:])
    phone.locator('#step-id button[type="submit"]').tap()
    phone.locator("#voted-counted").wait_for(state="visible")
    assert phone.locator("#ballot").is_hidden()
    screenshot(phone, "already-counted")


def test_a_revote_is_announced_as_replacing_the_ballot(live_server, phone, screenshot):
    vote = open_live_vote(live_server, revote="last")
    phone.goto(vote.qr_url(live_server, WANG))
    phone.locator('fieldset[data-motion-id="m1"]').wait_for(state="visible")
    assert phone.locator("#voted-replace").is_hidden()
    for motion_id in ("m1", "m2"):
        choose(phone, motion_id, "yes")
        phone.locator(f'fieldset[data-motion-id="{motion_id}"] [data-go="next"]').tap()
    phone.locator('fieldset[data-motion-id="m3"] [data-go="next"]').tap()
    phone.locator("#submit-ballot").tap()
    phone.locator("#step-receipt").wait_for(state="visible")
    assert phone.locator("#receipt-replaces").is_hidden()
    phone.goto(vote.qr_url(live_server, WANG))
    phone.locator("#voted-replace").wait_for(state="visible")
    assert phone.locator('fieldset[data-motion-id="m1"]').is_visible()
    for motion_id in ("m1", "m2"):
        choose(phone, motion_id, "no")
        phone.locator(f'fieldset[data-motion-id="{motion_id}"] [data-go="next"]').tap()
    phone.locator('fieldset[data-motion-id="m3"] [data-go="next"]').tap()
    phone.locator("#submit-ballot").tap()
    phone.locator("#step-receipt").wait_for(state="visible")
    assert phone.locator("#receipt-replaces").is_visible()

    # The first receipt, checked on the same phone, says it no longer counts and which ballot does.
    first, later = json.loads(phone.evaluate(f"localStorage.getItem('gongzhi-receipts:{vote.public_id}')"))
    phone.goto(live_server.url(f"/v/{vote.public_id}/receipt"))
    phone.locator("#receipt-file").set_input_files(
        files=[{"name": "receipt.json", "mimeType": "application/json", "buffer": json.dumps(first).encode()}]
    )
    phone.wait_for_function("document.querySelector('#receipt-form textarea').value.includes('\"seq\": 0')")
    phone.locator('#receipt-form button[type="submit"]').tap()
    finding = phone.locator('#receipt-ok[data-status="replaced"]')
    finding.wait_for(state="visible")
    assert finding.locator('[data-slot="headline"]').inner_text() == zh(
        live_server.app, "This ballot was replaced and does not count"
    )
    assert finding.locator('[data-slot="units"]').inner_text() == "1幢-1-102、1幢-1-201"
    how = zh(live_server.app, "cast online on %(time)s", time=shown_time(live_server, later["logged_at"]))
    assert finding.locator('[data-slot="standing"]').inner_text() == zh(
        live_server.app,
        "Replaced by a later ballot, entry %(later)d: %(how)s. Only the latest ballot counts.",
        later=later["seq"],
        how=how,
    )
    assert finding.locator('[data-slot="advice"]').is_visible()
    screenshot(phone, "receipt-replaced")
    phone.locator("#receipt-form textarea").fill(json.dumps(later))
    phone.locator('#receipt-form button[type="submit"]').tap()
    phone.locator('#receipt-ok[data-status="pending"]').wait_for(state="visible")


def test_without_the_qr_secret_the_page_says_so(live_server, phone):
    vote = open_live_vote(live_server)
    phone.goto(live_server.url(f"/v/{vote.public_id}"))
    phone.locator("#step-no-secret").wait_for(state="visible")
    phone.goto(live_server.url(f"/v/{vote.public_id}#damaged"))
    phone.locator("#vote-error").wait_for(state="visible")
    assert "#" not in phone.url


def test_the_secret_leaves_the_address_bar_also_where_the_vote_is_not_open(live_server, phone):
    """Nothing on the page signs before the vote opens or after it closed: the secret goes at once."""
    now = datetime.now(UTC)
    for opens_at, closes_at in (
        (now + timedelta(days=1), now + timedelta(days=2)),
        (now - timedelta(days=2), now - timedelta(days=1)),
    ):
        vote = open_live_vote(live_server, opens_at=opens_at, closes_at=closes_at)
        phone.goto(vote.qr_url(live_server, ZHANG_LI))
        phone.locator(".vote-notice").first.wait_for(state="visible")
        phone.wait_for_function("() => !location.hash")
        assert "#" not in phone.url and phone.locator("#vote-data").count() == 0


PAPER_OFFERED = "您也可以向筹备组领取纸质表决票投票。"


@pytest.mark.parametrize(
    "browser_lacks, step, secret_kept",
    [
        (WITHOUT_SUBTLE_CRYPTO, "step-unsupported", False),
        ('Object.defineProperty(window, "isSecureContext", { get: () => false });', "step-insecure", False),
        ("delete window.BigInt;", "step-old-browser", True),
    ],
    ids=["no-crypto-subtle", "plain-http", "engine-too-old"],
)
def test_a_phone_that_cannot_sign_is_told_why_and_offered_paper(
    live_server, phone, screenshot, browser_lacks, step, secret_kept
):
    """Where nothing can sign, the owner reads why and is offered paper; on an engine too old,
    the secret stays in the address bar so that WeChat's "open in browser" hands it on."""
    vote = open_live_vote(live_server)
    with live_server.app.app_context():
        estate = db.session.get(Election, vote.election_id).estate
        estate.help_desk_place, estate.help_desk_hours = "3幢架空层物业服务中心", "每天 9:00–17:00"
        db.session.commit()
    phone.context.add_init_script(browser_lacks)
    phone.goto(vote.qr_url(live_server, ZHANG_LI))
    phone.locator(f"#{step}").wait_for(state="visible")
    assert phone.locator(f"#{step}").inner_text().count(PAPER_OFFERED) == 1
    assert "服务点：3幢架空层物业服务中心，开放时间 每天 9:00–17:00" in phone.locator(f"#{step}").inner_text()
    assert phone.locator(".vote-step:visible").count() == 1
    assert (b64e(vote.secrets[ZHANG_LI]) in phone.url) == secret_kept
    screenshot(phone, step)
    assert logged_entries(live_server, vote) == []


def test_the_secret_stays_for_another_browser_until_the_phone_signs_in(live_server, phone, screenshot):
    """An engine without Ed25519 where the fallback cannot load either: WeChat's "open in
    browser" still gets the whole link. Once a phone has signed in, the link loses its secret."""
    vote = open_live_vote(live_server)
    phone.context.add_init_script(WITHOUT_WEBCRYPTO_ED25519)
    phone.route(f"**{FALLBACK_MODULE}", lambda route: route.abort())
    phone.goto(vote.qr_url(live_server, ZHANG_LI))
    phone.locator("#step-unsupported").wait_for(state="visible")
    assert "在浏览器打开" in phone.locator("#step-unsupported").inner_text()
    assert phone.url == vote.qr_url(live_server, ZHANG_LI)
    screenshot(phone, "unsupported")

    phone.unroute(f"**{FALLBACK_MODULE}")
    phone.route(f"**/api/v/{vote.public_id}/session", lambda route: route.abort())  # no connection yet
    phone.reload()
    phone.locator("#vote-error").wait_for(state="visible")
    assert phone.url == vote.qr_url(live_server, ZHANG_LI)  # so that trying again works
    phone.unroute(f"**/api/v/{vote.public_id}/session")
    phone.reload()
    phone.locator('fieldset[data-motion-id="m1"]').wait_for(state="visible")
    assert "#" not in phone.url


def test_a_ballot_page_whose_script_fails_says_so_and_drops_the_secret(live_server, phone, screenshot):
    vote = open_live_vote(live_server)
    phone.route("**/static/vote.js", lambda route: route.abort())
    phone.goto(vote.qr_url(live_server, ZHANG_LI))
    phone.locator("#step-script-failed").wait_for(state="visible")
    assert phone.locator("#step-start").is_hidden() and "#" not in phone.url
    assert PAPER_OFFERED in phone.locator("#step-script-failed").inner_text()
    screenshot(phone, "script-failed")


def test_both_signers_give_the_signatures_of_cryptography(live_server, phone):
    """RFC 8032 signatures are deterministic: WebCrypto, the vendored fallback and Python's
    cryptography must give the same bytes for the same seed and message."""
    generator = random.Random(1105)
    cases = [
        (os.urandom(32), generator.randbytes(generator.choice([0, 1, 31, 64, 65, 200, 1000, 5000]))) for _ in range(60)
    ]
    phone.goto(live_server.url("/static/vote.css"))  # any page of the app: modules load from its origin
    in_browser = phone.evaluate(
        """async (cases) => {
             const { signerFor } = await import("/static/signing.js");
             const decode = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
             const results = [];
             for (const [seedText, messageText] of cases) {
               const seed = decode(seedText), message = decode(messageText);
               const row = {};
               for (const fallbackOnly of [false, true]) {
                 const signer = await signerFor(seed, { fallbackOnly });
                 row[signer.engine] = [signer.publicKey, await signer.sign(message)];
               }
               results.push(row);
             }
             return results;
           }""",
        [[base64.b64encode(data).decode("ascii") for data in case] for case in cases],
    )
    for (seed, message), row in zip(cases, in_browser, strict=True):
        key = signing.private_key_from_seed(seed)
        expected = [signing.public_key_b64(key), b64e(key.sign(message))]
        assert row == {"webcrypto": expected, "noble": expected}


def test_after_the_count_a_notice_shows_how_each_unit_voted(live_server, phone, screenshot):
    vote = open_live_vote(live_server, publish_units=True)
    cast_in_python(live_server, vote, WANG)
    with live_server.app.app_context():
        election = db.session.get(Election, vote.election_id)
        count_vote(election)
    phone.goto(vote.qr_url(live_server, ZHANG_LI))  # a holder who did not vote
    table = phone.locator("#step-units table.unit-choices")
    table.wait_for(state="visible")
    assert "#" not in phone.url and phone.locator("#ballot").count() == 0
    rows = [row.locator("td, th").all_inner_texts() for row in table.locator("tr").all()]
    assert rows[1:] == [["1幢-1-102、1幢-1-201", "同意", "反对", "张三、赵六"]]
    screenshot(phone, "unit-choices")


TRICKY = [
    '业主"\\\n\u2028',
    "\u0000\u0008\u0009\u000c\u000d\u001f\u007f</script>/",
    {"\uffff": 1, "😀": 2, "\ue000": 3, "a": [1, "b", None, True, False, -7], "": {"z": "é", "Z": []}},
    {"ballot": {"nonce": "AAAA", "choices": {"m10": ["c1"], "m2": "abstain", "m1": "yes"}}},
    [],
    {},
    0,
    9007199254740992,
    "",
]


def test_browser_canon_is_python_canon(live_server, phone):
    vote = open_live_vote(live_server)
    phone.goto(live_server.url(f"/v/{vote.public_id}"))
    in_browser = phone.evaluate(
        """async (values) => {
             const { canon } = await import("/static/verify/canonical.js");
             return values.map(canon);
           }""",
        TRICKY,
    )
    assert in_browser == [canon(value).decode("utf-8") for value in TRICKY]
    # And over the whole frozen definition: the browser's hash of it is the election hash.
    hashed = phone.evaluate(
        """async () => {
             const { canon, b64e } = await import("/static/verify/canonical.js");
             const data = JSON.parse(document.getElementById("vote-data").textContent);
             const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canon(data.election)));
             return b64e(new Uint8Array(digest));
           }"""
    )
    assert hashed == vote.election_hash


def test_receipt_check_works_without_javascript(live_server, browser, screenshot):
    vote = open_live_vote(live_server)
    receipt = cast_in_python(live_server, vote, WANG)
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(live_server.url(f"/v/{vote.public_id}/receipt"))
    assert page.locator("#receipt-load").is_hidden()
    page.locator("#receipt-form textarea").fill(json.dumps(receipt))
    page.locator('#receipt-form button[type="submit"]').click()
    assert page.locator("#receipt-ok").is_visible() and page.locator("#receipt-fail").is_hidden()
    screenshot(page, "checked-without-javascript")
    context.close()


def test_switching_the_language_keeps_the_owner_signed_in(live_server, phone):
    """The language switch reloads the page; the secret, gone from the address bar after the
    sign-in, travels in the fragment of the reloaded address and leaves it again."""
    vote = open_live_vote(live_server)
    phone.goto(vote.qr_url(live_server, ZHANG_LI))
    phone.locator('fieldset[data-motion-id="m1"]').wait_for(state="visible")
    assert "#" not in phone.url
    sent = []
    phone.on("request", lambda request: sent.append((request.url, request.post_data or "")))
    phone.locator('form[action*="/lang/en"] button').tap()
    phone.locator('fieldset[data-motion-id="m1"] .motion-count').filter(has_text="Motion 1 of 3").wait_for()
    assert phone.locator('#step-voter [data-slot="units"]').inner_text() == "1幢-1-101"
    assert "#" not in phone.url
    assert not [request for request in sent if b64e(vote.secrets[ZHANG_LI]) in request[0] + request[1]]


def test_a_motion_of_another_stairwell_is_not_on_the_ballot(live_server, phone):
    """In small_roster only 赵六 lives in 1幢2单元: 王五 (1幢1单元) votes on the estate's motion alone."""
    with live_server.app.app_context():
        estate = live_server.factory.estate(roster=small_roster())
        now = utcnow()
        election = create_election("test", estate, "加装电梯表决", now - timedelta(days=1), now + timedelta(days=7))
        add_motion("test", election, 8, "1幢2单元加装电梯", scope=[Part("1幢", "2")])
        add_motion("test", election, 4, "续聘物业服务企业")
        vote = opened(election, add_witness(election))
        url = live_server.url(f"/v/{election.public_id}#{b64e(vote.roster_secrets[WANG])}")
        election_id = election.id
    phone.goto(url)
    own = phone.locator('fieldset[data-motion-id="m2"]')
    own.wait_for(state="visible")
    assert phone.locator('fieldset[data-motion-id="m1"]').count() == 0
    assert own.locator(".motion-count").inner_text() == "第 1 项（共 1 项）"
    assert own.locator('[data-go="back"]').count() == 0
    choose(phone, "m2", "yes")
    own.locator('[data-go="next"]').tap()
    phone.locator("#submit-ballot").tap()
    phone.locator("#step-receipt").wait_for(state="visible")
    with live_server.app.app_context():
        entry = db.session.scalar(select(LogEntry.entry_json).where(LogEntry.election_id == election_id))
    assert json.loads(entry)["body"]["choices"] == {"m2": "yes"}
