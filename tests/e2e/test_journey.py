"""A first owners' assembly from beginning to end, in real browsers, as the people involved go it.

The street office forms the preparation group; the group imports the roll, vets and publishes
the candidates; a week later it drafts the vote, the clerks and the street office register their
browser-held keys, the vote opens, the street office cosigns its empty log and its notices are
printed; an owner scans the QR code on a printed page and votes on a phone, then checks the
receipt; another owner hands a paper ballot in at the desk; a lost notice is revoked on the
group's request and the street office's approval; the street office cosigns the log from the
turnout page; the vote closes, the street office witnesses the close, and two clerks key the
paper afterwards; the vote is counted; the street office certifies in its browser; the day's head
of the log, the results, minutes and certification go up on the notice board; the public
record verifies with the project's verifier, the witnessed checkpoints with it, and the owner's
saved receipt checks against it as counted. Then a later assembly of the same estate: the group
posts its meeting notice and, after the notice period, opens a vote on a lift for one stairwell,
decided by its owners alone, and on a choice among three property companies; an owner inside
the stairwell and one outside vote on phones, each shown only what they decide; its results
and minutes go on the board. Staff work at desktop size, owners on phones; every person has a
browser of their own.

Screenshots of every step: test-artifacts/journey/NN-step.png. Run alone: pytest -k journey
(about three minutes; marked slow).
"""

import io
import json
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pypdf import PdfReader
from sqlalchemy import select

from tests.conftest import REPO_ROOT, unavailable
from tests.e2e.journey_kit import (
    Browsers,
    Clock,
    fill_passphrase,
    found_place,
    lone_flat_owners,
    qr_on_page,
    unit_label,
    zh,
    zh_date,
)
from tests.e2e.test_clerk_keys import DraftVote, enter, hand_in, register_key, scan_png, sign
from tests.e2e.test_phone_vote import choose
from tests.elections_kit import announced
from tests.factories import PASSWORD
from voting.ballots.models import Checkpoint, LogEntry
from voting.candidates.models import CandidateList, Nominee, NomineeReview
from voting.certification.models import CertificationDecision
from voting.core import checkpoint, merkle
from voting.core.canonical import b64d, parse_time
from voting.core.record_v2 import election_hash, entry_leaf_hash
from voting.core.weights import DELIVERED
from voting.elections.models import Election, Officer
from voting.estates.models import Estate
from voting.extensions import db
from voting.formatting import SHANGHAI
from voting.prep.models import PrepGroup
from voting.privacy import mask_name
from voting.roster.generate import generate_roster, write_xlsx
from voting.roster.parsing import BUILDING, ENTRANCE, ID_NUMBERS, SEPARATOR, STATUS, USE

VOTE_TITLE = "金山花园第一次业主大会表决"
LATER_TITLE = "金山花园业主大会加装电梯与选聘物业表决"
CHOICE_TITLE = "选聘小区物业服务企业"
COMPANIES = ("金盾物业服务有限公司", "绿城物业服务集团有限公司", "慈溪市安居物业管理有限公司")
LIST_TITLE = "选举第一届业主委员会"
PAPER_CHOICES = {"m1": "no", "m2": "abstain", "m3": ["c3-1", "c3-3"]}
NOTICES_PASSPHRASE = "金山花园 通知书口令 2026"
NOTICES_DOWNLOAD = 'form[action$="/notices/download"]'


@pytest.fixture
def journey(live_server, browser):
    if shutil.which("pdftoppm") is None:
        unavailable("pdftoppm (Debian's poppler-utils) prints the notices for the QR scan")
    app = live_server.app
    kept = app.config.get("PUBLIC_BASE_URL")
    app.config["PUBLIC_BASE_URL"] = live_server.base_url  # the printed QR codes lead to this server
    browsers = Browsers(browser, live_server.base_url)
    yield browsers
    browsers.close()
    app.config.pop("CLOCK_SHIFT", None)
    app.config["PUBLIC_BASE_URL"] = kept


def submit(page, selector: str) -> None:
    """Press a form's button and wait for the page the server answers with."""
    with page.expect_navigation():
        page.locator(selector).click()


def assert_flash(app, page, message: str, **values) -> None:
    """The page carries this success message, as the app words it for a Chinese browser."""
    expected = zh(app, message, **values)
    shown = page.locator("main > p.flash").all_inner_texts()
    assert expected in shown, f"expected {expected!r} on {page.url}; the page says {shown}"


def url_id(page, pattern: str) -> int:
    found = re.search(pattern, page.url)
    assert found, f"{page.url} does not match {pattern}"
    return int(found.group(1))


def values_of_cards(page) -> list[str]:
    return page.locator("main .cards .card .value").all_inner_texts()


# --- the steps ------------------------------------------------------------------------------


def import_roll(app, b: Browsers, page, code: str, path, units: int, voters: int | None, step: str) -> None:
    page.goto(f"/estates/{code}/roll/import")
    page.set_input_files('input[name="file"]', str(path))
    submit(page, "main form button")
    preview = values_of_cards(page)
    assert preview[0] == str(units) and (voters is None or preview[1] == str(voters)), preview
    b.shot(page, f"{step}-preview")
    submit(page, 'main form[method="post"] button')
    assert_flash(
        app,
        page,
        "Roll imported: %(units)d units, %(voters)d voters.",
        units=units,
        voters=voters if voters is not None else int(preview[1]),
    )
    b.shot(page, f"{step}-saved")


def propose(
    app,
    page,
    *,
    name: str,
    role: str,
    organisation: str = "",
    leader: bool = False,
    id_number: str = "",
    account: int = 0,
    new_account: tuple[str, str] | None = None,
) -> None:
    form = page.locator('main form[action$="/prep/members"]')
    form.locator('input[name="name"]').fill(name)
    form.locator('select[name="role"]').select_option(role)
    form.locator('input[name="organisation"]').fill(organisation)
    if leader:
        form.locator('input[name="leader"]').check()
    form.locator('input[name="id_number"]').fill(id_number)
    form.locator('select[name="account"]').select_option(str(account))
    if new_account:
        form.locator('input[name="new_username"]').fill(new_account[0])
        form.locator('input[name="new_password"]').fill(new_account[1])
    submit(page, 'main form[action$="/prep/members"] button')
    assert_flash(app, page, "%(name)s is proposed; confirm the composition to make the change.", name=name)


