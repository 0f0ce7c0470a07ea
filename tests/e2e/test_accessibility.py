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

from tests.app.test_prep import OWNERS, estate_roster, owner_id
from tests.app.test_vote import WANG, ZHAO
from tests.app.test_vote import open_vote as open_vote_on
from tests.e2e.conftest import PHONE
from tests.e2e.test_phone_vote import cast_in_python, choose, open_live_vote
from tests.factories import PASSWORD, resident_id
from voting.auth.models import Role
from voting.board.documents import announcement_pdf
from voting.board.operations import publish
from voting.candidates.operations import answer_objection, lodge_objection
from voting.candidates.simulation import PUBLISHED_BEFORE, vetted_list
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
    return [f"{violation['id']} ({violation['impact']}): {violation['help']} — "
            + "; ".join(" ".join(node["target"]) for node in violation["nodes"])
            for violation in results["violations"] if violation["impact"] in SERIOUS]


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
    const width = window.innerWidth;
    if (root.scrollWidth > width) losses.push(`the page scrolls sideways: ${root.scrollWidth}px on a ${width}px screen`);
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


CHECKS = {"axe": axe_findings, "text200": text_scaling_losses}


def checked(page, lang: str, check) -> list[str]:
    """The findings on the page as it is now; first, that it is in the language asked for."""
    page.wait_for_load_state("load")
    expected = "en" if lang == "en" else "zh"
    assert (page.locator("html").get_attribute("lang") or "").startswith(expected), f"{page.url} is not in {lang}"
    return check(page)


def assert_none(findings: dict[str, list[str]], lang: str, check: str) -> None:
    found = {state: lines for state, lines in findings.items() if lines}
    assert not found, f"{check} in {lang}:\n" + "\n".join(
        f"  {state}:\n" + "\n".join(f"    - {line}" for line in lines) for state, lines in found.items())


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
        candidates = vetted_list(officer, estate, owners, 1, now=utcnow() + PUBLISHED_BEFORE)
        publish_roll("test", estate)
        title, text, signed_by = "关于召开首次业主大会会议的公告", "定于十二月一日起以书面征求意见方式召开业主大会。", "筹备组"
        notice = publish("test", estate, "meeting_notice", title,
                         lambda url: announcement_pdf(estate, title, text, signed_by, url))
        objection = lodge_objection(candidates, "1幢-1-112", owner_id(12)[-4:], "候选人未在本小区居住。")
        answer_objection("test", objection, "经核实，候选人在本小区居住。")
        vote, _secrets = open_vote_on(factory, estate=estate)
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
            {"name": "notice.pdf", "mimeType": "application/pdf", "buffer": b"%PDF- not the published one"})
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
@pytest.mark.parametrize("check", CHECKS)
def test_public_pages(live_server, world, phone_in, check, lang, name):
    page = phone_in(lang)
    response = PUBLIC_PAGES[name](page, world)
    assert response is None or response.status == 200, f"{name}: {response.status}"
    assert_none({name: checked(page, lang, CHECKS[check])}, lang, check)
