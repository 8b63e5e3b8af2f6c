import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from tests.conftest import web_app
from webapp.cli import main


def test_search_page_lists_ranked_narratives_with_marks(client):
    page = client.get("/search?q=bacha+baazi")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Afghanistan – Trafficking in Persons Report 2016" in html and "<mark>" in html
    assert 'role="search"' in html and '<label for="q">' in html


def test_home_page_is_the_search_form(client):
    html = client.get("/").get_data(as_text=True)
    assert "<form" in html and 'role="status"' not in html


def test_api_returns_the_same_ranked_hits_as_the_cli(client, index_dir):
    api = client.get("/api/search?q=forced+labor+fishing&limit=5").get_json()
    cli = CliRunner().invoke(
        main, ["search", "forced labor fishing", "--limit", "5", "--json", "--index", str(index_dir)]
    )
    cli_hits = [json.loads(line) for line in cli.output.splitlines()]
    assert [h["id"] for h in api["hits"]] == [h["id"] for h in cli_hits]
    assert [h["snippet"] for h in api["hits"]] == [h["snippet"] for h in cli_hits]


def test_filters_as_get_parameters(client):
    api = client.get("/api/search?q=government&report=tip&tier=3&limit=50").get_json()
    assert {h["iso3"] for h in api["hits"]} == {"MMR", "PRK"}


def test_paging(client):
    first = client.get("/api/search?q=government&limit=2&page=1").get_json()
    second = client.get("/api/search?q=government&limit=2&page=2").get_json()
    assert first["total"] > 2 and not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    html = client.get("/search?q=government&limit=2").get_data(as_text=True)
    assert 'rel="next"' in html


def test_document_page_shows_all_sections_with_query_words_marked(client):
    html = client.get("/doc/tip-2016-afg?q=bacha").get_data(as_text=True)
    for heading in ("PROSECUTION", "PROTECTION", "PREVENTION", "TRAFFICKING PROFILE"):
        assert heading in html
    assert '<mark id="m1">bacha</mark>' in html  # matches numbered, for the links from one to the next


def test_bad_input_gives_400_never_500(client):
    for url in [
        "/search?q=labor&year=20x",
        "/search?q=labor&page=abc",
        "/search?q=labor&page=0",
        "/api/search?q=labor&limit=100000",
        "/api/search?q=labor&country=Atlantis",
    ]:
        response = client.get(url)
        assert response.status_code == 400, url
    assert "year" in client.get("/api/search?q=labor&year=20x").get_json()["error"]


def test_unparseable_query_is_searched_as_words(client):
    assert client.get('/search?q="unclosed+(((+labor').status_code == 200


def test_unknown_document_is_404(client):
    assert client.get("/doc/no-such-id").status_code == 404


def test_security_headers_on_every_response(client):
    for url in ["/", "/search?q=labor", "/api/search?q=labor", "/doc/no-such-id", "/search?year=x&q=a"]:
        headers = client.get(url).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_hostile_document_text_never_becomes_markup(client):
    html = client.get("/search?q=identify+protect+victims&country=PRK").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_query_text_is_escaped(client):
    html = client.get("/search?q=<img src=x onerror=alert(1)>").get_data(as_text=True)
    assert "<img src=x" not in html


def test_healthz(client):
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok" and health["documents"] > 0


def test_filters_alone_list_narratives_newest_first(client):
    api = client.get("/api/search?report=tip&tier=3").get_json()
    assert {h["iso3"] for h in api["hits"]} == {"MMR", "PRK"}
    years = [h["year"] for h in api["hits"]]
    assert years == sorted(years, reverse=True)


def test_country_api_gives_the_tier_history(client):
    body = client.get("/api/countries/prk").get_json()
    assert body["country"] == "North Korea" and [t["tier"] for t in body["tiers"]] == ["3", "3"]
    assert client.get("/api/countries/XYZ").status_code == 404
    assert client.get("/api/countries/UAE").status_code == 404  # an alias, not an ISO3 code


def test_document_page_links_the_same_country_in_other_editions(client):
    html = client.get("/doc/tip-2023-prk").get_data(as_text=True)
    assert 'href="/doc/tip-2002-prk"' in html and "Previous edition: 2002" in html
    assert "Tier 3" in html