def nominate(app, page, code: str, list_id: int, number: int, owner, kind: str, **details) -> None:
    page.goto(f"/estates/{code}/candidates/{list_id}/nominate")
    page.select_option('select[name="kind"]', kind)
    page.fill('input[name="name"]', owner.name)
    page.fill('input[name="id_number"]', owner.id_number)
    page.fill('input[name="occupation"]', details.get("occupation", ""))
    if details.get("party_member"):
        page.check('input[name="party_member"]')
    page.fill('textarea[name="statement"]', details.get("statement", ""))
    page.fill('input[name="recommended_by"]', details.get("recommended_by", ""))
    page.fill('textarea[name="signatures"]', details.get("signatures", ""))
    submit(page, "main form button")
    assert_flash(app, page, "%(name)s is nominated as number %(number)d.", name=owner.name, number=number)


def record_verdicts(app, b: Browsers, page, code: str, list_id: int, step: str) -> list[int]:
    """Pass every rule this account attests, for every nominee; returns how many it could mark."""
    page.goto(f"/estates/{code}/candidates/{list_id}/")
    nominee_pages = [link.get_attribute("href") for link in page.locator('main table a[href*="/nominees/"]').all()]
    marked = []
    for href in nominee_pages:
        page.goto(href)
        passes = page.locator('form[action$="/reviews"] input[type="radio"][value="pass"]').all()
        for radio in passes:
            radio.check()
        marked.append(len(passes))
        if href == nominee_pages[0]:
            b.shot(page, step)
        submit(page, 'form[action$="/reviews"] button')
        assert_flash(app, page, "Verdicts recorded.")
    return marked


def register_certifying_key(officer, certification_url: str) -> str:
    """The street office's officer makes the vote's certifying key in the browser, which also
    witnesses the log; returns its officer id."""
    officer.goto(certification_url)
    officer.locator('[data-clerk-show="none"]').wait_for(state="visible")
    officer.locator('[data-clerk-action="register"] button').click()
    officer.locator('[data-clerk-show="registered"]').wait_for(state="visible")
    return officer.locator("[data-clerk-officer-id]").inner_text()


def confirm_opening(app, b: Browsers, group, step: str) -> None:
    """On the page that asks to confirm the opening: the notices passphrase twice, the tick."""
    fill_passphrase(group, 'form[action$="/open"]', NOTICES_PASSPHRASE)
    group.check('form[action$="/open"] input[name="confirmed"]')
    b.shot(group, step)
    submit(group, 'form[action$="/open"] button')
    assert_flash(app, group, "The vote is open and frozen. Print the voting notices now.")


def prepare_notices(group) -> None:
    """From the open vote's page: lay out the voting notices, the passphrase typed again."""
    submit(group, 'main a[href$="/notices/"]')
    fill_passphrase(group, 'form[action$="/notices/start"]', NOTICES_PASSPHRASE)
    submit(group, 'form[action$="/notices/start"] button')
    group.locator(f"{NOTICES_DOWNLOAD} button").wait_for(state="visible", timeout=90_000)  # reloads while rendering


def download_notices(group, path) -> None:
    """Download the notices, once: afterwards the page offers them no more."""
    fill_passphrase(group, NOTICES_DOWNLOAD, NOTICES_PASSPHRASE)
    with group.expect_download() as notices:
        group.locator(f"{NOTICES_DOWNLOAD} button").click()
    notices.value.save_as(path)
    group.reload()
    assert group.locator(NOTICES_DOWNLOAD).count() == 0


def cosign(app, b: Browsers, clock: Clock, officer, vote_url: str, label: str, step: str) -> None:
    """The street office's officer cosigns the log from the vote's page, with the key in the browser."""
    clock.set_browser(officer)
    officer.goto(vote_url)
    with officer.expect_navigation():
        officer.locator('[data-clerk-action="cosign"] button', has_text=zh(app, label)).click()
    b.shot(officer, step)


def close_witnessed(app, b: Browsers, clock: Clock, group, officer, vote_url: str) -> None:
    """The period over, the group closes the vote and the street office witnesses the final log."""
    group.goto(vote_url)
    submit(group, 'form[action$="/close"] button')
    assert_flash(app, group, "The vote is closed.")
    cosign(app, b, clock, officer, vote_url, "Cosign the final log", "cosign-close")


def count_the_vote(app, group, vote_url: str) -> None:
    """The group counts the vote and opens its results."""
    group.goto(vote_url)
    submit(group, 'form[action$="/tally"] button')
    assert_flash(app, group, "The vote is counted.")
    group.goto(vote_url + "results")


def publish_the_results(app, b: Browsers, group, vote_url: str, scrutineers) -> None:
    """Publishing asks first: what goes public, that it cannot be taken back silently, the figures.
    The results announcement and the minutes are then laid out in the background."""
    group.goto(vote_url)
    submit(group, 'main a[href*="/board/elections/"][href$="/results"]')
    assert (
        zh(
            app,
            "Once published they cannot be taken back silently: withdrawing a document needs a written "
            "reason, and the entry, the document and the reason stay visible on the board.",
        )
        in group.locator("main .consequence").inner_text()
    )
    group.fill("#scrutineers", "，".join(person.name for person in scrutineers))
    group.check('form[action$="/results"] input[name="confirmed"]')
    b.shot(group, "publish-results-confirm")
    submit(group, 'form[action$="/results"] button')
    assert group.locator("main > p.flash.success").count() == 1 and group.locator("main > p.flash.error").count() == 0
    b.shot(group, "board-manage")


def board_awaiting(reader, code: str, titles: set[str]) -> list[str]:
    """The titles the public board lists as current, once these are among them (the results and
    minutes are laid out in the background), or after a minute."""
    deadline = time.monotonic() + 60
    while True:
        reader.goto(f"/p/{code}/board/")
        posted = reader.locator("main ul").first.locator("li > a").all_inner_texts()
        if titles <= set(posted) or time.monotonic() > deadline:
            return posted
        reader.wait_for_timeout(500)


def pdf_pages(document: bytes) -> list[str]:
    """Each page's text without its line breaks and spaces, as a reader would search it."""
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(document)).pages]


def board_document(reader, code: str, title: str) -> bytes:
    """The PDF of the public board's entry of this title, as anyone downloads it."""
    reader.goto(f"/p/{code}/board/")
    with reader.expect_navigation():
        reader.get_by_role("link", name=title, exact=True).click()
    document = reader.request.get(reader.locator('main a[href$="/document.pdf"]').get_attribute("href"))
    assert document.ok and document.headers["content-type"] == "application/pdf"
    return document.body()


