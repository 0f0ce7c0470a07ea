"""The header's large-text button (text_size.js) on an owner's phone: it enlarges text and
controls, is remembered across reloads and pages, and leaves the ballot without sideways scrolling."""

from tests.app.test_vote import ZHANG_LI
from tests.e2e.conftest import PHONE
from tests.e2e.test_phone_vote import choose, open_live_vote

BUTTON = "#text-size"
STORAGE_REFUSED = """
for (const name of ["getItem", "setItem", "removeItem"]) {
  Storage.prototype[name] = () => { throw new DOMException("storage refused", "SecurityError"); };
}
"""


def body_font_size(page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))


def pressed(page) -> str:
    return page.locator(BUTTON).get_attribute("aria-pressed")


def scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def test_large_text_is_remembered_across_a_reload_and_other_pages(live_server, phone, screenshot):
    vote = open_live_vote(live_server)
    phone.goto(vote.qr_url(live_server, ZHANG_LI))
    phone.locator('fieldset[data-motion-id="m1"]').wait_for(state="visible")
    normal = body_font_size(phone)
    choice = phone.locator("label.choice").first.bounding_box()["height"]
    assert pressed(phone) == "false"

    phone.locator(BUTTON).tap()
    assert pressed(phone) == "true"
    assert body_font_size(phone) >= 1.3 * normal
    assert phone.locator("label.choice").first.bounding_box()["height"] >= 1.3 * choice  # controls too
    screenshot(phone, "ballot-large")

    phone.reload()
    assert body_font_size(phone) >= 1.3 * normal and pressed(phone) == "true"
    phone.goto(live_server.url("/login"))
    assert body_font_size(phone) >= 1.3 * normal and pressed(phone) == "true"

    phone.locator(BUTTON).tap()  # back to normal, also remembered
    phone.goto(live_server.url(f"/v/{vote.public_id}/receipt"))
    assert body_font_size(phone) == normal and pressed(phone) == "false"


def test_the_remembered_setting_is_applied_by_a_classic_script_in_the_head(live_server, phone):
    """Before the body is drawn, so the page does not jump: not a module, not deferred, not async."""
    phone.goto(live_server.url("/login"))
    scripts = phone.evaluate("""Array.from(document.querySelectorAll('head script[src$="/text_size.js"]'),
        s => ({type: s.type, defer: s.defer, async: s.async}))""")
    assert scripts == [{"type": "", "defer": False, "async": False}]


def test_at_the_large_setting_the_ballot_has_no_sideways_scrolling(live_server, phone, screenshot):
    vote = open_live_vote(live_server)
    phone.goto(live_server.url("/login"))
    phone.locator(BUTTON).tap()
    phone.goto(vote.qr_url(live_server, ZHANG_LI))
    assert phone.viewport_size["width"] == 390
    phone.locator('fieldset[data-motion-id="m1"]').wait_for(state="visible")
    assert pressed(phone) == "true" and not scrolls_sideways(phone)
    for motion, value in (("m1", "yes"), ("m2", "no"), ("m3", "c3-1")):
        choose(phone, motion, value)
        assert not scrolls_sideways(phone), motion
        phone.locator(f'fieldset[data-motion-id="{motion}"] [data-go="next"]').tap()
    phone.locator("#review").wait_for(state="visible")
    assert not scrolls_sideways(phone)
    screenshot(phone, "review-large")


def test_where_storage_is_refused_the_button_still_works_for_the_page(live_server, phone):
    errors = []
    phone.on("pageerror", lambda error: errors.append(error))
    phone.add_init_script(STORAGE_REFUSED)
    phone.goto(live_server.url("/login"))
    normal = body_font_size(phone)
    phone.locator(BUTTON).tap()
    assert body_font_size(phone) >= 1.3 * normal and pressed(phone) == "true"
    phone.reload()  # nothing could be remembered
    assert body_font_size(phone) == normal and pressed(phone) == "false"
    assert errors == []


def test_without_javascript_the_button_is_not_shown(live_server, browser):
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url("/login"))
    assert page.locator(BUTTON).count() == 1 and not page.locator(BUTTON).is_visible()
    context.close()
