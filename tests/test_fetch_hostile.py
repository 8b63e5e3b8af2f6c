"""A hostile site or mirror: what it sends (redirects, links, robots.txt, sizes, timing) fails one URL at most."""

from __future__ import annotations

import pytest

from indexer.fetch.client import FetchError, PoliteClient
from tests.fixtures.mirror_server import MirrorServer, Route


def _client(**changes) -> PoliteClient:
    options = {"delay": 0, "timeout": 5, "retries": 0, "backoff": 0, "max_bytes": 1_000_000} | changes
    return PoliteClient(**options)


@pytest.fixture
def internal():
    """A server on another loopback address, standing for a host inside the network the crawler must not reach."""
    with MirrorServer({"/robots.txt": Route(b"", status=404), "/secret": Route(b"internal secret")}, "127.0.0.2") as s:
        yield s


@pytest.mark.parametrize(
    "location",
    [
        "http://{internal}\\@{mirror}/page.html",  # urlsplit reads the mirror, urllib3 the internal host
        "http://{mirror}@{internal}/secret",  # user info
        "http://{internal}/secret",
        "//{internal}/secret",
        "http://{mirror}\t@{internal}/secret",
        "http://h:1:2/",
        "http://[::1",
    ],
)
def test_a_redirect_the_client_would_read_as_another_host_is_refused(internal, location):
    routes = {"/robots.txt": Route(b"", status=404), "/page.html": Route(b"<p>page</p>")}
    with MirrorServer(routes) as mirror:
        hostport = mirror.url.removeprefix("http://")
        target = location.format(internal=internal.url.removeprefix("http://"), mirror=hostport)
        routes["/moved.html"] = Route(redirect=target)
        with pytest.raises(FetchError, match="redirected"):
            _client().get(mirror.url + "/moved.html")
    assert not internal.log


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:1\\@127.0.0.2:2/", "http://user:pass@127.0.0.1/", "http://127.0.0.1/\x00", "ftp://127.0.0.1/"],
)
def test_an_address_parsers_read_differently_is_never_asked_for(url):
    with pytest.raises(FetchError, match="not a plain http or https address"):
        _client().get(url)


def test_the_answer_must_come_from_the_host_and_port_that_were_checked(internal, monkeypatch):
    import requests.models

    real = requests.models.parse_url
    with MirrorServer({"/robots.txt": Route(b"", status=404), "/page.html": Route(b"<p>page</p>")}) as mirror:
        # Were requests to read an address otherwise than the check did, it would connect elsewhere.
        elsewhere = internal.url.removeprefix("http://")
        monkeypatch.setattr(
            requests.models, "parse_url", lambda url: real(url.replace(mirror.url.removeprefix("http://"), elsewhere))
        )
        client = _client()
        client.robots_source = lambda origin: None
        with pytest.raises(FetchError, match="answered from 127.0.0.2"):
            client.get(mirror.url + "/secret")


@pytest.mark.parametrize(
    "href, kept",
    [
        ("https://www.state.gov/reports/x/", True),
        ("https://evil.example\\@www.state.gov/", False),
        ("https://user@www.state.gov/", False),
        ("https://www.state.gov.evil.example/", False),
        ("https://evilstate.gov/", False),
        ("https://www.state.gov\t.evil.example/", False),
        ("javascript://www.state.gov/%0aalert(1)", False),
    ],
)
def test_a_canonical_link_counts_only_when_every_parser_reads_state_gov(href, kept):
    from indexer.extract.html import extract_html

    page = f'<html><head><link rel="canonical" href="{href}"></head><body><main><p>Text.</p></main></body></html>'
    assert (extract_html(page.encode(), "page.html", 10**6).url == href) is kept


def test_links_that_are_not_one_plain_address_are_left_out_each_kept_once():
    from indexer.fetch.crawl import _links

    hrefs = ["a.html", "http://[::1", "http://h:1:2/", "http://x\\@y/", "mailto:x@y", "/b.html#top", "b.html", "a.html"]
    page = "".join(f'<a href="{href}">x</a>' for href in hrefs).encode()
    assert _links(page, "http://mirror.example/r/") == [
        "http://mirror.example/r/a.html",
        "http://mirror.example/b.html",
        "http://mirror.example/r/b.html",
    ]
