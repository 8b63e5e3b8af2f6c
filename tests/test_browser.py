"""The web pages in a real headless Chromium: the flows users follow, an accessibility audit
(axe-core) on every page, and screenshots at desktop and phone widths in ``test-artifacts/``.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
from pathlib import Path

import pytest

from indexer.settings import Settings
from webapp import create_app

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As root, in a closed network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 320, "height": 740}}
SERIOUS = ("serious", "critical")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package chromium)")


@pytest.fixture(scope="module")
def site(index_dir):
    """The web app served by waitress on a free local port."""
    from waitress.server import create_server

    app = create_app(Settings(index=index_dir, rate_limit=0))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=WIDTHS["desktop"])
    yield context.new_page()
    context.close()


def audit(page, name: str) -> None:
    """No serious or critical axe-core violation; screenshots at both widths."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        if width == "phone":
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{name}: the page scrolls sideways at 320 px"
    page.set_viewport_size(WIDTHS["desktop"])
    assert not serious, f"{name}: " + "; ".join(serious)


def test_search_then_a_facet_then_a_document(page, site):
    page.goto(site + "/")
    audit(page, "home")
    page.get_by_label("Search the reports").fill("forced labor")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search?q=forced+labor*")
    assert re.match(r"\d+ narratives contain all words", page.get_by_role("status").inner_text())
    assert page.locator("ol.hits > li").count() > 1 and page.locator("ol.hits mark").count() > 0
    audit(page, "results")

    tier_facet = page.locator("aside.facets section", has=page.get_by_role("heading", name="Tier"))
    tier_facet.get_by_role("link", name="Tier 3").click()
    page.wait_for_url("**tier=3**")
    assert page.get_by_role("link", name="Remove filter tier: Tier 3").is_visible()
    assert all("Tier 3" in t or "TIER 3" in t for t in page.locator("ol.hits .tier").all_inner_texts())
    shared = page.url
    page.goto(shared)  # a bookmarked URL gives the same page
    assert "tier=3" in page.url and page.get_by_role("link", name="Remove filter tier: Tier 3").is_visible()

    page.locator("ol.hits > li h2 a").first.click()
    page.wait_for_url("**/doc/**")
    assert page.locator("article.narrative h1").is_visible() and page.locator("mark").count() > 0
    target = page.url.split("#", 1)[1]  # the best-matching section, scrolled into view
    top = page.evaluate(f"document.getElementById({target!r}).getBoundingClientRect().top")
    assert 0 <= top < WIDTHS["desktop"]["height"] and page.locator(f"#{target} mark").count() > 0
    assert page.get_by_text("Cite this:").is_visible()
    audit(page, "document")


def test_country_page_and_comparing_two_editions(page, site):
    page.goto(site + "/country/PRK")
    assert page.locator("figure.chart svg").is_visible()
    audit(page, "country")
    form = page.locator("form.compare")
    form.locator("select[name=section]").select_option("summary")
    form.locator("select[name=from]").select_option("2002")
    form.locator("select[name=to]").select_option("2023")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/country/PRK/compare?**")
    assert page.locator("tr.added").count() > 0 and page.locator("tr.changed").count() > 0
    audit(page, "compare")


def test_a_phrase_through_the_years_and_errors(page, site):
    page.goto(site + '/trend?q="forced+labor"')
    assert page.locator("figure.chart svg rect.bar").count() > 1
    audit(page, "trend")
    response = page.goto(site + "/doc/no-such-narrative")
    assert response.status == 404 and response.headers["content-security-policy"]
    audit(page, "not-found")


def test_hostile_text_never_becomes_markup(page, site):
    page.goto(site + "/search?q=" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E%20%3Cimg%20src%3Dx%3E")
    assert page.locator("main script, main img").count() == 0
    assert page.get_by_label("Search the reports").input_value() == "<script>alert(1)</script> <img src=x>"


def test_from_the_home_page_to_the_countries_index_and_a_country(page, site):
    page.goto(site + "/")
    assert page.get_by_role("heading", name="What you can search").is_visible()
    page.get_by_role("link", name="Browse by country").click()
    page.wait_for_url("**/countries")
    assert page.locator("#report-tip ~ div table tbody tr").count() >= 5
    audit(page, "countries")
    page.get_by_role("link", name="North Korea", exact=True).first.click()
    page.wait_for_url("**/country/PRK")


def test_a_bad_filter_value_keeps_the_search_and_offers_the_close_ones(page, site):
    page.goto(site + "/search?q=forced+labor&country=Korea")
    assert "unknown country 'Korea'" in page.get_by_role("alert").inner_text()
    audit(page, "bad-filter")
    page.get_by_role("link", name="North Korea").click()
    page.wait_for_url("**country=PRK**")
    assert page.get_by_label("Search the reports").input_value() == "forced labor"
    assert page.locator("ol.hits > li").count() >= 1


def test_on_a_phone_the_results_come_first_and_the_filters_fold(browser, site):
    context = browser.new_context(viewport=WIDTHS["phone"])
    page = context.new_page()
    page.goto(site + "/search?q=forced+labor")
    first = page.locator("ol.hits > li").first.bounding_box()
    assert first["y"] < WIDTHS["phone"]["height"] - 100  # on the first screen
    assert first["y"] < page.locator("aside.facets").bounding_box()["y"]
    assert page.locator("details.filters").get_attribute("open") is None
    page.get_by_role("link", name="Refine these results").click()
    assert -1 <= page.locator("#refine-heading").bounding_box()["y"] < WIDTHS["phone"]["height"]  # scrolled to
    context.close()


def test_a_page_after_the_last_links_the_last(page, site):
    response = page.goto(site + "/search?q=government&page=500")
    assert response.status == 404 and "There is no page 500" in page.get_by_role("alert").inner_text()
    page.get_by_role("link", name=re.compile("Go to the last page")).click()
    page.wait_for_url(re.compile(r".*page=\d+$"))
    assert page.locator("ol.hits > li").count() >= 1


def test_document_page_keeps_its_header_in_view_and_steps_through_the_matches(page, site):
    page.goto(site + "/doc/tip-2016-afg?q=bacha")
    header = page.locator("header.doc-head")
    header.get_by_role("link", name="first").click()
    mark = page.locator("#m1").bounding_box()
    assert mark["y"] >= header.bounding_box()["y"] + header.bounding_box()["height"]  # not under the header
    assert header.bounding_box()["y"] <= 1 and "Afghanistan" in header.inner_text()  # still in view
    page.get_by_role("link", name="next section with matches").first.click()
    target = page.url.split("#", 1)[1]
    top = page.locator(f"#{target}").bounding_box()["y"]
    assert header.bounding_box()["height"] <= top < WIDTHS["desktop"]["height"]
    audit(page, "document-matches")


def test_the_results_download_as_a_spreadsheet_file(page, site):
    page.goto(site + "/search?q=labor")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV for spreadsheets").click()
    assert re.fullmatch(r"tipsearch-labor-\d{4}-\d\d-\d\d\.csv", download.value.suggested_filename)
    assert Path(download.value.path()).read_bytes().startswith("\ufeffRank,Country".encode())
