"""The private roll: random voter ids per vote, no units in anything public, and how each unit
voted shown only to holders of a valid credential of the vote, where the assembly so decided."""

import json
import re

import pytest
from sqlalchemy import select

from tests.app.test_vote import (
    DEVELOPER,
    WANG,
    ZHANG_LI,
    ZHAO,
    ballot_of,
    cast,
    challenge,
    prove,
    public_key,
    revoke,
)
from tests.elections_kit import PHONE_MOTIONS, count_vote, group_member, open_vote, roster_voter_ids
from tests.factories import resident_id, roster_csv, small_roster
from voting.core import record_v2
from voting.core.canonical import b64d
from voting.core.roll import units_commitment
from voting.elections.models import ElectionVoter
from voting.elections.operations import export_record
from voting.extensions import db
from voting.notices.operations import NoticeError, voter_for_unit
from voting.paper.operations import PaperRefused, find_voter
from voting.roster.operations import publish_roll
from voting.timeutil import utcnow

pytestmark = pytest.mark.usefixtures("english")  # the reasons asserted are English

SMALL_ROSTER_UNITS = ["1幢-1-101", "1幢-1-102", "1幢-1-201", "1幢-2-101", "商业-S01"]


def frozen_voters(election) -> list[ElectionVoter]:
    """The vote's voters in the order they were frozen: the roll's order."""
    return list(
        db.session.scalars(
            select(ElectionVoter).where(ElectionVoter.election_id == election.id).order_by(ElectionVoter.id)
        )
    )


def test_each_vote_draws_its_own_random_voter_ids_unrelated_to_the_roll_order(app, factory):
    estate = factory.estate(
        roster=roster_csv(
            [
                ["1幢", "1", f"{room}01", "住宅", "90.00", "登记", f"业主{room}", resident_id(room), "", "已交付"]
                for room in range(1, 31)
            ]
        )
    )
    first, second = open_vote(estate).election, open_vote(estate).election

    first_ids = [voter.voter_code for voter in frozen_voters(first)]
    second_ids = [voter.voter_code for voter in frozen_voters(second)]
    assert len(set(first_ids)) == len(first_ids) == 30
    assert all(re.fullmatch(r"[0-9a-hjkmnp-tv-z]{10}", voter_id) for voter_id in first_ids + second_ids)
    assert first_ids != sorted(first_ids)  # 1 in 30! by chance
    assert set(first_ids).isdisjoint(second_ids)
    assert set(roster_voter_ids(first)).isdisjoint(first_ids)  # never the roster's v00001 …


def test_the_public_roll_shows_no_voter_id(app, factory):
    estate = factory.estate(roster=small_roster())
    vote = open_vote(estate)
    publish_roll("test", estate)
    db.session.commit()

    page = app.test_client().get(f"/p/{estate.code}/roll").get_data(as_text=True)
    assert all(label in page for label in SMALL_ROSTER_UNITS)
    assert not any(voter_id in page for voter_id in vote.secrets)
    assert not any(roster_code in page for roster_code in vote.ids)


def test_the_record_names_no_unit_and_commits_to_each_voters_units(app, factory):
    vote = open_vote(factory.estate(roster=small_roster()), publish_units=True, now=utcnow(), motions=PHONE_MOTIONS)
    election, secrets = vote.election, vote.roster_secrets
    client = app.test_client()
    assert cast(client, election, secrets[WANG], ballot_of(election, WANG)).status_code == 200
    count_vote(election)

    document = export_record(election)
    text = json.dumps(document, ensure_ascii=False)
    assert not any(label in text for label in SMALL_ROSTER_UNITS)
    assert record_v2.verify(document)["counted"] == 1
    commitments = {voter["voter_id"]: voter["units_commitment"] for voter in document["roll"]["voters"]}
    assert commitments == {
        voter.voter_code: units_commitment(b64d(voter.units_salt), voter.unit_labels)
        for voter in frozen_voters(election)
    }
    assert len(set(commitments.values())) == 4


def counted(app, factory, *, publish_units: bool):
    """A counted vote of small_roster: 张三+李四 and 王五 voted online, 赵六 voted and then had the
    key revoked, the developer did not vote."""
    estate = factory.estate(roster=small_roster())
    group = (group_member(factory, estate), group_member(factory, estate))
    vote = open_vote(
        estate,
        publish_units=publish_units,
        officers=[member.officer for member in group],
        now=utcnow(),
        motions=PHONE_MOTIONS,
    )
    election, secrets = vote.election, vote.roster_secrets
    client = app.test_client()
    assert cast(client, election, secrets[ZHANG_LI], ballot_of(election, ZHANG_LI)).status_code == 200
    wang = ballot_of(election, WANG, {"m1": "no", "m2": "abstain", "m3": ["c3-2"]})
    assert cast(client, election, secrets[WANG], wang).status_code == 200
    assert cast(client, election, secrets[ZHAO], ballot_of(election, ZHAO)).status_code == 200
    revoke(election, group, "1幢-2-101")
    return election, secrets, client


