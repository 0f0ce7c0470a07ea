"""A choice among several options, the whole way: drafted on the vote's page, shown on the
owner's phone and on the paper ballot, cast online and keyed on paper, counted, and published on
the results page, the results announcement and the minutes."""

import re
import subprocess
from datetime import timedelta

import pytest

from tests.app.test_paper import PaperVote, clerk_for, finish, register
from tests.elections_kit import add_witness, opened
from tests.factories import login, small_roster
from voting.auth.models import Role
from voting.ballots.operations import cast_online
from voting.elections.operations import create_election
from voting.errors import Refusal
from voting.extensions import db
from voting.pdf.documents import minutes_pdf, paper_ballot_pdf, results_pdf
from voting.timeutil import utcnow

COMPANIES = ["甲物业服务有限公司", "乙物业服务有限公司", "丙物业服务有限公司"]
TITLE = "选聘哪家物业服务企业"


def pdf_text(data: bytes) -> str:
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", text.decode())


def drafted(app, factory):
    """A draft with the choice added through the vote's page by the preparation group, and two
    clerks' keys; the group's client."""
    estate = factory.estate(roster=small_roster())
    now = utcnow()
    election = create_election("test", estate, "业主大会表决", now - timedelta(hours=1), now + timedelta(days=1))
    db.session.commit()
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    page = f"/estates/{estate.code}/elections/{election.id}"
    refused = client.post(
        f"{page}/choice-motions", data={"item": "4", "title": TITLE, "options": "甲物业\n\n"}, follow_redirects=True
    )
    assert "选项须有 2 至 20 个，每行一个。" in refused.get_data(as_text=True)  # one option is no choice
    assert not election.motions
    added = client.post(f"{page}/choice-motions", data={"item": "4", "title": TITLE, "options": "\n".join(COMPANIES)})
    assert added.status_code == 302
    detail = client.get(f"{page}/").get_data(as_text=True)
    assert all(company in detail for company in COMPANIES)
    base = f"{page}/paper"
    a, b = clerk_for(app, factory, estate), clerk_for(app, factory, estate)
    register(a, base)
    register(b, base)
    return PaperVote(opened(election, add_witness(election)), base, a, b), client


def test_a_choice_among_three_companies_from_the_draft_to_the_minutes(app, factory):
    pv, client = drafted(app, factory)
    election, vote = pv.election, pv.vote
    (motion,) = election.definition["motions"]
    assert motion == {
        "motion_id": "m1",
        "kind": "choice",
        "title": TITLE,
        "item": 4,
        "scope": "estate",
        "documents": [],
        "options": [{"option_id": f"o1-{i}", "title": title} for i, title in enumerate(COMPANIES, start=1)],
    }

    # The phone: one radio button per company and one for none of them.
    phone = app.test_client().get(f"/v/{election.public_id}").get_data(as_text=True)
    for value in ("o1-1", "o1-2", "o1-3", ""):
        assert f'<input type="radio" name="m1" value="{value}">' in phone
    # The paper ballot: every company, one box each.
    assert all(company in pdf_text(paper_ballot_pdf(election, None)) for company in COMPANIES)

    # 张三+李四 and 王五 choose 乙 online; 赵六's paper chooses 乙 too; the developer names none.
    vote.cast(vote.ids["v00001"], {"m1": ["o1-2"]}, now=None)
    vote.cast(vote.ids["v00002"], {"m1": ["o1-2"]}, now=None)
    vote.cast(vote.ids["v00004"], {"m1": []}, now=None)
    # Two companies on one ballot: the phone cannot send it, the server refuses it, and the
    # clerks cannot key it but mark it invalid.
    with pytest.raises(Refusal):
        cast_online(election, *vote.signed(vote.ids["v00003"], {"m1": ["o1-1", "o1-2"]}), now=None)
    db.session.rollback()
    assert pv.key(pv.a, "v00003", {"m1": ["o1-1", "o1-2"]}).status_code == 400
    pv.enter("v00003", {"m1": "o1-2"})

    recount = finish(pv)
    (entry,) = recount["motions"]
    assert entry["kind"] == "choice" and entry["threshold"] == "ordinary"
    assert entry["participation"] == {"area": 58981, "heads": 4}
    assert [(o["option_id"], o["heads"], o["adopted"]) for o in entry["options"]] == [
        ("o1-1", 0, False),
        ("o1-2", 3, True),
        ("o1-3", 0, False),
    ]
    assert entry["abstain"] == {"area": 20000, "heads": 1}
    assert (entry["result"], entry["adopted_option"]) == ("adopted", "o1-2")

    results = client.get(f"/estates/{election.estate.code}/elections/{election.id}/results").get_data(as_text=True)
    assert "采纳：乙物业服务有限公司。" in results and "均不选" in results
    announcement = pdf_text(results_pdf(election, "https://gongzhi.example.cn/board/1"))
    assert "采纳：乙物业服务有限公司。" in announcement and "甲物业服务有限公司" in announcement
    minutes = pdf_text(
        minutes_pdf(election, "https://gongzhi.example.cn/board/2", scrutineers=["钱七"], clerks=["孙八"])
    )
    assert f"关于「{TITLE}」，业主大会采纳「乙物业服务有限公司」。" in minutes
