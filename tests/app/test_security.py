"""Security: user text comes back inert on every page, no page runs inline script, the rate
limits answer 429 with a clear message, and the audit log's hash chain shows an edited or
deleted row."""

import io
import json
import subprocess
import threading
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from flask_babel import refresh
from markupsafe import escape
from sqlalchemy import select, text

from simulation.candidates import PUBLISHED_BEFORE, vetted_list
from simulation.vote import simulate_command
from tests.app.test_prep import OWNERS as OWNERS_OF_ESTATE
from tests.app.test_prep import estate_roster, owner_id
from tests.app.test_vote import ballot_of, key_of
from tests.conftest import make_app
from tests.elections_kit import PHONE_MOTIONS, open_vote
from tests.estate_world import OWNERS, EstateWorld, Wording, route_urls, staff_clients
from tests.factories import PASSWORD, Factory, login, resident_id, small_roster
from voting.app import CONTENT_SECURITY_POLICY
from voting.audit.models import AuditEvent
from voting.audit.operations import EMPTY_CHAIN, event_hash, record_event, verify_audit_chain
from voting.auth.models import Role, Staff
from voting.auth.operations import set_password
from voting.candidates.models import ListKind
from voting.config import ConfigError
from voting.core import record_v2, signing
from voting.core.canonical import b64e, parse_json
from voting.extensions import db
from voting.timeutil import utcnow
from voting.vote import operations as vote_operations
from voting.vote.operations import POSSESSION_PREFIX

# --- XSS: every field a person types, on every page that shows it ---------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}"
JS_URL = "javascript:alert(1)"


def hostile(field: str) -> str:
    """Every attack at once, tagged so that each field can be found on the pages."""
    return f"{SCRIPT}{IMG}{TEMPLATE}{JS_URL}#{field}"


# The roll's columns are short (building 40, entrance 20, room 40): one attack each.
HOSTILE = Wording(
    text=lambda n: hostile(str(n)),
    building=f"{SCRIPT}楼",
    entrance=TEMPLATE,
    room=lambda n: f"{IMG}{n}",
    owner_name=lambda n: f"{hostile('owner')}{n}",
)
unit_label, owner_name = HOSTILE.unit_label, HOSTILE.owner_name


