"""The pages a researcher moves through: what is indexed, results and their filters, a narrative's page,
and the filter values checked against the index."""

from __future__ import annotations

import re

import pytest

from indexer.errors import FilterRejected
from indexer.reports.catalog import source_url
from indexer.search.filter_values import MAX_FILTER_VALUES, checked_filters
from indexer.search.query import Filters
from tests.conftest import opened, web_app


def _between(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_home_page_says_what_is_indexed_and_shows_the_query_language(client):
    html = client.get("/").get_data(as_text=True)
    holdings = _between(html, 'id="holdings-heading"', "</table>")
    assert "Trafficking in Persons Report" in holdings and "Human Rights Report" in holdings
    assert re.search(r'href="/search\?report=tip&amp;year=2016">2016</a> \(1\)', holdings)
    assert re.search(r"\d+ country narratives of \d+ countries and territories, last updated \d+ \w+ 20\d\d", html)
    examples = _between(html, 'id="examples-heading"', "</section>")
    assert 'href="/search?q=%22debt+bondage%22"' in examples and "exact:minors" in examples
    assert 'href="/countries"' in html


def test_countries_page_lists_every_country_with_its_editions_and_tiers(client):
    html = client.get("/countries").get_data(as_text=True)
    tip = _between(html, 'id="report-tip"', "</table>")
    row = _between(tip, 'href="/country/PRK">North Korea</a>', "</tr>")
    assert row.count('href="/doc/tip-') == 2 and "Tier 3" in row  # 2002 and 2023
    hrr = _between(html, 'id="report-hrr"', "</table>")
    assert 'href="/country/BGD">Bangladesh</a>' in hrr and 'href="/doc/hrr-2016-bgd"' in hrr


def test_results_name_the_country_first_and_offer_every_facet_value(client):
    html = client.get("/search?q=government&report=tip").get_data(as_text=True)
    assert re.search(r'<h2><a href="/doc/[^"]+">North Korea – Trafficking in Persons Report 2023</a></h2>', html)
    countries = _between(client.get("/search?q=government").get_data(as_text=True), 'id="facet-country"', "</section>")
    shown, rest = countries.split('<details class="more">', 1)
    assert shown.count("<li>") == 8 and "Show all" in rest and rest.count("<li>") >= 1


def test_the_filter_form_offers_indexed_values_by_name(client):
    form = _between(client.get("/search?q=labor").get_data(as_text=True), "<form", "</form>")
    sections = _between(form, '<select name="section">', "</select>")
    forced_labor = "7.b Prohibition of Forced or Compulsory Labor"
    assert f'<option value="prohibition-of-forced-or-compulsory-labor">{forced_labor}</option>' in sections
    assert '<option value="women">Women</option>' in sections and 'value="section-' not in sections
    assert '<option value="prosecution">Prosecution</option>' in sections
    assert '<option value="MMR">Burma</option>' in _between(form, '<select name="country">', "</select>")
    assert '<option value="Africa">Africa</option>' in _between(form, '<select name="region">', "</select>")
    assert '<select name="tier">' in form


def test_the_tier_filter_is_not_offered_on_an_index_without_tiers(hrr_2023):
    form = web_app(hrr_2023[0]).test_client().get("/search?q=labor").get_data(as_text=True)
    assert '<select name="tier">' not in form and '<select name="region">' in form


@pytest.mark.parametrize(
    "name, value, offered",
    [
        ("country", "Korea", ["North Korea", "South Korea"]),
        ("region", "Asia", ["East Asia and Pacific", "South and Central Asia"]),
        ("section", "Childhood", ["7.c Prohibition of Child Labor and Minimum Age for Employment", "Children"]),
    ],
)
def test_a_bad_filter_value_keeps_the_search_and_offers_close_values(client, name, value, offered):
    response = client.get(f"/search?q=child+labor&{name}={value}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="child labor"' in html and "<form" in html  # the search is kept
    notice = _between(html, '<div class="notice" role="alert">', "</div>")
    assert [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li>(.*?)</li>", notice)] == offered
    assert f'href="/search?q=child+labor">Search without the {name} filter' in notice


def test_filter_values_resolve_names_labels_and_numbers(ix):
    resolved = checked_filters(ix, Filters(country="Myanmar", region="SOUTH AND CENTRAL ASIA", section="Section 7.b"))
    assert (resolved.country, resolved.region, resolved.section) == (
        ("MMR",),
        ("South and Central Asia",),
        ("section-7b",),
    )
    by_heading = ("prohibition-of-forced-or-compulsory-labor",)
    assert checked_filters(ix, Filters(section="7.b prohibition of forced or compulsory labor")).section == by_heading
    assert checked_filters(ix, Filters(section="prison and detention")).section == (
        "prison-and-detention-center-conditions",
    )
    with pytest.raises(FilterRejected, match="^unknown country 'Atlantis'$"):
        checked_filters(ix, Filters(country="Atlantis"))
    with pytest.raises(FilterRejected, match="^no narrative of Near East is indexed"):
        checked_filters(ix, Filters(region="middle east"))  # another name of a region none of whose narratives is here
    with pytest.raises(FilterRejected, match="no narrative of Zimbabwe is indexed") as refused:
        checked_filters(ix, Filters(country="Zimbabwe"))  # a country, but none of its narratives here
    assert refused.value.name == "country"


def test_a_page_past_the_end_says_so_and_links_the_last_page(client):
    total = client.get("/api/search?q=government&limit=10").get_json()["total"]
    last = -(-total // 10)
    for page in (last + 1, 102, 5000):
        response = client.get(f"/search?q=government&page={page}")
        html = response.get_data(as_text=True)
        assert response.status_code == 404 and "offset" not in html
        assert f"There is no page {page}: these results end on page {last}." in html
        assert f'href="/search?q=government&amp;page={last}">Go to the last page ({last})</a>' in html


def test_no_result_shows_no_refine_panel_and_offers_to_drop_filters(client):
    html = client.get("/search?q=government&country=Bangladesh&year=2002").get_data(as_text=True)
    assert "No narrative matches “government” with these filters." in html
    assert 'id="refine-heading"' not in html and "export.csv" not in html
    assert 'href="/search?q=government&amp;year=2002">Country: Bangladesh</a>' in html


def test_document_page_keeps_its_name_in_view_and_links_the_matches(client):
    html = client.get("/doc/tip-2016-afg?q=bacha").get_data(as_text=True)
    head = _between(html, '<header class="doc-head" id="top">', "</header>")
    assert "Afghanistan – Trafficking in Persons Report 2016" in head and "Tier 2 Watch List" in head
    total = int(re.search(r"(\d+) match(?:es)? of “bacha”", head).group(1))
    assert 'href="#m1">first</a>' in head and len(re.findall(r'<mark id="m\d+">', html)) == total
    toc = _between(html, 'id="toc-heading"', "</nav>")
    counted = [int(n) for n in re.findall(r'<li class="matching">.*?<span class="n">(\d+) match', toc)]
    assert sum(counted) == total and len(counted) >= 2
    navs = re.findall(r'<p class="match-nav">(.*?)</p>', html, re.S)
    assert len(navs) == len(counted) and "next section with matches" in navs[0]
    assert "previous section with matches" in navs[-1]


def test_a_narrative_read_from_a_file_links_state_gov_never_a_local_path(client, index_dir):
    html = client.get("/doc/tip-2007-hti").get_data(as_text=True)
    assert str(index_dir.parent.parent) not in html and "/tests/fixtures" not in html
    assert 'href="https://2009-2017.state.gov/j/tip/rls/tiprpt/2007/' in html


@pytest.mark.parametrize(
    "source, expected",
    [
        ("/data/tip/2006/65988.htm", "https://2009-2017.state.gov/j/tip/rls/tiprpt/2006/65988.htm"),
        (
            "/data/hrr/2023/bangladesh.html.gz",
            "https://www.state.gov/reports/2023-country-reports-on-human-rights-practices/bangladesh/",
        ),
        ("/data/tip/2006/Haiti Notes.html", "https://2009-2017.state.gov/j/tip/rls/tiprpt/2006/index.htm"),
        ("https://www.state.gov/x/", "https://www.state.gov/x/"),
    ],
)
def test_source_url_comes_from_the_page_or_the_editions_catalog(source, expected):
    report = "hrr" if "/hrr/" in source else "tip"
    year = 2023 if report == "hrr" else 2006
    assert source_url(report, year, source) == expected


def test_an_edition_outside_the_catalog_gives_no_source_url():
    assert source_url("tip", 1990, "/data/1990/a.htm") == ""


@pytest.fixture(scope="module")
def ix(index_dir):
    with opened(index_dir) as build:
        yield build


@pytest.mark.parametrize("name", ["country", "region", "section", "year", "tier", "report"])
def test_an_overlong_filter_value_is_refused_without_being_repeated(client, name):
    value = "korea " * 5000
    response = client.get("/search", query_string={"q": "labor", name: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and f"{name} is longer than 200 characters" in html
    assert "korea korea" not in html and len(html) < 40_000 and 'value="labor"' in html
    api = client.get("/api/search", query_string={"q": "labor", name: value})
    assert api.status_code == 400 and api.get_json()["error"] == f"{name} is longer than 200 characters"


def test_the_two_reports_on_one_country_and_year_link_each_other(client, needs_hrr):
    hrr = client.get("/doc/hrr-2023-prk?q=forced+labor").get_data(as_text=True)
    companion = 'class="companion" href="/doc/tip-2023-prk?q=forced+labor">'
    assert companion + "North Korea in the 2023 Trafficking in Persons Report" in hrr
    crossrefs = re.findall(r'<p class="crossref">→ <a href="/doc/tip-2023-prk">', hrr)
    assert len(crossrefs) == 2  # after each "See the Department of State's ... Trafficking in Persons Report"
    before = _between(hrr, 'id="hrr-2023-prk-', '<p class="crossref">')
    assert "Trafficking in Persons Report at" in before.rsplit("<p id=", 1)[1]
    tip = client.get("/doc/tip-2023-prk").get_data(as_text=True)
    assert 'class="companion" href="/doc/hrr-2023-prk">North Korea in the 2023 Human Rights Report</a>' in tip
    assert 'class="companion"' not in client.get("/doc/tip-2002-prk").get_data(as_text=True)  # no HRR of 2002
    assert 'class="crossref"' not in client.get("/doc/hrr-2023-bgd").get_data(as_text=True)  # no TIP narrative


def test_a_result_leads_to_its_narrative_and_back_to_the_same_results(client):
    html = client.get("/search?q=government&report=tip&page=2&limit=2").get_data(as_text=True)
    link = re.search(r'<h2><a href="(/doc/[^"#]+)#', html).group(1).replace("&amp;", "&")
    assert "q=government" in link and "report=tip" in link and "page=2" in link
    page = client.get(link).get_data(as_text=True)
    back = re.search(r'<a href="([^"]+)">Back to the results for “government”</a>', page).group(1)
    assert back == "/search?q=government&amp;report=tip&amp;limit=2&amp;page=2"


@pytest.mark.parametrize("name, value", [("year", "{n}-2030"), ("country", "C{n}"), ("section", "s{n}")])
def test_a_filter_of_too_many_values_is_refused_at_once(client, name, value):
    values = [value.format(n=1000 + n) for n in range(MAX_FILTER_VALUES + 1)]
    api = client.get("/api/search", query_string=[("q", "labor"), *((name, v) for v in values)])
    assert api.status_code == 400
    assert (
        api.get_json()["error"]
        == f"{name} has {MAX_FILTER_VALUES + 1} values; at most {MAX_FILTER_VALUES} are searched"
    )
    kept = client.get("/api/search", query_string=[("q", "labor"), *(("year", f"{2000 + n}") for n in range(20))])
    assert kept.status_code == 200
