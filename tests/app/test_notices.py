"""Voting notices: one printed page per voter with a working QR code, sealed under the notices
passphrase and downloaded once, so that at no stage does the server hold an owner's secret that
DATA_KEY opens; lost notices reissued; background jobs."""

import io
import json
import re
import shutil
import subprocess
import time
import unicodedata
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
import zxingcpp
from cryptography.fernet import InvalidToken
from flask_babel import force_locale
from flask_babel import gettext as _
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from tests.conftest import TEST_SECRETS, unavailable
from tests.elections_kit import (
    PASSPHRASE,
    approve_act,
    group_member,
    notice_secrets,
    open_vote,
    request_act,
    roster_voter_ids,
)
from tests.factories import login, small_roster
from voting.audit.models import AuditEvent
from voting.auth.models import Role
from voting.core import signing
from voting.core.canonical import b64d, b64e
from voting.core.roll import units_commitment
from voting.credentials.models import CredentialRequest
from voting.elections.models import ElectionVoter, NoticeBatch
from voting.estates.models import HELP_DESK_HOURS_LENGTH, HELP_DESK_PLACE_LENGTH
from voting.extensions import db
from voting.jobs import enqueue
from voting.notices import sealing
from voting.notices.operations import start_rendering
from voting.privacy import personal_data

BASE = "https://vote.example.cn"
OPENS = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
CLOSES = OPENS + timedelta(days=14, hours=12)  # 2026-12-15 20:00 in Shanghai
FERNET_TOKEN = re.compile(rb"gAAAAA[A-Za-z0-9_-]+=*")


@pytest.fixture
def app(app):
    app.config.update(JOBS_SYNC=True, PUBLIC_BASE_URL=BASE)
    return app


# What every notice test prints: the vote's title and period, its motions; nobody witnesses it.
NOTICE_MOTIONS = (
    (2, "审议通过《管理规约》"),
    (6, "筹集住宅专项维修资金"),
    (3, "选举第一届业主委员会", 3, ["张三", "李四", "王五", "赵六"]),
)
open_notice_vote = partial(
    open_vote, title="2026年第一次业主大会", opens_at=OPENS, closes_at=CLOSES, motions=NOTICE_MOTIONS, witness=False
)


def derived_key(secret: bytes) -> str:
    return signing.public_key_b64(signing.private_key_from_seed(secret))


def voter(election, code) -> ElectionVoter:
    return db.session.scalar(
        select(ElectionVoter).where(ElectionVoter.election_id == election.id, ElectionVoter.voter_code == code)
    )


def notices_url(estate, election, action=""):
    return f"/estates/{estate.code}/elections/{election.id}/notices/{action}"


def prepare(client, estate, election, passphrase=PASSPHRASE, **options):
    return client.post(notices_url(estate, election, "start"), data={"passphrase": passphrase}, **options)


def download(client, estate, election, passphrase=PASSPHRASE, **options):
    return client.post(notices_url(estate, election, "download"), data={"passphrase": passphrase}, **options)


def prepare_and_download(client, estate, election) -> bytes:
    assert prepare(client, estate, election).status_code == 302
    response = download(client, estate, election)
    assert response.status_code == 200, response.data[:500]
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    return response.data


def poppler(*command: str | Path) -> str:
    return subprocess.run([str(part) for part in command], check=True, capture_output=True, text=True).stdout


def pdf_text(path: Path) -> str:
    return poppler("pdftotext", path, "-")


