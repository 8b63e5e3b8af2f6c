"""Atom feeds of searches, dated by when each narrative's text last changed in a published build."""

from __future__ import annotations

import shutil
import time

import feedparser
import pytest

from indexer.index.home import IndexHome
from indexer.index.updates import read_updates
from tests.conftest import TIP_FIXTURES, index_files, web_app


@pytest.fixture
def pages(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in ("2019-south-korea.html", "2023-north-korea.html", "2007-haiti.html"):
        shutil.copy(TIP_FIXTURES / name, folder / name)
    return folder


def _feed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.get_data())
    assert parsed.version == "atom10" and not parsed.bozo, parsed.get("bozo_exception")
    return response, parsed


def test_a_search_feed_is_atom_newest_edition_first_and_dated_by_the_last_change(pages, tmp_path):
    index = tmp_path / "index"
    index_files([pages], index)
    first = read_updates(IndexHome(index).searched())
    assert set(first) == {"tip-2019-kor", "tip-2023-prk", "tip-2007-hti"} and len({t for _, t in first.values()}) == 1
    client = web_app(index).test_client()
    response, feed = _feed(client, "/search.atom?q=government&report=tip")
    assert [e.link for e in feed.entries] == [
        "/doc/tip-2023-prk",
        "/doc/tip-2019-kor",
        "/doc/tip-2007-hti",
    ]  # newest edition first; from the site's root without TIPSEARCH_PUBLIC_URL
    entry = feed.entries[0]
    assert entry.title == "North Korea – Trafficking in Persons Report 2023" and "<mark>" not in entry.summary
    assert "government" in entry.summary.lower() and entry.updated == first["tip-2023-prk"][1]
    assert feed.feed.updated == first["tip-2023-prk"][1]
    assert feed.feed.links[0].href == "/search.atom?q=government&report=tip"
    assert len({e.id for e in feed.entries}) == 3 and all(e.id.startswith("urn:uuid:") for e in feed.entries)
    assert response.headers["X-Content-Type-Options"] == "nosniff" and response.headers["Content-Security-Policy"]

    time.sleep(1.1)  # a later second
    korea = pages / "2019-south-korea.html"
    korea.write_text(
        korea.read_text(encoding="utf-8").replace("maintained law enforcement", "increased law enforcement"),
        encoding="utf-8",
    )
    shutil.copy(TIP_FIXTURES / "2016-afghanistan.html", pages / "2016-afghanistan.html")
    index_files([pages], index)
    second = read_updates(IndexHome(index).searched())
    assert second["tip-2023-prk"] == first["tip-2023-prk"] and second["tip-2007-hti"] == first["tip-2007-hti"]
    assert second["tip-2019-kor"][1] > first["tip-2019-kor"][1]  # changed
    assert second["tip-2016-afg"][1] == second["tip-2019-kor"][1]  # added by the same build
    _, feed = _feed(client, "/search.atom?q=government&report=tip")
    dated = {e.link.rsplit("/", 1)[1]: e.updated for e in feed.entries}
    assert dated == {n: when for n, (_, when) in second.items()}
    assert feed.feed.updated == second["tip-2019-kor"][1]


def test_the_search_page_links_its_feed(client):
    html = client.get("/search?q=forced+labor&region=Africa").get_data(as_text=True)
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/search.atom?q=forced+labor&amp;region=Africa"' in html


def test_a_feed_escapes_hostile_text_and_refuses_what_the_search_refuses(client):
    _, feed = _feed(client, "/search.atom?q=" + "%3C%2Ftitle%3E%5D%5D%3E%26labor")
    assert feed.feed.title == "tipsearch: </title>]]>&labor"
    assert client.get("/search.atom?q=labor&country=Atlantis").status_code == 400
    assert client.get("/search.atom?q=labor&limit=100000").status_code == 400


def test_feeds_are_rate_limited_like_the_api(index_dir):
    client = web_app(index_dir, rate_limit=2).test_client()
    statuses = [client.get("/search.atom?q=labor").status_code for _ in range(4)]
    assert statuses[0] == 200 and statuses[-1] == 429


def test_a_feed_is_well_formed_whatever_the_query_or_the_text_holds(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    page = (TIP_FIXTURES / "2019-south-korea.html").read_text(encoding="utf-8")
    (folder / "korea.html").write_text(page.replace("government", "govern\ufffement\x01"), encoding="utf-8")
    index_files([folder], tmp_path / "index")
    client = web_app(tmp_path / "index").test_client()
    for url in ("/search.atom?q=labor%01%0B", "/search.atom?q=labor\ufffe", "/search.atom?q=govern"):
        response, feed = _feed(client, url)
        assert feed.entries and "\ufffe" not in response.get_data(as_text=True)
