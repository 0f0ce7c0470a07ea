"""A demo street office, community and estate for ./scripts/run, ready to show a committee election.

Everything is made through the real operations, as staff would make it: the roll is imported,
the street office forms the preparation group (the group's account belongs to an owner
representative, confirmed like any member), owners are nominated, every reviewing body passes
them and the list is published. Only the dates lie in the past — passed explicitly to the
operations that take a time — so that the list's publication period (7 days) is already over
and the draft vote can take its committee election at once, without any clock shift.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path

import click
from flask_babel import gettext as _
from openpyxl import load_workbook
from sqlalchemy import select

from voting.auth.access import reviewer_bodies
from voting.auth.models import Role, Staff
from voting.auth.operations import create_staff
from voting.board.documents import announcement_pdf
from voting.board.operations import publish
from voting.candidates.lists import create_list, rule_bodies
from voting.candidates.models import CandidateList
from voting.candidates.nominations import Profile, eligible_owners, nominate_self
from voting.candidates.publication import publish_list
from voting.candidates.review import record_review, start_review
from voting.elections.models import Election
from voting.elections.operations import add_motion, create_election
from voting.estates.models import Estate
from voting.estates.operations import change_help_desk, create_community, create_estate, create_street_office
from voting.extensions import db
from voting.prep.operations import confirm_group, propose_member
from voting.roster.generate import staff_resident_id
from voting.roster.operations import import_roster
from voting.timeutil import utcnow

DEMO_ROSTER = Path(__file__).parent / "roster" / "demo" / "demo-roster.xlsx"
DEMO_ESTATE = "DEMO-001"
DEMO_BASE_URL = "http://127.0.0.1:5000"
# Demo passwords are printed by ./scripts/run; a real install creates its own accounts.
DEMO_PASSWORD = "gongzhi-demo"
# Staff who are not owners: (user name, the person's name, role). Two clerks, two people: a paper
# ballot is keyed by one and checked by another. The group's account, "choubei", is made for an
# owner representative of the roll (see _form_group).
DEMO_STAFF = (
    ("admin", "平台管理员", Role.PLATFORM_ADMIN),
    ("jiedao", "王建国", Role.STREET_OFFICE),
    ("shequ", "李秀英", Role.COMMUNITY),
    ("jipiao", "陈静", Role.CLERK),
    ("jipiao2", "林海", Role.CLERK),
)
GROUP_ACCOUNT = "choubei"
COMMITTEE_TITLE = "第一届业主委员会委员选举"
COMMITTEE_SEATS = 5
CANDIDATES = COMMITTEE_SEATS + 2  # more than the 20 % margin over the seats asks
VOTE_TITLE = "金色家园首次业主大会会议表决"
VOTE_DAYS = 14
# How far back the demo's history lies: the group was confirmed, then the list published, long
# enough ago that its 7-day publication period is over.
GROUP_CONFIRMED_BEFORE = timedelta(days=20)
LIST_PUBLISHED_BEFORE = timedelta(days=10)


def _roll_owners() -> list[tuple[str, str]]:
    """(name, ID number) of the single owners of delivered homes in the demo roll, in roll order."""
    sheet = load_workbook(BytesIO(DEMO_ROSTER.read_bytes()), read_only=True).active
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    owners = []
    for values in rows:
        row = dict(zip(header, values))
        name, id_number = str(row["权利人"] or ""), str(row["证件号码"] or "")
        if row["用途"] == "住宅" and row["房屋状态"] == "已交付" and "、" not in name and id_number:
            owners.append((name, id_number))
    return owners


def _form_group(
    actor: str, estate: Estate, jiedao: Staff, shequ: Staff, owners: list[tuple[str, str]], confirmed_at: datetime
) -> Staff:
    """The street office's officer leads; community staff and three owner representatives; the
    group's account is the first representative's. Returns that account."""
    (first_name, first_id), *others = owners
    group_account = create_staff(
        actor, GROUP_ACCOUNT, first_name, DEMO_PASSWORD, Role.PREP_GROUP, estate_id=estate.id, id_number=first_id
    )
    propose_member(actor, estate, name=jiedao.display_name, role="street_office", leader=True, account=jiedao)
    propose_member(actor, estate, name=shequ.display_name, role="community", organisation="金山社区", account=shequ)
    propose_member(actor, estate, name=first_name, role="owner", id_number=first_id, account=group_account)
    for name, id_number in others:
        propose_member(actor, estate, name=name, role="owner", id_number=id_number)
    confirm_group(jiedao.username, estate, now=confirmed_at)
    return group_account


def _vetted_list(
    estate: Estate, group_account: Staff, jiedao: Staff, owners: list[tuple[str, str]], published_at: datetime
) -> CandidateList:
    """Owners nominate themselves, every reviewing body passes them, the list is published."""
    candidates = create_list(group_account.username, estate, COMMITTEE_TITLE, COMMITTEE_SEATS)
    nominees = [
        nominate_self(group_account.username, candidates, Profile(name=name, id_number=id_number, occupation="职员"))
        for name, id_number in owners
    ]
    start_review(group_account.username, candidates)
    bodies = reviewer_bodies(jiedao)  # the street office chairs the joint review and keys the others' replies
    for nominee in nominees:
        for rule in candidates.rules:
            for body in rule_bodies(rule):
                record_review(jiedao.username, nominee, rule.code, body, True, "", bodies, now=published_at)
    publish_list(group_account.username, candidates, now=published_at)
    # Demo only: the two operations above take no time, so their rows are dated back by hand to
    # lie before the publication, as they would in a real estate.
    candidates.created_at = published_at - timedelta(days=5)
    for nominee in nominees:
        nominee.nominated_at = published_at - timedelta(days=3)
    return candidates


def announce_as_of(actor: str, election: Election, render=None) -> None:
    """The estate's roll published and the vote's meeting notice posted just long enough ago for
    the vote to open now (voting.elections.operations.notice_period_fault): the history a demo
    or simulated estate, and a test, would otherwise wait weeks for. ``render(board_url)`` makes
    the notice's PDF; by default the announcement staff would post."""
    estate, profile = election.estate, election.estate.rules_profile
    posted_at = min(election.opens_at, utcnow()) - timedelta(
        days=max(profile.notice_days, profile.roll_publication_days)
    )
    estate.roll_published_at = min(estate.roll_published_at or posted_at, posted_at)
    title = _("Notice of the meeting: %(title)s", title=election.title)
    notice = publish(
        actor,
        estate,
        "meeting_notice",
        title,
        render or (lambda url: announcement_pdf(estate, title, election.title, actor, url)),
        published_from=posted_at,
        election_id=election.id,
    )
    notice.published_at = posted_at


