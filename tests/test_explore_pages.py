"""The explore pages: a section compared word by word, a phrase through the years, a country's tiers."""

import re
import shutil

from indexer.search.history import Edition, mark_changes
from tests.conftest import HRR, index_files, shared_path, web_app
from webapp.charts import tier_points, year_bars
from webapp.compare import compare
from webapp.explore import merged_order


def _changes(before: str, after: str) -> list[str]:
    return [row.change for row in compare(before, after).rows]


def test_a_word_changed_makes_one_changed_row_with_the_word_deleted_and_inserted():
    rows = compare(
        "Police arrested ten suspects. The government reported five trafficking cases in the capital.",
        "Police arrested ten suspects. The government reported six trafficking cases in the capital.",
    ).rows
    assert [row.change for row in rows] == ["kept", "changed"]
    changed = rows[1]
    assert changed.before.count("<del>") == 1 and changed.after.count("<ins>") == 1
    assert "<ins>" not in changed.before and "<del>" not in changed.after
    assert re.search(r"<del>.*five.*</del>", changed.before) and re.search(r"<ins>.*six.*</ins>", changed.after)
    assert 'class="visually-hidden">[deleted: ' in changed.before  # said, not only struck through


def test_unrelated_sentences_stay_removed_and_added():
    assert _changes("Police arrested ten suspects.", "Courts convicted nobody during the year.") == [
        "removed",
        "added",
    ]
    assert _changes("", "Courts convicted nobody during the year.") == ["added"]


def test_a_changed_sentence_pairs_with_its_match_among_sentences_added_around_it():
    before = "The government identified 40 victims of forced labor."
    after = (
        "Courts convicted nobody during the year. The government identified 52 victims of forced labor. "
        "Shelters opened in two provinces."
    )
    assert _changes(before, after) == ["added", "changed", "added"]


def test_the_text_compared_is_escaped_never_markup():
    rows = compare(
        "Officials found <script>alert(1)</script> in the camp records.",
        "Officials found <script>alert(2)</script> in the camp records. <img src=x onerror=alert(3)>",
    ).rows
    html = "".join(row.before + row.after for row in rows)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)" in html and "&lt;img src=x" in html
    assert "changed" in [row.change for row in rows]


def test_bars_cover_every_indexed_edition_with_unindexed_years_as_gaps():
    chart = year_bars({2007: 1, 2009: 2}, {2006: 4, 2007: 2, 2009: 4})
    assert chart is not None
    assert [bar.year for bar in chart.bars] == [2006, 2007, 2008, 2009]  # from the first indexed edition
    first, _, gap, last = chart.bars
    assert first.indexed and first.value == 0 and first.height == 0  # a real 0
    assert not gap.indexed and gap.height == 0 and gap.share == ""
    assert chart.bars[1].height == last.height > 0  # 1 of 2 and 2 of 4: both 50%
    assert [tick.label for tick in chart.ticks] == ["0%", "25%", "50%"]
    assert chart.ticks[0].y - last.height == chart.ticks[-1].y  # 50% reaches the top tick, 50%
    assert year_bars({}, {2006: 4}) is None


def test_bar_heights_are_percentages_of_the_editions_narratives():
    chart = year_bars({2001: 3, 2002: 1}, {2001: 3, 2002: 4})
    assert chart is not None
    full, quarter = chart.bars
    assert [tick.label for tick in chart.ticks] == ["0%", "50%", "100%"]
    assert quarter.height == full.height / 4 and (full.share, quarter.share) == ("100%", "25%")


def _history(*years_and_tiers: tuple[int, str]) -> list[Edition]:
    return mark_changes([Edition(year, f"tip-{year}-tha", tier, tier) for year, tier in years_and_tiers])


def test_the_tier_line_breaks_across_a_year_with_no_narrative():
    points = tier_points(_history((2001, "2"), (2002, "3"), (2004, "3"), (2005, "1")))
    assert [point.joined for point in points] == [False, True, False, True]
    assert points[3].y < points[0].y < points[1].y  # Tier 1 above Tier 2 above Tier 3
    assert points[2].x - points[1].x == 2 * (points[1].x - points[0].x)  # years evenly spaced, the gap kept


def test_sections_keep_the_order_the_narratives_give_them():
    newest = ["summary", "prioritized-recommendations", "prosecution", "protection", "prevention"]
    older = ["summary", "recommendations", "prosecution", "protection", "prevention", "trafficking-profile"]
    assert merged_order([newest, older]) == [
        "summary",
        "recommendations",
        "prioritized-recommendations",
        "prosecution",
        "protection",
        "prevention",
        "trafficking-profile",
    ]


def test_comparing_a_section_one_edition_lacks_says_so(client):
    page = client.get("/country/PRK/compare?report=tip&section=protection&from=2002&to=2023")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The 2002 edition has no Protection section for North Korea" in html and "shown as added" in html
    assert "<h1>North Korea: Protection, 2002 and 2023</h1>" in html  # the section's label, not its key
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_comparing_two_editions_marks_the_words_changed(client):
    html = client.get("/country/PRK/compare?report=tip&section=summary&from=2002&to=2023").get_data(as_text=True)
    assert '<tr class="changed">' in html and "<del>" in html and "<ins>" in html
    assert re.search(r"Sentences: \d+ kept, [1-9]\d* changed, \d+ removed, \d+ added", html)
    assert "has no" not in html