def page_count(path: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", path), re.M).group(1))


def qr_codes(path: Path, tmp_path: Path) -> list[str]:
    """The QR code text on each page, read from the pages rendered as images."""
    prefix = tmp_path / path.stem
    subprocess.run(["pdftoppm", "-r", "110", "-png", str(path), str(prefix)], check=True)
    found = []
    for image in sorted(tmp_path.glob(f"{path.stem}-*.png")):
        codes = zxingcpp.read_barcodes(Image.open(image), formats=zxingcpp.BarcodeFormat.QRCode)
        assert len(codes) == 1, image
        found.append(codes[0].text)
    return found


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture
def staff_client(app, factory):
    def client_for(estate, role=Role.PREP_GROUP):
        return login(app.test_client(), factory.staff(role, estate))

    return client_for


def test_notices_print_one_page_per_voter_with_text_fonts_and_working_qr_codes(app, factory, staff_client, tmp_path):
    estate = factory.estate(roster=small_roster(), name="阳光花园")
    vote = open_notice_vote(estate)
    election, batch = vote.election, vote.batch
    secrets = notice_secrets(batch)
    pdf = write(tmp_path, "notices.pdf", prepare_and_download(staff_client(estate), estate, election))

    assert page_count(pdf) == len(secrets) == 4
    text = pdf_text(pdf)
    ids = roster_voter_ids(election)
    with force_locale("zh_CN"):
        instructions = [
            _(
                "Vote yourself, or through a proxy you authorise in writing: the proxy hands the paper ballot to the "
                "preparation group together with your signed written proxy (授权委托书). For an owner without legal "
                "capacity, the guardian votes in the same way."
            ),
            _(
                "Never give this page, or a photo of it, to anyone, whoever asks: whoever holds "
                "the code can vote in your name."
            ),
        ]
    flat = re.sub(r"\s+", "", text)  # lines wrap anywhere in Chinese
    for expected in [
        "阳光花园",
        "2026年第一次业主大会",
        "1幢-1-101",
        "1幢-1-102、1幢-1-201",
        "89.56",
        "180.00",
        "2026年12月1日08:00",
        "2026年12月15日20:00",
        "张三、李四、王五、赵六",
        ids["v00001"],
        *instructions,
    ]:
        assert re.sub(r"\s+", "", expected) in flat, expected
    fonts = poppler("pdffonts", pdf).splitlines()[2:]
    assert fonts and all("CJK" in line and " yes yes yes " in line for line in fonts), fonts  # embedded subsets

    # Pages follow the roll, not the random voter codes; each code opens the vote with that voter's secret.
    codes = [ids[roster_code] for roster_code in sorted(ids)]
    assert qr_codes(pdf, tmp_path) == [f"{BASE}/v/{election.public_id}#{b64e(secrets[code])}" for code in codes]
    for code in codes:
        assert derived_key(secrets[code]) == voter(election, code).public_key


HELP_PLACE = "物业服务中心（3幢1楼）"
HELP_HOURS = "每天 9:00–11:30、14:00–17:00"


def what_to_do() -> list[str]:
    """The notice's steps and its line on paper ballots, as the owner reads them (in Chinese)."""
    with force_locale("zh_CN"):
        return [
            _(
                "Vote between %(opens)s and %(closes)s (Beijing time).",
                opens="2026年12月1日 08:00",
                closes="2026年12月15日 20:00",
            ),
            _("Scan the square code above with the camera of your phone, or with “Scan” in WeChat."),
            _("Check that the phone shows your units as written above under “%(units)s”.", units=_("Units")),
            _(
                "For each motion choose “%(agree)s”, “%(disagree)s” or “%(abstain)s”; for a committee, tick the "
                "candidates you want.",
                agree=_("Agree"),
                disagree=_("Disagree"),
                abstain=_("Abstain"),
            ),
            _(
                "Check your choices, then press “%(button)s” to sign your ballot.",
                button=_("Sign and submit my ballot"),
            ),
            _(
                "Keep the receipt the phone then shows (a screenshot will do): with it you can check that your vote "
                "was counted."
            ),
        ]


def type_sizes(path: Path, containing: str) -> list[float]:
    """The type size, in points, of each line on the first page that holds ``containing``: a full-width
    character (as a CJK font draws the ambiguous ones, such as “”) is one em wide, so a line of them is
    as many ems long as it has characters."""
    boxes = re.findall(
        r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)</word>',
        poppler("pdftotext", "-f", "1", "-l", "1", "-bbox", path, "-"),
    )
    sizes = [
        round((float(right) - float(left)) / len(word), 1)
        for left, right, word in boxes
        if containing in word and all(unicodedata.east_asian_width(char) in "WFA" for char in word)
    ]
    assert sizes, containing
    return sizes