def test_document_page_lists_recommendations_one_per_item(client):
    page = client.get("/doc/tip-2019-kor").get_data(as_text=True)
    listed = page.split('<ul class="recommendations">', 1)[1].split("</ul>", 1)[0]
    assert (
        listed.count("<li id=") == 3 and '<li id="tip-2019-kor-1-p2">Increase the number of labor inspectors.' in listed
    )


def test_narrative_api_gives_sections_and_recommendations(client):
    shown = client.get("/api/narratives/tip-2019-kor").get_json()
    assert (shown["country"], shown["year"], shown["tier"], shown["tier_label"]) == ("South Korea", 2019, "1", "Tier 1")
    assert [s["section"] for s in shown["sections"]][:2] == ["summary", "prioritized-recommendations"]
    assert [r["text"] for r in shown["recommendations"]] == shown["sections"][1]["items"]
    assert len(shown["recommendations"]) == 3 and shown["recommendations"][0]["editions"] == [2019]
    assert client.get("/api/narratives/tip-1999-xyz").status_code == 404


def test_api_gives_facets_and_takes_a_sort(client):
    body = client.get("/api/search?q=labor&sort=oldest&limit=50").get_json()
    assert body["sort"] == "oldest" and sum(c["count"] for c in body["facets"]["report"]) == body["total"]
    years = [h["year"] or 0 for h in body["hits"]]
    assert years == sorted(years)
    assert client.get("/api/search?q=labor&sort=sideways").status_code == 400


def test_search_page_corrects_a_word_no_narrative_holds_and_offers_it_as_typed(client):
    page = client.get("/search?q=Afganistan&year=2016").get_data(as_text=True)
    assert "Showing results for <strong>Afghanistan</strong>: no narrative has the word “Afganistan”." in page
    assert 'href="/search?q=Afganistan&amp;year=2016&amp;spelling=as-typed">Search for “Afganistan” as typed' in page
    assert 'href="/doc/tip-2016-afg?q=Afghanistan&amp;year=2016#' in page  # the narrative's words marked as searched
    assert 'href="/api/export.csv?q=Afghanistan&amp;year=2016"' in page  # files and feeds of the search shown
    assert 'href="/search.atom?q=Afghanistan&amp;year=2016"' in page
    typed = client.get("/search?q=Afganistan&year=2016&spelling=as-typed").get_data(as_text=True)
    assert 'Did you mean <a href="/search?q=Afghanistan&amp;year=2016&amp;spelling=as-typed">Afghanistan</a>?' in typed
    assert client.get("/api/search?q=Afganistan").get_json()["suggestion"] == "Afghanistan"  # the API as typed


def test_document_page_links_similar_narratives(client):
    page = client.get("/doc/tip-2023-prk").get_data(as_text=True)
    assert 'href="/doc/tip-2023-prk/similar"' in page
    similar = client.get("/doc/tip-2023-prk/similar").get_data(as_text=True)
    assert "North Korea in other editions" in similar and 'href="/doc/tip-2002-prk"' in similar
    body = client.get("/api/narratives/tip-2023-prk/similar").get_json()
    assert [s["id"] for s in body["other_editions"]] == ["tip-2002-prk"]
    assert client.get("/api/narratives/nope/similar").status_code == 404


