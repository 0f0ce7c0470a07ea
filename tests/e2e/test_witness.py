"""The street office's officer witnesses the vote's log in Chromium: cosignatures made with the
browser-held certifying key verify with `cryptography` over the exact C2SP bytes, and the browser
itself refuses to cosign a log that does not extend the head it cosigned before."""

import secrets
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from tests.e2e.test_clerk_keys import clerk_desk  # noqa: F401  (the fixture)
from tests.elections_kit import PASSPHRASE, announced, notice_secrets
from tests.factories import small_roster
from voting.auth.models import Role
from voting.ballots.models import Checkpoint, Cosignature
from voting.ballots.operations import cast_online
from voting.core import checkpoint, merkle, record_v2, signing
from voting.core.canonical import b64d, b64e
from voting.elections.models import Election, Officer
from voting.elections.operations import add_motion, create_election, open_election
from voting.extensions import db
from voting.timeutil import utcnow

KEPT_HEAD = """async ([slot, head]) => {
    const opening = indexedDB.open("gongzhi-clerk", 1);
    const db = await new Promise((ok) => { opening.onsuccess = () => ok(opening.result); });
    const store = db.transaction("keys", "readwrite").objectStore("keys");
    const done = head ? store.put(head, slot + "/cosigned") : store.get(slot + "/cosigned");
    return new Promise((ok) => { done.onsuccess = () => ok(done.result); });
}"""


class Vote:
    def __init__(self, live_server):
        self.live_server = live_server
        with live_server.app.app_context():
            factory = live_server.factory
            estate = factory.estate(roster=small_roster())
            self.officer = factory.staff(Role.STREET_OFFICE, estate).username
            now = utcnow()
            election = create_election(
                "test", estate, "业主大会表决", now - timedelta(hours=1), now + timedelta(days=1)
            )
            add_motion("test", election, 4, "选聘物业服务企业")
            db.session.commit()
            self.election_id, self.public_id = election.id, election.public_id
            self.base = f"/estates/{estate.code}/elections/{election.id}"

    def open(self) -> None:
        with self.live_server.app.app_context():
            election = db.session.get(Election, self.election_id)
            announced(election)
            batch = open_election("test", election, PASSPHRASE)
            db.session.commit()
            self.secrets = notice_secrets(batch)

    def cast(self, count: int) -> None:
        with self.live_server.app.app_context():
            election = db.session.get(Election, self.election_id)
            for voter in sorted(self.secrets)[:count]:
                ballot = {
                    "election_hash": election.election_hash,
                    "voter_id": voter,
                    "channel": "online",
                    "nonce": b64e(secrets.token_bytes(16)),
                    "choices": {"m1": "yes"},
                }
                key = signing.private_key_from_seed(self.secrets[voter])
                cast_online(election, ballot, signing.sign(key, "ballot", ballot, record_v2.VERSION))
            db.session.commit()


def register_certifying_key(live_server, page, vote: Vote) -> str:
    page.goto(live_server.url(vote.base + "/certification/"))
    page.locator('[data-clerk-show="none"]').wait_for(state="visible")
    page.locator('[data-clerk-action="register"] button').click()
    page.locator('[data-clerk-show="registered"]').wait_for(state="visible")
    return page.locator("[data-clerk-officer-id]").inner_text()


def cosign_here(page) -> None:
    """Press the cosign button; the page reloads showing the head just cosigned."""
    with page.expect_navigation():
        page.locator('[data-clerk-action="cosign"] button').click()


def stored_cosignatures(live_server, vote: Vote) -> list[tuple[int, str, int, str, bytes]]:
    with live_server.app.app_context():
        election = db.session.get(Election, vote.election_id)
        return [
            (
                made.size,
                c.witness,
                c.time,
                c.signature,
                checkpoint.text(election.election_hash, made.size, b64d(made.root)),
            )
            for made, c in db.session.execute(
                select(Checkpoint, Cosignature)
                .join(Cosignature, Cosignature.checkpoint_id == Checkpoint.id)
                .where(Checkpoint.election_id == vote.election_id)
                .order_by(Checkpoint.size)
            )
        ]


