"""Every page in Chinese: a walk over every route, as each kind of user and the public, with an
object behind every argument, finds no English, no half-width punctuation beside Chinese and no
time written as a machine writes it."""

import pytest

from tests.chinese_text import faults_for_chinese_reader, readable_texts
from tests.estate_world import CHINESE, EstateWorld, route_urls, staff_clients
from voting.core.canonical import parse_time
from voting.formatting import format_date, format_datetime


@pytest.fixture
def world(app, factory):
    return EstateWorld(app, factory, CHINESE)


def test_every_page_reads_as_chinese(app, world):
    clients = staff_clients(app, world) | {"public": app.test_client()}
    urls = sorted({url for method, url in route_urls(app, world) if method == "GET" and "/static/" not in url})
    faults, shown = {}, set()
    for who, client in clients.items():
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, (who, url)
            if response.mimetype != "text/html":
                continue
            shown.add(url)
            found = faults_for_chinese_reader(readable_texts(response.get_data(as_text=True)))
            if found:
                faults[f"{who} {url}"] = sorted(set(found))
    assert faults == {}
    assert len(shown) > 40


def test_the_checker_finds_what_it_is_for():
    page = (
        "<h1>表决时间: 2026-12-03T20:51:00+08:00</h1><p>Please log in</p><button title='Not Found'>好</button>"
        "<code>tree head abc</code><p>（一般事项）</p>"
    )
    faults = faults_for_chinese_reader(readable_texts(page))
    assert len(faults) == 4 and any("Please log in" in f for f in faults) and any("Not Found" in f for f in faults)
    assert faults_for_chinese_reader(readable_texts("<p>表决期至2026年12月3日 20:51才截止。</p>")) == []


@pytest.mark.parametrize(("language", "written"), [("zh_CN", "2026年12月3日 20:51"), ("en", "3 Dec 2026 20:51")])
def test_times_are_written_as_people_write_them(app, language, written):
    from flask_babel import force_locale

    with force_locale(language):
        assert format_datetime(parse_time("2026-12-03T12:51:00Z")) == written
        assert format_date(parse_time("2026-12-03T12:51:00Z").date()) == written.rsplit(" ", 1)[0]