def test_too_many_requests_get_429_with_retry_after(index_dir):
    client = web_app(index_dir, rate_limit=3, web_workers=1).test_client()
    statuses = [client.get("/api/search?q=labor").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/search?q=labor")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["Content-Security-Policy"] and "try again" in refused.get_data(as_text=True)
    assert client.get("/healthz").status_code == 200  # not counted
    other = client.get("/api/search?q=labor", environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 200  # each client has its own allowance


def test_rate_limiter_refills_over_time():
    from webapp.ratelimit import RateLimiter

    limiter = RateLimiter(60)  # one a second
    assert all(limiter.wait("a", now=0.0) == 0 for _ in range(60))
    assert limiter.wait("a", now=0.0) == pytest.approx(1.0)
    assert limiter.wait("a", now=1.0) == 0


def test_search_page_facets_filter_and_show_what_is_active(client):
    page = client.get("/search?q=labor").get_data(as_text=True)
    facets = page.split('<aside class="facets"', 1)[1].split("</aside>", 1)[0]
    assert 'href="/search?q=labor&amp;tier=3"' in facets and "Tier 3" in facets
    narrowed = client.get("/search?q=labor&tier=3").get_data(as_text=True)
    active = narrowed.split('<section class="active"', 1)[1].split("</section>", 1)[0]
    assert 'href="/search?q=labor"' in active and "Tier: Tier 3" in active  # the link that removes it
    assert '<option value="newest" selected>' in client.get("/search?q=labor&sort=newest").get_data(as_text=True)


def test_exports_are_spreadsheet_files_a_row_per_section_without_markup_or_formulas(client):
    response = client.get("/api/export.csv?q=labor")
    name = response.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="tipsearch-labor-\d{4}-\d\d-\d\d\.csv"', name)
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffRank,Country,ISO3 code,Report,Edition")  # a byte-order mark for spreadsheets
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) > len({r["Narrative id"] for r in rows})  # several sections of a narrative
    assert "<mark>" not in text and "&amp;" not in text and "&#39;" not in text
    first = rows[0]
    assert first["Read on tipsearch"].startswith(f"/doc/{first['Narrative id']}?q=labor#")  # no public URL set
    assert first["Source on state.gov"].startswith("https://") and first["Section"]
    body = client.get("/api/export.json?q=labor&limit=2").get_json()
    assert body["rows"][0]["rank"] == 1 and list(body["rows"][0]) == list(body["columns"])
    assert len({r["narrative_id"] for r in body["rows"]}) == 2
    assert client.get("/api/export.xml?q=labor").status_code == 404
    from indexer.search.exports import csv_lines

    assert "'=HYPERLINK" in csv_lines([{"country": "=HYPERLINK(1)"}])


def test_trend_page_counts_matches_per_edition(client):
    page = client.get('/trend?q="forced labor"').get_data(as_text=True)
    assert "<svg" in page and '<th scope="row">2023</th>' in page
    assert "<script" not in page


def test_country_page_has_the_tier_timeline_and_compares_two_editions(client):
    page = client.get("/country/PRK").get_data(as_text=True)
    assert "<svg" in page and "2002: Tier 3" in page and 'name="section"' in page
    compared = client.get("/country/PRK/compare?report=tip&section=summary&from=2002&to=2023").get_data(as_text=True)
    assert '<tr class="changed">' in compared and '<tr class="added">' in compared
    assert client.get("/country/PRK/compare?report=tip&section=summary&from=1999&to=2023").status_code == 404
    assert client.get("/country/PRK/compare?section=summary").status_code == 400
    assert client.get("/country/ATL").status_code == 404


def test_document_page_cites_and_links_the_pdf_page(client):
    page = client.get("/doc/tip-2023-mmr").get_data(as_text=True)
    assert "Cite this:" in page and 'href="/country/MMR"' in page
    cite = page.split('<p class="cite">', 1)[1].split("</p>", 1)[0]
    assert "2023 Trafficking in Persons Report: Burma</cite>, p. 1" in cite  # the narrative came from a PDF


def test_opensearch_description(client):
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    assert "/search?q={searchTerms}" in response.get_data(as_text=True)
    assert 'rel="search"' in client.get("/").get_data(as_text=True)


def test_the_count_says_how_many_narratives_hold_all_the_words(client):
    data = client.get("/api/search?q=forced+labor+fishing").get_json()
    assert 0 < data["all_words"] == data["total"] < data["some_words"] and data["reading"] == "all"
    html = client.get("/search?q=forced+labor+fishing").get_data(as_text=True)
    more = data["some_words"] - data["total"]
    assert f"{data['all_words']} narratives contain all words" in html
    assert f'match=any">and {more} more narratives with some of the words</a>' in html
    wider = client.get("/api/search?q=forced+labor+fishing&match=any").get_json()
    assert wider["total"] == data["some_words"] and wider["reading"] == "some"
    assert "only the" in client.get("/search?q=forced+labor+fishing&match=any").get_data(as_text=True)
    assert client.get("/api/search?q=trafficking").get_json()["all_words"] is None


def test_a_section_facet_shows_the_heading_and_filters_by_its_key(client):
    facets = client.get("/api/search?q=torture").get_json()["facets"]["section"]
    torture = next(f for f in facets if f["value"] == "section-1c")
    assert torture["label"].startswith("1.c Torture")
    assert client.get("/api/search?q=torture&section=section-1c").get_json()["total"] == torture["count"]


def test_only_pages_that_show_a_suggestion_look_for_one(client, monkeypatch):
    import indexer.search.engine

    asked = []
    monkeypatch.setattr(indexer.search.engine, "suggestion_for", lambda build, q: asked.append(q) or ("", False))
    for path in ("/trend?q=fishremen", "/api/export.csv?q=fishremen", "/api/export.json?q=fishremen"):
        assert client.get(path).status_code == 200, path
    assert not asked
    client.get("/search?q=fishremen")
    assert asked == ["fishremen"]


@pytest.mark.parametrize("path", ["/search?q=labor", "/no-such-page", "/api/search?q=labor", "/healthz"])
def test_every_answer_says_how_to_cache_it_and_what_the_page_may_use(client, path):
    headers = client.get(path).headers
    assert headers["Cache-Control"] == "no-cache" and "camera=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # plain HTTP
    assert "Strict-Transport-Security" in client.get(path, base_url="https://localhost").headers


def test_healthz_does_not_tell_where_the_index_lives(client, index_dir):
    assert str(index_dir) not in client.get("/healthz").get_data(as_text=True)


def test_with_trusted_hosts_set_another_host_name_is_refused(index_dir):
    client = web_app(index_dir, trusted_hosts="search.example.org").test_client()
    assert client.get("/opensearch.xml", headers={"Host": "evil.example"}).status_code == 400
    described = client.get("/opensearch.xml", headers={"Host": "search.example.org"})
    assert described.status_code == 200 and "http://search.example.org/search" in described.get_data(as_text=True)


def test_a_port_a_client_adds_to_a_trusted_host_name_is_never_linked(index_dir):
    client = web_app(index_dir, trusted_hosts="search.example.org,localhost:8080").test_client()
    described = client.get("/opensearch.xml", headers={"Host": "search.example.org:6666"}).get_data(as_text=True)
    assert ":6666" not in described and 'template="/search?q=' in described  # from the site's root instead
    described = client.get("/opensearch.xml", headers={"Host": "localhost:8080"}).get_data(as_text=True)
    assert "http://localhost:8080/search" in described  # a port the setting names


def test_links_under_the_public_url_name_the_app_once_when_it_is_mounted_under_a_path(index_dir):
    client = web_app(index_dir, public_url="https://example.org/tip").test_client()
    described = client.get("/opensearch.xml", environ_overrides={"SCRIPT_NAME": "/tip"}).get_data(as_text=True)
    assert "https://example.org/tip/search" in described and "/tip/tip/" not in described


def test_the_rate_limiter_forgets_clients_without_waiting_for_a_refusal():
    from webapp.ratelimit import MAX_CLIENTS, RateLimiter

    limiter = RateLimiter(60)
    for n in range(3 * MAX_CLIENTS):  # each address once: nobody is ever refused
        assert limiter.wait(f"c{n}", now=n / 1000) == 0
    assert len(limiter.buckets) <= MAX_CLIENTS
    assert limiter.wait("c0", now=10.0) == 0  # forgotten means a full allowance again


def test_the_rate_limit_is_shared_among_the_worker_processes():
    from webapp.ratelimit import per_worker

    assert per_worker(20, workers=2) == 10 and per_worker(20, workers=1) == 20 and per_worker(1, workers=8) == 1


@pytest.mark.parametrize(
    "path", ["/search.atom?q=labor", "/api/export.csv?q=labor", "/api/export.json?q=labor", "/opensearch.xml"]
)
def test_links_read_elsewhere_never_come_from_an_untrusted_host_header(index_dir, path):
    hostile = {"Host": "evil.example"}
    plain = web_app(index_dir).test_client().get(path, headers=hostile).get_data(as_text=True)
    assert "evil.example" not in plain and ("/doc/tip-" in plain or "/search?q=" in plain)
    public = web_app(index_dir, public_url="https://search.example.org/").test_client()
    given = public.get(path, headers=hostile).get_data(as_text=True)
    assert "evil.example" not in given and "https://search.example.org/" in given
