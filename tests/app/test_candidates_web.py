"""The candidate pages: the group nominates, the bodies review, the list goes public, an owner
objects from a phone, the group answers, and the vote gets its committee motion."""

import io
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.app.test_prep import OWNERS, formed_group, owner_id
from tests.factories import login
from voting.auth.models import Role, Staff
from voting.candidates.models import CandidateList, Nominee, Objection
from voting.elections.operations import create_election
from voting.extensions import db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def english(client):
    client.post("/lang/en")
    return client


def nominate(client, base, number, **extra):
    name, _born = OWNERS[number - 1]
    data = {
        "kind": "self",
        "name": name,
        "id_number": owner_id(number),
        "occupation": "工程师",
        "statement": f"第{number}号的竞选陈述",
    } | extra
    return client.post(f"{base}/nominate", data=data, content_type="multipart/form-data")


def verdicts_for_everything(client, base, nominee, fail=None):
    """Post every verdict the logged-in reviewer may record on the nominee's page."""
    page = client.get(f"{base}/nominees/{nominee.id}").get_data(as_text=True)
    names = sorted(set(re.findall(r'name="verdict-([a-z_]+)-([a-z_]+)"', page)))
    data = {}
    for rule, body in names:
        failing = (rule, body) == fail
        data[f"verdict-{rule}-{body}"] = "fail" if failing else "pass"
        data[f"reason-{rule}-{body}"] = "发现违建" if failing else ""
    return client.post(f"{base}/nominees/{nominee.id}/reviews", data=data), names


def test_the_group_runs_the_list_from_its_pages_and_owners_object_from_their_phones(app, factory):
    estate, officer = formed_group(factory)
    group = english(login(app.test_client(), db.session.scalar(select(Staff).where(Staff.username == "zhou1"))))
    street = english(login(app.test_client(), officer))
    community = english(login(app.test_client(), factory.staff(Role.COMMUNITY, estate)))

    created = group.post(
        f"/estates/{estate.code}/candidates/",
        data={
            "title": "业主委员会委员补选",
            "kind": "by_election",
            "seats": "2",
            "margin_percent": "20",
            "publication_days": "7",
            "min_joint_households": "2",
        },
    )
    assert created.status_code == 302
    candidates = db.session.scalar(select(CandidateList).where(CandidateList.estate_id == estate.id))
    base = f"/estates/{estate.code}/candidates/{candidates.id}"

    assert nominate(group, base, 2, photo=(io.BytesIO(PNG), "wu.png"), party_member="y").status_code == 302
    refused = nominate(group, base, 4, kind="joint", signatures=f"陈六 {owner_id(6)}\n陈六 {owner_id(6)}")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Line 2" in page and "this owner already signed on line 1" in page
    assert "第4号的竞选陈述" in page  # the form keeps what was typed
    assert (
        nominate(group, base, 4, kind="joint", signatures=f"陈六 {owner_id(6)}\n褚七 {owner_id(7)}").status_code == 302
    )
    assert nominate(group, base, 10, kind="community", recommended_by="测试社区党委").status_code == 302
    assert nominate(group, base, 9).status_code == 302
    not_owner = nominate(group, base, 9, name="李四", id_number="330282198001010971")
    assert "李四 is not an owner of this estate according to the roll" in not_owner.get_data(as_text=True)
    assert community.post(f"{base}/nominate", data={"kind": "self"}).status_code == 403

    nominees = db.session.scalars(
        select(Nominee).where(Nominee.list_id == candidates.id).order_by(Nominee.number)
    ).all()
    assert [n.name for n in nominees] == ["吴二", "王四", "沈十", "蒋九"]
    photo = group.get(f"{base}/nominees/{nominees[0].id}/photo")
    assert photo.data == PNG and photo.mimetype == "image/png"

    assert group.post(f"{base}/review").status_code == 302
    assert group.post(f"{base}/nominees/{nominees[0].id}/reviews", data={}).status_code == 403
    for nominee in nominees:
        response, pairs = verdicts_for_everything(community, base, nominee)
        assert response.status_code == 302 and {body for _rule, body in pairs} == {"community"}
        response, pairs = verdicts_for_everything(
            street, base, nominee, fail=("illegal_construction", "street_office") if nominee.name == "蒋九" else None
        )
        assert {body for _rule, body in pairs} == {"street_office", "community", "police", "organisation"}
    community_verdict = next(r for r in nominees[0].reviews if r.body == "community")
    assert community_verdict.recorded_by != officer.username  # shown again unchanged, not re-recorded
    report = street.get(f"{base}/report").get_data(as_text=True)
    assert "发现违建" in report and "1 / 3 (33%)" in report  # one party member among three passed
    assert "yes: 3 candidates for 2 seats (at least 3 needed)" in report

    assert "The vetted list is published." in group.post(f"{base}/publish", follow_redirects=True).get_data(
        as_text=True
    )
    public_url = f"/p/{estate.code}/candidates/{candidates.id}/"
    phone = app.test_client()
    public = phone.get(public_url).get_data(as_text=True)
    # Named in full, so that owners know whom they may object to; the one who failed the review
    # is not listed; never an ID number (nor its ending) or a phone.
    assert "吴二" in public and "王四" in public and "沈十" in public and "蒋九" not in public
    assert "吴*" not in public
    for number in (2, 4, 10):
        assert owner_id(number) not in public and owner_id(number)[-4:] not in public
        assert f"1390000{number:04d}" not in public
    assert phone.get(f"/p/{estate.code}/candidates/").status_code == 200

    wrong = phone.post(public_url, data={"unit_label": "1幢-1-106", "id_last4": "0000", "nominee": "0", "text": "异议"})
    assert wrong.status_code == 422 and db.session.scalar(select(Objection.id)) is None
    lodged = phone.post(
        public_url,
        data={
            "unit_label": "1幢-1-106",
            "id_last4": owner_id(6)[-4:],
            "nominee": str(nominees[1].id),
            "text": "王四长期拖欠物业费",
        },
    )
    receipt_url = lodged.headers["Location"]
    assert "王四长期拖欠物业费" in phone.get(receipt_url).get_data(as_text=True)
    objection = db.session.scalar(select(Objection))
    assert (objection.channel, objection.unit_label) == ("online", "1幢-1-106")

    election = create_election(
        "test", estate, "首次业主大会", datetime.now(UTC) + timedelta(days=20), datetime.now(UTC) + timedelta(days=30)
    )
    db.session.commit()
    adopt = f"/estates/{estate.code}/candidates/{candidates.id}/motion/{election.id}"
    early = group.post(adopt, follow_redirects=True).get_data(as_text=True)
    assert "The list is published until" in early and not election.motions

    objections_page = group.get(f"{base}/objections").get_data(as_text=True)
    assert "王四长期拖欠物业费" in objections_page and "unit 1幢-1-106" in objections_page
    group.post(f"{base}/objections/{objection.id}/answer", data={"answer": "经物业公司核实，王四无欠费。"})
    assert "经物业公司核实，王四无欠费。" in phone.get(receipt_url).get_data(as_text=True)

    # A week passes.
    candidates.published_at -= timedelta(days=8)
    candidates.publication_ends_at -= timedelta(days=8)
    db.session.commit()
    detail = group.get(f"/estates/{estate.code}/elections/{election.id}/").get_data(as_text=True)
    assert f"/candidates/{candidates.id}/motion/{election.id}" in detail
    assert "The committee motion is added" in group.post(adopt, follow_redirects=True).get_data(as_text=True)
    db.session.refresh(election)
    (motion,) = election.motions
    assert (motion.kind, motion.seats, [c.name for c in motion.candidates]) == (
        "committee",
        2,
        ["吴二", "王四", "沈十"],
    )


