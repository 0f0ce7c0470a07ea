"""The street office certifies with a browser-held key; nobody else can."""

import json
from datetime import timedelta

import pytest

from tests.elections_kit import NOW, Witness, open_vote, roster_voter_ids
from tests.factories import login, small_roster
from voting.auth.models import Role
from voting.ballots.operations import cast_online
from voting.certification.operations import CertificationRefused, body_to_sign, certify, register_certifying_key
from voting.core import record_v2, signing
from voting.elections.operations import close_election, export_record, tally_election
from voting.extensions import db
from voting.formatting import format_area
from voting.tally.operations import read_results

pytestmark = pytest.mark.usefixtures("english")  # the reasons asserted are English


@pytest.fixture
def counted(app, factory):
    """A counted vote whose street-office officer registered a certifying key in the draft."""
    estate = factory.estate(roster=small_roster())
    officer_staff = factory.staff(Role.STREET_OFFICE, estate)
    seed, public_key = signing.generate_keypair()
    vote = open_vote(estate, officers=[(officer_staff, "street_office", public_key)])
    voter_ids = roster_voter_ids(vote.election)
    # Three of four voters, all but the co-owned flat: 500.25 of 589.81 m² take part, past the quorum.
    for roster_code in ("v00002", "v00003", "v00004"):
        ballot, signature = vote.signed(voter_ids[roster_code], {"m1": "yes", "m2": "yes", "m3": ["c3-1"]})
        cast_online(vote.election, ballot, signature, now=NOW)
    officer = next(o for o in vote.election.officers if o.role == "street_office")
    witness = Witness(officer_staff, seed)
    witness.officer_id = officer.officer_id
    close_election("test", vote.election, now=vote.election.closes_at)
    witness.witness_close(vote.election)
    tally_election("test", vote.election)
    db.session.commit()
    return estate, vote.election, officer_staff, officer, signing.private_key_from_seed(seed)


def sign_body(election, officer, key):
    body = body_to_sign(election, officer)
    return body, signing.sign(key, "certification", body, record_v2.VERSION)


def test_certified_record_verifies(app, counted):
    estate, election, staff, officer, key = counted
    client = login(app.test_client(), staff)
    page = client.get(f"/estates/{estate.code}/elections/{election.id}/certification/").get_data(as_text=True)
    assert "VALID" in page or "有效" in page
    body, signature = sign_body(election, officer, key)
    response = client.post(
        f"/api/estates/{estate.code}/elections/{election.id}/certification/sign",
        json={"officer_id": officer.officer_id, "body": body, "signature": signature, "confirmed": True},
    )
    assert response.status_code == 200, response.data
    document = export_record(election)
    assert document["certifications"] == [{"body": body, "signature": signature}]
    assert record_v2.verify(document) == json.loads(election.tally_json)


def test_certifying_asks_first_with_the_figures_being_certified(app, counted):
    estate, election, staff, officer, key = counted
    client = login(app.test_client(), staff)
    base = f"/estates/{estate.code}/elections/{election.id}/certification"
    # The certification page leads to the confirmation; its browser signs only from there.
    index = client.get(f"{base}/").get_data(as_text=True)
    assert f'href="{base}/confirm"' in index and 'data-clerk-action="sign"' not in index
    page = client.get(f"{base}/confirm").get_data(as_text=True)
    assert "It cannot be changed or taken back" in page
    assert 'data-clerk-action="sign"' in page and "data-clerk-confirm" in page and "I have checked the above" in page
    assert f'href="{base}/"' in page  # the way back
    # The figures: per motion, who took part and how, the lines and the outcome; per candidate, the standing.
    results = read_results(election)
    for motion in results.motions:
        assert motion.title in page
        assert (
            f'<td class="num">{format_area(motion.participation.area)}</td><td class="num">'
            f"{motion.participation.heads}</td>" in page
        )
    yes = results.motions[0].choices["yes"]
    assert f'<th>Yes</th><td class="num">{format_area(yes.area)}</td><td class="num">{yes.heads}</td>' in page
    assert (
        "Ordinary matter: yes from more than half" in page and "Major matter: yes from at least three quarters" in page
    )
    assert "Quorum: those taking part hold at least two thirds" in page
    for candidate in results.motions[2].candidates:
        assert candidate.name in page and f"standing-{candidate.standing}" in page
    body = body_to_sign(election, officer)
    assert body["tally_hash"] in page and body["tree_root"] in page


