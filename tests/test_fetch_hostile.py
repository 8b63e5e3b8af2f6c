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
    [
        "http://127.0.0.1:1\\@127.0.0.2:2/",
        "http://user:pass@127.0.0.1/",
        "http://127.0.0.1/\x00",
        "ftp://127.0.0.1/",
        "http://127.0.0.1/a/%2E%2e/private/",
        "http://127.0.0.1/a/%2e/b",
        "http://127.0.0.1/a/..%2fprivate/",  # an encoded slash many servers decode before resolving
        "http://127.0.0.1/a/%2e%2e%5cprivate/",  # and a backslash some servers read as one
    ],
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


def test_robots_lines_the_parser_cannot_read_are_left_out_and_the_rest_obeyed():
    from indexer.fetch.robots import parse_robots

    text = "User-agent: *\nCrawl-delay: ²\nRequest-rate: ²/5\nDisallow: http://[::1\nDisallow: /private/\n"
    rules = parse_robots(text, "http://mirror.example/robots.txt")
    assert not rules.can_fetch("tipsearch", "http://mirror.example/private/x")
    assert rules.can_fetch("tipsearch", "http://mirror.example/open/x")


def test_only_robots_lines_the_parser_converts_are_tried_on_their_own(monkeypatch):
    from urllib.robotparser import RobotFileParser

    from indexer.fetch import robots

    parsed: list[list[str]] = []
    real = RobotFileParser.parse
    monkeypatch.setattr(RobotFileParser, "parse", lambda self, lines: parsed.append(lines) or real(self, lines))
    text = "\n" * 10_000 + "# a comment\n" * 10_000 + "User-agent: *\nSitemap: /s.xml\nDisallow: /private/ # no\n"
    rules = robots.parse_robots(text, "http://127.0.0.1/robots.txt")
    assert not rules.can_fetch("tipsearch", "http://127.0.0.1/private/page.html")
    assert len(parsed) == 2  # the Disallow line alone, then the whole file


def test_only_the_first_500_kib_of_a_robots_txt_are_read():
    from indexer.fetch.robots import ROBOTS_BYTES

    padding = b"# " + b"x" * 998 + b"\n"
    body = b"User-agent: *\nDisallow: /early/\n" + padding * 20_000 + b"Disallow: /late/\n"  # 20 MB
    routes = {"/robots.txt": Route(body, content_type="text/plain")}
    with MirrorServer(routes) as server:
        client = _client()
        assert not client.allowed(server.url + "/early/page.html")
        assert client.allowed(server.url + "/late/page.html")
        assert client.downloaded <= ROBOTS_BYTES + 65_536


def test_a_page_is_read_up_to_the_page_limit_and_a_pdf_up_to_the_pdf_limit():
    routes = {
        "/robots.txt": Route(b"", status=404),
        "/big.html": Route(b"<p>" + b"x" * 5000),
        "/report": Route(b"%PDF-" + b"x" * 5000, content_type="application/pdf"),
        "/report.pdf": Route(b"%PDF-" + b"x" * 5000, content_type="application/octet-stream"),
    }
    with MirrorServer(routes) as server:
        client = _client(max_bytes=1000, max_pdf_bytes=100_000)
        with pytest.raises(FetchError, match="larger than 1000 bytes"):
            client.get(server.url + "/big.html")
        assert len(client.get(server.url + "/report").body) == 5005  # a PDF by its Content-Type
        assert len(client.get(server.url + "/report.pdf", pdf=True).body) == 5005  # asked for as a PDF


def test_a_body_said_to_be_a_pdf_is_read_past_the_page_limit_only_when_it_is_one():
    import gzip

    pdf = b"%PDF-1.7\n" + b"x" * 5000
    zipped = {"Content-Encoding": "gzip"}
    routes = {
        "/robots.txt": Route(b"", status=404),
        "/fake": Route(b"<html>" + b"x" * 1_000_000, content_type="application/pdf"),
        "/fake.pdf": Route(b"<html>" + b"x" * 1_000_000, content_type="text/html"),
        "/bomb": Route(gzip.compress(b"<html>" * 200_000), content_type="application/pdf", headers=zipped),
        "/zipped": Route(gzip.compress(pdf), content_type="application/pdf", headers=zipped),
    }
    with MirrorServer(routes) as server:
        client = _client(max_bytes=10_000, max_pdf_bytes=2_000_000)
        with pytest.raises(FetchError, match="larger than 10000 bytes once decompressed"):
            client.get(server.url + "/bomb")  # a few KiB as sent, 1.2 MB of HTML decoded
        for path, pdf_link in (("/fake", False), ("/fake.pdf", True)):
            with pytest.raises(FetchError, match="larger than 10000 bytes and no PDF"):
                client.get(server.url + path, pdf=pdf_link)
        assert client.downloaded < 300_000  # neither was read much past the page limit
        assert client.get(server.url + "/zipped").body == pdf