def load_demo() -> bool:
    """Create the demo data once; returns False when it is already there."""
    if db.session.scalar(select(Estate.id).where(Estate.code == DEMO_ESTATE)) is not None:
        return False
    actor = "demo"
    now = utcnow().replace(second=0, microsecond=0)
    office = create_street_office(actor, "330282-001", "浒山街道办事处")
    community = create_community(actor, office, "330282-001-01", "金山社区")
    estate = create_estate(actor, DEMO_ESTATE, "金色家园", community)
    import_roster(actor, estate, DEMO_ROSTER.read_bytes(), DEMO_ROSTER.name)
    change_help_desk(actor, estate, "物业服务中心（3幢1楼）", "每天 9:00–11:30、14:00–17:00")
    scopes = {
        Role.PLATFORM_ADMIN: {},
        Role.STREET_OFFICE: {"street_office_id": office.id},
        Role.COMMUNITY: {"community_id": community.id},
        Role.CLERK: {"estate_id": estate.id},
    }
    staff = {
        username: create_staff(
            actor, username, name, DEMO_PASSWORD, role, id_number=staff_resident_id(serial), **scopes[role]
        )
        for serial, (username, name, role) in enumerate(DEMO_STAFF, start=1)
    }
    published_at = now - LIST_PUBLISHED_BEFORE
    owners = eligible_owners(_roll_owners(), published_at.date(), 3 + CANDIDATES)
    # The group's account is the first representative's: one whose name every terminal and font
    # shows (the roll also has names with rare characters, which stay among the candidates).
    owners.sort(key=lambda owner: any(ord(char) > 0xFFFF for char in owner[0]))
    group_account = _form_group(
        actor, estate, staff["jiedao"], staff["shequ"], owners[:3], now - GROUP_CONFIRMED_BEFORE
    )
    _vetted_list(estate, group_account, staff["jiedao"], owners[3:], published_at)
    # The group has drafted the vote; the committee election joins it from the list, on its page.
    election = create_election(group_account.username, estate, VOTE_TITLE, now, now + timedelta(days=VOTE_DAYS))
    add_motion(group_account.username, election, 1, "审议《金色家园业主大会议事规则》")
    add_motion(group_account.username, election, 2, "审议《金色家园管理规约》")
    announce_as_of(group_account.username, election)
    return True


# --- where each role starts ----------------------------------------------------------------


@dataclass(frozen=True)
class StartHere:
    role: str  # in Chinese and English
    login: str  # the user name, or how an owner gets in
    url: str
    zh: str
    en: str