def test_the_notice_says_in_large_type_what_to_do_and_where_the_help_desk_is(app, factory, staff_client, tmp_path):
    estate = factory.estate(roster=small_roster(), name="阳光花园")
    estate.help_desk_place, estate.help_desk_hours = HELP_PLACE, HELP_HOURS
    db.session.commit()
    vote = open_notice_vote(estate)
    election, batch = vote.election, vote.batch
    secrets, ids = notice_secrets(batch), roster_voter_ids(election)
    pdf = write(tmp_path, "notices.pdf", prepare_and_download(staff_client(estate), estate, election))

    flat = re.sub(r"\s+", "", pdf_text(pdf))
    with force_locale("zh_CN"):
        help_desk = [
            _("Help desk: %(place)s", place=HELP_PLACE) + _(", open %(hours)s", hours=HELP_HOURS),
            _(
                "No smartphone, or stuck? You can vote on a paper ballot instead and hand it in before the "
                "vote closes. Ask at the help desk for a paper ballot, for help with the phone, or for a "
                "new notice:"
            ),
        ]
    for expected in what_to_do() + help_desk:
        assert flat.count(re.sub(r"\s+", "", expected)) == page_count(pdf) == 4, expected
    assert min(type_sizes(pdf, "扫一扫")) >= 14  # a step, in large type
    assert min(type_sizes(pdf, "服务点")) >= 13
    # The QR code still reads from a print at 110 dpi.
    assert qr_codes(pdf, tmp_path)[0] == f"{BASE}/v/{election.public_id}#{b64e(secrets[ids['v00001']])}"


def test_without_a_help_desk_the_notice_sends_owners_to_the_preparation_group(app, factory, staff_client, tmp_path):
    estate = factory.estate(roster=small_roster(), name="阳光花园")
    election = open_notice_vote(estate).election
    pdf = write(tmp_path, "notices.pdf", prepare_and_download(staff_client(estate), estate, election))
    flat = re.sub(r"\s+", "", pdf_text(pdf))
    with force_locale("zh_CN"):
        help_desk = re.sub(r"\s+", "", _("Help desk: %(place)s", place=""))
        group = _(
            "No smartphone, or stuck? You can vote on a paper ballot instead and hand it in before the vote "
            "closes. Ask the preparation group for a paper ballot, for help with the phone, or for a new notice."
        )
    assert help_desk not in flat
    assert flat.count(re.sub(r"\s+", "", group)) == 4
    for expected in what_to_do():
        assert re.sub(r"\s+", "", expected) in flat, expected


def test_the_notice_tells_owners_how_to_vote_by_written_proxy_or_guardian(app, factory, staff_client, tmp_path):
    """Owners may vote through a written proxy, and a guardian for an owner without capacity
    (物业管理条例 art. 12; 指导规则 art. 25–26): the notice must not forbid it."""
    estate = factory.estate(roster=small_roster(), name="阳光花园")
    election = open_notice_vote(estate).election
    pdf = write(tmp_path, "notices.pdf", prepare_and_download(staff_client(estate), estate, election))
    flat = re.sub(r"\s+", "", pdf_text(pdf))
    with force_locale("zh_CN"):
        proxy = _(
            "Vote yourself, or through a proxy you authorise in writing: the proxy hands the paper ballot to the "
            "preparation group together with your signed written proxy (授权委托书). For an owner without legal "
            "capacity, the guardian votes in the same way."
        )
    assert flat.count(re.sub(r"\s+", "", proxy)) == page_count(pdf) == 4
    assert "授权委托书" in proxy and "监护人" in proxy
    assert "不得代投" not in flat


def test_the_notice_states_the_threshold_of_each_kind_of_motion_it_carries(app, factory, staff_client, tmp_path):
    """An ordinary motion (item 2) and a major one (item 6) beside the committee election: each
    threshold the notice's motions need is printed once per page."""
    estate = factory.estate(roster=small_roster(), name="阳光花园")
    election = open_notice_vote(estate).election
    pdf = write(tmp_path, "notices.pdf", prepare_and_download(staff_client(estate), estate, election))
    flat = re.sub(r"\s+", "", pdf_text(pdf))
    with force_locale("zh_CN"):
        lines = [
            _(
                "An ordinary matter passes with more than half of the area and more than half of the owners "
                "taking part."
            ),
            _(
                "A major matter (Civil Code art. 278, items 6–8) passes with at least three quarters of the area "
                "and three quarters of the owners taking part."
            ),
        ]
    for line in lines:
        assert flat.count(re.sub(r"\s+", "", line)) == page_count(pdf), line