def test_an_empty_body_said_to_be_compressed_is_empty():
    routes = {"/robots.txt": Route(b"", status=404), "/empty.html": Route(b"", headers={"Content-Encoding": "gzip"})}
    with MirrorServer(routes) as server:
        assert _client().get(server.url + "/empty.html").body == b""


def test_a_compressed_stream_of_nothing_counts_its_bytes_as_sent():
    import gzip

    nothing = gzip.compress(b"") * 100_000  # 2 MB that decode to no byte at all
    routes = {
        "/robots.txt": Route(b"", status=404),
        "/empty.html": Route(nothing, headers={"Content-Encoding": "gzip"}),
    }
    with MirrorServer(routes) as server, pytest.raises(FetchError, match="larger than 1000000 bytes"):
        _client().get(server.url + "/empty.html")


def test_a_server_dripping_its_headers_is_cut_off_at_the_request_deadline():
    import time

    routes = {"/robots.txt": Route(b"", status=404), "/slow.html": Route(b"<p>hi</p>", drip_headers=0.3)}
    with MirrorServer(routes) as server:
        client = _client(timeout=0.5, retries=2)
        started = time.monotonic()
        with pytest.raises(FetchError, match="no complete answer within 2 s"):
            client.get(server.url + "/slow.html")
        assert time.monotonic() - started < 10  # the headers alone take 20 s to arrive


def test_a_retry_after_of_hours_waits_no_longer_than_the_timeout(monkeypatch):
    import time
    import types

    import urllib3.util.retry

    waits: list[float] = []
    clock = types.SimpleNamespace(sleep=waits.append, time=time.time, monotonic=time.monotonic)
    monkeypatch.setattr(urllib3.util.retry, "time", clock)  # the waits Retry asks for, and no one else's
    routes = {"/robots.txt": Route(b"", status=404), "/busy.html": Route(status=503, headers={"Retry-After": "21600"})}
    with MirrorServer(routes) as server, pytest.raises(FetchError, match="HTTP 503"):
        _client(timeout=2, retries=2).get(server.url + "/busy.html")
    assert [wait for wait in waits if wait] == [2, 2]  # six hours asked for before each retry, cut to the timeout


def test_a_deadline_timer_firing_after_its_request_ended_leaves_the_next_one_alone():
    from indexer.fetch.deadline import Deadline

    deadline = Deadline()
    deadline.start(60)
    late = deadline._timer  # cancelled below, but as if it had begun to fire already
    deadline.stop()
    deadline.start(60)
    late.function(*late.args)
    assert not deadline.passed
    deadline.stop()


def test_malformed_site_input_fails_its_url_alone_on_every_run(tmp_path, monkeypatch):
    from tests.test_fetch import BASE_2023, fetch, mirror_routes

    monkeypatch.setenv("TIPSEARCH_FETCH_RETRIES", "0")
    routes = mirror_routes(tmp_path)
    routes["/robots.txt"].body += b"Crawl-delay: \xc2\xb2\nRequest-rate: \xc2\xb2/5\nDisallow: http://[::1\n"
    bad = '<a href="http://[::1">a</a><a href="http://h:1:2/">b</a><a href="moved-away/">c</a>'
    routes[BASE_2023].body = routes[BASE_2023].body.replace(b"</body>", bad.encode() + b"</body>")
    routes[f"{BASE_2023}moved-away/"] = Route(redirect="http://h:1:2/")
    with MirrorServer(routes) as server:
        for run in range(2):  # the second run reads the robots.txt the first one kept
            result = fetch(server, tmp_path / "raw", "2023")
            assert result.exit_code == 0, result.output
            assert "Traceback" not in result.output and "tip 2023:" in result.output
            assert f"{BASE_2023}moved-away/: redirected off the site" in result.output, run


def test_an_update_that_fails_unexpectedly_still_writes_its_run_report(tmp_path, monkeypatch):
    import json

    from indexer import update
    from indexer.index.home import IndexHome
    from indexer.settings import Settings

    def broken(*args, **kwargs):
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "a page no code expected")

    monkeypatch.setattr(update, "fetch_editions", broken)
    home = IndexHome(tmp_path / "index")
    with pytest.raises(UnicodeDecodeError):
        update.run_update(home, Settings(index=tmp_path / "index", raw=tmp_path / "raw"), "tip", ("2023",), None)
    (report,) = home.runs.glob("*.json")
    written = json.loads(report.read_text())
    assert written["outcome"] == "failed" and "a page no code expected" in written["failures"][0][1]


def test_a_full_disk_ends_a_command_with_one_line(tmp_path, monkeypatch):
    import errno

    from click.testing import CliRunner

    from indexer import cli
    from webapp.cli import main

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "index" / "builds" / "x" / "seg"))

    monkeypatch.setattr(cli, "build_index", full)
    result = CliRunner().invoke(main, ["index", str(tmp_path), "--index", str(tmp_path / "index")])
    assert result.exit_code == 74
    assert result.output.strip() == f"error: No space left on device: {tmp_path / 'index' / 'builds' / 'x' / 'seg'}"


