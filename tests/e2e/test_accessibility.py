"""Accessibility of every page an owner or the public sees, in Chinese and in English, on a phone
in Debian's Chromium: axe-core (bundled by axe-playwright-python) finds no serious or critical
violation, and text doubled in size loses nothing (WCAG 1.4.4).

The ballot page is walked through its states as an owner meets them; the other pages are
reached by their addresses; error pages by the requests that cause them.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from werkzeug.exceptions import TooManyRequests

from simulation.browser import WITHOUT_SUBTLE_CRYPTO
from simulation.candidates import PUBLISHED_BEFORE, vetted_list
from tests.app.test_prep import OWNERS, estate_roster, owner_id
from tests.app.test_vote import WANG, ZHANG_LI, ZHAO
from tests.e2e.conftest import PHONE
from tests.e2e.test_phone_vote import cast_in_python, choose, open_live_vote
from tests.elections_kit import PHONE_MOTIONS, count_vote, open_vote
from tests.factories import PASSWORD, resident_id
from voting.auth.models import Role
from voting.board.documents import announcement_pdf
from voting.board.operations import publish
from voting.candidates.models import ListKind
from voting.candidates.objections import answer_objection, lodge_objection
from voting.elections.models import Election
from voting.extensions import db
from voting.roster.operations import publish_roll
from voting.timeutil import utcnow

# The phone's language: the app reads it from Accept-Language, which Playwright's locale sets.
LOCALES = {"zh": "zh-CN", "en": "en-US"}
SERIOUS = ("serious", "critical")


# --- the checks ---------------------------------------------------------------------------------


def axe_findings(page) -> list[str]:
    """Serious and critical axe violations: rule, impact and the offending elements."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results["violations"]
        if violation["impact"] in SERIOUS
    ]


# The user's text size doubled, as the browser's font-size setting (and Page.setFontSizes) does:
# the root font size goes to 200%. Full-page zoom would instead shrink a 390 px phone to 195 CSS
# pixels, which is reflow (WCAG 1.4.10), not resizing text (1.4.4); and text set in pixels would
# pass a zoom test while ignoring the owner's own text size, which is the loss 1.4.4 is about.
# Set through the CSSOM, which the Content-Security-Policy allows (a <style> it would not).
MEASURE_TEXT_SCALING = """
() => {
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden";
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.classList.length ? "." + [...el.classList].join(".") : "");
  const texts = [...document.body.querySelectorAll("*")].filter((el) => shown(el)
    && [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim()));
  const controls = [...document.querySelectorAll(
    "button, input:not([type=hidden]), select, textarea, a.button")].filter(shown);
  const before = new Map(texts.map((el) => [el, parseFloat(getComputedStyle(el).fontSize)]));

  const root = document.documentElement;
  root.style.fontSize = "200%";
  const losses = [];
  try {
    // The layout viewport: a phone zooms out to fit a too wide page, and innerWidth follows it.
    const width = root.clientWidth;
    if (root.scrollWidth > width) {
      // Name the innermost elements that stick out, where the fix belongs.
      const out = [...document.body.querySelectorAll("*")].filter((el) => el.getBoundingClientRect().right > width + 1);
      const innermost = out.filter((el) => !out.some((other) => other !== el && el.contains(other)));
      losses.push(`the page scrolls sideways: ${root.scrollWidth}px on a ${width}px screen, past it: `
        + innermost.slice(0, 5).map(describe).join(", "));
    }
    for (const [el, size] of before) {
      const now = parseFloat(getComputedStyle(el).fontSize);
      if (now < 1.95 * size) losses.push(`text does not grow: ${describe(el)} ${size}px -> ${now}px`);
    }
    for (const el of document.body.querySelectorAll("*")) {
      const style = getComputedStyle(el);
      const clips = (overflow) => overflow === "hidden" || overflow === "clip";
      const cut = (clips(style.overflowX) && el.scrollWidth > el.clientWidth + 1)
        || (clips(style.overflowY) && el.scrollHeight > el.clientHeight + 1);
      if (cut && shown(el) && el.textContent.trim()) losses.push(`text clipped by its box: ${describe(el)}`);
    }
    for (const el of controls) {
      const box = el.getBoundingClientRect();
      if (!shown(el)) losses.push(`control gone: ${describe(el)}`);
      else if (box.left < -1 || box.right > width + 1) {
        losses.push(`control off the screen: ${describe(el)} at ${Math.round(box.left)}–${Math.round(box.right)}px`);
      }
    }
  } finally {
    root.style.fontSize = "";
  }
  return [texts.length, [...new Set(losses)]];
}
"""