def test_the_salt_on_each_notice_finds_and_checks_the_voters_line_of_the_published_roll(app, factory, staff_client):
    estate = factory.estate(roster=small_roster(), name="阳光花园")
    election = open_notice_vote(estate).election
    pdf = prepare_and_download(staff_client(estate), estate, election)
    roll = {voter["voter_id"]: voter["units_commitment"] for voter in json.loads(election.roll_json)["voters"]}

    with force_locale("zh_CN"):
        labels = [re.sub(r"\s+", "", _(text)) for text in ("Voter ID", "Units", "Area", "Roll check code")]
    layout = re.compile(
        "".join(f"{re.escape(label)}(.+?)" for label in labels[:3]) + re.escape(labels[3]) + r"([A-Za-z0-9_-]{22})"
    )
    checked = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        # What the owner reads on their notice: voter ID, units, the salt.
        voter_id, units, _area, salt = layout.search(re.sub(r"\s+", "", page.extract_text())).groups()
        assert roll[voter_id] == units_commitment(b64d(salt), units.split("、"))
        checked.add(voter_id)
    assert checked == set(roll)


def test_at_no_stage_does_data_key_open_a_secret_the_server_keeps(app, factory, staff_client, database_url):
    """Every table (each Fernet token in it decrypted with DATA_KEY), the SQLite files with their
    WAL and the instance folder hold no secret, raw or decrypted: once the vote is open, while
    the rendered PDF waits for its download, and after it."""
    estate = factory.estate(roster=small_roster(), name="阳光花园")
    vote = open_notice_vote(estate)
    election, batch = vote.election, vote.batch
    secrets = notice_secrets(batch)
    client = staff_client(estate)

    def stage() -> NoticeBatch:
        db.session.expire_all()
        assert server_leaks(app, database_url, secrets.values()) == []
        return db.session.get(NoticeBatch, batch.id)

    batch = stage()
    assert (batch.status, batch.pdf_enc) == ("queued", None) and batch.secrets_enc
    assert prepare(client, estate, election).status_code == 302
    batch = stage()
    assert (batch.status, batch.secrets_enc) == ("ready", None) and batch.pdf_enc  # the secrets went with rendering
    assert download(client, estate, election).mimetype == "application/pdf"
    batch = stage()
    assert (batch.status, batch.secrets_enc, batch.pdf_enc) == ("downloaded", None, None)
    # Not vacuous: the secrets scanned for are the live credentials of this vote.
    assert all(derived_key(secret) == voter(election, code).public_key for code, secret in secrets.items())


def test_the_passphrase_not_data_key_seals_the_notices(app, factory, staff_client, tmp_path):
    """A vote's notices are sealed with scrypt (its salt and cost stored) and AES-GCM under the
    passphrase: they print with the passphrase even when DATA_KEY is another."""
    estate = factory.estate(roster=small_roster(), name="阳光花园")
    vote = open_notice_vote(estate)
    election, batch = vote.election, vote.batch
    kdf = json.loads(batch.passphrase_kdf)
    assert (kdf["kdf"], kdf["n"], kdf["r"], kdf["p"]) == ("scrypt", app.config["NOTICES_SCRYPT_N"], 8, 1)
    assert len(b64d(kdf["salt"])) == 16
    assert notice_secrets(batch) == sealing.unseal_secrets(
        sealing.derive_key(PASSPHRASE, batch.passphrase_kdf), election.public_id, batch.secrets_enc
    )
    app.config["DATA_KEY"] = "another operator key, " + "z" * 32
    with pytest.raises(InvalidToken):
        personal_data().decrypt(election.key_enc)  # DATA_KEY really is another now
    # Rendered and opened with the passphrase alone. (Downloading also logs the hand-over in the
    # vote's log, whose head the vote key signs: that one step needs the operator's DATA_KEY.)
    assert prepare(staff_client(estate), estate, election).status_code == 302
    db.session.refresh(batch)
    pdf = sealing.unseal(
        sealing.derive_key(PASSPHRASE, batch.passphrase_kdf), election.public_id, sealing.PDF, batch.pdf_enc
    )
    assert page_count(write(tmp_path, "notices.pdf", pdf)) == 4