def test_a_certification_without_the_tick_is_refused_and_changes_nothing(app, counted):
    from voting.board.models import BoardNotice

    estate, election, staff, officer, key = counted
    client = login(app.test_client(), staff)
    body, signature = sign_body(election, officer, key)
    sign_url = f"/api/estates/{estate.code}/elections/{election.id}/certification/sign"
    for unticked in ({}, {"confirmed": False}, {"confirmed": "y"}):
        response = client.post(
            sign_url, json={"officer_id": officer.officer_id, "body": body, "signature": signature, **unticked}
        )
        assert response.status_code == 400
        assert response.json["error"] == "Tick “I have checked the above” to confirm. Nothing has been changed."
    assert export_record(election)["certifications"] == []
    assert db.session.query(BoardNotice).filter_by(election_id=election.id, kind="certification").count() == 0


@pytest.mark.parametrize("role", [Role.PLATFORM_ADMIN, Role.PREP_GROUP, Role.COMMUNITY])
def test_nobody_but_the_street_office_certifies(app, factory, counted, role):
    estate, election, _staff, officer, key = counted
    intruder = factory.staff(role, None if role is Role.PLATFORM_ADMIN else estate)
    body, signature = sign_body(election, officer, key)
    with pytest.raises(CertificationRefused, match="street office"):
        certify(intruder, election, officer.officer_id, body, signature)


def test_an_officer_of_another_street_office_cannot_reach_it(app, factory, counted):
    estate, election, _staff, officer, key = counted
    other = factory.staff(Role.STREET_OFFICE, factory.estate())
    client = login(app.test_client(), other)
    body, signature = sign_body(election, officer, key)
    response = client.post(
        f"/api/estates/{estate.code}/elections/{election.id}/certification/sign",
        json={"officer_id": officer.officer_id, "body": body, "signature": signature},
    )
    assert response.status_code == 404
    with pytest.raises(CertificationRefused):
        certify(other, election, officer.officer_id, body, signature)
    assert export_record(election)["certifications"] == []


def test_forged_or_stale_certifications_are_refused(app, counted):
    _estate, election, staff, officer, key = counted
    body, signature = sign_body(election, officer, key)
    other_key = signing.private_key_from_seed(signing.new_seed())
    for bad_body, bad_signature, fault in (
        (body, signing.sign(other_key, "certification", body, record_v2.VERSION), "signature"),
        (body, signing.sign(key, "certification", body), "signature"),  # format 1's prefix
        (body | {"tally_hash": "A" * 43}, signature, "match"),
        (body_to_sign(election, officer, NOW - timedelta(days=30)), None, "match"),
    ):
        bad_signature = bad_signature or signing.sign(key, "certification", bad_body, record_v2.VERSION)
        with pytest.raises(CertificationRefused, match=fault):
            certify(staff, election, officer.officer_id, bad_body, bad_signature)


def test_a_tally_changed_after_the_count_is_not_certified(app, counted):
    """Someone with the database flips the stored result: the street office's page shows the
    verifier's fault and certifying is refused with it, whatever the officer's browser signs."""
    estate, election, staff, officer, key = counted
    tally = json.loads(election.tally_json)
    candidate = tally["motions"][2]["candidates"][0]
    candidate["area"] += 1
    election.tally_json = json.dumps(tally, ensure_ascii=False)
    db.session.commit()
    client = login(app.test_client(), staff)
    page = client.get(f"/estates/{estate.code}/elections/{election.id}/certification/").get_data(as_text=True)
    assert "[C1]" in page
    body, signature = sign_body(election, officer, key)
    with pytest.raises(CertificationRefused, match=r"does not verify: \[C1\]"):
        certify(staff, election, officer.officer_id, body, signature)
    assert export_record(election)["certifications"] == []


def test_refusal_needs_a_reason_that_stays_visible(app, counted):
    estate, election, staff, _officer, _key = counted
    client = login(app.test_client(), staff)
    base = f"/estates/{estate.code}/elections/{election.id}/certification"
    client.post(f"{base}/refuse", data={"reason": "  "})
    client.post(f"{base}/refuse", data={"reason": "计票过程中监票人缺席"})
    page = client.get(f"{base}/").get_data(as_text=True)
    assert "计票过程中监票人缺席" in page
    assert export_record(election)["certifications"] == []


def test_a_certifying_key_is_registered_only_in_the_draft_by_the_right_officer(app, factory):
    estate = factory.estate(roster=small_roster())
    vote = open_vote(estate)
    officer = factory.staff(Role.STREET_OFFICE, estate)
    with pytest.raises(CertificationRefused):
        register_certifying_key(officer, vote.election, signing.generate_keypair()[1])
    prep = factory.staff(Role.PREP_GROUP, estate)
    with pytest.raises(CertificationRefused, match="street office"):
        register_certifying_key(prep, vote.election, signing.generate_keypair()[1])