def text_scaling_losses(page) -> list[str]:
    measured, losses = page.evaluate(MEASURE_TEXT_SCALING)
    assert measured > 0, f"no text measured on {page.url}"  # a blank page would pass every check
    return losses


def findings(page, lang: str) -> dict[str, list[str]]:
    """Both checks on the page as it is now; first, that it is in the language asked for.
    (One visit for both: the walk, not the checks, is what takes the time.)"""
    page.wait_for_load_state("load")
    expected = "en" if lang == "en" else "zh"
    assert (page.locator("html").get_attribute("lang") or "").startswith(expected), f"{page.url} is not in {lang}"
    return {"axe, serious or critical": axe_findings(page), "text at 200%": text_scaling_losses(page)}


def assert_none(found: dict[str, dict[str, list[str]]], lang: str) -> None:
    """``found``: page or state -> check -> findings; the message lists every one."""
    report = [
        f"  {state} ({lang}), {check}:\n" + "\n".join(f"    - {line}" for line in lines)
        for state, checks in found.items()
        for check, lines in checks.items()
        if lines
    ]
    assert not report, "\n".join(report)


@pytest.fixture
def phone_in(browser, live_server):
    """phone_in(lang): a fresh phone-sized context in that language, and its page."""
    contexts = []

    def open_phone(lang: str):
        context = browser.new_context(base_url=live_server.base_url, **{**PHONE, "locale": LOCALES[lang]})
        context.set_default_timeout(5_000)  # every page here is local: a wait that long is a fault
        contexts.append(context)
        return context.new_page()

    yield open_phone
    for context in contexts:
        context.close()


def test_the_checks_find_what_they_look_for(world, phone_in):
    """A page spoiled on purpose: each check must be able to fail."""
    page = phone_in("en")
    page.goto(world.path(f"candidates/{world.list_id}/"))
    page.evaluate("""() => {
      document.querySelector('label[for="unit_label"]').remove();  // a field without its label
      document.querySelector("main h1").style.color = "#ccc";      // too little contrast
      document.querySelector("main h1").style.minWidth = "20rem";  // wider than the phone at 200%
      document.body.style.fontSize = "18px";                        // ignores the owner's text size
      Object.assign(document.querySelector("main p").style, {whiteSpace: "nowrap", overflow: "hidden"});
    }""")
    found = findings(page, "en")
    axe = "\n".join(found["axe, serious or critical"])
    assert "label (critical)" in axe and "color-contrast (serious)" in axe and "#unit_label" in axe, axe
    scaling = "\n".join(found["text at 200%"])
    for loss in ("the page scrolls sideways", "text does not grow: p.muted", "text clipped by its box: p.muted"):
        assert loss in scaling, scaling


# --- the public estate --------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    code: str
    list_id: int
    notice_id: int
    objection_ref: str
    vote_public_id: str
    clerk: str  # username of a clerk, who may not manage staff (403)

    def path(self, rest: str) -> str:
        return f"/p/{self.code}/{rest}"


