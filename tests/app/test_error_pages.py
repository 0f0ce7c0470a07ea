"""HTTP errors: a browser gets the app's page in its language (lang, phone viewport, a way
back); a request to the JSON API (/api/..., the phones' and the officers' scripts) gets JSON."""

import pytest

from tests.conftest import make_app
from tests.elections_kit import PHONE_MOTIONS, open_vote
from tests.factories import login, small_roster
from voting.auth.models import Role
from voting.extensions import db
from voting.timeutil import utcnow

PAGE = {"Accept": "text/html,application/xhtml+xml"}


def page_of(response) -> str:
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "lang", "title", "message"),
    [
        ("zh-CN", 'lang="zh-CN"', "找不到此页面", "重新扫描二维码"),
        ("en", 'lang="en"', "Page not found", "scan the QR code again"),
    ],
)
def test_a_mistyped_vote_link_shows_a_page_in_the_readers_language(app, language, lang, title, message):
    response = app.test_client().get("/v/NO-SUCH-1", headers={**PAGE, "Accept-Language": language})
    assert response.status_code == 404
    html = page_of(response)
    assert lang in html and '<meta name="viewport"' in html and f"<h1>{title}</h1>" in html and message in html
    assert "Not Found" not in html and "The requested URL was not found" not in html  # Werkzeug's


def test_the_phones_json_requests_still_get_json(app, factory):
    client = app.test_client()
    missing = client.post("/api/v/NO-SUCH-1/challenge", json={}, headers={"Accept-Language": "en"})
    assert missing.status_code == 404 and missing.get_json() == {
        "error": (
            "There is no page at this address. If you typed it from a notice, check it character by character, "
            "or scan the QR code again."
        )
    }
    election = open_vote(factory.estate(roster=small_roster()), now=utcnow(), motions=PHONE_MOTIONS).election
    wrong_method = client.get(f"/api/v/{election.public_id}/challenge", headers={"Accept": "application/json"})
    assert wrong_method.status_code == 405 and "error" in wrong_method.get_json()


def test_a_page_the_account_may_not_open(app, factory):
    """403 from the access rules. (A refusal with a reason shows it: test_paper's clerk keys.)"""
    estate = factory.estate()
    clerk = login(app.test_client(), factory.staff(Role.CLERK, estate))
    html = page_of(clerk.get("/staff", headers={**PAGE, "Accept-Language": "en"}))
    assert "<h1>Not allowed</h1>" in html and "Your account may not open this page." in html


def test_an_expired_form_is_explained_not_in_flask_wtfs_english(database_url):
    """With CSRF on (as in production): a form posted without its session is refused with the
    app's page, not Flask-WTF's "The CSRF token is missing."."""
    app = make_app(database_url)
    with app.app_context():
        try:
            response = app.test_client().post(
                "/login", data={"username": "a", "password": "b"}, headers={**PAGE, "Accept-Language": "zh-CN"}
            )
            assert response.status_code == 400
            html = page_of(response)
            assert "表单可能已过期" in html and "CSRF" not in html
        finally:
            db.session.remove()
            db.engine.dispose()


def test_a_crash_shows_the_apps_page(app):
    """500 as in production (exceptions not propagated to the server)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def crash(**_arguments):
        raise RuntimeError("a bug")

    app.view_functions["auth.login"] = crash
    response = app.test_client().get("/login", headers={**PAGE, "Accept-Language": "en"})
    assert response.status_code == 500 and "<h1>Something went wrong</h1>" in page_of(response)