def server_leaks(app, database_url: str, secrets) -> list[str]:
    """Where a secret is found in what the server keeps: its database and its files."""
    return secrets_found_in_database(secrets) + secrets_found_in_files(
        secrets,
        [
            Path(app.instance_path),
            *([Path(database_url.removeprefix("sqlite:///")).parent] if database_url.startswith("sqlite") else []),
        ],
    )


def _needles(secrets) -> list[bytes]:
    return [form for secret in secrets for form in (secret, b64e(secret).encode())]


def _fernet_tokens(data: bytes):
    """Every Fernet token in data. A token in a database file may run straight into the next
    column's text, so each match is also tried cut to every length a token can have."""
    for match in FERNET_TOKEN.finditer(data):
        text = match.group()
        for size in range(57 + 16 * ((len(text) * 3 // 4 - 57) // 16), 56, -16):  # version..HMAC, 16-byte blocks
            length = -(-size // 3) * 4
            if length <= len(text):
                yield text[:length]


def _leaks_in(where: str, data: bytes, needles: list[bytes]) -> list[str]:
    """Where a secret appears in data, raw or base64url, also inside any Fernet token the app's key opens."""
    leaks = [where for needle in needles if needle in data]
    for token in _fernet_tokens(data):
        try:
            plain = personal_data().decrypt(token).encode()
        except (InvalidToken, UnicodeDecodeError):
            continue
        leaks += _leaks_in(f"{where} (decrypted)", plain, needles)
    return leaks


def secrets_found_in_database(secrets) -> list[str]:
    needles = _needles(secrets)
    leaks = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()).mappings():
            for column, value in row.items():
                if isinstance(value, str):
                    value = value.encode()
                if isinstance(value, (bytes, memoryview)):
                    leaks += _leaks_in(f"{table.name}.{column}", bytes(value), needles)
    return leaks


def secrets_found_in_files(secrets, folders: list[Path]) -> list[str]:
    needles = _needles(secrets)
    return [
        leak
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file()
        for leak in _leaks_in(str(path), path.read_bytes(), needles)
    ]


def test_the_scan_finds_a_secret_left_anywhere(app, factory, database_url):
    """The scans above must be able to fail: secrets kept as they were before the passphrase,
    encrypted under DATA_KEY, are found in their table and in the database's files."""
    batch = open_notice_vote(factory.estate(roster=small_roster(), name="阳光花园")).batch
    secrets = notice_secrets(batch)
    batch.error = personal_data().encrypt(json.dumps({code: b64e(secret) for code, secret in secrets.items()})).decode()
    db.session.commit()
    assert any("notice_batch.error (decrypted)" in leak for leak in secrets_found_in_database(secrets.values()))
    if database_url.startswith("sqlite"):
        database = Path(database_url.removeprefix("sqlite:///"))
        assert any("(decrypted)" in leak for leak in secrets_found_in_files(secrets.values(), [database.parent]))


def test_the_notices_download_only_once(app, factory, staff_client):
    estate = factory.estate(roster=small_roster(), name="阳光花园")
    election = open_notice_vote(estate).election
    client = staff_client(estate)
    refused = download(client, estate, election)  # not ready yet
    assert refused.status_code == 302
    prepare_and_download(client, estate, election)

    again = download(client, estate, election, follow_redirects=True)
    assert again.mimetype == "text/html"
    with force_locale("zh_CN"):
        assert _(
            "The notices were downloaded once already and the file is deleted. A lost notice can be reissued below."
        ) in again.get_data(as_text=True)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.estate_id == estate.id)).all()
    assert actions.count("notices.start") == 1 and actions.count("notices.download") == 1


def test_a_wrong_passphrase_is_refused_and_changes_nothing(app, factory, staff_client):
    estate = factory.estate(roster=small_roster(), name="阳光花园")
    vote = open_notice_vote(estate)
    election, batch = vote.election, vote.batch
    client = staff_client(estate)
    with force_locale("zh_CN"):
        refusal = _("That is not the notices passphrase set when the vote was opened. Nothing was changed.")

    def state() -> tuple:
        db.session.expire_all()
        kept = db.session.get(NoticeBatch, batch.id)
        events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.estate_id == estate.id)).all()
        return (
            kept.status,
            kept.done,
            kept.error,
            kept.secrets_enc,
            kept.pdf_enc,
            kept.downloaded_at,
            kept.downloaded_by,
            events,
        )

    opened = state()
    for wrong in ("", PASSPHRASE.upper(), PASSPHRASE + " "):
        assert refusal in prepare(client, estate, election, wrong, follow_redirects=True).get_data(as_text=True)
        assert state() == opened
    assert prepare(client, estate, election).status_code == 302
    ready = state()
    assert ready[0] == "ready"
    for wrong in ("", PASSPHRASE.upper()):
        refused = download(client, estate, election, wrong, follow_redirects=True)
        assert refused.mimetype == "text/html" and refusal in refused.get_data(as_text=True)
        assert state() == ready
    assert download(client, estate, election).mimetype == "application/pdf"