@pytest.fixture(scope="module")
def world(live_server) -> World:
    """An estate with everything public: the roll, the preparation group, a candidate list open
    to objections with one objection answered, a notice on the board and a vote under way."""
    factory = live_server.factory
    with live_server.app.app_context():
        estate = factory.estate(roster=estate_roster())
        officer = factory.staff(Role.STREET_OFFICE, estate)
        owners = [(name, owner_id(number)) for number, (name, _born) in enumerate(OWNERS, start=1)]
        # Published now rather than ten days ago: the objection form is open.
        candidates = vetted_list(officer, estate, owners, 1, now=utcnow() + PUBLISHED_BEFORE, kind=ListKind.BY_ELECTION)
        publish_roll("test", estate)
        title, text, signed_by = (
            "关于召开首次业主大会会议的公告",
            "定于十二月一日起以书面征求意见方式召开业主大会。",
            "筹备组",
        )
        notice = publish(
            "test", estate, "meeting_notice", title, lambda url: announcement_pdf(estate, title, text, signed_by, url)
        )
        objection = lodge_objection(candidates, "1幢-1-112", owner_id(12)[-4:], "候选人未在本小区居住。")
        answer_objection("test", objection, "经核实，候选人在本小区居住。")
        vote = open_vote(estate, now=utcnow(), motions=PHONE_MOTIONS).election
        clerk = factory.staff(Role.CLERK, estate)
        db.session.commit()
        return World(estate.code, candidates.id, notice.id, objection.ref, vote.public_id, clerk.username)


def fill_objection(page, world: World, id_last4: str) -> None:
    page.goto(world.path(f"candidates/{world.list_id}/"))
    page.locator('input[name="unit_label"]').fill("1幢-1-112")
    page.locator('input[name="id_last4"]').fill(id_last4)
    page.locator('textarea[name="text"]').fill("候选人未在本小区居住。")


def refused_objection(page, world: World) -> None:
    fill_objection(page, world, "0000")  # not the owner's: refused, the form shown again with why
    with page.expect_navigation():
        page.locator("main form button").click()
    assert page.locator(".flash.error").count(), "the objection with a wrong ID ending was not refused"


def check_the_notice(page, world: World) -> None:
    page.goto(world.path(f"board/{world.notice_id}"))
    with page.expect_navigation():
        page.locator('input[type="file"]').set_input_files(
            {"name": "notice.pdf", "mimeType": "application/pdf", "buffer": b"%PDF- not the published one"}
        )
        page.locator("form button").last.click()
    assert page.locator(".flash.error").count(), "the wrong file was not refused"


PUBLIC_PAGES = {
    "estate": lambda page, world: page.goto(world.path("")),
    "roll": lambda page, world: page.goto(world.path("roll")),
    "board": lambda page, world: page.goto(world.path("board/")),
    "notice": lambda page, world: page.goto(world.path(f"board/{world.notice_id}")),
    "notice-file-refused": check_the_notice,
    "candidate-lists": lambda page, world: page.goto(world.path("candidates/")),
    "candidate-list-objection-form": lambda page, world: page.goto(world.path(f"candidates/{world.list_id}/")),
    "objection-refused": refused_objection,
    "objection-answered": lambda page, world: page.goto(world.path(f"candidates/objections/{world.objection_ref}")),
    "preparation-group": lambda page, world: page.goto(world.path("prep/")),
    "receipt-check-empty": lambda page, world: page.goto(f"/v/{world.vote_public_id}/receipt"),
}


@pytest.mark.parametrize("name", PUBLIC_PAGES)
@pytest.mark.parametrize("lang", LOCALES)
def test_public_page(world, phone_in, lang, name):
    page = phone_in(lang)
    response = PUBLIC_PAGES[name](page, world)
    assert response is None or response.status == 200, f"{name}: {response.status}"
    assert_none({name: findings(page, lang)}, lang)


# --- the ballot page, state by state --------------------------------------------------------------


