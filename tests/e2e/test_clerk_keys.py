"""Two clerks in two browsers: keys made and kept by the browser, a paper ballot keyed, checked
blind, signed by both and logged. Uses the live server and Chromium of tests/e2e/conftest.py."""

import io
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from sqlalchemy import select

from tests.elections_kit import PASSPHRASE, announced, roster_voter_ids
from tests.factories import PASSWORD, small_roster
from voting.auth.models import Role
from voting.ballots.models import LogEntry
from voting.elections.models import Election, Officer
from voting.elections.operations import add_committee_election, add_motion, create_election, open_election
from voting.extensions import db
from voting.timeutil import utcnow


def scan_png() -> bytes:
    """A small real image, different each time (a scan is entered once only)."""
    image = Image.new("L", (480, 240), 255)
    ImageDraw.Draw(image).text((20, 20), f"paper ballot {secrets.token_hex(8)}", fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class DraftVote:
    election_id: int
    paper_url: str  # the path of the paper pages
    clerks: tuple[str, str]  # usernames of two clerks, two people


def draft_vote(live_server) -> DraftVote:
    with live_server.app.app_context():
        factory = live_server.factory
        estate = factory.estate(roster=small_roster())
        clerks = (factory.staff(Role.CLERK, estate).username, factory.staff(Role.CLERK, estate).username)
        now = utcnow()
        election = create_election("test", estate, "业主大会表决", now - timedelta(hours=1), now + timedelta(days=1))
        add_motion("test", election, 4, "选聘物业服务企业")
        add_committee_election("test", election, "选举业主委员会", 2, candidates=["甲", "乙", "丙"])
        db.session.commit()
        return DraftVote(election.id, f"/estates/{estate.code}/elections/{election.id}/paper", clerks)


def open_it(live_server, vote: DraftVote) -> None:
    with live_server.app.app_context():
        election = db.session.get(Election, vote.election_id)
        announced(election)
        open_election("test", election, PASSPHRASE)
        db.session.commit()


@pytest.fixture
def clerk_desk(browser, live_server):
    """desk(username) -> a logged-in page in a browser context of its own (own IndexedDB);
    every console error (a CSP violation, a script fault) fails the test."""
    contexts, errors = [], []

    def desk(username: str):
        context = browser.new_context(locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and not message.location["url"].endswith("/favicon.ico")
                and errors.append(message.text)
            ),
        )
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(live_server.url("/login"))
        page.fill('input[name="username"]', username)
        page.fill('input[name="password"]', PASSWORD)
        page.locator("main form button").click()
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    yield desk
    for context in contexts:
        context.close()
    assert errors == []


def register_key(live_server, page, vote: DraftVote) -> str:
    page.goto(live_server.url(vote.paper_url + "/officer-key"))
    page.locator('[data-clerk-show="none"]').wait_for(state="visible")
    page.locator('[data-clerk-action="register"] button').click()
    page.locator('[data-clerk-show="registered"]').wait_for(state="visible")
    return page.locator("[data-clerk-officer-id]").inner_text()


def hand_in(page, desk_url: str, unit: str, identity_checked: bool = False) -> str:
    """At the hand-in desk: find the owner by unit, tick the identity check if made, sign the
    hand-in in the browser; returns the desk receipt number for the owner's slip."""
    page.goto(desk_url)
    page.fill("#unit-lookup", unit)
    page.locator('main form[action$="/handins/new"] button').click()
    if identity_checked:
        page.check('input[name="identity_checked"]')
    page.locator('main form[action$="/handins/sign"]:has(input[name="unit"]) button').click()
    page.locator('[data-clerk-action="sign"]').wait_for(state="visible")
    page.locator('[data-clerk-action="sign"] button').click()
    page.wait_for_url(lambda url: "/handins/" in url and not url.endswith(("/new", "/sign")) and "?" not in url)
    return page.url.rstrip("/").split("/")[-1]


def enter(page, unit: str, choices: dict, desk_receipt: str | None = None) -> None:
    """Find the voter by unit, then choose the paper's hand-in and tick the choices as read from
    the paper (a blind check names no hand-in: the first entry did)."""
    page.fill("#unit-lookup", unit)
    page.locator('main form[method="get"] button').click()
    expect(page.locator("input[data-clerk-officer]")).not_to_have_value("")
    if desk_receipt is not None:
        page.select_option("#handin", desk_receipt)
    for motion_id, picked in choices.items():
        for value in picked if isinstance(picked, list) else [picked]:
            page.check(f'input[name="choice-{motion_id}"][value="{value}"]')