class PageAudit(HTMLParser):
    """What a page would run: inline scripts, event-handler and style attributes, javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.faults: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":
            if "src" not in names and names.get("type") != "application/json":
                self.faults.append(f"inline script {attrs}")
            self._in_script = True
        for name, value in attrs:
            if name.startswith("on"):
                self.faults.append(f"<{tag} {name}=…>")
            if name == "style":
                self.faults.append(f"<{tag} style=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.faults.append(f"<{tag} {name}={value}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and "</" in data:
            self.faults.append("markup inside a script element")


def page_faults(html: str) -> list[str]:
    audit = PageAudit()
    audit.feed(html)
    audit.close()
    return audit.faults


@pytest.fixture
def hostile_estate(app, factory):
    return EstateWorld(app, factory, HOSTILE)


# Fields shown only in printed documents (checked in their PDFs below).
PRINTED_ONLY = {
    "notice title text",
    "notice title signed by",
    "withdrawn title text",
    "withdrawn title signed by",
    "scrutineer",
}


def test_typed_text_comes_back_escaped_and_no_page_runs_inline_script(app, hostile_estate):
    world = hostile_estate
    clients = staff_clients(app, world) | {"public": app.test_client()}
    lookups = [
        f"/estates/{world.estate.code}/elections/{world.open.id}/paper/key?" + urlencode({"unit": unit})
        for unit in (world.field("paper lookup"), unit_label(2))
    ]
    shown = {"public": "", "staff": ""}
    checked = 0
    for who, client in clients.items():
        urls = [url for method, url in route_urls(app, world) if method == "GET"]
        for url in urls + (lookups if who == "clerk-1" else []):
            response = client.get(url)
            assert response.status_code < 500, (who, url)
            if response.mimetype != "text/html":
                continue
            html = response.get_data(as_text=True)
            assert page_faults(html) == [], (who, url)
            shown["public" if who == "public" else "staff"] += html
            checked += 1
    assert checked > 150
    for name, value in world.fields.items():
        if name not in PRINTED_ONLY:
            assert str(escape(value)) in shown["staff"] + shown["public"], f"{name} is shown nowhere"
    for name in (
        "estate",
        "list title",
        "statement",
        "occupation",
        "objection",
        "answer",
        "notice title",
        "withdrawal reason",
        "counted title",
        "open title",
        "major motion",
    ):
        assert str(escape(world.fields[name])) in shown["public"], f"{name} is not on the public pages"
    for number in range(1, OWNERS + 1):
        assert str(escape(unit_label(number))) in shown["staff"]
    assert str(escape(owner_name(1))) in shown["staff"]


def test_printed_documents_carry_the_typed_text_as_text(app, hostile_estate, tmp_path):
    world = hostile_estate
    client = app.test_client()
    printed = ""
    for notice in world.notices:
        path = tmp_path / f"{notice.id}.pdf"
        path.write_bytes(client.get(f"/p/{world.estate.code}/board/{notice.id}/document.pdf").data)
        printed += subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    printed = "".join(printed.split())  # lines wrap anywhere in a long title
    for name in PRINTED_ONLY:
        assert "".join(world.fields[name].split()) in printed, name


def test_every_route_answers_with_the_content_security_policy(app, hostile_estate):
    world = hostile_estate
    admin = login(app.test_client(), world.admin)
    anonymous = app.test_client()
    policy = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert (policy["script-src"], policy["style-src"]) == ("'self'", "'self'")
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    answered = set()
    for method, url in route_urls(app, world):
        # Staff read every page; every form and API is posted to by someone not logged in, so
        # that nothing of the estate changes under the walk.
        client = admin if method == "GET" else anonymous
        response = client.open(url, method=method)
        assert response.status_code < 500, (method, url)
        assert response.headers.get("Content-Security-Policy") == CONTENT_SECURITY_POLICY, (method, url)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        answered.add(method)
    missing = anonymous.get("/no/such/page")
    assert missing.status_code == 404 and missing.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert answered == {"GET", "POST"}


# --- rate limits ------------------------------------------------------------------------------

PAGE = {"Accept": "text/html"}


@pytest.fixture
def limited(app, database_url):
    """The app with its rate limits on, as in production; every such app counts afresh."""
    limited_app = make_app(
        database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", WTF_CSRF_ENABLED=False, JOBS_SYNC=True
    )  # no job (the day's head) outlives the test
    with limited_app.app_context():
        yield limited_app
        db.session.remove()
        db.engine.dispose()


def english_client(app):
    """A client that asks for English (the app context, and with it the chosen locale, is shared
    by a test's requests: every request asks alike)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def address(number: int) -> dict:
    return {"REMOTE_ADDR": f"203.0.113.{number}"}


def test_login_is_limited_per_address_with_a_clear_answer(limited):
    client = english_client(limited)
    attempt = {"username": "nobody", "password": "wrong password"}
    for _ in range(10):
        assert client.post("/login", data=attempt, headers=PAGE, environ_base=address(1)).status_code == 200
    page = client.post("/login", data=attempt, headers=PAGE, environ_base=address(1))
    assert page.status_code == 429 and page.mimetype == "text/html"
    assert "Too many requests from your network. Please wait a minute and try again." in page.get_data(as_text=True)
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert page_faults(page.get_data(as_text=True)) == []
    script = client.post("/login", data=attempt, headers={"Accept": "application/json"}, environ_base=address(1))
    assert script.status_code == 429 and script.mimetype == "text/html"  # a page answers pages, never JSON
    assert client.post("/login", data=attempt, environ_base=address(2)).status_code == 200  # another address


def test_behind_a_proxy_each_client_address_has_its_own_limit(database_url):
    proxied = make_app(
        database_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        WTF_CSRF_ENABLED=False,
        TRUSTED_PROXIES="1",
    )
    with proxied.app_context():
        client = proxied.test_client()
        attempt = {"username": "nobody", "password": "wrong password"}

        def login_from(client_address: str) -> int:
            return client.post(
                "/login",
                data=attempt,
                headers={"X-Forwarded-For": client_address},
                environ_base={"REMOTE_ADDR": "127.0.0.1"},
            ).status_code

        assert [login_from("198.51.100.7") for _ in range(11)] == [200] * 10 + [429]
        assert login_from("198.51.100.8") == 200
        db.engine.dispose()
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        make_app(database_url, TRUSTED_PROXIES="nginx")


WANG, ZHAO = "v00002", "v00003"  # small_roster: 王五 (resident_id(3)), 赵六 (resident_id(4))
LAST4 = {WANG: resident_id(3)[-4:], ZHAO: resident_id(4)[-4:]}


def chunked(body: bytes) -> dict:
    """A body sent without Content-Length, as a server that decodes chunked transfer passes it on."""
    return {
        "input_stream": io.BytesIO(body),
        "content_type": "application/json",
        "headers": {"Transfer-Encoding": "chunked"},
        "environ_overrides": {"wsgi.input_terminated": True},
    }


def signed_in(client, election, seed: bytes, id_last4: str, environ: dict, *, send_chunked: bool = False):
    key = key_of(seed)
    challenge = client.post(f"/api/v/{election.public_id}/challenge", json={}, environ_base=environ).json["challenge"]
    body = {
        "public_key": signing.public_key_b64(key),
        "challenge": challenge,
        "id_last4": id_last4,
        "signature": b64e(key.sign(POSSESSION_PREFIX + challenge.encode())),
    }
    sent = chunked(json.dumps(body).encode()) if send_chunked else {"json": body}
    return client.post(f"/api/v/{election.public_id}/session", environ_base=environ, **sent)


def cast(client, election, secrets: dict, voter: str, id_last4: str, environ: dict, signature: str | None = None):
    ballot = ballot_of(election, voter)
    return client.post(
        f"/api/v/{election.public_id}/ballot",
        environ_base=environ,
        json={
            "ballot": ballot,
            "signature": signature or signing.sign(key_of(secrets[voter]), "ballot", ballot, record_v2.VERSION),
            "id_last4": id_last4,
        },
    )


def test_phones_are_limited_generously_per_address_and_answer_json(limited):
    election = open_vote(Factory().estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS).election
    client, url = english_client(limited), f"/v/{election.public_id}"
    for path, allowed in (("challenge", 120), ("ballot", 60), ("units", 30), ("receipt/check", 30)):
        answers = [
            client.post(f"/api{url}/{path}", json={}, environ_base=address(3)).status_code for _ in range(allowed + 1)
        ]
        assert 429 not in answers[:allowed] and answers[-1] == 429, path
        refused = client.post(f"/api{url}/{path}", data="{}", environ_base=address(3))
        assert refused.status_code == 429 and refused.json == {
            "error": "Too many requests from your network. Please wait a minute and try again."
        }
        assert client.post(f"/api{url}/{path}", json={}, environ_base=address(4)).status_code != 429
    page = client.post(f"{url}/receipt", data={"receipt": "{}"}, headers=PAGE, environ_base=address(3))
    assert page.status_code == 200  # the page and the JSON check count apart
    assert [
        client.post(f"{url}/receipt", data={"receipt": "{}"}, headers=PAGE, environ_base=address(3)).status_code
        for _ in range(30)
    ][-1] == 429


def test_wrong_id_endings_are_limited_per_notice_and_strangers_cannot_use_them_up(limited):
    vote = open_vote(
        Factory().estate(roster=small_roster()), require_id_last4=True, now=utcnow(), motions=PHONE_MOTIONS
    )
    election, secrets = vote.election, vote.roster_secrets
    client, nat = english_client(limited), address(5)  # one carrier address for the whole estate
    for _ in range(5):
        assert signed_in(client, election, secrets[WANG], "0000", nat).status_code == 403
    locked = signed_in(client, election, secrets[WANG], LAST4[WANG], nat)
    assert locked.status_code == 429
    assert locked.json["error"] == (
        "Too many wrong ID numbers for this voting notice. Please try again tomorrow, "
        "or ask the preparation group for a paper ballot."
    )
    assert signed_in(client, election, secrets[ZHAO], LAST4[ZHAO], nat).status_code == 200  # a neighbour

    # On the ballot endpoint only a verified signature with a wrong ID ending counts.
    for _ in range(5):
        assert cast(client, election, secrets, WANG, "0000", nat).status_code == 403
    assert cast(client, election, secrets, WANG, LAST4[WANG], nat).status_code == 429
    for number in range(10, 30):  # a stranger naming 赵六 in ballots it cannot sign
        assert (
            cast(client, election, secrets, ZHAO, "0000", address(number), signature=b64e(bytes(64))).status_code == 422
        )
    assert cast(client, election, secrets, ZHAO, LAST4[ZHAO], nat).status_code == 200


def test_a_phones_body_is_parsed_once_for_its_limit_and_its_answer(limited, monkeypatch):
    vote = open_vote(
        Factory().estate(roster=small_roster()), require_id_last4=True, now=utcnow(), motions=PHONE_MOTIONS
    )
    election, secrets = vote.election, vote.roster_secrets
    parsed = []
    monkeypatch.setattr(vote_operations, "parse_json", lambda data: parsed.append(data) or parse_json(data))
    client = english_client(limited)
    assert signed_in(client, election, secrets[WANG], "0000", address(6)).status_code == 403  # counted, by its key
    assert len(parsed) == 1
    assert cast(client, election, secrets, WANG, LAST4[WANG], address(6)).status_code == 200
    assert len(parsed) == 2


def test_wrong_id_endings_sent_chunked_count_as_any_others(limited):
    """Without Content-Length the body is still read for the limit's key, and still capped."""
    vote = open_vote(
        Factory().estate(roster=small_roster()), require_id_last4=True, now=utcnow(), motions=PHONE_MOTIONS
    )
    election, secrets = vote.election, vote.roster_secrets
    client, nat = english_client(limited), address(5)
    for _ in range(5):
        assert signed_in(client, election, secrets[WANG], "0000", nat, send_chunked=True).status_code == 403
    assert signed_in(client, election, secrets[WANG], LAST4[WANG], nat, send_chunked=True).status_code == 429
    too_large = client.post(
        f"/api/v/{election.public_id}/session",
        environ_base=nat,
        **chunked(b'{"public_key": "' + b"A" * 100_000 + b'"}'),
    )
    assert too_large.status_code == 413 and too_large.json == {"error": "The request is too large."}


def test_objections_are_limited_per_unit_whatever_the_address(limited):
    factory = Factory()
    estate = factory.estate(roster=estate_roster())
    officer = factory.staff(Role.STREET_OFFICE, estate)
    owners = [(name, owner_id(number)) for number, (name, _born) in enumerate(OWNERS_OF_ESTATE, start=1)]
    candidates = vetted_list(
        officer, estate, owners, 1, now=utcnow() + PUBLISHED_BEFORE - timedelta(hours=1), kind=ListKind.BY_ELECTION
    )
    db.session.commit()
    refresh()  # built outside any request, in the default language: let each request choose its own
    client, url = english_client(limited), f"/p/{estate.code}/candidates/{candidates.id}/"

    def object_as(unit: str, last4: str, environ: dict):
        return client.post(
            url,
            headers=PAGE,
            environ_base=environ,
            data={"unit_label": unit, "id_last4": last4, "nominee": "0", "text": "名单公示不充分"},
        )

    for number in range(1, 11):  # ten guesses from ten addresses
        assert object_as("1幢-1-106", "0000", address(number)).status_code == 422
    locked = object_as(" 1幢-1-106", owner_id(6)[-4:], address(11))
    assert (
        locked.status_code == 429
        and (
            "Too many failed attempts for this unit today. Please try again tomorrow, "
            "or hand your objection to the preparation group on paper."
        )
        in locked.text
    )
    assert object_as("1幢-1-107", owner_id(7)[-4:], address(11)).status_code == 302  # another unit lodges


def test_the_simulation_is_not_throttled(limited, tmp_path):
    """More phones from one address in a minute than a single address may send, as scripts/simulate.py runs."""
    result = limited.test_cli_runner().invoke(
        simulate_command,
        ["--voters", "90", "--turnout", "1", "--paper", "0", "--seed", "5", "--out", str(tmp_path / "r.json")],
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads((tmp_path / "r.json").read_text())["log"]) > 60


# --- the audit log's hash chain -------------------------------------------------------------------


def event_ids() -> list[int]:
    return db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()


def tamper(statement: str, **values) -> None:
    """A change made in the database behind the application's back."""
    db.session.execute(text(statement), values)
    db.session.commit()


def test_an_edited_inserted_or_deleted_event_breaks_the_chain(app, factory):
    factory.estate(roster=small_roster())  # office, community, estate, roll import: four events
    ids = event_ids()
    assert len(ids) >= 4 and verify_audit_chain() is None
    first = db.session.get(AuditEvent, ids[0])
    assert first.prev_hash == EMPTY_CHAIN
    assert [e.prev_hash for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))][1:] == [
        e.hash for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ][:-1]
    victim = db.session.get(AuditEvent, ids[1])
    original_detail, original_hash = victim.detail_json, victim.hash
    original_actor = db.session.get(AuditEvent, ids[2]).actor

    tamper("UPDATE audit_event SET detail_json = :detail WHERE id = :id", detail='{"units": 1}', id=ids[1])
    assert verify_audit_chain() == ids[1]
    tamper("UPDATE audit_event SET detail_json = :detail WHERE id = :id", detail=original_detail, id=ids[1])
    assert verify_audit_chain() is None
    tamper("UPDATE audit_event SET actor = 'someone else' WHERE id = :id", id=ids[2])
    assert verify_audit_chain() == ids[2]
    tamper("UPDATE audit_event SET actor = :actor WHERE id = :id", actor=original_actor, id=ids[2])

    # Even a row given a hash recomputed over its new content breaks the link to the next one.
    db.session.expire_all()
    forged = db.session.get(AuditEvent, ids[1])
    forged_hash = event_hash(
        prev_hash=forged.prev_hash,
        at=forged.at,
        actor=forged.actor,
        action=forged.action,
        estate_id=forged.estate_id,
        target=forged.target,
        detail_json='{"units": 1}',
    )
    tamper(
        "UPDATE audit_event SET detail_json = '{\"units\": 1}', hash = :hash WHERE id = :id",
        hash=forged_hash,
        id=ids[1],
    )
    assert verify_audit_chain() == ids[2]
    tamper(
        "UPDATE audit_event SET detail_json = :detail, hash = :hash WHERE id = :id",
        detail=original_detail,
        hash=original_hash,
        id=ids[1],
    )
    assert verify_audit_chain() is None

    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and f"{len(ids)} events" in result.output
    tamper("DELETE FROM audit_event WHERE id = :id", id=ids[1])
    assert verify_audit_chain() == ids[2]
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"broken at event {ids[2]}" in result.output


