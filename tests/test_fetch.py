"""``tipsearch fetch`` against a local mirror of state.gov, then index, search and tiers on what it saved."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.fetch.client import MAX_CRAWL_DELAY, FetchError, PoliteClient, user_agent
from indexer.search.engine import get_narrative
from indexer.settings import Settings
from tests.conftest import opened
from tests.fixtures.mirror_server import MirrorServer, Route
from tests.fixtures.tip_site import NARRATIVES, PDF_ONLY, PDF_PATH, TROUBLE_LINKS, expected, site_pages
from webapp.cli import main

EDITIONS = ("2002", "2007", "2016", "2019", "2023")
BASE_2023 = "/reports/2023-trafficking-in-persons-report/"


def mirror_routes(tmp: Path) -> dict[str, Route]:
    """The mirror's pages, with the 2023 edition's misbehaving ones."""
    routes = {path: Route(body, content_type) for path, (content_type, body) in site_pages(tmp).items()}
    routes[f"{BASE_2023}burma-moved/"] = routes.pop(f"{BASE_2023}burma/")
    routes[f"{BASE_2023}burma/"] = Route(redirect=f"{BASE_2023}burma-moved/")
    routes[f"{BASE_2023}czechia/"].fail_first = 1  # a transient failure, retried
    routes[f"{BASE_2023}cote-divoire/"].delay = 0.3  # slow, but within the timeout
    routes[TROUBLE_LINKS["broken"]] = Route(status=500)
    routes[TROUBLE_LINKS["stalled"]] = Route(routes[f"{BASE_2023}yemen/"].body, delay=4)
    routes[TROUBLE_LINKS["private"]] = Route(routes[f"{BASE_2023}yemen/"].body)
    return routes


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setenv("TIPSEARCH_FETCH_RETRIES", "1")
    monkeypatch.setenv("TIPSEARCH_FETCH_BACKOFF", "0.01")


def fetch(server: MirrorServer, dest: Path, *editions: str, delay: str = "0"):
    args = [
        "fetch",
        "--report",
        "tip",
        "--base-url",
        server.url,
        "--dest",
        str(dest),
        "--delay",
        delay,
        "--timeout",
        "1",
    ]
    for edition in editions:
        args += ["--edition", edition]
    return CliRunner().invoke(main, args)


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIPSEARCH_FETCH_RETRIES", "1")
        patch.setenv("TIPSEARCH_FETCH_BACKOFF", "0.01")
        with MirrorServer(mirror_routes(tmp_path_factory.mktemp("site"))) as server:
            dest = tmp_path_factory.mktemp("raw")
            result = fetch(server, dest, *EDITIONS)
            yield server, dest, result, len(server.log)


@pytest.fixture(scope="module")
def fetched_index(mirror, tmp_path_factory):
    _, dest, _, _ = mirror
    index = tmp_path_factory.mktemp("index") / "index"
    result = CliRunner().invoke(main, ["index", str(dest), "--index", str(index)])
    assert result.exit_code == 0, result.output
    return index, result.output


def summary_line(output: str, edition: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(f"tip {edition}:"))


def test_fetch_saves_every_narrative_page_and_the_report_pdf(mirror):
    _, dest, result, _ = mirror
    assert result.exit_code == 0, result.output
    saved = sorted(p.name for p in (dest / "tip" / "2023").iterdir() if not p.name.startswith("."))
    assert saved == [
        "2023-Trafficking-in-Persons-Report.pdf",
        "burma.html",
        "cote-divoire.html",
        "czechia.html",
        "north-korea.html",
        "south-korea.html",
        "turkiye.html",
        "yemen.html",
    ]
    assert sorted(p.name for p in (dest / "tip" / "2002").iterdir() if p.suffix) == ["10680.htm", "10681.htm"]
    assert len(list((dest / "tip" / "2016").glob("*.htm"))) == 4
    assert len(list((dest / "tip" / "2019").glob("*.html"))) == 4  # found one page below the landing page
    line = summary_line(result.output, "2023")
    assert "7 narrative pages and 1 PDFs" in line
    assert "0 changed, 0 unchanged, 3 failed, 1 disallowed by robots.txt" in line


def test_fetch_names_each_failure_with_its_reason(mirror):
    _, _, result, _ = mirror
    assert re.search(r"failed: \S+/atlantis/: HTTP 404", result.output)
    assert re.search(r"failed: \S+/broken/: HTTP 500 Internal Server Error, 1 retries included", result.output)
    assert re.search(r"failed: \S+/stalled/: no answer within 1 s, 1 retries included", result.output)
    assert re.search(r"failed: \S+/private/: disallowed by robots.txt", result.output)


def test_fetch_is_polite(mirror):
    server, _, _, first_run = mirror
    requests = server.log[:first_run]
    assert all(r.headers.get("User-Agent") == user_agent() for r in requests)
    assert re.fullmatch(r"tipsearch/\S+ \(\+https?://\S+\)", user_agent())
    assert not any(r.path == TROUBLE_LINKS["private"] for r in requests)
    assert not any(r.path in ("/about/", "/privacy/") for r in requests)  # off the edition
    assert [r.status for r in requests if r.path == f"{BASE_2023}czechia/"] == [503, 200]  # retried


def test_fetch_waits_between_requests(tmp_path):
    with MirrorServer(mirror_routes(tmp_path)) as server:
        result = fetch(server, tmp_path / "raw", "2019", delay="0.2")
    assert result.exit_code == 0, result.output
    gaps = [b.at - a.at for a, b in zip(server.log, server.log[1:], strict=False)]
    assert len(gaps) >= 5 and min(gaps) >= 0.19


def test_second_fetch_asks_only_conditionally_and_downloads_nothing(mirror, tmp_path):
    server, dest, _, _ = mirror
    copy = tmp_path / "raw"
    shutil.copytree(dest, copy)
    before = len(server.log)
    result = fetch(server, copy, *EDITIONS)
    assert result.exit_code == 0, result.output
    for edition in EDITIONS:
        line = summary_line(result.output, edition)
        assert re.search(r": 0 new, 0 changed, \d+ unchanged", line) and line.endswith(" 0 bytes downloaded")
    answered = [r for r in server.log[before:] if r.status in (200, 304)]
    assert "/robots.txt" in [r.path for r in answered]
    assert answered and all(r.status == 304 and "If-None-Match" in r.headers for r in answered)


def test_fetch_downloads_again_only_the_page_that_changed(tmp_path):
    routes = mirror_routes(tmp_path)
    with MirrorServer(routes) as server:
        assert fetch(server, tmp_path / "raw", "2023").exit_code == 0
        page = routes[f"{BASE_2023}south-korea/"]
        page.body = page.body.replace(b"remained on Tier 2", b"was downgraded to Tier 2 Watch List")
        before = len(server.log)
        result = fetch(server, tmp_path / "raw", "2023")
    assert ": 0 new, 1 changed, 9 unchanged" in summary_line(result.output, "2023")
    downloads = [r.path for r in server.log[before:] if r.status == 200]
    assert downloads == [f"{BASE_2023}south-korea/"]
    assert b"downgraded" in (tmp_path / "raw" / "tip" / "2023" / "south-korea.html").read_bytes()


def test_fetch_without_a_landing_page_fails_clearly(tmp_path):
    with MirrorServer({}) as server:
        result = fetch(server, tmp_path / "raw", "2023")
    assert result.exit_code == 1
    assert "no landing page" in result.output and "HTTP 404" in result.output
    assert "no narratives found for tip 2023" in result.output


def test_fetch_rejects_an_edition_outside_the_catalog(tmp_path):
    result = CliRunner().invoke(main, ["fetch", "--edition", "1999", "--dest", str(tmp_path)])
    assert result.exit_code == 2
    assert "--edition 1999" in result.output


def test_index_of_fetched_pages_gives_each_narrative_its_country_edition_and_tier(fetched_index):
    index, output = fetched_index
    assert "0 failed" in output
    assert "3 PDF narratives already read from pages" in output
    with opened(index) as build:
        found = {(f["year"], f["iso3"]): f for f in build.searcher.documents(kind="narrative", report="tip")}
    wanted = {(n.year, n.iso3): n for n in NARRATIVES + PDF_ONLY}
    assert set(found) == set(wanted)
    for key, narrative in wanted.items():
        assert found[key]["tier"] == narrative.tier, key
        assert found[key]["id"] == f"tip-{narrative.year}-{narrative.iso3.lower()}"
    assert found[(2023, "MMR")]["source"] == "https://www.state.gov/reports/2023-trafficking-in-persons-report/burma/"
    assert found[(2023, "ZWE")]["source"].endswith(PDF_PATH)


def _era_sections(year: int) -> list[str]:
    if year < 2004:
        return ["trafficking-profile", "summary"]  # the opening paragraph, then the assessment
    if year < 2010:
        return ["trafficking-profile", "summary", "prosecution", "protection", "prevention"]
    return ["summary", "prosecution", "protection", "prevention", "trafficking-profile"]


@pytest.mark.parametrize("narrative", NARRATIVES + PDF_ONLY, ids=lambda n: f"{n.year}-{n.iso3}")
def test_each_narrative_has_its_sections_and_recommendations(fetched_index, narrative):
    index, _ = fetched_index
    result = CliRunner().invoke(
        main, ["show", f"tip-{narrative.year}-{narrative.iso3.lower()}", "--json", "--index", str(index)]
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert (shown["year"], shown["iso3"], shown["tier"]) == (narrative.year, narrative.iso3, narrative.tier)
    keys = [s["section"].split()[0] for s in shown["sections"]]
    assert [k for k in keys if "recommendations" not in k] == _era_sections(narrative.year)
    assert [r["text"].rstrip(".") for r in shown["recommendations"]] == list(narrative.recommendations)
    assert sum("recommendations" in k for k in keys) == (1 if narrative.recommendations else 0)


def test_pdf_narratives_keep_their_pages_and_lose_the_furniture(fetched_index):
    index, _ = fetched_index
    with opened(index) as build:
        _, sections = get_narrative(build, "tip-2023-zwe")
    assert [s.page for s in sections] == [4, 4, 4, 5, 5, 5]
    text = " ".join(s.text for s in sections)
    assert "COUNTRY NARRATIVES" not in text and "ZIMBABWE" not in text and "Photo:" not in text


def test_search_by_tier_lists_exactly_the_tier_3_countries(fetched_index):
    index, _ = fetched_index
    result = CliRunner().invoke(
        main,
        [
            "search",
            "--report",
            "tip",
            "--tier",
            "3",
            "--year",
            "2023",
            "--json",
            "--index",
            str(index),
            "--limit",
            "50",
        ],
    )
    assert result.exit_code == 0, result.output
    hits = [json.loads(line) for line in result.output.splitlines()]
    assert sorted(h["iso3"] for h in hits) == sorted(n.iso3 for n in expected(2023) if n.tier == "3")
    assert all(h["section"] == "summary" for h in hits)  # a listing shows each narrative's opening


def test_recommendations_are_searchable_items(fetched_index):
    index, _ = fetched_index
    result = CliRunner().invoke(
        main,
        [
            "search",
            "screen migrant workers",
            "--section",
            "prioritized-recommendations",
            "--year",
            "2023",
            "--json",
            "--index",
            str(index),
            "--limit",
            "50",
        ],
    )
    hits = [json.loads(line) for line in result.output.splitlines()]
    assert {h["iso3"] for h in hits} == {n.iso3 for n in expected(2023) if RECS_SCREEN in n.recommendations}
    assert all(re.sub(r"</?mark>", "", h["snippet"]).startswith("Screen migrant workers") for h in hits)


RECS_SCREEN = "Screen migrant workers and fishermen for trafficking indicators and refer victims to care"


def test_tiers_shows_the_history_across_fetched_editions(fetched_index):
    index, _ = fetched_index
    result = CliRunner().invoke(main, ["tiers", "Korea, Republic of", "--json", "--index", str(index)])
    history = json.loads(result.output)["tiers"]
    assert [(e["year"], e["tier"], e["change"]) for e in history] == [
        (2007, "1", ""),
        (2019, "1", ""),
        (2023, "2", "downgraded"),
    ]


def test_fetch_without_an_edition_takes_the_newest_the_site_has(tmp_path):
    with MirrorServer(mirror_routes(tmp_path)) as server:
        result = CliRunner().invoke(
            main, ["fetch", "--base-url", server.url, "--dest", str(tmp_path / "raw"), "--delay", "0", "--timeout", "1"]
        )
    assert result.exit_code == 0, result.output
    assert re.search(r"^tip 2023: 10 new", result.output, re.M)
    assert not any(p.name != "2023" for p in (tmp_path / "raw" / "tip").iterdir())


def test_unreachable_site_fails_fast_and_clearly(tmp_path):
    with MirrorServer({}) as server:
        url = server.url
    result = CliRunner().invoke(main, ["fetch", "--base-url", url, "--dest", str(tmp_path), "--delay", "0"])
    assert result.exit_code == 1
    assert result.output.count("no landing page") == 1 and "cannot connect" in result.output


def test_a_mirror_laid_out_its_own_way_is_searched_from_its_home_page(tmp_path):
    routes = mirror_routes(tmp_path)
    routes["/tip/2016.html"] = routes.pop("/j/tip/rls/tiprpt/2016/index.htm")
    routes["/"] = Route(b'<html><body><a href="/tip/2016.html">2016 Trafficking in Persons Report</a></body></html>')
    with MirrorServer(routes) as server:
        result = fetch(server, tmp_path / "raw", "2016")
        direct = CliRunner().invoke(
            main,
            [
                "fetch",
                "--edition",
                "2016",
                "--base-url",
                f"{server.url}/tip/2016.html",
                "--dest",
                str(tmp_path / "direct"),
                "--delay",
                "0",
            ],
        )
    assert result.exit_code == 0, result.output
    assert "4 narrative pages" in summary_line(result.output, "2016")
    assert direct.exit_code == 0 and "4 narrative pages" in summary_line(direct.output, "2016")


def test_human_rights_report_pages_are_fetched_as_narratives(tmp_path):
    import gzip

    from tests.conftest import HRR, shared_path

    base = "/reports/2023-country-reports-on-human-rights-practices/"
    names = ["chad", "india", "thailand"]
    routes = {
        f"{base}{name}/": Route(gzip.decompress((shared_path(HRR) / "2023" / f"{name}.html.gz").read_bytes()))
        for name in names
    }
    links = "".join(f'<li><a href="{base}{name}/">{name}</a></li>' for name in names)
    routes[base] = Route(
        f"<html><body><main><h1>2023 Country Reports on Human Rights Practices</h1><ul>{links}"
        f'<li><a href="{base}introduction/">Introduction</a></li></ul></main></body></html>'.encode()
    )
    routes[f"{base}introduction/"] = Route(
        b"<html><body><main><h1>Introduction</h1><p>The reports cover "
        b"internationally recognized rights.</p></main></body></html>"
    )
    with MirrorServer(routes) as server:
        result = CliRunner().invoke(
            main,
            [
                "fetch",
                "--report",
                "hrr",
                "--edition",
                "2023",
                "--base-url",
                server.url,
                "--dest",
                str(tmp_path),
                "--delay",
                "0",
            ],
        )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "hrr" / "2023").glob("*.html")) == [f"{n}.html" for n in names]
    assert "hrr 2023: 5 new" in result.output


def test_an_interrupted_fetch_resumes_where_it_stopped(tmp_path):
    from indexer.fetch import fetch_editions

    done = []

    def interrupt_after_three(url: str, status: str) -> None:
        done.append(url)
        if len(done) == 3:
            raise KeyboardInterrupt

    with MirrorServer(mirror_routes(tmp_path)) as server:
        with pytest.raises(KeyboardInterrupt):
            fetch_editions(
                "tip",
                ("2023",),
                tmp_path / "raw",
                server.url,
                Settings(fetch_delay=0, fetch_timeout=1, fetch_retries=1),
                interrupt_after_three,
            )
        before = len(server.log)
        result = fetch(server, tmp_path / "raw", "2023")
    assert re.search(r"^tip 2023: 7 new, 0 changed, 3 unchanged", result.output, re.M)
    assert [r.status for r in server.log[before:]].count(304) == 4  # robots.txt and the three pages
    assert not list((tmp_path / "raw").rglob("*.partial"))


def _client() -> PoliteClient:
    return PoliteClient(delay=0, timeout=5, retries=0, backoff=0, max_bytes=1_000_000)


def test_robots_txt_with_a_byte_order_mark_is_obeyed():
    routes = {
        "/robots.txt": Route(b"\xef\xbb\xbfUser-agent: *\nDisallow: /\n", content_type="text/plain"),
        "/page.html": Route(b"<p>hi</p>"),
    }
    with MirrorServer(routes) as server:
        client = _client()
        assert not client.allowed(server.url + "/page.html")


def test_a_crawl_delay_of_a_year_is_capped():
    routes = {"/robots.txt": Route(b"User-agent: *\nCrawl-delay: 31536000\n", content_type="text/plain")}
    with MirrorServer(routes) as server:
        client = _client()
        assert client.allowed(server.url + "/page.html")
        assert client.delay == MAX_CRAWL_DELAY


def test_a_manifest_entry_cannot_name_a_file_outside_its_folder(tmp_path):
    from indexer.fetch.manifest import CRAWL_DIR, MANIFEST, Manifest

    folder = tmp_path / "tip" / "2023"
    (folder / CRAWL_DIR).mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    entries = [
        {"url": "https://x/a", "file": "../../victim.txt", "kind": "page"},
        {"url": "https://x/b", "file": str(victim), "kind": "page"},
        {"url": "https://x/c", "file": "albania.html", "kind": "narrative"},
    ]
    (folder / CRAWL_DIR / MANIFEST).write_text(json.dumps({"report": "tip", "year": 2023, "saved": entries}))
    manifest = Manifest(folder, "tip", 2023)
    assert list(manifest.saved) == ["https://x/c"]
    assert manifest.usable("https://x/a") is None and manifest.usable("https://x/b") is None
    assert victim.read_text() == "keep me"


def test_a_server_dripping_bytes_is_cut_off_at_the_download_deadline():
    import time

    routes = {"/robots.txt": Route(b"", status=404), "/slow.html": Route(b"x" * 200, drip=0.05)}
    with MirrorServer(routes) as server:
        client = PoliteClient(delay=0, timeout=1, retries=0, backoff=0, max_bytes=1_000_000)
        started = time.monotonic()
        with pytest.raises(FetchError, match="longer than 4 s"):
            client.get(server.url + "/slow.html")
        assert time.monotonic() - started < 6  # the whole body would take 10 s


def test_a_link_with_a_very_long_last_segment_gets_a_short_file_name():
    from indexer.fetch.crawl import _file_name

    name = _file_name("https://www.state.gov/reports/" + "a" * 300, "narrative")
    assert len(name) <= 120 and name.endswith(".html")
    assert name != _file_name("https://www.state.gov/reports/" + "a" * 299 + "b", "narrative")


def test_a_redirect_off_the_site_is_not_followed():
    with MirrorServer({}) as other:
        port = other.url.rsplit(":", 1)[1]
        routes = {
            "/robots.txt": Route(b"", status=404),
            "/albania.html": Route(redirect=f"http://127.0.0.2:{port}/latest/meta-data/"),
            "/moved.html": Route(redirect="/albania-2.html"),
            "/albania-2.html": Route(b"<p>here</p>"),
        }
        with MirrorServer(routes) as server:
            client = _client()
            with pytest.raises(FetchError, match="redirected off the site"):
                client.get(server.url + "/albania.html")
            assert client.get(server.url + "/moved.html").url == server.url + "/albania-2.html"
        assert not other.log  # the other host was never asked


def test_a_redirect_to_a_path_robots_txt_disallows_is_not_followed():
    routes = {
        "/robots.txt": Route(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
        "/open.html": Route(redirect="/private/secret.html"),
        "/private/secret.html": Route(b"secret"),
    }
    with MirrorServer(routes) as server:
        with pytest.raises(FetchError, match="disallowed by robots.txt"):
            _client().get(server.url + "/open.html")
        assert "/private/secret.html" not in [r.path for r in server.log]


def test_a_redirect_may_move_within_the_site_but_not_to_another_port():
    from indexer.fetch.client import _site
    from indexer.urls import web_url

    def site(url: str):
        checked = web_url(url)
        assert checked is not None
        return _site(checked)

    assert site("http://state.gov/a") == site("https://www.state.gov:443/b")
    assert site("http://127.0.0.1:8080/a") != site("http://127.0.0.1:9000/a")