def sign(page) -> None:
    page.locator('[data-clerk-action="sign"] button').click()
    page.wait_for_url(lambda url: url.rstrip("/").split("/")[-2] == "ballots")


def test_two_clerks_key_check_and_sign_in_their_browsers(live_server, clerk_desk, screenshot):
    vote = draft_vote(live_server)
    a, b = (clerk_desk(username) for username in vote.clerks)
    officer_a, officer_b = register_key(live_server, a, vote), register_key(live_server, b, vote)
    with live_server.app.app_context():
        registered = {
            o.officer_id: o.staff_id
            for o in db.session.scalars(select(Officer).where(Officer.election_id == vote.election_id))
        }
    assert set(registered) == {officer_a, officer_b} and len(set(registered.values())) == 2
    # The private key is in IndexedDB, and not even this page can read it out.
    extractable = a.evaluate("""async () => {
        const opening = indexedDB.open("gongzhi-clerk", 1);
        const db = await new Promise((ok) => { opening.onsuccess = () => ok(opening.result); });
        const reading = db.transaction("keys").objectStore("keys").getAll();
        const record = await new Promise((ok) => { reading.onsuccess = () => ok(reading.result[0]); });
        const key = record.keyPair.privateKey;
        return [key.extractable, await crypto.subtle.exportKey("pkcs8", key).then(() => true, () => false)];
    }""")
    assert extractable == [False, False]
    open_it(live_server, vote)

    choices = {"m1": "yes", "m2": ["c2-1", "c2-3"]}
    receipt = hand_in(a, live_server.url(vote.paper_url + "/handins/new"), "1幢-1-102", identity_checked=True)
    screenshot(a, "handed-in")
    a.goto(live_server.url(vote.paper_url + "/key"))
    enter(a, "1幢-1-102", choices, receipt)
    a.set_input_files("#scan", files=[{"name": "scan.png", "mimeType": "image/png", "buffer": scan_png()}])
    screenshot(a, "keyed")
    a.locator('main form[method="post"] button').click()
    a.locator('[data-clerk-action="sign"]').wait_for(state="visible")
    screenshot(a, "sign")
    sign(a)
    paper_id = a.url.rstrip("/").split("/")[-1]

    b.goto(live_server.url(f"{vote.paper_url}/ballots/{paper_id}/check"))
    assert b.locator("input:checked").count() == 0
    enter(b, "1幢-1-201", choices)  # the same owner's other flat
    screenshot(b, "check")
    b.locator('main form[method="post"] button').click()
    b.locator('[data-clerk-action="sign"]').wait_for(state="visible")
    sign(b)
    screenshot(b, "logged")

    with live_server.app.app_context():
        handin, entry = [
            json.loads(text)
            for text in db.session.scalars(
                select(LogEntry.entry_json).where(LogEntry.election_id == vote.election_id).order_by(LogEntry.seq)
            )
        ]
        wang = roster_voter_ids(db.session.get(Election, vote.election_id))["v00002"]
    # The browsers' signatures checked out on the server, over the bytes Python signs.
    assert (handin["kind"], handin["body"]["desk_receipt"], handin["body"]["voter_id"]) == ("handin", receipt, wang)
    assert handin["body"]["identity_checked"] is True and [s["signer"] for s in handin["signatures"]] == [officer_a]
    assert entry["body"]["channel"] == "paper" and entry["body"]["voter_id"] == wang
    assert entry["body"]["choices"] == choices and entry["body"]["handin"] == 0
    assert [s["signer"] for s in entry["signatures"]] == [officer_a, officer_b]


def test_a_browser_without_ed25519_is_told_so(live_server, clerk_desk):
    vote = draft_vote(live_server)
    page = clerk_desk(vote.clerks[0])
    page.context.add_init_script(
        "crypto.subtle.generateKey = () => Promise.reject(new DOMException('Ed25519', 'NotSupportedError'));"
    )
    page.goto(live_server.url(vote.paper_url + "/officer-key"))
    page.locator('[data-clerk-show="unsupported"]').wait_for(state="visible")
    assert page.locator('[data-clerk-action="register"]').is_hidden()