def test_concurrent_requests_append_one_unbroken_chain(app, factory):
    """Real concurrency on PostgreSQL (the advisory lock); on SQLite immediate transactions
    serialise the same code."""
    factory.estate()
    before = len(event_ids())
    db.session.commit()  # this session holds no transaction (on SQLite, no write lock) meanwhile
    writers = 10  # within the connection pool
    start, failures = threading.Barrier(writers), []

    def request(number: int):
        with app.app_context():
            start.wait()
            try:
                record_event(f"writer-{number}", "test.concurrent", f"writer:{number}")
                db.session.commit()
            except Exception as error:  # noqa: BLE001 — any failure is the finding
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=request, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(event_ids()) == before + writers
    assert verify_audit_chain() is None


def test_the_migration_chains_the_events_already_stored(tmp_path):
    from flask_migrate import upgrade

    old = make_app(f"sqlite:///{tmp_path / 'old.sqlite'}")
    with old.app_context():
        upgrade(revision="030b8a9fa4a4")  # before the chain
        for number, moment in enumerate(("2026-11-01 02:00:00.123456", "2026-11-01 02:00:00", "2026-10-31 23:59:59")):
            db.session.execute(
                text(
                    "INSERT INTO audit_event (at, actor, action, estate_id, target, detail_json) "
                    "VALUES (:at, 'cli:root', 'estate.create', NULL, :target, :detail)"
                ),
                {
                    "at": moment,
                    "target": f"estate:E{number}",
                    "detail": json.dumps({"name": f"小区{number}"}, ensure_ascii=False),
                },
            )
        db.session.commit()
        upgrade()
        assert verify_audit_chain() is None
        record_event("test", "after.upgrade", "nothing")
        db.session.commit()
        assert verify_audit_chain() is None and len(event_ids()) == 4
        db.session.remove()
        db.engine.dispose()