def ballot_states(live_server, phone_in, lang: str):
    """Walk an owner's phone through every state of the ballot page and the receipt check,
    yielding (page, state) at each. Two votes: one asks for the ID ending and takes only the
    first ballot (the whole way to "already voted"), one takes the last ballot (the rest)."""
    first_only = open_live_vote(live_server, revote="first", require_id_last4=True)
    last_counts = open_live_vote(live_server)
    cast_in_python(live_server, last_counts, WANG)
    page = phone_in(lang)

    page.goto(f"/v/{last_counts.public_id}")
    page.locator("#step-no-secret").wait_for(state="visible")
    yield page, "no-secret"
    page.goto(f"/v/{last_counts.public_id}#damaged")
    page.locator("#vote-error").wait_for(state="visible")
    yield page, "damaged-code"

    # While the phone proves its key, "checking your notice" shows: hold the request there.
    held = []
    page.route("**/challenge", lambda route: held.append(route))
    page.goto(last_counts.qr_url(live_server, WANG))
    for _ in range(250):  # five seconds at most
        if held:
            break
        page.wait_for_timeout(20)
    assert held and page.locator("#step-start").is_visible(), "the phone did not start proving its key"
    yield page, "checking-the-notice"
    held[0].continue_()
    page.unroute("**/challenge")
    page.locator("#voted-replace").wait_for(state="visible")
    yield page, "voted-before-may-replace"

    page.goto(first_only.qr_url(live_server, ZHAO))
    page.locator("#step-id").wait_for(state="visible")
    yield page, "id-ending"
    page.locator("#id-last4").fill("1234")
    page.locator('#step-id button[type="submit"]').tap()
    page.locator("#vote-error").wait_for(state="visible")
    yield page, "id-ending-refused"
    page.locator("#id-last4").fill(resident_id(4)[-4:])
    page.locator('#step-id button[type="submit"]').tap()
    page.locator('fieldset[data-motion-id="m1"]').wait_for(state="visible")
    yield page, "motion"
    page.locator('fieldset[data-motion-id="m1"] [data-go="next"]').tap()
    page.locator('fieldset[data-motion-id="m1"] [data-error="choose-one"]').wait_for(state="visible")
    yield page, "motion-unanswered"
    for motion_id in ("m1", "m2"):
        choose(page, motion_id, "yes")
        page.locator(f'fieldset[data-motion-id="{motion_id}"] [data-go="next"]').tap()
    page.locator('fieldset[data-motion-id="m3"]').wait_for(state="visible")
    yield page, "committee-motion"
    for candidate in ("c3-1", "c3-2", "c3-3"):
        choose(page, "m3", candidate)
    page.locator('fieldset[data-motion-id="m3"] [data-error="too-many"]').wait_for(state="visible")
    yield page, "committee-too-many"
    page.locator('fieldset[data-motion-id="m3"] [data-go="next"]').tap()
    page.locator("#review").wait_for(state="visible")
    yield page, "review"
    page.locator("#submit-ballot").tap()
    page.locator("#step-receipt").wait_for(state="visible")
    yield page, "receipt"
    receipt = json.loads(page.locator("#receipt-json").input_value())

    page.goto(first_only.qr_url(live_server, ZHAO))
    page.locator("#id-last4").fill(resident_id(4)[-4:])
    page.locator('#step-id button[type="submit"]').tap()
    page.locator("#voted-counted").wait_for(state="visible")
    yield page, "already-voted"

    page.goto(f"/v/{first_only.public_id}/receipt")
    yield page, "receipt-check"
    page.locator("#receipt-form textarea").fill(json.dumps(receipt))
    page.locator('#receipt-form button[type="submit"]').tap()
    page.locator("#receipt-ok").wait_for(state="visible")
    yield page, "receipt-check-ok"
    page.locator("#receipt-form textarea").fill(json.dumps({**receipt, "seq": receipt["seq"] + 1}))
    page.locator('#receipt-form button[type="submit"]').tap()
    page.locator("#receipt-fail").wait_for(state="visible")
    yield page, "receipt-check-refused"

    not_yet = open_live_vote(live_server, opens_at=utcnow() + timedelta(days=1), closes_at=utcnow() + timedelta(days=2))
    page.goto(f"/v/{not_yet.public_id}")
    yield page, "not-open-yet"

    # After the count, where the assembly so decided, a notice's holder sees how each unit voted.
    counted = open_live_vote(live_server, publish_units=True)
    cast_in_python(live_server, counted, WANG)
    with live_server.app.app_context():
        count_vote(db.session.get(Election, counted.election_id))
    page.goto(counted.qr_url(live_server, ZHANG_LI))
    page.locator("#step-units table").wait_for(state="visible")
    yield page, "how-each-unit-voted"

    page.route("**/static/vote.js", lambda route: route.abort())
    page.goto(last_counts.qr_url(live_server, WANG))
    page.locator("#step-script-failed").wait_for(state="visible")
    yield page, "script-failed"
    page.unroute("**/static/vote.js")

    # A browser without crypto.subtle (as test_phone_vote makes one), last: it stays so.
    page.context.add_init_script(WITHOUT_SUBTLE_CRYPTO)
    page.goto("about:blank")  # the same address again would only change the fragment
    page.goto(last_counts.qr_url(live_server, WANG))
    page.locator("#step-unsupported").wait_for(state="visible")
    yield page, "unsupported-browser"