def test_the_download_records_when_who_and_how_many_and_is_audited(app, factory, tmp_path):
    estate = factory.estate(roster=small_roster(), name="阳光花园")
    first, second = group_member(factory, estate), group_member(factory, estate)
    vote = open_notice_vote(estate, officers=(first.officer, second.officer))
    election, batch = vote.election, vote.batch
    member = first.staff
    client = login(app.test_client(), member)
    # A notice reissued before printing is left out, so the PDF holds 3 of the 4 voters.
    request, _seed = request_act(election, first, "1幢-1-101", "reissue")
    approve_act(election, request, second)
    before = datetime.now(UTC)
    pdf = write(tmp_path, "notices.pdf", prepare_and_download(client, estate, election))
    after = datetime.now(UTC)

    db.session.expire_all()
    batch = db.session.get(NoticeBatch, batch.id)
    assert (batch.downloaded_by, batch.notice_count, batch.total) == (member.username, 3, 4)
    assert page_count(pdf) == 3
    assert before <= batch.downloaded_at <= after and batch.downloaded_at.utcoffset() == timedelta(0)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "notices.download", AuditEvent.estate_id == estate.id)
    )
    assert (event.actor, event.target) == (member.username, f"election:{election.public_id}")
    assert json.loads(event.detail_json) == {"batch": batch.id, "count": 3, "voters": 4}
    client.post("/lang/en")
    page = client.get(notices_url(estate, election)).get_data(as_text=True)
    assert f"3 notices downloaded by {member.name_and_role}" in page and member.username not in page


def test_the_page_shows_progress_and_refreshes_itself_only_while_rendering(app, factory, staff_client):
    estate = factory.estate(roster=small_roster(), name="阳光花园")
    vote = open_notice_vote(estate)
    election, batch = vote.election, vote.batch
    client = staff_client(estate)
    page = client.get(notices_url(estate, election)).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and 'action="' + notices_url(estate, election, "start") in page

    batch.status, batch.done = "running", 2
    db.session.commit()
    page = client.get(notices_url(estate, election)).get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress max="4" value="2">' in page


def credentials_url(estate, election, action=""):
    return f"/estates/{estate.code}/elections/{election.id}/credentials/{action}"