def test_certifying_puts_the_sheet_on_the_board(app, counted):
    from voting.board.models import BoardNotice

    estate, election, staff, officer, key = counted
    client = login(app.test_client(), staff)
    body, signature = sign_body(election, officer, key)
    client.post(
        f"/api/estates/{estate.code}/elections/{election.id}/certification/sign",
        json={"officer_id": officer.officer_id, "body": body, "signature": signature, "confirmed": True},
    )
    (sheet,) = db.session.query(BoardNotice).filter_by(election_id=election.id, kind="certification").all()
    assert sheet.pdf.startswith(b"%PDF") and sheet.sha256


def test_results_and_minutes_are_published_to_the_board(app, factory, counted):
    from voting.board.models import BoardNotice

    estate, election, _staff, _officer, _key = counted
    client = login(app.test_client(), factory.staff(Role.PREP_GROUP, estate))
    response = client.post(
        f"/estates/{estate.code}/board/elections/{election.id}/results",
        data={"scrutineers": "张监票，李监票", "confirmed": "y"},
    )
    assert response.status_code == 302
    kinds = sorted(n.kind for n in db.session.query(BoardNotice).filter_by(election_id=election.id))
    assert kinds == ["meeting_notice", "minutes", "results"]  # the meeting notice went up before it opened
    page = app.test_client().get(f"/p/{estate.code}/board/").get_data(as_text=True)
    assert election.title in page


def test_the_street_office_decides_once(app, counted):
    _estate, election, staff, officer, key = counted
    body, signature = sign_body(election, officer, key)
    certify(staff, election, officer.officer_id, body, signature)
    db.session.flush()
    with pytest.raises(CertificationRefused, match="already decided"):
        certify(staff, election, officer.officer_id, *sign_body(election, officer, key))
    from voting.certification.operations import refuse

    with pytest.raises(CertificationRefused, match="already decided"):
        refuse(staff, election, "改变主意")


def test_the_decision_names_the_officer_by_name_and_role_not_by_key_id(app, counted):
    estate, election, staff, officer, key = counted
    staff.display_name = "王芳"
    db.session.commit()
    client = login(app.test_client(), staff)
    body, signature = sign_body(election, officer, key)
    client.post(
        f"/api/estates/{estate.code}/elections/{election.id}/certification/sign",
        json={"officer_id": officer.officer_id, "body": body, "signature": signature, "confirmed": True},
    )
    page = client.get(f"/estates/{estate.code}/elections/{election.id}/certification/").get_data(as_text=True)
    assert "Certified by 王芳 (Street office officer)" in page
    assert f"Certified by {officer.officer_id}" not in page


def test_the_certification_page_runs_the_verifier_once_per_state_of_the_record(app, counted, monkeypatch):
    estate, election, staff, officer, key = counted
    runs = []
    verify_record = record_v2.verify_record
    monkeypatch.setattr(record_v2, "verify_record", lambda record, *a: runs.append(1) or verify_record(record, *a))
    client = login(app.test_client(), staff)
    page = f"/estates/{estate.code}/elections/{election.id}/certification/"
    for _ in range(3):
        assert client.get(page).status_code == 200
    assert len(runs) == 1
    # A certification makes a new record, which the verifier checks again.
    body, signature = sign_body(election, officer, key)
    certify(staff, election, officer.officer_id, body, signature)
    db.session.commit()
    client.get(page)
    client.get(page)
    assert len(runs) == 2


def test_the_public_record_is_built_once_per_state_and_carries_a_validator(app, counted, monkeypatch):
    import hashlib

    from voting.elections import operations

    estate, election, staff, officer, key = counted
    builds = []
    export = operations.export_record
    monkeypatch.setattr(operations, "export_record", lambda e: builds.append(1) or export(e))
    url = f"/p/{estate.code}/elections/{election.public_id}/record.json"
    first = app.test_client().get(url)
    assert first.status_code == 200 and first.headers["ETag"] == f'"{hashlib.sha256(first.data).hexdigest()}"'
    assert json.loads(first.data) == export_record(election)
    unchanged = app.test_client().get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.data == b""
    assert app.test_client().get(url).data == first.data
    assert len(builds) == 1
    body, signature = sign_body(election, officer, key)
    certify(staff, election, officer.officer_id, body, signature)
    db.session.commit()
    certified = app.test_client().get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert certified.status_code == 200 and json.loads(certified.data)["certifications"] == [
        {"body": body, "signature": signature}
    ]
    assert len(builds) == 2