# --- the journey ----------------------------------------------------------------------------


@pytest.mark.slow
def test_journey_from_preparation_group_to_certified_record(live_server, journey, tmp_path):
    b, app, clock = journey, live_server.app, Clock(live_server.app)
    place = found_place(app)
    code = place.code
    roster = generate_roster(40, seed=6)
    owners = lone_flat_owners(roster.rows)
    assert len(owners) >= 6, "the seed must give six owners who can sit in the group and stand"
    representatives, nominees = owners[:3], owners[3:6]
    objector = representatives[2]
    registry_extract = [row for row in roster.rows if row[USE] != "车位"]  # parking spaces listed later
    write_xlsx(registry_extract, tmp_path / "registry.xlsx")
    write_xlsx(roster.rows, tmp_path / "roll.xlsx")
    group_username = f"prep-{code.lower()}"

    # 1. The street office imports the registry's extract and forms the preparation group.
    officer = b.desk(place.officer)
    officer.goto(f"/estates/{code}")
    assert officer.locator("html").get_attribute("lang") == "zh-CN"
    b.shot(officer, "street-office-estate")
    import_roll(app, b, officer, code, tmp_path / "registry.xlsx", len(registry_extract), None, "registry-extract")
    officer.goto(f"/estates/{code}/prep/")
    propose(
        app,
        officer,
        name=place.officer.name,
        role="street_office",
        organisation="浒山街道办事处",
        leader=True,
        account=place.officer.id,
    )
    propose(
        app,
        officer,
        name=place.community.name,
        role="community",
        organisation="金山社区居民委员会",
        account=place.community.id,
    )
    propose(
        app,
        officer,
        name=representatives[0].name,
        role="owner",
        id_number=representatives[0].id_number,
        new_account=(group_username, PASSWORD),
    )
    propose(app, officer, name=representatives[1].name, role="owner", id_number=representatives[1].id_number)
    # Four members cannot be confirmed: the page says why before anyone tries.
    assert officer.locator("main ul.errors li").all_inner_texts() == [
        zh(app, "The group would have %(count)d members; it needs an odd number.", count=4)
    ]
    b.shot(officer, "group-of-four-refused")
    propose(app, officer, name=representatives[2].name, role="owner", id_number=representatives[2].id_number)
    assert officer.locator("main ul.errors").count() == 0
    submit(officer, 'form[action$="/prep/confirm"] button')
    assert_flash(app, officer, "The composition is confirmed and its member list is public.")
    b.shot(officer, "group-confirmed")
    with app.app_context():
        formed = db.session.scalar(select(PrepGroup).join(Estate).where(Estate.code == code))
        assert formed.published_at is not None
        assert sorted(m.role for m in formed.members if m.is_current) == [
            "community",
            "owner",
            "owner",
            "owner",
            "street_office",
        ]
    officer.goto(f"/p/{code}/prep/")
    published = officer.locator("main").inner_text()
    assert all(mask_name(o.name) in published and o.name not in published for o in representatives)
    b.shot(officer, "group-public")

    # 2. The group's member imports the complete roll, parking spaces included, and publishes it.
    group = b.desk(group_username)
    summary = roster.expected_summary()
    import_roll(app, b, group, code, tmp_path / "roll.xlsx", summary["units"], summary["voters"], "roll")
    submit(group, 'form[action$="/roll/publish"] button')
    assert_flash(app, group, "The masked roll is now public.")

    # 3. Candidates: a list, three nominations of three kinds, the joint review, publication.
    group.goto(f"/estates/{code}/candidates/")
    group.fill('input[name="title"]', LIST_TITLE)
    group.select_option('select[name="kind"]', "by_election")  # two seats: a by-election (补选)
    group.fill('input[name="seats"]', "2")
    group.fill('input[name="margin_percent"]', "20")
    group.fill('input[name="publication_days"]', "7")
    group.fill('input[name="min_joint_households"]', "2")
    submit(group, "main form button")
    list_id = url_id(group, r"/candidates/(\d+)/$")
    nominate(
        app,
        group,
        code,
        list_id,
        1,
        nominees[0],
        "self",
        occupation="退休教师",
        party_member=True,
        statement="愿为小区公共事务尽心尽力。",
    )
    nominate(
        app, group, code, list_id, 2, nominees[1], "community", occupation="会计师", recommended_by="金山社区党支部"
    )
    nominate(
        app,
        group,
        code,
        list_id,
        3,
        nominees[2],
        "joint",
        occupation="工程师",
        signatures="\n".join(f"{o.name} {o.id_number}" for o in representatives[:2]),
    )
    group.goto(f"/estates/{code}/candidates/{list_id}/")
    assert group.locator('main table a[href*="/nominees/"]').all_inner_texts() == [n.name for n in nominees]
    b.shot(group, "nominations")
    submit(group, 'form[action$="/review"] button')
    assert_flash(app, group, "Nominations are closed; the joint review has begun.")

    community = b.desk(place.community)
    assert record_verdicts(app, b, community, code, list_id, "review-community") == [2, 2, 2]
    assert record_verdicts(app, b, officer, code, list_id, "review-street-office") == [7, 7, 7]
    with app.app_context():
        recorded = {
            (r.nominee_id, r.rule_code, r.body): r.recorded_by
            for r in db.session.scalars(select(NomineeReview).join(Nominee).where(Nominee.list_id == list_id))
        }
    assert len(recorded) == 3 * 7  # seven attested rules for each of the three nominees
    assert {by for (_n, _rule, body), by in recorded.items() if body == "community"} == {place.community.username}
    assert {by for (_n, _rule, body), by in recorded.items() if body != "community"} == {place.officer.username}
    group.goto(f"/estates/{code}/candidates/{list_id}/")
    submit(group, 'form[action$="/publish"] button')
    assert_flash(app, group, "The vetted list is published.")
    b.shot(group, "list-published")

    # An owner reads the published list on a phone and objects; the group answers in writing.
    owner = b.phone()
    owner.goto(f"/p/{code}/candidates/{list_id}/")
    public_list = owner.locator("main").inner_text()
    # Named in full, so that owners know whom to object to; never an ID number.
    assert all(n.name in public_list and n.id_number not in public_list for n in nominees)
    owner.fill('input[name="unit_label"]', objector.unit)
    owner.fill('input[name="id_last4"]', objector.id_number[-4:])
    owner.fill('textarea[name="text"]', "请说明候选人是否都已缴清物业费。")
    b.shot(owner, "objection-form")
    submit(owner, "main form button")
    assert "/objections/" in owner.url
    objection_page = owner.url
    group.goto(f"/estates/{code}/candidates/{list_id}/objections")
    group.fill('textarea[name="answer"]', "经社区核查，三名候选人均无欠缴物业费。")
    submit(group, 'form[action$="/answer"] button')
    assert_flash(app, group, "The answer is recorded.")
    owner.goto(objection_page)
    assert "经社区核查，三名候选人均无欠缴物业费。" in owner.locator("main").inner_text()
    b.shot(owner, "objection-answered")

    # 4. The seven days of publication pass; the group drafts the vote.
    clock.travel_to(clock.now() + timedelta(days=8))
    opens = (clock.now() + timedelta(hours=2)).astimezone(SHANGHAI).replace(second=0, microsecond=0)
    closes = opens + timedelta(days=3)
    group.goto(f"/estates/{code}/elections/")
    group.fill('input[name="title"]', VOTE_TITLE)
    group.fill('input[name="opens_at"]', opens.strftime("%Y-%m-%dT%H:%M"))
    group.fill('input[name="closes_at"]', closes.strftime("%Y-%m-%dT%H:%M"))
    submit(group, "main form button")
    election_id = url_id(group, r"/elections/(\d+)/$")
    for item, title in (("4", "选聘金盾物业服务有限公司为小区物业服务企业"), ("6", "筹集专项维修资金用于更换2号电梯")):
        group.select_option('form[action$="/motions"] select[name="item"]', item)
        group.fill('form[action$="/motions"] input[name="title"]', title)
        submit(group, 'form[action$="/motions"] button')
    submit(group, f'form[action$="/candidates/{list_id}/motion/{election_id}"] button')
    assert_flash(app, group, "The committee motion is added with the vetted candidates.")
    motions = group.locator("main > ol > li")
    assert motions.count() == 3
    assert motions.nth(2).locator("li").all_inner_texts() == [n.name for n in nominees]

    # The two clerks and the street office's officer make their keys in their own browsers.
    paper_url = f"/estates/{code}/elections/{election_id}/paper"
    draft = DraftVote(election_id, paper_url, (place.clerks[0].username, place.clerks[1].username))
    clerk_a, clerk_b = b.desk(place.clerks[0]), b.desk(place.clerks[1])
    clerk_ids = (register_key(live_server, clerk_a, draft), register_key(live_server, clerk_b, draft))
    b.shot(clerk_b, "clerk-key-registered")
    certification_url = f"/estates/{code}/elections/{election_id}/certification/"
    certifying_id = register_certifying_key(officer, certification_url)
    b.shot(officer, "certifying-key-registered")
    # The group's member makes the key that signs revocations and reissues; the street office's
    # certifying key is the second signature such an act needs.
    group.goto(f"/estates/{code}/elections/{election_id}/credentials/key")
    group.locator('[data-clerk-action="register"] button').click()
    group.locator('[data-clerk-show="registered"]').wait_for(state="visible")
    group_key_id = group.locator("[data-clerk-officer-id]").inner_text()
    with app.app_context():
        officers = {
            o.officer_id: o.role for o in db.session.scalars(select(Officer).where(Officer.election_id == election_id))
        }
    assert officers == {
        clerk_ids[0]: "clerk",
        clerk_ids[1]: "clerk",
        certifying_id: "street_office",
        group_key_id: "preparation_group",
    }
    # The meeting notice and the roll have been public for the rules' notice periods: weeks the
    # journey does not wait.
    with app.app_context():
        announced(db.session.get(Election, election_id))
        db.session.commit()

    # 5. The group opens the vote, setting the passphrase its notices are sealed under, and prints
    # the notices, once, typing the passphrase again to prepare and to download them.
    # Opening asks first: its page says what opening locks, and the box must be ticked.
    group.goto(f"/estates/{code}/elections/{election_id}/")
    b.shot(group, "vote-draft")
    submit(group, f'main a[href$="/elections/{election_id}/open"]')
    assert (
        zh(
            app,
            "Once the vote opens, the motions, the candidates and the owner roll are locked and can no longer "
            "be changed.",
        )
        in group.locator("main .consequence").inner_text()
    )
    fill_passphrase(group, 'form[action$="/open"]', NOTICES_PASSPHRASE)
    group.locator('form[action$="/open"] button').click()  # unticked: the browser does not send it
    assert group.url.endswith(f"/elections/{election_id}/open")
    confirm_opening(app, b, group, "vote-open-confirm")
    with app.app_context():
        election = db.session.get(Election, election_id)
        public_id, voters = election.public_id, len(json.loads(election.roll_json)["voters"])
    assert voters == summary["voters"]
    # The street office's officer, on the vote's page, cosigns the log as it opens: empty.
    cosign(
        app, b, clock, officer, f"/estates/{code}/elections/{election_id}/", "Cosign the opening log", "cosign-opening"
    )
    cosigned_at_opening = zh(app, "You last cosigned the log at %(num)d ballot, at %(time)s.", num=0, time="|")
    assert officer.locator("[data-witness-last]").inner_text().startswith(cosigned_at_opening.split("|")[0])
    prepare_notices(group)
    fill_passphrase(group, NOTICES_DOWNLOAD, NOTICES_PASSPHRASE + "!")  # mistyped: refused, the file stays
    submit(group, f"{NOTICES_DOWNLOAD} button")
    assert_flash(app, group, "That is not the notices passphrase set when the vote was opened. Nothing was changed.")
    b.shot(group, "notices-ready")
    download_notices(group, tmp_path / "notices.pdf")
    b.shot(group, "notices-downloaded")
    assert len(PdfReader(tmp_path / "notices.pdf").pages) == voters
    ballot_url = qr_on_page(tmp_path / "notices.pdf", 1, b.artifact("notice-page-1"))
    assert ballot_url.startswith(f"{live_server.base_url}/v/{public_id}#")

    # 6. Voting opens. The owner of the first notice scans it and votes on a phone.
    clock.travel_to(opens + timedelta(minutes=10))
    voter = b.phone()
    voter.goto(ballot_url)
    voter.locator('fieldset[data-motion-id="m1"]').wait_for(state="visible")
    assert "#" not in voter.url
    phone_units = voter.locator('#step-voter [data-slot="units"]').inner_text().split("、")
    b.shot(voter, "phone-first-motion")
    for motion_id in ("m1", "m2"):
        choose(voter, motion_id, "yes")
        voter.locator(f'fieldset[data-motion-id="{motion_id}"] [data-go="next"]').tap()
    choose(voter, "m3", "c3-1")
    choose(voter, "m3", "c3-2")
    b.shot(voter, "phone-committee")
    voter.locator('fieldset[data-motion-id="m3"] [data-go="next"]').tap()
    review = voter.locator("#review-list li")
    assert review.count() == 3
    assert review.nth(2).locator(".review-choice").inner_text() == f"{nominees[0].name}、{nominees[1].name}"
    b.shot(voter, "phone-review")
    voter.locator("#submit-ballot").tap()
    voter.locator("#step-receipt").wait_for(state="visible")
    receipt = json.loads(voter.locator("#receipt-json").input_value())
    assert receipt["seq"] == 1 and receipt["election_id"] == public_id  # after the notices' download
    b.shot(voter, "phone-receipt")
    voter.goto(f"/v/{public_id}/receipt")
    voter.locator("#receipt-load").tap()
    voter.locator('#receipt-form button[type="submit"]').tap()
    voter.locator("#receipt-ok").wait_for(state="visible")
    voter.locator("#receipt-ok summary").tap()  # the proofs' words are folded away
    assert voter.locator('#receipt-ok [data-slot="message"]').inner_text() == zh(
        app,
        "Your ballot is entry %(seq)d of the log, and the log, now %(size)d entries long, still holds it "
        "unchanged. Once the vote is counted, this page also tells whether it is the ballot that counts.",
        seq=receipt["seq"],
        size=receipt["seq"] + 1,
    )
    b.shot(voter, "phone-receipt-checked")

    # 7. Another owner hands a paper ballot in at the desk before the close; clerk A logs the
    # hand-in, signed in the browser, and writes its number on the owner's slip.
    paper_voter = next(o for o in owners if o.unit not in phone_units)
    desk_receipt = hand_in(clerk_a, paper_url + "/handins/new", paper_voter.unit, identity_checked=True)
    b.shot(clerk_a, "paper-handed-in")

    # A third owner lost the notice: the group asks for a revocation, the street office approves it.
    lost = next(o for o in owners if o.unit not in phone_units and o is not paper_voter)
    group.goto(f"/estates/{code}/elections/{election_id}/notices/")
    group.fill("#unit", lost.unit)
    group.check('input[name="action"][value="revoke"]')
    group.select_option("#reason", "lost")
    submit(group, 'form[action$="/credentials/"] button')
    group.locator('[data-clerk-action="sign"] button').click()
    group.locator(
        "main",
        has_text=zh(app, "Another person of the preparation group or the street office must approve this request."),
    ).wait_for()
    request_url = group.url
    b.shot(group, "revocation-requested")
    clock.set_browser(officer)
    officer.goto(request_url)
    with officer.expect_navigation():
        officer.locator('[data-clerk-action="sign"] button', has_text=zh(app, "Approve with my key")).click()
    b.shot(officer, "revocation-approved")
    with app.app_context():
        entries = [
            json.loads(text)
            for text in db.session.scalars(
                select(LogEntry.entry_json).where(LogEntry.election_id == election_id).order_by(LogEntry.seq)
            )
        ]
    assert [e["kind"] for e in entries] == ["notices", "ballot", "handin", "credential"]
    assert entries[2]["body"]["desk_receipt"] == desk_receipt and entries[2]["body"]["identity_checked"] is True
    act = entries[3]
    assert (act["body"]["action"], act["body"]["reason"], act["body"]["public_key"]) == ("revoke", "lost", None)
    assert [s["signer"] for s in act["signatures"]] == [group_key_id, certifying_id]
    group.goto(f"/estates/{code}/elections/{election_id}/turnout")
    assert values_of_cards(group)[0] == f"1 / {voters}"  # the paper is handed in, not yet keyed
    b.shot(group, "turnout")
    # While voting runs, the street office cosigns the log with one click on the turnout page.
    officer.goto(f"/estates/{code}/elections/{election_id}/turnout")
    with officer.expect_navigation():
        officer.locator('[data-clerk-action="cosign"] button').click()
    b.shot(officer, "turnout-cosigned")
    with app.app_context():
        cosigned = {
            made.size: [(c.witness, c.time) for c in made.cosignatures]
            for made in db.session.scalars(select(Checkpoint).where(Checkpoint.election_id == election_id))
        }
    assert [witness for witness, _time in cosigned[0] + cosigned[4]] == [certifying_id, certifying_id]

    # 8. The period ends; the group closes the vote. The street office witnesses the log at the
    # close: from then on only paper ballots handed in before it can join the log.
    clock.travel_to(closes + timedelta(hours=1))
    close_witnessed(app, b, clock, group, officer, f"/estates/{code}/elections/{election_id}/")

    # The sealed paper is keyed after the close: clerk A keys and signs it, clerk B keys it blind
    # and signs. It counts from its hand-in, before the close.
    clerk_a.goto(paper_url + "/key")
    enter(clerk_a, paper_voter.unit, PAPER_CHOICES, desk_receipt)
    clerk_a.set_input_files("#scan", files=[{"name": "scan.png", "mimeType": "image/png", "buffer": scan_png()}])
    b.shot(clerk_a, "paper-keyed-after-the-close")
    submit(clerk_a, 'main form[method="post"] button')
    clerk_a.locator('[data-clerk-action="sign"]').wait_for(state="visible")
    sign(clerk_a)
    paper_id = url_id(clerk_a, r"/ballots/(\d+)$")
    clerk_b.goto(paper_url + "/")
    submit(clerk_b, f'main a[href$="/ballots/{paper_id}/check"]')
    assert clerk_b.locator("main input:checked").count() == 0  # the first entry stays unseen
    enter(clerk_b, paper_voter.unit, PAPER_CHOICES)
    b.shot(clerk_b, "paper-checked-blind")
    submit(clerk_b, 'main form[method="post"] button')
    clerk_b.locator('[data-clerk-action="sign"]').wait_for(state="visible")
    sign(clerk_b)
    assert values_of_cards(clerk_b)[0] == zh(app, "In the log")
    b.shot(clerk_b, "paper-logged")
    with app.app_context():
        entries = [
            json.loads(text)
            for text in db.session.scalars(
                select(LogEntry.entry_json).where(LogEntry.election_id == election_id).order_by(LogEntry.seq)
            )
        ]
    assert [e["kind"] for e in entries] == ["notices", "ballot", "handin", "credential", "ballot"]
    assert entries[1]["body"]["choices"] == {"m1": "yes", "m2": "yes", "m3": ["c3-1", "c3-2"]}
    paper = entries[4]
    assert (paper["body"]["channel"], paper["body"]["handin"], paper["body"]["choices"]) == ("paper", 2, PAPER_CHOICES)
    assert (
        parse_time(paper["logged_at"]) > closes > parse_time(entries[2]["logged_at"])
    )  # keyed after, handed in before
    assert [s["signer"] for s in paper["signatures"]] == list(clerk_ids)

    count_the_vote(app, group, f"/estates/{code}/elections/{election_id}/")
    assert values_of_cards(group)[:2] == ["2", str(voters)]
    b.shot(group, "results")

    # 9. The street office sees the verifier's verdict and certifies with the key in its browser.
    officer.goto(certification_url)
    verdict = officer.locator(
        "main p.flash.success",
        has_text=zh(app, "VALID: every signature, the log, the tree head and the recount check out."),
    )
    assert verdict.is_visible()
    b.shot(officer, "certification-valid")
    # Certifying asks first: the figures being certified, what it does, and the box to tick.
    submit(officer, 'main a[href$="/certification/confirm"]')
    assert zh(app, "The figures being certified") in officer.locator("main h2").all_inner_texts()
    assert officer.locator("main section.motion").count() == 3
    officer.locator('[data-clerk-action="sign"] button').wait_for(state="visible")
    officer.locator('[data-clerk-action="sign"] button').click()  # unticked: nothing is signed
    assert officer.locator('[data-clerk-action="sign"] button').is_enabled()
    assert officer.locator("[data-clerk-working]").is_hidden()
    with app.app_context():
        assert (
            db.session.scalar(select(CertificationDecision).where(CertificationDecision.election_id == election_id))
            is None
        )
    officer.check("[data-clerk-confirm]")
    b.shot(officer, "certification-confirm")
    with officer.expect_navigation():
        officer.locator('[data-clerk-action="sign"] button').click()
    certifier = zh(app, "%(name)s (%(role)s)", name=place.officer.name, role=zh(app, "Street office officer"))
    assert officer.locator("main ul li", has_text=zh(app, "Certified by %(officer)s", officer=certifier)).count() == 1
    b.shot(officer, "certified")
    with app.app_context():
        decisions = db.session.scalars(
            select(CertificationDecision).where(CertificationDecision.election_id == election_id)
        ).all()
        assert [(d.decision, d.officer_id) for d in decisions] == [("certified", certifying_id)]

    # 10. The group publishes the results announcement and the minutes (laid out in the background).
    # Publishing asks first: what goes public, that it cannot be taken back silently, the figures.
    publish_the_results(app, b, group, f"/estates/{code}/elections/{election_id}/", representatives[1:3])

    # 11. Anyone: the notice board shows the three documents; the record verifies and counts both ballots.
    reader = b.phone()
    expected = sorted(
        [
            zh(
                app,
                "Head of the ballot log on %(day)s: %(title)s",
                title=VOTE_TITLE,
                day=zh_date(app, (opens + timedelta(minutes=10)).date()),
            ),
            zh(app, "Notice of the meeting: %(title)s", title=VOTE_TITLE),
            zh(app, "Results of the vote: %(title)s", title=VOTE_TITLE),
            zh(app, "Minutes and resolutions: %(title)s", title=VOTE_TITLE),
            zh(app, "Certification by the street office: %(title)s", title=VOTE_TITLE),
        ]
    )
    assert sorted(board_awaiting(reader, code, set(expected))) == expected
    b.shot(reader, "public-board")
    submit(reader, "main ul li > a >> nth=0")
    document = reader.request.get(reader.locator('main a[href$="/document.pdf"]').get_attribute("href"))
    assert document.ok and document.headers["content-type"] == "application/pdf"
    assert document.body().startswith(b"%PDF")
    # A printout's PDF checks against the fingerprint the board keeps.
    reader.set_input_files(
        "#document", files=[{"name": "notice.pdf", "mimeType": "application/pdf", "buffer": document.body()}]
    )
    submit(reader, 'main form[enctype="multipart/form-data"] button')
    assert_flash(app, reader, "Identical: this is the published document.")
    b.shot(reader, "public-board-entry")
    reader.goto(f"/p/{code}/")
    b.shot(reader, "public-estate")
    with reader.expect_download() as download:
        reader.locator('main a[href$="/record.json"]').click()
    download.value.save_as(tmp_path / "record.json")
    verified = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "verify_record.py"), str(tmp_path / "record.json"), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    tally = json.loads(verified.stdout)
    assert tally["counted"] == 2
    assert [m["participation"]["heads"] for m in tally["motions"]] == [2, 2, 2]
    record = json.loads((tmp_path / "record.json").read_text(encoding="utf-8"))
    assert [c["body"]["officer_id"] for c in record["certifications"]] == [certifying_id]
    # The witnessed heads: valid C2SP checkpoints of prefixes of the published log, cosigned in the browser.
    heads = record["checkpoints"]
    leaves = [entry_leaf_hash(entry) for entry in record["log"]]
    log_key = Ed25519PublicKey.from_public_bytes(b64d(record["election"]["election_public_key"]))
    officer_key = Ed25519PublicKey.from_public_bytes(
        b64d(next(o["public_key"] for o in record["election"]["officers"] if o["officer_id"] == certifying_id))
    )
    assert heads[0]["size"] == 0 and heads[-1]["size"] == 4  # the close, before the paper was keyed
    assert [h["size"] for h in heads] == sorted({h["size"] for h in heads})
    for head in heads:
        assert b64d(head["root"]) == merkle.root(leaves[: head["size"]])
        text = checkpoint.text(election_hash(record["election"]), head["size"], b64d(head["root"]))
        log_key.verify(b64d(head["signature"]), text)
        for cosignature in head["cosignatures"]:
            officer_key.verify(
                b64d(cosignature["signature"]), checkpoint.cosignature_message(text, cosignature["time"])
            )
    assert [[c["witness"] for c in h["cosignatures"]] for h in (heads[0], heads[-1])] == [[certifying_id]] * 2

    # 12. The owner who voted on the phone checks the receipt kept there against the published
    # record: on the phone, and with the verifier on a computer, from the receipt saved as a file.
    voter.goto(f"/v/{public_id}/receipt")
    voter.locator("#receipt-load").tap()
    voter.locator('#receipt-form button[type="submit"]').tap()
    voter.locator("#receipt-ok").wait_for(state="visible")
    voter.locator("#receipt-ok summary").tap()  # the proofs' words are folded away
    assert voter.locator('#receipt-ok [data-slot="message"]').inner_text() == zh(
        app,
        "Your ballot is entry %(seq)d of the published record, and it is the ballot counted for your vote.",
        seq=receipt["seq"],
    )
    b.shot(voter, "phone-receipt-published")
    (tmp_path / "receipt.json").write_text(json.dumps(receipt), encoding="utf-8")
    checked = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "scripts" / "verify_record.py"),
            str(tmp_path / "record.json"),
            "--receipt",
            str(tmp_path / "receipt.json"),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    finding = json.loads(checked.stdout)
    assert (finding["receipt"], finding["seq"], finding["status"]) == ("valid", receipt["seq"], "counted")
    with app.app_context():
        assert db.session.get(CandidateList, list_id).state == "adopted"

    # 13. A later assembly: a lift for one stairwell and a choice among three property companies.
    hold_a_later_assembly(live_server, b, clock, code, (group, officer, reader), roster, owners, tmp_path)

    assert b.errors == []  # before the one page expected to fail to load
    # 14. A notice link mistyped by hand: a page in Chinese that fits the phone and leads back.
    assert reader.goto(f"/v/{public_id}x").status == 404
    assert reader.locator("main a").count() > 0
    b.shot(reader, "mistyped-link")
    # The street office reads what happened in words: who, what, when.
    officer.goto(f"/estates/{code}/audit")
    b.shot(officer, "audit-log")
    assert not b.unreadable, "\n".join(b.unreadable)