def test_comparing_an_edition_not_indexed_is_a_clear_client_error(client):
    missing = client.get("/country/PRK/compare?report=tip&section=summary&from=2010&to=2023")
    assert missing.status_code == 404
    assert "No narrative of North Korea in the 2010 Trafficking in Persons Report" in missing.get_data(as_text=True)
    assert client.get("/country/PRK/compare?report=hrr&section=summary&from=2002&to=2023").status_code == 404
    assert client.get("/country/PRK/compare?report=tip&section=summary&from=%C2%B2&to=2023").status_code == 400
    assert client.get("/country/PRK/compare?report=tip&section=summary&from=2023&to=2023").status_code == 400
    neither = client.get("/country/PRK/compare?report=tip&section=section-7b&from=2002&to=2023")
    assert neither.status_code == 404 and "Neither the 2002 nor the 2023 edition" in neither.get_data(as_text=True)


def _select(html: str, name: str) -> str:
    return html.split(f'<select name="{name}">', 1)[1].split("</select>", 1)[0]


def test_the_country_page_offers_sections_by_label_in_the_reports_order(client):
    html = client.get("/country/PRK").get_data(as_text=True)
    sections = re.findall(r'<option value="([^"]+)">([^<]+)</option>', _select(html, "section"))
    assert sections[0] == ("summary", "Summary")  # the report's first section, not the alphabet's
    assert ("prosecution", "Prosecution") in sections
    assert [key for key, _ in sections].index("prosecution") < [key for key, _ in sections].index("prevention")


def test_the_country_page_offers_only_editions_of_the_report_that_are_indexed(client):
    html = client.get("/country/KOR").get_data(as_text=True)  # one edition indexed: 2019
    assert "A comparison needs two editions: only the 2019 edition" in html and 'name="from"' not in html
    prk = client.get("/country/PRK").get_data(as_text=True)
    assert re.findall(r"<option(?: selected)?>(\d+)</option>", _select(prk, "from")) == ["2002", "2023"]


def test_the_country_page_names_human_rights_sections_by_label(client, needs_hrr):
    html = client.get("/country/MMR").get_data(as_text=True)  # TIP 2002 and 2023, HRR 2020 only
    assert html.count('<form class="compare"') == 1 and 'value="tip"' in html
    assert "only the 2020 edition of this report is indexed for Burma" in html
    bgd = client.get("/country/BGD").get_data(as_text=True)
    assert '<option value="section-7b">7.b Prohibition of Forced or Compulsory Labor</option>' in bgd
    assert ">section-7b<" not in bgd


def test_the_country_page_shows_canonical_tier_labels(client):
    html = client.get("/country/MMR").get_data(as_text=True)  # the 2023 narrative prints "TIER 3"
    assert "2023</a>: Tier 3" in html and "TIER 3" not in html
    haiti = client.get("/country/HTI").get_data(as_text=True)  # printed "TIER 2 - WATCH LIST"
    assert "2007: Tier 2 Watch List" in haiti and "WATCH LIST" not in haiti


def test_the_trend_table_says_which_editions_are_not_indexed(client):
    html = client.get("/trend?q=bacha+baazi&report=tip").get_data(as_text=True)  # only in 2016
    rows = re.findall(r'<tr><th scope="row">(\d+)</th>\s*(.*?)</tr>', html, re.S)
    assert rows[0][0] == "2002" and rows[-1][0] == "2023"  # every indexed edition, matching or not
    by_year = dict(rows)
    assert "no narrative indexed" in by_year["2003"] and "no narrative indexed" not in by_year["2002"]
    assert "0 (0%)" in by_year["2002"] and "(100%)" in by_year["2016"]
    assert html.count('class="gap"') == html.count('class="not-indexed"') > 0
    assert re.search(r'text-anchor="end">100%</text>', html)  # the y axis has units


def test_a_section_renumbered_between_editions_is_compared_by_its_heading(tmp_path):
    """Privacy is 1.f of the Human Rights Report of 2022 and 1.h of 2023's: it is compared with itself."""
    shared_path(HRR)
    pages = tmp_path / "pages"
    for year in (2022, 2023):
        (pages / str(year)).mkdir(parents=True)
        shutil.copy(HRR / str(year) / "bangladesh.html.gz", pages / str(year) / "bangladesh.html.gz")
    index_files([pages], tmp_path / "index")
    client = web_app(tmp_path / "index").test_client()
    html = client.get("/country/BGD/compare?report=hrr&section=section-1h&from=2022&to=2023").get_data(as_text=True)
    assert "Privacy" in html and "has no" not in html
    kept = re.search(r"Sentences: (\d+) kept", html)
    assert kept and int(kept.group(1)) > 0
    back = client.get("/country/BGD/compare?report=hrr&section=section-1h&from=2023&to=2022").get_data(as_text=True)
    assert "has no" not in back and re.search(r"Sentences: [1-9]\d* kept", back)  # the other way round too


def test_a_trend_refused_keeps_the_form_and_offers_the_close_values(client):
    response = client.get("/trend?q=labor&region=Afrika")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="labor"' in html and "unknown region &#39;Afrika&#39;" in html
    assert 'href="/trend?q=labor&amp;region=Africa">Africa</a>' in html


def test_a_country_named_in_the_address_leads_to_its_code(client):
    assert client.get("/country/North%20Korea").headers["Location"] == "/country/PRK"
    assert client.get("/country/prk").headers["Location"] == "/country/PRK"
    assert client.get("/country/Atlantis").status_code == 404