def start_here(base_url: str = DEMO_BASE_URL) -> list[StartHere]:
    """Per role: the login, the page to open first and what to do there."""
    estate = db.session.scalar(select(Estate).where(Estate.code == DEMO_ESTATE))
    if estate is None:
        return []
    base = base_url.rstrip("/")
    names = {username: name for username, name in db.session.execute(select(Staff.username, Staff.display_name))}
    election = db.session.scalar(select(Election).where(Election.estate_id == estate.id).order_by(Election.id))
    vote = f"{base}/estates/{estate.code}/elections/" + (f"{election.id}/" if election else "")

    def who(username: str) -> str:
        return f"{username}（{names[username]}）" if username in names else username

    return [
        StartHere(
            "街道办 Street office",
            who("jiedao"),
            f"{vote}certification/" if election else vote,
            "表决开启前，在这个浏览器里登记街道办的认证密钥；开启时和截止后在表决页会签投票日志，计票后在此核对并认证结果。",
            "Before the vote opens, register the street office's certifying key in this browser; cosign "
            "the ballot log on the vote's page when it opens and after it closes; after the count, "
            "check and certify the results here.",
        ),
        StartHere(
            "筹备组 Preparation group",
            who(GROUP_ACCOUNT),
            vote,
            f"把公示期已满的候选人名单「{COMMITTEE_TITLE}」加入这份表决草稿（一个按钮）；"
            "两位计票人和街道办登记密钥后，设定通知口令、开启表决，再打印表决通知。",
            f"Add the candidate list “{COMMITTEE_TITLE}”, whose publication period is over, to this "
            "draft vote (one button); once both clerks and the street office have registered their "
            "keys, set the notices passphrase, open the vote and print the voting notices.",
        ),
        StartHere(
            "计票人一 Clerk 1",
            who("jipiao"),
            f"{vote}paper/officer-key" if election else vote,
            "表决开启前，在这个浏览器里登记您的计票人密钥；开启后在「纸质表决票」页登记交票、录入纸质票。",
            "Register your clerk key in this browser before the vote opens; once it is open, record "
            "hand-ins and key paper ballots on the paper ballots page.",
        ),
        StartHere(
            "计票人二 Clerk 2",
            who("jipiao2"),
            f"{vote}paper/officer-key" if election else vote,
            "用另一个浏览器（或无痕窗口）登录，同样登记自己的密钥：每张纸质票由一位计票人录入，另一位复核。",
            "Sign in from another browser (or a private window) and register your own key: each paper "
            "ballot is keyed by one clerk and checked by the other.",
        ),
        StartHere(
            "业主 Owner",
            "无需账号，凭筹备组打印的表决通知 no account: the notice the group prints",
            f"{vote}notices/" if election else vote,
            "表决开启后，筹备组在「表决通知」页输入口令下载通知 PDF；用手机扫描某户通知上的二维码"
            f"（或打开其链接）即可投票。公开页面：{base}/p/{estate.code}/",
            "Once the vote is open, the group downloads the notices PDF here with its passphrase; scan "
            "a notice's QR code with a phone (or open its link) to vote. The public estate page: "
            f"{base}/p/{estate.code}/",
        ),
        StartHere(
            "社区 Community",
            who("shequ"),
            f"{base}/estates/{estate.code}/candidates/",
            "查看候选人名单和资格联审的结果。",
            "See the candidate list and the joint review's verdicts.",
        ),
        StartHere(
            "平台管理员 Platform admin", who("admin"), f"{base}/staff", "管理员工账号。", "Manage the staff accounts."
        ),
    ]


def is_earlier_demo() -> bool:
    """A demo estate loaded by an earlier release: no candidate list, and its group account
    belongs to no group, so it cannot act."""
    estate_id = db.session.scalar(select(Estate.id).where(Estate.code == DEMO_ESTATE))
    return (
        estate_id is not None
        and db.session.scalar(select(CandidateList.id).where(CandidateList.estate_id == estate_id)) is None
    )


def print_start_here(base_url: str) -> None:
    if is_earlier_demo():
        click.echo(
            "这个数据库里是旧版演示数据；删除开发数据库（默认为 instance/gongzhi.sqlite）后重新运行 ./scripts/run，"
            "即可载入新版。 This database holds an earlier demo: delete the development database "
            "(instance/gongzhi.sqlite by default) and run ./scripts/run again to load the current one."
        )
    click.echo(f"演示登录，密码均为 Demo logins, password for all: {DEMO_PASSWORD}")
    click.echo("从这里开始 Start here:")
    for entry in start_here(base_url):
        click.echo(f"  {entry.role} — {entry.login}")
        click.echo(f"    {entry.url}")
        click.echo(f"    {entry.zh}")
        click.echo(f"    {entry.en}")


@click.group("demo", help="Demo data for trying Gongzhi out.")
def demo_cli():
    pass


@demo_cli.command("load")
@click.option("--base-url", default=DEMO_BASE_URL, show_default=True, help="Where the demo is served, for the links.")
def demo_load(base_url: str):
    """Load the demo estate and staff accounts (once) and print where each role starts."""
    if load_demo():
        db.session.commit()
        click.echo(f"已载入演示小区 金色家园（{DEMO_ESTATE}）。 Loaded the demo estate 金色家园 ({DEMO_ESTATE}).")
    print_start_here(base_url)