# --- a later assembly -----------------------------------------------------------------------

# Adding a lift builds its shaft and landings on the stairwell's common parts and changes what
# they are used for: art. 278 item 8 (改变共有部分的用途), a major matter needing three quarters of
# the participating area and heads (art. 278 para. 2), within the stairwell whose owners bear it
# (DOMAIN: a vote limited to a stairwell). Item 9 (other major matters) would leave a lift to an
# ordinary majority, which the law's special rule for changes to common parts does not allow.
LIFT_ITEM = 8
PROPERTY_ITEM = 4  # hiring the property services company: an ordinary matter


def vote_on_phone(b: Browsers, phone, ballot_url: str, picks: dict[str, str], step: str) -> list[str]:
    """Scan the notice's QR code and vote: picks maps each motion shown, in order, to a value of a
    yes/no motion or the title of an option. Returns the units the phone votes for."""
    phone.goto(ballot_url)
    phone.locator("fieldset.motion:visible").wait_for()
    assert phone.locator("fieldset.motion").evaluate_all("all => all.map(f => f.dataset.motionId)") == list(picks)
    units = phone.locator('#step-voter [data-slot="units"]').inner_text().split("、")
    for motion_id, pick in picks.items():
        motion = phone.locator(f'fieldset[data-motion-id="{motion_id}"]')
        if motion.get_attribute("data-kind") == "choice":
            motion.locator("label.choice", has_text=pick).tap()
        else:
            choose(phone, motion_id, pick)
        b.shot(phone, f"{step}-{motion_id}")
        motion.locator('[data-go="next"]').tap()
    assert phone.locator("#review-list li").count() == len(picks)
    phone.locator("#submit-ballot").tap()
    phone.locator("#step-receipt").wait_for(state="visible")
    return units