# --- redirects after logging in and switching the language ----------------------------------------

OFF_SITE = [
    "/\t/evil.example",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example",
    "\\\\evil.example",
    "/\n/evil.example",
    "https:/evil.example",
    "evil.example",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_leads_only_to_a_path_on_this_site(app, factory, target):
    staff = factory.staff(Role.PREP_GROUP, factory.estate())
    client = app.test_client()
    logged_in = client.post(
        "/login", query_string={"next": target}, data={"username": staff.username, "password": PASSWORD}
    )
    assert logged_in.status_code == 302 and logged_in.location == "/"
    switched = client.post("/lang/en", data={"next": target})
    assert switched.status_code == 302 and switched.location == "/"


def test_next_leads_back_to_the_page_asked_for(app, factory):
    estate = factory.estate()
    staff = factory.staff(Role.PREP_GROUP, estate)
    client = app.test_client()
    asked = client.get(f"/estates/{estate.code}")
    assert asked.status_code == 302 and asked.location.startswith("/login?next=")
    logged_in = client.post(asked.location, data={"username": staff.username, "password": PASSWORD})
    assert logged_in.location == f"/estates/{estate.code}"
    assert (
        client.post("/lang/en", data={"next": f"/estates/{estate.code}?tab=1"}).location
        == f"/estates/{estate.code}?tab=1"
    )


# --- logging out ends the session on the server ------------------------------------------------


def test_a_copied_session_cookie_stops_working_on_logout_and_a_new_password(app, factory):
    estate = factory.estate()
    staff = factory.staff(Role.PREP_GROUP, estate)

    def opens_page(client) -> bool:
        return client.get(f"/estates/{estate.code}").status_code == 200  # else to the login page

    browser = login(app.test_client(), staff)
    copied = app.test_client()
    copied.set_cookie("session", browser.get_cookie("session").value)
    assert opens_page(copied)
    assert browser.post("/logout").status_code == 302
    assert not opens_page(copied) and not opens_page(browser)

    browser, other = login(app.test_client(), staff), login(app.test_client(), staff)
    assert opens_page(browser) and opens_page(other)
    set_password(db.session.get(Staff, staff.id), "a new password, long enough")
    db.session.commit()
    assert not opens_page(browser) and not opens_page(other)