def test_rules_are_set_from_the_list_page(app, factory):
    estate, officer = formed_group(factory)
    client = english(login(app.test_client(), officer))
    client.post(
        f"/estates/{estate.code}/candidates/",
        data={
            "title": "补选",
            "kind": "by_election",
            "seats": "3",
            "margin_percent": "20",
            "publication_days": "7",
            "min_joint_households": "5",
        },
    )
    candidates = db.session.scalar(select(CandidateList).where(CandidateList.estate_id == estate.id))
    base = f"/estates/{estate.code}/candidates/{candidates.id}"
    page = client.get(f"{base}/").get_data(as_text=True)
    assert "Not under criminal investigation and not sentenced in the last 3 years" in page
    client.post(
        f"{base}/rules",
        data={
            "on-age": "y",
            "age-min_age": "18",
            "age-max_age": "65",
            "on-fee_arrears": "y",
            "body-fee_arrears": ["community", "street_office"],
        },
    )
    db.session.refresh(candidates)
    assert [(r.code, r.bodies) for r in candidates.rules] == [
        ("owner", ""),
        ("age", ""),
        ("fee_arrears", "street_office community"),
    ]
    refused = client.post(f"{base}/rules", data={"on-fee_arrears": "y"}, follow_redirects=True)
    assert "Choose who attests the rule “Owes no property fees”." in refused.get_data(as_text=True)
    bad = client.post(
        f"{base}/rules", data={"on-age": "y", "age-min_age": "x", "age-max_age": "65"}, follow_redirects=True
    )
    assert "Give whole numbers for the rule" in bad.get_data(as_text=True)
    assert "Aged 18 to 65" in client.get(f"{base}/").get_data(as_text=True)


def test_unknown_or_unpublished_lists_are_not_public(app, factory):
    estate, _officer = formed_group(factory)
    phone = app.test_client()
    assert phone.get(f"/p/{estate.code}/candidates/").status_code == 404
    assert phone.get(f"/p/{estate.code}/candidates/1/").status_code == 404
    assert phone.get(f"/p/{estate.code}/candidates/objections/nothing").status_code == 404


def test_the_form_offers_a_full_election_or_a_by_election_and_names_the_seats_it_refuses(app, factory):
    estate, officer = formed_group(factory)
    client = english(login(app.test_client(), officer))
    url = f"/estates/{estate.code}/candidates/"
    form = client.get(url).get_data(as_text=True)
    assert 'name="kind"' in form and "A by-election for seats the committee left unfilled" in form
    assert "an odd number of seats from 5 to 11" in form and "from 1 to 10 seats" in form

    fields = {"title": "第一届业主委员会委员选举", "margin_percent": "20", "publication_days": "7"}
    refused = client.post(url, data=fields | {"seats": "4", "min_joint_households": "5"})
    assert refused.status_code == 422
    assert "Seats on the committee: 4." in refused.get_data(as_text=True)
    assert "an odd number of seats from 5 to 11" in refused.get_data(as_text=True)
    assert db.session.scalar(select(CandidateList).where(CandidateList.estate_id == estate.id)) is None

    created = client.post(url, data=fields | {"kind": "by_election", "seats": "4", "min_joint_households": "5"})
    assert created.status_code == 302
    by_election = db.session.scalar(select(CandidateList).where(CandidateList.estate_id == estate.id))
    assert (by_election.kind, by_election.seats) == ("by_election", 4)
    page = client.get(f"{url}{by_election.id}/").get_data(as_text=True)
    assert "A by-election: it fills the seats the committee left unfilled, not the whole committee." in page
    assert "by-election" in client.get(url).get_data(as_text=True)
