"""The notice board: published PDFs carry a QR code to their entry, which confirms their hash."""

import hashlib
import io
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
import zxingcpp
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import select

from tests.elections_kit import NOW, open_vote
from tests.factories import login, small_roster
from voting.auth.models import Role, Staff
from voting.ballots.operations import cast_online
from voting.board.heads import ACTOR as SERVICE_ACTOR
from voting.board.models import BoardNotice
from voting.extensions import db
from voting.formatting import format_area
from voting.pdf.render import DEFAULT_BASE_URL
from voting.public.operations import publisher_name
from voting.tally.operations import read_results

BEIJING = timezone(timedelta(hours=8))


def qr_codes(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(tmp_path / "page")], check=True)
    found = []
    for page in sorted(tmp_path.glob("page*.png")):
        found += [code.text for code in zxingcpp.read_barcodes(Image.open(page))]
    return found


@pytest.fixture
def posted(app, factory):
    estate = factory.estate(roster=small_roster())
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    start = datetime.now(BEIJING) - timedelta(hours=1)
    response = client.post(
        f"/estates/{estate.code}/board/",
        data={
            "kind": "meeting_notice",
            "title": "关于召开首次业主大会会议的公告",
            "text": "定于十二月一日起以书面征求意见方式召开业主大会。\n请各位业主扫码或领取纸质表决票。",
            "signed_by": "金色家园筹备组",
            "published_from": start.strftime("%Y-%m-%dT%H:%M"),
            "published_until": (start + timedelta(days=15)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    return estate, client, db.session.query(BoardNotice).one()


def test_the_qr_code_leads_to_the_entry_that_confirms_the_hash(app, posted, tmp_path):
    estate, _client, notice = posted
    public = app.test_client()
    pdf = public.get(f"/p/{estate.code}/board/{notice.id}/document.pdf").data
    assert hashlib.sha256(pdf).hexdigest() == notice.sha256
    (url,) = qr_codes(pdf, tmp_path)
    # The configured address (in tests the development server's), never the host the request
    # came to (the test client's localhost).
    assert url == f"{DEFAULT_BASE_URL}/p/{estate.code}/board/{notice.id}"
    page = public.get(url.removeprefix(DEFAULT_BASE_URL)).get_data(as_text=True)
    assert notice.sha256 in page and "关于召开首次业主大会会议的公告" in page
    same = public.post(
        f"/p/{estate.code}/board/{notice.id}",
        data={"document": (io.BytesIO(pdf), "a.pdf")},
        content_type="multipart/form-data",
    )
    other = public.post(
        f"/p/{estate.code}/board/{notice.id}",
        data={"document": (io.BytesIO(pdf + b" "), "b.pdf")},
        content_type="multipart/form-data",
    )
    assert same.status_code == other.status_code == 200
    assert "flash success" in same.get_data(as_text=True).split("<form")[-1]
    assert "flash error" in other.get_data(as_text=True).split("<form")[-1]


def test_withdrawal_needs_a_reason_which_stays_visible(app, posted):
    estate, client, notice = posted
    client.post(f"/estates/{estate.code}/board/{notice.id}/withdraw", data={"reason": ""})
    assert db.session.get(BoardNotice, notice.id).withdrawn_at is None
    client.post(f"/estates/{estate.code}/board/{notice.id}/withdraw", data={"reason": "会议时间调整，另行公告"})
    db.session.expire_all()
    assert db.session.get(BoardNotice, notice.id).withdrawn_reason == "会议时间调整，另行公告"
    for url in (f"/p/{estate.code}/board/", f"/p/{estate.code}/board/{notice.id}"):
        assert "会议时间调整，另行公告" in app.test_client().get(url).get_data(as_text=True)


def test_another_estate_cannot_post_or_withdraw(app, factory, posted):
    estate, _client, notice = posted
    outsider = login(app.test_client(), factory.staff(Role.PREP_GROUP, factory.estate()))
    assert outsider.get(f"/estates/{estate.code}/board/").status_code == 404
    assert outsider.post(f"/estates/{estate.code}/board/{notice.id}/withdraw", data={"reason": "x"}).status_code == 404
    assert db.session.get(BoardNotice, notice.id).withdrawn_at is None


@pytest.mark.parametrize("kind", ["certification", "tree_head"])
def test_only_the_street_office_withdraws_its_own_notices(app, factory, posted, kind):
    """The group that runs the vote cannot take down the certification or a witnessed log head."""
    estate, group_client, notice = posted
    notice.kind = kind
    db.session.commit()
    refused = group_client.post(f"/estates/{estate.code}/board/{notice.id}/withdraw", data={"reason": "不想公示"})
    assert refused.status_code == 403
    assert f"/board/{notice.id}/withdraw" not in group_client.get(f"/estates/{estate.code}/board/").get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(BoardNotice, notice.id).withdrawn_at is None
    officer = login(app.test_client(), factory.staff(Role.STREET_OFFICE, estate))
    officer.post(f"/estates/{estate.code}/board/{notice.id}/withdraw", data={"reason": "证明有误，重新出具"})
    db.session.expire_all()
    assert db.session.get(BoardNotice, notice.id).withdrawn_reason == "证明有误，重新出具"


@pytest.fixture
def counted_vote(app, factory):
    """A counted vote with three ballots in, and the group member who publishes its results."""
    estate = factory.estate(roster=small_roster())
    vote = open_vote(estate)
    for voter in sorted(vote.secrets)[:3]:
        cast_online(vote.election, *vote.signed(voter, {"m1": "yes", "m2": "no", "m3": ["c3-1"]}), now=NOW)
    vote.count()
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    client.post("/lang/en")
    return estate, vote.election, client


def test_publishing_results_asks_first_and_says_what_goes_public(app, counted_vote):
    estate, election, client = counted_vote
    url = f"/estates/{estate.code}/board/elections/{election.id}/results"
    # The vote's page leads to the confirmation; it does not publish from there.
    detail = client.get(f"/estates/{estate.code}/elections/{election.id}/").get_data(as_text=True)
    assert f'href="{url}"' in detail and f'action="{url}"' not in detail
    page = client.get(url).get_data(as_text=True)
    assert "Publishing puts two documents on the public notice board" in page and "for 15 days" in page
    assert "cannot be taken back silently" in page
    assert 'name="confirmed"' in page and "I have checked the above" in page
    assert f'href="/estates/{estate.code}/elections/{election.id}/"' in page  # the way back
    results = read_results(election)
    for motion in results.motions:
        assert motion.title in page
    assert (
        f'<th>No</th><td class="num">{format_area(results.motions[1].choices["no"].area)}</td>'
        f'<td class="num">{results.motions[1].choices["no"].heads}</td>'
    ) in page


def test_results_are_not_published_without_the_tick(app, counted_vote):
    estate, election, client = counted_vote
    url = f"/estates/{estate.code}/board/elections/{election.id}/results"
    refused = client.post(url, data={"scrutineers": "张监票，李监票"})
    assert refused.status_code == 302 and refused.location.endswith(url)
    assert "Tick “I have checked the above” to confirm. Nothing has been changed." in client.get(url).get_data(
        as_text=True
    )
    assert db.session.query(BoardNotice).filter_by(election_id=election.id, kind="results").count() == 0
    # Nor without scrutineers; with both, the two documents go up.
    client.post(url, data={"scrutineers": " ", "confirmed": "y"})
    assert db.session.query(BoardNotice).filter_by(election_id=election.id, kind="results").count() == 0
    client.post(url, data={"scrutineers": "张监票，李监票", "confirmed": "y"})
    kinds = sorted(n.kind for n in db.session.query(BoardNotice).filter_by(election_id=election.id))
    assert kinds == ["meeting_notice", "minutes", "results"]  # the meeting notice went up before it opened


def test_the_public_board_names_the_publisher_by_name_and_role_never_by_user_name(app, posted):
    estate, _client, notice = posted
    staff = db.session.scalar(select(Staff).where(Staff.username == notice.published_by))
    public = app.test_client()
    for url in (f"/p/{estate.code}/board/", f"/p/{estate.code}/board/{notice.id}", f"/p/{estate.code}/"):
        page = public.get(url).get_data(as_text=True)
        assert staff.username not in page, url
    for url in (f"/p/{estate.code}/board/", f"/p/{estate.code}/board/{notice.id}"):
        page = public.get(url).get_data(as_text=True)
        with force_locale("zh"):
            assert publisher_name(staff.username) in page
        assert "测试员 · 筹备组" in page  # the person's name and the body they act for


def test_what_the_service_posts_by_itself_is_named_as_such(app, posted):
    _estate, _client, notice = posted
    with force_locale("zh"):
        assert publisher_name(SERVICE_ACTOR) == "共治（自动发布）"
        assert publisher_name("no-such-account") == "工作人员"


def test_results_are_published_once(app, counted_vote):
    """A second press (or a second tab) does not put a second announcement beside the first;
    once the first is withdrawn, with its reason shown, the results may go up again."""
    estate, election, client = counted_vote
    url = f"/estates/{estate.code}/board/elections/{election.id}/results"
    client.post(url, data={"scrutineers": "张监票，李监票", "confirmed": "y"})
    again = client.post(url, data={"scrutineers": "张监票，李监票", "confirmed": "y"}, follow_redirects=True)
    assert "The results of this vote are already on the notice board" in again.get_data(as_text=True)
    assert "already on the notice board" in client.get(url, follow_redirects=True).get_data(as_text=True)
    notices = db.session.query(BoardNotice).filter_by(election_id=election.id)
    assert sorted(n.kind for n in notices) == ["meeting_notice", "minutes", "results"]
    results = notices.filter_by(kind="results").one()
    client.post(f"/estates/{estate.code}/board/{results.id}/withdraw", data={"reason": "监票人姓名有误"})
    client.post(url, data={"scrutineers": "张监票，王监票", "confirmed": "y"})
    assert notices.filter_by(kind="results").count() == 2