def test_a_reader_that_stops_reading_is_no_error(index_dir, monkeypatch):
    from click.testing import CliRunner

    from indexer import cli
    from webapp.cli import main

    def closed(*args, **kwargs):  # what writing to ``| head`` raises once head has its lines
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli.click, "echo", closed)
    result = CliRunner().invoke(main, ["search", "forced labor", "--all", "--index", str(index_dir)])
    assert result.exit_code == cli.EXIT_BROKEN_PIPE and "error" not in result.output


def test_a_page_the_parser_chokes_on_fails_alone(tmp_path, monkeypatch):
    from indexer.fetch import crawl
    from tests.test_fetch import BASE_2023, fetch, mirror_routes

    real = crawl.holds_narratives

    def choking(data, url, max_bytes):
        if url.endswith("/south-korea/"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(data, url, max_bytes)

    monkeypatch.setattr(crawl, "holds_narratives", choking)
    with MirrorServer(mirror_routes(tmp_path)) as server:
        result = fetch(server, tmp_path / "raw", "2023")
    assert result.exit_code == 0, result.output
    assert (
        f"{BASE_2023}south-korea/: cannot be read (RecursionError: maximum recursion depth exceeded)" in result.output
    )


def test_a_page_under_a_hidden_path_is_saved_as_a_visible_file_and_indexed(tmp_path):
    from indexer.extract.files import find_files
    from indexer.fetch.crawl import _file_name

    assert _file_name("https://www.state.gov/reports/2023-tip/.hidden/", "narrative") == "hidden.html"
    assert _file_name("https://www.state.gov/reports/2023-tip/.../", "narrative") == "index.html"
    (tmp_path / ".crawl" / "pages").mkdir(parents=True)
    (tmp_path / ".crawl" / "pages" / "landing.html").write_text("<p>x</p>")
    (tmp_path / ".hidden.html").write_text("<p>x</p>")
    (tmp_path / "kept.html").write_text("<p>x</p>")
    found, problems = find_files([tmp_path])
    assert found == [tmp_path / "kept.html"]
    assert problems == [(str(tmp_path / ".hidden.html"), "hidden (a name starting with a dot), not indexed")]


def test_a_mirror_home_page_linking_another_host_leads_nowhere_else(tmp_path, internal):
    from tests.test_fetch import fetch, mirror_routes

    routes = mirror_routes(tmp_path)
    landing = routes.pop("/j/tip/rls/tiprpt/2016/index.htm")
    internal.routes["/tip/2016.html"] = landing
    with MirrorServer(routes) as server:
        routes["/"] = Route(f'<a href="{internal.url}/tip/2016.html">2016 Trafficking in Persons Report</a>'.encode())
        result = fetch(server, tmp_path / "raw", "2016")
    assert "no landing page" in result.output
    assert not internal.log


def test_a_link_climbing_out_of_its_folder_is_checked_where_it_leads(tmp_path):
    from tests.fixtures.tip_site import TROUBLE_LINKS
    from tests.test_fetch import BASE_2023, fetch, mirror_routes

    routes = mirror_routes(tmp_path)
    climbing = "".join(
        f'<a href="{BASE_2023}{way}private/">p</a>' for way in ("x/../", "y/%2E%2E/", "z/..%2F", "w/%2e%2e%5c")
    )
    routes[BASE_2023].body = routes[BASE_2023].body.replace(b"</body>", climbing.encode() + b"</body>")
    with MirrorServer(routes) as server:
        result = fetch(server, tmp_path / "raw", "2023")
        asked = [request.path for request in server.log]
    assert result.exit_code == 0, result.output
    assert not any("/private/" in path for path in asked)
    assert TROUBLE_LINKS["private"] in result.output  # skipped, robots.txt disallows it


def test_an_edition_crawl_asks_for_a_bounded_number_of_urls(tmp_path, monkeypatch):
    from indexer.fetch import crawl
    from tests.test_fetch import BASE_2023, fetch, mirror_routes

    monkeypatch.setattr(crawl, "MOST_URLS", 8)
    routes = mirror_routes(tmp_path)
    endless = "".join(f'<a href="{BASE_2023}page-{n}/">p</a>' for n in range(50))
    routes[BASE_2023].body = routes[BASE_2023].body.replace(b"<body>", b"<body>" + endless.encode(), 1)
    for n in range(50):  # each a page of links to 50 more
        more = "".join(f'<a href="{BASE_2023}page-{n}-{m}/">p</a>' for m in range(50))
        routes[f"{BASE_2023}page-{n}/"] = Route(f"<html><body>{more}</body></html>".encode())
    with MirrorServer(routes) as server:
        result = fetch(server, tmp_path / "raw", "2023")
        asked = [request.path for request in server.log if "/2023-" in request.path]
    assert len(set(asked)) <= 8 + 2  # the landing page, a redirect's target and at most MOST_URLS more
    assert result.output.count("more than 8 links in the edition; the rest were not followed") == 1