BALLOT_STATES = 20  # as many as ballot_states yields: a walk that stops early fails


@pytest.mark.parametrize("lang", LOCALES)
def test_ballot_page_states(live_server, phone_in, lang):
    found = {state: findings(page, lang) for page, state in ballot_states(live_server, phone_in, lang)}
    assert len(found) == BALLOT_STATES, sorted(found)
    assert_none(found, lang)


# --- error pages ----------------------------------------------------------------------------------


@contextmanager
def view_raising(app, endpoint: str, error: Exception):
    """The live app's view raises ``error`` until the block ends: for errors no request of an
    owner can cause on purpose (a rate limit is off in tests, a crash is a bug). The app handles
    the error as in production, where exceptions do not propagate to the server."""
    view, propagate = app.view_functions[endpoint], app.config["PROPAGATE_EXCEPTIONS"]

    def fail(**_arguments):
        raise error

    app.view_functions[endpoint], app.config["PROPAGATE_EXCEPTIONS"] = fail, False
    try:
        yield
    finally:
        app.view_functions[endpoint], app.config["PROPAGATE_EXCEPTIONS"] = view, propagate


def expired_form(page, world: World, live_server):
    """The owner filled in the objection form after the session had gone: the CSRF check refuses it."""
    fill_objection(page, world, owner_id(12)[-4:])
    page.context.clear_cookies()
    with page.expect_navigation() as navigation:
        page.locator("main form button").click()
    return navigation.value


def staff_page_not_allowed(page, world: World, live_server):
    page.goto("/login")
    page.locator('input[name="username"]').fill(world.clerk)
    page.locator('input[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button").click()
    return page.goto("/staff")  # a clerk may not manage staff accounts


def raising(error: Exception):
    def visit(page, world: World, live_server):
        with view_raising(live_server.app, "public.roll", error):
            return page.goto(world.path("roll"))

    return visit


ERROR_PAGES = {
    400: expired_form,
    403: staff_page_not_allowed,
    404: lambda page, world, live_server: page.goto(f"/v/{world.vote_public_id}x"),  # a mistyped vote link
    429: raising(TooManyRequests()),
    500: raising(RuntimeError("a bug")),
}


@pytest.mark.parametrize("status", ERROR_PAGES)
@pytest.mark.parametrize("lang", LOCALES)
def test_error_page(live_server, world, phone_in, lang, status):
    page = phone_in(lang)
    response = ERROR_PAGES[status](page, world, live_server)
    assert response.status == status
    assert page.locator('meta[name="viewport"]').count() == 1, "not the app's page: no phone viewport"
    assert_none({f"error {status}": findings(page, lang)}, lang)
