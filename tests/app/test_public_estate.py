"""The estate's public page leads to everything public: the board, each vote's results and
minutes, the preparation group, the candidate lists, the roll, and each record with how to check
it; a draft vote stays unseen."""

from datetime import timedelta
from html.parser import HTMLParser

from sqlalchemy import select

from simulation.candidates import vetted_list
from tests.app.test_prep import OWNERS, estate_roster, owner_id
from tests.elections_kit import NOW, open_vote
from voting.auth.models import Role
from voting.board.models import BoardNotice
from voting.board.results import publish_results
from voting.candidates.models import ListKind
from voting.elections.models import Election, State
from voting.elections.operations import create_election
from voting.extensions import db
from voting.roster.operations import publish_roll
from voting.timeutil import utcnow


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/p/"):
            self.hrefs.append(href)


def links_of(page: str) -> list[str]:
    parser = Links()
    parser.feed(page)
    return parser.hrefs


def everything_public(factory):
    """An estate with its roll, group and candidate list published, a counted vote whose results
    and minutes are on the board, an open vote and a draft."""
    estate = factory.estate(roster=estate_roster())
    officer = factory.staff(Role.STREET_OFFICE, estate)
    publish_roll("test", estate)
    candidates = vetted_list(
        officer,
        estate,
        [(name, owner_id(n)) for n, (name, _b) in enumerate(OWNERS, 1)],
        2,
        utcnow(),
        kind=ListKind.BY_ELECTION,
    )
    db.session.commit()
    counted = open_vote(estate)
    counted.count()
    results, minutes = publish_results("test", counted.election, scrutineers=["监票人甲"])
    still_open = open_vote(estate)
    create_election("test", estate, "尚未公开的草稿表决", NOW + timedelta(days=30), NOW + timedelta(days=40))
    db.session.commit()
    return estate, candidates, counted.election, still_open.election, (results, minutes)


def test_the_estate_page_leads_to_every_public_page(app, factory):
    estate, candidates, counted, still_open, (results, minutes) = everything_public(factory)
    public = app.test_client()
    page = public.get(f"/p/{estate.code}/").get_data(as_text=True)

    code = estate.code
    expected = {
        f"/p/{code}/board/",
        f"/p/{code}/roll",
        f"/p/{code}/prep/",
        f"/p/{code}/candidates/{candidates.id}/",
        f"/p/{code}/board/{results.id}",
        f"/p/{code}/board/{results.id}/document.pdf",
        f"/p/{code}/board/{minutes.id}",
        f"/p/{code}/board/{minutes.id}/document.pdf",
        f"/p/{code}/elections/{counted.public_id}/record",
        f"/p/{code}/elections/{counted.public_id}/record.json",
    }
    links = set(links_of(page))
    assert expected <= links, expected - links
    for link in links:  # every link resolves to a real page
        assert public.get(link).status_code == 200, link
    assert public.get(f"/p/{code}/board/{results.id}/document.pdf").data == db.session.get(BoardNotice, results.id).pdf

    # The record's raw JSON is a secondary link, after the page that checks it in the browser.
    assert page.index(f'/elections/{counted.public_id}/record"') < page.index(
        f"/elections/{counted.public_id}/record.json"
    )
    how = page[page.index('id="how-to-check"') :]  # and how to check it, in words
    assert how.count("<li>") >= 3
    # The open vote is listed, without a record yet; a draft is not public.
    assert still_open.title in page and f"/elections/{still_open.public_id}/record" not in page
    assert "尚未公开的草稿表决" not in page


def test_the_estate_page_of_an_estate_with_nothing_published_is_still_a_way_to_the_board(app, factory):
    estate = factory.estate()
    page = app.test_client().get(f"/p/{estate.code}/").get_data(as_text=True)
    assert links_of(page) == [f"/p/{estate.code}/board/"]
    assert app.test_client().get(f"/p/{estate.code}/board/").status_code == 200


def test_a_draft_title_is_on_no_page_anyone_may_open(app, factory):
    """Every route that takes a vote, tried without logging in with the draft's ids: its title
    may still change and is not public."""
    estate, candidates, _counted, _still_open, (results, _minutes) = everything_public(factory)
    draft = db.session.scalar(select(Election).where(Election.state == State.DRAFT.value))
    values = {
        "code": estate.code,
        "public_id": draft.public_id,
        "election_id": draft.id,
        "list_id": candidates.id,
        "notice_id": results.id,
    }
    public = app.test_client()
    tried = 0
    for rule in app.url_map.iter_rules():
        if not {"public_id", "election_id"} & rule.arguments or not rule.arguments <= values.keys():
            continue
        url = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            page = public.open(url, method=method).get_data(as_text=True)
            assert draft.title not in page, (method, url)
            tried += 1
    assert tried > 20
