"""The JSON API (voting.api) answers JSON to everything, refusals included; the pages answer pages
(or files), whatever a request sends or asks for."""

from tests.app.test_paper import CHOICES, close, paper_vote
from tests.factories import login
from voting.auth.models import Role
from voting.vote.operations import MAX_REQUEST_BYTES

PHONE_ROUTES = "api.vote."
FEATURES_THAT_ANSWERED_JSON = ("paper.", "vote.", "credentials.", "certification.")


def url_of(rule, pv, **values) -> str:
    election = pv.election
    known = {"code": election.estate.code, "election_id": election.id, "public_id": election.public_id}
    return rule.build(known | values, append_unknown=False)[1]


def test_every_api_route_answers_json_to_whoever_it_turns_away(app, factory):
    pv = paper_vote(app, factory)
    paper_id = pv.key_and_sign(pv.a, "v00001", CHOICES)
    desk_receipt = pv.handed_in("v00002")
    ids = {"paper_id": paper_id, "desk_receipt": desk_receipt, "request_id": 1, "extension_id": 1}
    community = login(app.test_client(), factory.staff(Role.COMMUNITY, pv.election.estate))
    staff_rules = [
        r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.") and PHONE_ROUTES not in r.endpoint
    ]
    refusals = []
    for rule in staff_rules:
        url = url_of(rule, pv, **ids)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            # Signed out (a script whose session ended), then an account of the estate that may
            # not do this, posting a body that is no JSON object.
            anonymous = app.test_client().open(url, method=method)
            assert anonymous.status_code == 401 and anonymous.json == {"error": "请先登录，再打开此页面。"}, url
            refused = community.open(url, method=method, data="[]", content_type="application/json")
            refusals.append((refused.status_code, refused.json.get("error"), url))
    assert len(refusals) == 20  # with the two extension signatures (api.officers.extension_*)
    assert all(status in (400, 403, 409) and error for status, error, _url in refusals), refusals

    close(pv)  # the phones' routes: the vote is closed, and the body is too large to read
    phone_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith(PHONE_ROUTES)]
    answers = {
        rule.endpoint: app.test_client().post(url_of(rule, pv), data=b" " * (MAX_REQUEST_BYTES + 1)).json
        for rule in phone_rules
    }
    closed = "本次表决已于"
    assert closed in answers.pop("api.vote.challenge")["error"]
    assert answers == {
        f"{PHONE_ROUTES}{name}": {"error": "请求内容过大。"} for name in ("session", "cast", "units", "check_receipt")
    }


def test_an_api_path_that_names_no_route_answers_json(app):
    missing = app.test_client().get("/api/estates/nowhere/elections/1/paper/no-such-thing")
    assert missing.status_code == 404 and "error" in missing.json


def test_the_pages_answer_pages_even_to_a_script_asking_for_json(app, factory):
    pv = paper_vote(app, factory)
    paper_id = pv.key_and_sign(pv.a, "v00001", CHOICES)
    ids = {"paper_id": paper_id, "desk_receipt": pv.handed_in("v00002"), "request_id": 1}
    checked = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(FEATURES_THAT_ANSWERED_JSON):
            continue
        url = url_of(rule, pv, **ids)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = pv.a.client.open(url, method=method, json={}, headers={"Accept": "application/json"})
            assert not response.is_json, (method, url, response.status_code)
            checked.append((rule.endpoint, response.status_code))
    assert len(checked) == 25
    # What used to answer JSON to such a request answers the page now; a refused form comes back.
    statuses = dict(checked)
    assert statuses["paper.index"] == statuses["paper.ballot"] == statuses["paper.handin"] == 200
    assert statuses["paper.key"] == 403 and statuses["vote.ballot"] == 200  # no key of this clerk's named