def test_the_street_office_cosigns_in_its_browser(live_server, clerk_desk):  # noqa: F811
    vote = Vote(live_server)
    page = clerk_desk(vote.officer)
    officer_id = register_certifying_key(live_server, page, vote)
    vote.open()

    # Right after the opening, the vote's page asks for the opening log.
    page.goto(live_server.url(vote.base + "/"))
    page.locator('[data-clerk-show="registered"]').wait_for(state="visible")
    cosign_here(page)
    page.locator("[data-witness-last]").wait_for(state="visible")
    vote.cast(3)
    # While voting runs, one click on the turnout page.
    page.goto(live_server.url(vote.base + "/turnout"))
    cosign_here(page)
    assert "3" in page.locator("[data-witness-last]").inner_text()

    with live_server.app.app_context():
        registered = db.session.scalar(
            select(Officer.public_key).where(Officer.election_id == vote.election_id, Officer.officer_id == officer_id)
        )
    key = Ed25519PublicKey.from_public_bytes(b64d(registered))
    cosigned = stored_cosignatures(live_server, vote)
    assert [(size, witness) for size, witness, *_ in cosigned] == [(0, officer_id), (3, officer_id)]
    for _size, _witness, time, signature, text in cosigned:
        assert abs(time - utcnow().timestamp()) < 120
        key.verify(b64d(signature), b"cosignature/v1\ntime %d\n" % time + text)  # raises unless genuine
    assert page.evaluate(KEPT_HEAD, [f"{vote.public_id}/{vote.officer}", None])["size"] == 3


def test_the_browser_refuses_to_cosign_a_fork_or_a_wrong_clock(live_server, clerk_desk):  # noqa: F811
    vote = Vote(live_server)
    page = clerk_desk(vote.officer)
    register_certifying_key(live_server, page, vote)
    vote.open()
    vote.cast(2)
    page.goto(live_server.url(vote.base + "/turnout"))
    cosign_here(page)
    vote.cast(1)
    # This browser remembers a different head of 2 ballots: the log it is shown cannot extend it.
    slot = f"{vote.public_id}/{vote.officer}"
    kept = page.evaluate(KEPT_HEAD, [slot, None])
    assert kept["size"] == 2
    page.evaluate(KEPT_HEAD, [slot, {"size": 2, "root": b64e(bytes(32))}])
    page.goto(live_server.url(vote.base + "/turnout"))
    page.locator('[data-clerk-action="cosign"] button').click()
    error = page.locator("[data-clerk-error]")
    error.wait_for(state="visible")
    assert "Report it" in error.inner_text() or "报告" in error.inner_text()
    assert [size for size, *_ in stored_cosignatures(live_server, vote)] == [2]

    # With the true head back, a clock an hour off is refused before anything is signed.
    page.evaluate(KEPT_HEAD, [slot, kept])
    page.clock.set_system_time(utcnow() + timedelta(hours=1))
    page.reload()
    page.locator('[data-clerk-action="cosign"] button').click()
    error.wait_for(state="visible")
    assert "五分钟" in error.inner_text() or "five minutes" in error.inner_text()
    assert [size for size, *_ in stored_cosignatures(live_server, vote)] == [2]


def test_the_consistency_check_in_the_browser_is_rfc_9162(live_server, browser):
    """verify/merkle.js against voting.core.merkle: every pair of sizes up to 17, and broken proofs."""
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(17)]
    cases = []
    for new in range(18):
        for old in range(new + 1):
            proof = merkle.consistency_proof(leaves[:new], old)
            old_root, new_root = merkle.root(leaves[:old]), merkle.root(leaves[:new])
            cases.append([old, new, list(old_root), list(new_root), [list(p) for p in proof], True])
            if proof:
                broken = [list(p) for p in proof]
                broken[-1][0] ^= 1
                cases.append([old, new, list(old_root), list(new_root), broken, False])
            if 0 < old < new:
                cases.append(
                    [old, new, list(merkle.root(leaves[1 : old + 1])), list(new_root), [list(p) for p in proof], False]
                )
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url("/login"))
    results = page.evaluate(
        """async (cases) => {
        const { verifyConsistency } = await import("/static/verify/merkle.js");
        const bytes = (list) => Uint8Array.from(list);
        const out = [];
        for (const [old, size, oldRoot, newRoot, proof] of cases) {
            out.push(await verifyConsistency(old, size, bytes(oldRoot), bytes(newRoot), proof.map(bytes)));
        }
        return out;
    }""",
        cases,
    )
    context.close()
    assert results == [case[-1] for case in cases]
    assert len(cases) > 300