def count(election) -> None:
    count_vote(election)


def proof(seed: bytes, token: str) -> dict:
    return {"public_key": public_key(seed), "challenge": token, "signature": prove(seed, token)}


def unit_rows(html: str) -> list[list[str]]:
    """The table's rows as cell texts."""
    return [re.findall(r"<t[dh]>(.*?)</t[dh]>", row) for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)]


def test_owners_with_a_valid_notice_see_how_each_unit_voted_once_counted(app, factory):
    election, secrets, client = counted(app, factory, publish_units=True)
    url = f"/api/v/{election.public_id}/units"
    early = proof(secrets[WANG], challenge(client, election))
    assert client.post(url, json=early).status_code == 403  # not before the count
    count(election)

    page = client.get(f"/v/{election.public_id}").get_data(as_text=True)
    assert 'id="step-units"' in page and url in page

    answer = client.post(url, json=proof(secrets[DEVELOPER], challenge(client, election)))
    assert answer.status_code == 200  # a holder who did not vote may look too
    html = answer.json["html"]
    assert "审议《管理规约》" in html and "选举第一届业主委员会" in html
    assert unit_rows(html) == [
        ["Units", "1", "2", "3"],
        ["1幢-1-101", "Yes", "No", "张三、赵六"],
        ["1幢-1-102、1幢-1-201", "No", "Abstain", "王五"],
        ["1幢-2-101", "Yes", "No", "张三、赵六"],
    ]
    assert "商业-S01" not in html  # the developer did not vote


def test_nobody_without_a_valid_notice_sees_how_units_voted(app, factory):
    election, secrets, client = counted(app, factory, publish_units=True)
    count(election)
    other_secrets = open_vote(
        factory.estate(roster=small_roster()), publish_units=True, now=utcnow(), motions=PHONE_MOTIONS
    ).roster_secrets
    url = f"/api/v/{election.public_id}/units"
    token = challenge(client, election)
    refusals = {
        "no proof": {},
        "no signature": {"public_key": public_key(secrets[WANG]), "challenge": token},
        "signed by another key": {**proof(secrets[WANG], token), "signature": prove(secrets[ZHANG_LI], token)},
        "a made-up challenge": proof(secrets[WANG], "not-a-challenge"),
        "another vote's notice": proof(other_secrets[WANG], token),
        "a revoked notice": proof(secrets[ZHAO], token),
    }
    for case, body in refusals.items():
        response = client.post(url, json=body)
        assert response.status_code in (400, 403), case
        assert "html" not in response.json and "1幢-1-101" not in response.get_data(as_text=True), case


def test_with_the_setting_off_nobody_sees_how_units_voted(app, factory):
    election, secrets, client = counted(app, factory, publish_units=False)
    early = proof(secrets[WANG], challenge(client, election))  # fresh for ten minutes
    count(election)

    refused = client.post(f"/api/v/{election.public_id}/units", json=early)
    assert refused.status_code == 403
    assert refused.json == {"error": "How each unit voted is not shown for this vote."}
    assert client.post(f"/api/v/{election.public_id}/challenge").status_code == 409
    page = client.get(f"/v/{election.public_id}").get_data(as_text=True)
    assert 'id="vote-data"' not in page and 'id="step-units"' not in page


def test_a_unit_finds_its_one_voter_by_its_exact_label(app, factory):
    """Labels that begin alike, or hold LIKE's wildcards, are different units: the look-up goes by
    the whole label (election_voter_unit), never by a pattern over text."""
    estate = factory.estate(
        roster=roster_csv(
            [
                ["1幢", "1", "10", "住宅", "80.00", "登记", "甲", resident_id(1), "", "已交付"],
                ["1幢", "1", "101", "住宅", "80.00", "登记", "乙", resident_id(2), "", "已交付"],
                ["1幢", "1", "1_1", "住宅", "80.00", "登记", "丙", resident_id(3), "", "已交付"],
                ["1幢", "1", "1%1", "住宅", "80.00", "登记", "丙", resident_id(3), "", "已交付"],
            ]
        )
    )
    election = open_vote(estate).election
    holders = {unit.label: voter.voter_code for voter in frozen_voters(election) for unit in voter.units}
    assert len(holders) == 4 and len(set(holders.values())) == 3
    for label, code in holders.items():
        assert find_voter(election, label).voter_code == code == voter_for_unit(election, label).voter_code
    assert [
        sorted(voter.unit_labels) for voter in frozen_voters(election) if voter.voter_code == holders["1幢-1-1_1"]
    ] == [["1幢-1-1%1", "1幢-1-1_1"]]
    for missing in ("1幢-1-1", "1幢-1-1__", "1幢-1-%"):
        with pytest.raises(PaperRefused, match="No voter of this vote's roll holds unit"):
            find_voter(election, missing)
        with pytest.raises(NoticeError, match="No unit"):
            voter_for_unit(election, missing)
