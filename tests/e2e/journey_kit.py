"""Pieces of the browser journey (test_journey.py): the estate and its staff accounts, the owners
picked from a generated roster, a browser per person, the app's clock, the printed notices."""

from __future__ import annotations

import secrets
import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import count
from pathlib import Path

from flask_babel import gettext
from PIL import Image

from tests.chinese_text import faults_for_chinese_reader, readable_texts
from tests.conftest import REPO_ROOT
from tests.e2e.conftest import PHONE
from tests.factories import PASSWORD, resident_id
from voting.auth.models import Role
from voting.auth.operations import create_staff
from voting.core.weights import DELIVERED
from voting.estates.operations import create_community, create_estate, create_street_office
from voting.extensions import db
from voting.formatting import format_date
from voting.roster.parsing import BUILDING, ENTRANCE, ID_NUMBERS, OWNERS, ROOM, SEPARATOR, STATUS, USE
from voting.timeutil import utcnow

ARTIFACTS = REPO_ROOT / "test-artifacts" / "journey"
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


# --- the estate and the people --------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    username: str
    name: str
    id: int


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    officer: Account  # of the street office: forms the group, reviews, certifies
    community: Account  # of the residents' committee: its verdicts in the joint review
    clerks: tuple[Account, Account]


def found_place(app) -> Place:
    """A street office, its community and an estate without a roll, and their staff accounts."""
    tag = secrets.token_hex(3)
    with app.app_context():
        office = create_street_office("test", f"SO-{tag}", "浒山街道办事处")
        community = create_community("test", office, f"CO-{tag}", "金山社区居民委员会")
        estate = create_estate("test", f"JS-{tag}", "金山花园", community)
        db.session.flush()

        people = count(1)

        def account(role: Role, name: str, username: str, **scope) -> Account:
            staff = create_staff(
                "test",
                f"{username}-{tag}",
                name,
                PASSWORD,
                role,
                id_number=resident_id(next(people), "19700101"),
                **scope,
            )
            db.session.flush()
            return Account(staff.username, name, staff.id)

        place = Place(
            estate.code,
            estate.name,
            officer=account(Role.STREET_OFFICE, "陈立群", "chenliqun", street_office_id=office.id),
            community=account(Role.COMMUNITY, "林晓燕", "linxiaoyan", community_id=community.id),
            clerks=(
                account(Role.CLERK, "吴文静", "wuwenjing", estate_id=estate.id),
                account(Role.CLERK, "郑国华", "zhengguohua", estate_id=estate.id),
            ),
        )
        db.session.commit()
        return place


@dataclass(frozen=True)
class Owner:
    name: str
    id_number: str
    unit: str  # the unit's label on the roll, e.g. 1幢-1-502


def lone_flat_owners(rows: list[dict[str, str]], born_from: int = 1960, born_to: int = 1998) -> list[Owner]:
    """Owners of one delivered flat, alone, listed nowhere else, and of an age the default
    eligibility rules accept: they can sit in the group, stand, sign and object unambiguously."""
    listed = Counter(number for row in rows for number in row[ID_NUMBERS].split(SEPARATOR) if number)
    found = []
    for row in rows:
        number = row[ID_NUMBERS]
        if (
            row[USE] != "住宅"
            or row[STATUS] != DELIVERED
            or not row[OWNERS]
            or SEPARATOR in row[OWNERS]
            or listed[number] != 1
            or not born_from <= int(number[6:10]) <= born_to
        ):
            continue
        found.append(Owner(row[OWNERS], number, unit_label(row)))
    return found


def unit_label(row: dict[str, str]) -> str:
    """A roster row's unit as the roll labels it, e.g. 1幢-1-502 or 商业-S01."""
    return "-".join(p for p in (row[BUILDING], row[ENTRANCE], row[ROOM]) if p)


# --- browsers, screenshots, words -----------------------------------------------------------


class Browsers:
    """A fresh browser context per person (clerk and certifying keys live in each one's
    IndexedDB), numbered screenshots of every step, every console error of every page, and
    whatever a Chinese reader should not meet on a page shown in Chinese when it was shot."""

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.errors: list[str] = []
        self.unreadable: list[str] = []
        self.taken = 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob("*.png"):
            old.unlink()

    def _page(self, options: dict):
        context = self.browser.new_context(base_url=self.base_url, **options)
        self.contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and not message.location["url"].endswith("/favicon.ico")
                and self.errors.append(f"{page.url}: {message.text}")
            ),
        )
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        return page

    def desk(self, account: Account | str):
        """A desktop browser with this staff account logged in."""
        page = self._page(DESKTOP)
        page.goto("/login")
        page.fill('input[name="username"]', account if isinstance(account, str) else account.username)
        page.fill('input[name="password"]', PASSWORD)
        with page.expect_navigation():
            page.locator("main form button").click()
        assert "/login" not in page.url, "the login was refused"
        return page

    def phone(self):
        return self._page(PHONE)

    def artifact(self, step: str) -> Path:
        """The next numbered picture's path, test-artifacts/journey/NN-step.png."""
        self.taken += 1
        return ARTIFACTS / f"{self.taken:02d}-{step}.png"

    def shot(self, page, step: str) -> Path:
        """Screenshot the whole page; on a phone, first make sure nothing widens it past the screen."""
        if page.viewport_size == PHONE["viewport"]:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["viewport"]["width"], f"{page.url} is {width}px wide on a phone"
        path = self.artifact(step)
        page.screenshot(path=str(path), full_page=True)
        if page.evaluate("document.documentElement.lang").startswith("zh"):
            self.unreadable += [
                f"{path.name}: {fault}" for fault in faults_for_chinese_reader(readable_texts(page.content()))
            ]
        return path

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def zh(app, message: str, **values) -> str:
    """A message as the app shows it to a browser that asks for Chinese."""
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        return gettext(message, **values)


def zh_date(app, day: date) -> str:
    """A date as the app writes it for a browser that asks for Chinese."""
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        return format_date(day)


# --- the clock ------------------------------------------------------------------------------


class Clock:
    """The live server's clock (CLOCK_SHIFT): it runs in this process, so the test moves it."""

    def __init__(self, app):
        self.app = app

    def now(self) -> datetime:
        with self.app.app_context():
            return utcnow()

    def travel_to(self, moment: datetime) -> None:
        self.app.config["CLOCK_SHIFT"] = moment - datetime.now(UTC)

    def set_browser(self, page) -> None:
        """Give a browser the server's time: a witness's browser refuses a server clock far from its own."""
        page.clock.set_system_time(self.now())


# --- the printed notices --------------------------------------------------------------------


def fill_passphrase(page, form: str, passphrase: str) -> None:
    """Type the notices passphrase into each password field of the form (opening asks twice)."""
    fields = page.locator(f'{form} input[type="password"]')
    assert fields.count() > 0, f"no passphrase field in {form} on {page.url}"
    for field in fields.all():
        field.fill(passphrase)


def qr_on_page(pdf: Path, page_number: int, png: Path) -> str:
    """Print one page of the PDF at 150 dpi, as a scanner would see it, and read its QR code."""
    import zxingcpp

    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-f",
            str(page_number),
            "-l",
            str(page_number),
            "-png",
            "-singlefile",
            str(pdf),
            str(png.with_suffix("")),
        ],
        check=True,
        timeout=60,
    )
    codes = zxingcpp.read_barcodes(Image.open(png), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(codes) == 1, f"expected one QR code on page {page_number}, found {len(codes)}"
    return codes[0].text
