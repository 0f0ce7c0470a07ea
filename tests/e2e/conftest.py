"""A live Gongzhi server on 127.0.0.1 and Debian's Chromium as an owner's phone.

Only the system browser is used (never one Playwright downloads), so the tests skip where
/usr/bin/chromium is missing (and fail in CI, which has it).
"""

import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from simulation.browser import CHROMIUM, CHROMIUM_ARGS
from simulation.vote import simulate_command
from tests.conftest import REPO_ROOT, make_app, unavailable
from tests.factories import Factory

ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}


class LiveServer:
    def __init__(self, app, base_url: str):
        self.app = app
        self.base_url = base_url
        self.factory = Factory()  # one for the whole database, so that codes stay unique

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app on a migrated SQLite file, served by werkzeug in a thread on a free port."""
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.sqlite'}")
    with app.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        unavailable(
            "Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium); "
            "the phone tests drive no other browser"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A fresh phone-sized browser context (own storage) and its page."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(request):
    """screenshot(page, "step") saves test-artifacts/e2e/<test>-NN-step.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    taken = []

    def take(page, step: str) -> Path:
        taken.append(step)
        path = ARTIFACTS / f"{request.node.name}-{len(taken):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@dataclass(frozen=True)
class SimulatedVote:
    estate_code: str
    public_id: str
    record: bytes  # as the public record.json serves it


@pytest.fixture(scope="session")
def simulated_vote(live_server, tmp_path_factory) -> SimulatedVote:
    """A counted vote on the live server, held by simulation/vote.py through the real endpoints:
    some hundreds of voters, a quarter of them on paper, some who voted twice online."""
    from sqlalchemy import select

    from voting.elections.models import Election
    from voting.extensions import db

    output = tmp_path_factory.mktemp("simulated") / "record.json"
    with live_server.app.app_context():
        result = live_server.app.test_cli_runner().invoke(
            simulate_command,
            ["--voters", "240", "--turnout", "0.85", "--paper", "0.25", "--seed", "11", "--out", str(output)],
        )
        assert result.exit_code == 0, result.output
        public_id = result.output.strip().splitlines()[-1].split(":")[0]
        election = db.session.scalar(select(Election).where(Election.public_id == public_id))
        code = election.estate.code
    with urllib.request.urlopen(live_server.url(f"/p/{code}/elections/{public_id}/record.json")) as response:
        record = response.read()
    return SimulatedVote(code, public_id, record)