def test_a_reissue_prints_a_new_key_never_stored_that_works_once_another_person_approves(
    app, factory, tmp_path, database_url
):
    estate = factory.estate(roster=small_roster(), name="阳光花园")
    first, second = group_member(factory, estate), group_member(factory, estate)
    election = open_notice_vote(estate, officers=(first.officer, second.officer)).election
    wang = roster_voter_ids(election)["v00002"]
    old_key = voter(election, wang).public_key

    requester = login(app.test_client(), first.staff)
    page = requester.get(notices_url(estate, election)).get_data(as_text=True)
    assert 'action="' + credentials_url(estate, election) in page
    response = requester.post(
        credentials_url(estate, election), data={"unit": " 1幢-1-201 ", "action": "reissue", "reason": "lost"}
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = write(tmp_path, "reissued.pdf", response.data)
    assert page_count(pdf) == 1
    [url] = qr_codes(pdf, tmp_path)
    prefix = f"{BASE}/v/{election.public_id}#"
    assert url.startswith(prefix)
    new_secret = b64d(url.removeprefix(prefix))
    request = db.session.scalar(select(CredentialRequest).where(CredentialRequest.election_id == election.id))
    assert request.public_key == derived_key(new_secret)
    assert voter(election, wang).public_key == old_key  # not in effect on one person's word

    body = request.body()
    sign = requester.post(
        "/api" + credentials_url(estate, election, f"{request.id}/sign"),
        json={"officer_id": first.officer_id(election), "signature": first.sign(body), "body": body},
    )
    assert sign.json == {"status": "requested"}
    own = requester.post(
        "/api" + credentials_url(estate, election, f"{request.id}/approve"),
        json={"officer_id": first.officer_id(election), "signature": first.sign(body), "body": body},
    )
    assert own.status_code == 403

    approver = login(app.test_client(), second.staff)
    page = approver.get(credentials_url(estate, election, str(request.id))).get_data(as_text=True)
    assert "/api" + credentials_url(estate, election, f"{request.id}/approve") in page
    assert "测试员（筹备组成员）" in page and first.officer_id(election) not in page  # by name and role
    approve = approver.post(
        "/api" + credentials_url(estate, election, f"{request.id}/approve"),
        json={"officer_id": second.officer_id(election), "signature": second.sign(body), "body": body},
    )
    assert approve.json == {"status": "approved", "seq": 0}
    db.session.expire_all()
    assert voter(election, wang).public_key == derived_key(new_secret)
    # The page went back in that response and nowhere else: neither it nor its secret is stored.
    assert server_leaks(app, database_url, [new_secret]) == []


def test_a_request_names_an_unknown_unit(app, factory):
    estate = factory.estate(roster=small_roster(), name="阳光花园")
    member = group_member(factory, estate)
    election = open_notice_vote(estate, officers=(member.officer,)).election
    page = (
        login(app.test_client(), member.staff)
        .post(
            credentials_url(estate, election),
            data={"unit": "9幢-9-909", "action": "revoke", "reason": "lost"},
            follow_redirects=True,
        )
        .get_data(as_text=True)
    )
    assert "9幢-9-909" in page


def test_a_notice_reissued_before_printing_is_left_out_of_the_batch(app, factory, tmp_path):
    estate = factory.estate(roster=small_roster(), name="阳光花园")
    first, second = group_member(factory, estate), group_member(factory, estate)
    election = open_notice_vote(estate, officers=(first.officer, second.officer)).election
    request, _seed = request_act(election, first, "1幢-1-101", "reissue")
    approve_act(election, request, second)
    client = login(app.test_client(), first.staff)
    pdf = write(tmp_path, "notices.pdf", prepare_and_download(client, estate, election))
    assert page_count(pdf) == 3
    assert roster_voter_ids(election)["v00001"] not in pdf_text(pdf)


def test_a_failed_rendering_keeps_the_secrets_and_can_be_started_again(app, factory, staff_client, monkeypatch):
    estate = factory.estate(roster=small_roster(), name="阳光花园")
    vote = open_notice_vote(estate)
    election, batch = vote.election, vote.batch
    client = staff_client(estate)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("voting.notices.operations.render_document", broken)
    prepare(client, estate, election)
    db.session.expire_all()
    batch = db.session.get(NoticeBatch, batch.id)
    assert (batch.status, batch.error, batch.pdf_enc) == ("failed", "OSError: disk full", None)
    assert batch.secrets_enc is not None
    assert "disk full" in client.get(notices_url(estate, election)).get_data(as_text=True)

    monkeypatch.undo()
    prepare_and_download(client, estate, election)


def test_many_motions_still_fit_one_page_per_voter(app, factory, staff_client, tmp_path):
    """Even beside the longest help desk the settings allow, with the steps still in large type."""
    estate = factory.estate(roster=small_roster())
    estate.help_desk_place, estate.help_desk_hours = "楼" * HELP_DESK_PLACE_LENGTH, "时" * HELP_DESK_HOURS_LENGTH
    db.session.commit()
    motions = [(4, f"第{n}项：审议选聘物业服务企业并授权业主委员会签订物业服务合同的议案") for n in range(1, 9)]
    election = open_notice_vote(
        estate, motions=motions + [(3, "选举业主委员会", 5, ["甲", "乙", "丙", "丁", "戊", "己"])]
    ).election
    pdf = write(tmp_path, "notices.pdf", prepare_and_download(staff_client(estate), estate, election))
    assert page_count(pdf) == 4
    text = pdf_text(pdf)
    assert "第8项" in text and "时" * 10 in text
    assert min(type_sizes(pdf, "扫一扫")) >= 14


def test_another_estates_staff_get_404_and_clerks_403(app, factory, staff_client):
    estate = factory.estate(roster=small_roster(), name="阳光花园")
    election = open_notice_vote(estate).election
    outsider = staff_client(factory.estate())
    for action, method in [("", "get"), ("start", "post"), ("download", "post"), ("reissue", "post")]:
        assert getattr(outsider, method)(notices_url(estate, election, action)).status_code == 404, action
    clerk = staff_client(estate, Role.CLERK)
    assert clerk.get(notices_url(estate, election)).status_code == 403


def test_without_redis_a_job_runs_in_a_thread_with_its_own_app_context(app, factory):
    app.config["JOBS_SYNC"] = False
    vote = open_notice_vote(factory.estate(roster=small_roster(), name="阳光花园"))
    election, batch = vote.election, vote.batch
    key = start_rendering("test", election, batch, PASSPHRASE)
    db.session.commit()
    enqueue("voting.notices.operations.render_notice_batch", batch.id, key)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = db.session.get(NoticeBatch, batch.id).status
        db.session.rollback()  # end the read: the job's writes show next time, and SQLite's lock is free
        if status != "running":
            break
        time.sleep(0.2)
    assert db.session.get(NoticeBatch, batch.id).status == "ready"


def test_with_redis_a_job_goes_through_an_rq_worker(app, factory, database_url, tmp_path, monkeypatch):
    if not shutil.which("redis-server"):
        unavailable("redis-server is not installed (Debian's redis-server)")
    from redis import Redis
    from rq import Queue, SimpleWorker

    socket = tmp_path / "redis.sock"
    server = subprocess.Popen(
        ["redis-server", "--port", "0", "--unixsocket", str(socket), "--save", ""], stdout=subprocess.DEVNULL
    )
    try:
        url = f"unix://{socket}"
        connection = Redis.from_url(url)
        for _attempt in range(50):
            if socket.exists():
                break
            time.sleep(0.1)
        app.config.update(JOBS_SYNC=False, REDIS_URL=url)
        # The worker builds its own app from the environment, as in production.
        for name, value in {
            "GONGZHI_ENV": "testing",
            "DATABASE_URL": database_url,
            "REDIS_URL": url,
            "PUBLIC_BASE_URL": BASE,
            **TEST_SECRETS,
        }.items():
            monkeypatch.setenv(name, value)
        vote = open_notice_vote(factory.estate(roster=small_roster(), name="阳光花园"))
        election, batch = vote.election, vote.batch
        key = start_rendering("test", election, batch, PASSPHRASE)
        db.session.commit()
        batch_id = batch.id
        enqueue("voting.notices.operations.render_notice_batch", batch_id, key)
        assert db.session.get(NoticeBatch, batch_id).status == "running"  # queued, not run
        db.session.rollback()
        queue = Queue("gongzhi", connection=connection)
        [job] = queue.jobs
        # The job's own app prints the configured address (PUBLIC_BASE_URL), not one handed to it.
        job_name = "voting.notices.operations.render_notice_batch"
        assert job.args == (job_name, batch_id, key) and job.description == job_name
        SimpleWorker([queue], connection=connection).work(burst=True)
        assert db.session.get(NoticeBatch, batch_id).status == "ready"
        # The key went with the job: RQ deleted it, arguments and all, once it had run.
        assert not connection.exists(job.key)
    finally:
        server.terminate()
        server.wait()