def law_outcome(entry: dict) -> str:
    """What Civil Code art. 278 decides from a counted motion's figures (record tally, spec v2 §7):
    quorum on 2/3 of the area and heads in its scope; then 3/4 (items 6–8) or more than half of
    those taking part, for yes or for an option."""
    totals, part = entry["totals"], entry["participation"]
    if not all(3 * part[m] >= 2 * totals[m] for m in ("area", "heads")):
        return "not_quorate"
    major = 6 <= entry["item"] <= 8

    def passes(weight: dict) -> bool:
        return all((4 * weight[m] >= 3 * part[m]) if major else (2 * weight[m] > part[m]) for m in ("area", "heads"))

    if entry["kind"] == "choice":
        return "adopted" if any(passes(option) for option in entry["options"]) else "none_adopted"
    return "passed" if passes(entry["yes"]) else "failed"


def hold_a_later_assembly(live_server, b: Browsers, clock: Clock, code: str, staff, roster, owners, tmp_path) -> None:
    """The group posts the meeting notice of a second vote: a lift for the stairwell with the most
    homes, decided by its owners alone, and a choice among three companies for the whole estate.
    After the notice period it opens; an owner inside the stairwell and one outside vote on their
    phones; the vote closes witnessed, is counted, and its results and minutes go on the board."""
    app = live_server.app
    group, officer, reader = staff
    homes = Counter((row[BUILDING], row[ENTRANCE]) for row in roster.rows if row[USE] == "住宅" and row[ENTRANCE])
    (building, entrance), _homes = homes.most_common(1)[0]
    scope = f"{building}{entrance}单元"  # as the estate's records name a stairwell
    stairwell = [row for row in roster.rows if (row[BUILDING], row[ENTRANCE]) == (building, entrance)]
    people_inside = {number for row in stairwell for number in row[ID_NUMBERS].split(SEPARATOR) if number}
    neighbour = next(o for o in owners if o.unit in {unit_label(row) for row in stairwell})
    # An owner of a delivered unit elsewhere (a shop), with no share in any unit of the stairwell.
    outsider_unit = next(
        unit_label(row)
        for row in roster.rows
        if row[STATUS] == DELIVERED and row[ID_NUMBERS] and not people_inside & set(row[ID_NUMBERS].split(SEPARATOR))
    )

    # The group drafts the vote: the lift through the motion form's stairwell list, the choice
    # through the choice form, one company a line.
    opens = (clock.now() + timedelta(days=16)).astimezone(SHANGHAI).replace(second=0, microsecond=0)
    closes = opens + timedelta(days=3)
    group.goto(f"/estates/{code}/elections/")
    group.fill('input[name="title"]', LATER_TITLE)
    group.fill('input[name="opens_at"]', opens.strftime("%Y-%m-%dT%H:%M"))
    group.fill('input[name="closes_at"]', closes.strftime("%Y-%m-%dT%H:%M"))
    submit(group, "main form button")
    election_id = url_id(group, r"/elections/(\d+)/$")
    vote_url = f"/estates/{code}/elections/{election_id}/"
    motion_form, choice_form = 'form[action$="/motions"]', 'form[action$="/choice-motions"]'
    group.select_option(f'{motion_form} select[name="item"]', str(LIFT_ITEM))
    group.fill(f'{motion_form} input[name="title"]', f"在{scope}加装电梯")
    group.select_option(f'{motion_form} select[name="stairwells"]', label=scope)
    b.shot(group, "later-lift-motion")
    submit(group, f"{motion_form} button")
    group.select_option(f'{choice_form} select[name="item"]', str(PROPERTY_ITEM))
    group.fill(f'{choice_form} input[name="title"]', CHOICE_TITLE)
    group.fill(f'{choice_form} textarea[name="options"]', "\n".join(COMPANIES))
    submit(group, f"{choice_form} button")
    motions = group.locator("main > ol > li")
    assert motions.count() == 2
    assert zh(app, "Decided only by the owners of %(scope)s.", scope=scope) in motions.nth(0).inner_text()
    assert motions.nth(1).locator("li").all_inner_texts() == list(COMPANIES)
    b.shot(group, "later-vote-draft")
    register_certifying_key(officer, vote_url + "certification/")

    # The meeting notice goes on the board; the vote opens once it has been up the rules' 15 days.
    group.goto(f"/estates/{code}/board/")
    notice_title = zh(app, "Notice of the meeting: %(title)s", title=LATER_TITLE)
    group.select_option("#kind", "meeting_notice")
    group.fill("#title", notice_title)
    group.fill("#text", f"{scope}业主表决加装电梯；全体业主从三家物业服务企业中选聘一家。")
    group.fill("#signed_by", "金山花园业主大会筹备组")
    group.fill("#published_from", clock.now().astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M"))
    submit(group, "main form:has(#kind) button")
    assert_flash(app, group, "Published: %(title)s", title=notice_title)
    clock.travel_to(opens - timedelta(hours=1))
    group.goto(vote_url)
    submit(group, f'main a[href$="/elections/{election_id}/open"]')
    confirm_opening(app, b, group, "later-vote-open-confirm")
    prepare_notices(group)
    download_notices(group, tmp_path / "later-notices.pdf")
    notices = pdf_pages((tmp_path / "later-notices.pdf").read_bytes())

    def notice_of(unit: str) -> str:
        """The ballot address on the printed notice of the unit's owner, as a phone scans it."""
        held = re.compile(re.escape(unit) + r"(?![0-9A-Za-z])")
        number = next(i for i, text in enumerate(notices, start=1) if held.search(text))
        return qr_on_page(tmp_path / "later-notices.pdf", number, b.artifact(f"later-notice-page-{number}"))

    # Voting: the neighbour decides the lift and the company; the shop's owner only the company.
    clock.travel_to(opens + timedelta(minutes=10))
    inside = vote_on_phone(b, b.phone(), notice_of(neighbour.unit), {"m1": "yes", "m2": COMPANIES[1]}, "later-inside")
    assert neighbour.unit in inside
    outside = vote_on_phone(b, b.phone(), notice_of(outsider_unit), {"m2": COMPANIES[1]}, "later-outside")
    assert outsider_unit in outside and not {unit_label(row) for row in stairwell} & set(outside)

    clock.travel_to(closes + timedelta(hours=1))
    close_witnessed(app, b, clock, group, officer, vote_url)
    count_the_vote(app, group, vote_url)
    assert values_of_cards(group)[0] == "2"
    with app.app_context():
        public_id = db.session.get(Election, election_id).public_id
    record = reader.request.get(f"/p/{code}/elections/{public_id}/record.json").json()
    lift, choice = record["tally"]["motions"]
    # The stairwell decides alone: fewer owners than the estate's, the neighbour alone taking part.
    assert 2 <= lift["totals"]["heads"] < choice["totals"]["heads"]
    assert (lift["participation"]["heads"], choice["participation"]["heads"]) == (1, 2)
    assert [lift["result"], choice["result"]] == [law_outcome(lift), law_outcome(choice)]
    sections = group.locator("main section.motion")
    lift_text, choice_text = sections.nth(0).inner_text(), sections.nth(1).inner_text()
    assert (
        zh(
            app,
            "Decided only by the owners of %(scope)s: the quorum and the majority are counted on the area "
            "and the owners of the units there.",
            scope=scope,
        )
        in lift_text
    )
    lift_says = {
        "not_quorate": "Not decided: the quorum was not met.",
        "passed": "Passed.",
        "failed": "Not passed: the yes votes fall short of the threshold below.",
    }
    assert zh(app, lift_says[lift["result"]]) in lift_text
    adopted = [title for title, option in zip(COMPANIES, choice["options"], strict=True) if option["adopted"]]
    choice_says = {
        "not_quorate": zh(app, "Not decided: the quorum was not met."),
        "none_adopted": zh(app, "No option is adopted: none reached the threshold below."),
        "adopted": zh(app, "Adopted: %(option)s.", option="".join(adopted)),
    }
    assert choice_says[choice["result"]] in choice_text
    b.shot(group, "later-results")

    # The results announcement and the minutes go on the board; their PDFs name the stairwell
    # and the three companies.
    publish_the_results(app, b, group, vote_url, owners[1:3])
    documents = [
        zh(app, "Results of the vote: %(title)s", title=LATER_TITLE),
        zh(app, "Minutes and resolutions: %(title)s", title=LATER_TITLE),
    ]
    assert {notice_title, *documents} <= set(board_awaiting(reader, code, set(documents)))
    b.shot(reader, "later-public-board")
    for title in documents:
        text = "".join(pdf_pages(board_document(reader, code, title)))
        assert scope in text and all(company in text for company in COMPANIES), title
    b.shot(reader, "later-minutes-entry")
