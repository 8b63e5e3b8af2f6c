"""What a search matches, on the real 2023 Human Rights Report pages: the examples of docs/query-language.md."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from indexer.cli import main
from indexer.index.analysis import stem_word, word_tokens
from indexer.search.engine import SearchRequest, get_narrative, search
from indexer.search.query import Filters
from tests.conftest import opened, web_app


@pytest.fixture(scope="module")
def build(hrr_2023):
    with opened(hrr_2023[0]) as opened_build:
        yield opened_build


def _find(build, q: str = "", match: str = "all", **filters):
    return search(build, SearchRequest(q=q, filters=Filters(**filters), limit=200, match=match, with_suggestion=False))


def _stems(build, narrative: str) -> set[str]:
    """Every stem a narrative's headings and texts hold."""
    _, sections = get_narrative(build, narrative)
    return {stem for s in sections for text in (s.heading, s.text) for _, stem, _, _ in word_tokens(text) if stem}


@pytest.mark.parametrize(
    "q, kept, excluded",
    [
        ("Rohingya -refugee", "rohingya", "refugee"),
        ('"forced labor" -prison', "forced", "prison"),
        ("kilns -children", "kilns", "children"),
    ],
)
def test_an_exclusion_leaves_out_every_narrative_holding_the_word(build, q, kept, excluded):
    found = _find(build, q)
    holding = _find(build, q.split(" -")[0])
    assert found.total == len(found.matched) < holding.total
    assert all(stem_word(excluded) not in _stems(build, n) for n in found.matched)
    left_out = set(holding.matched) - set(found.matched)
    assert left_out and all(stem_word(excluded) in _stems(build, n) for n in left_out)
    assert all(f">{excluded}" not in s.snippet.lower() for hit in found.hits for s in hit.sections)


def test_not_and_a_minus_mean_the_same(build):
    found = _find(build, "journalists NOT murdered")
    assert 0 < found.total < _find(build, "journalists").total
    assert found.matched == _find(build, "journalists -murdered").matched


def test_organ_removal_counts_the_narratives_holding_both_words(build):
    found = _find(build, "organ removal")
    organs = {n for n in _find(build, "organ").matched}
    assert found.reading == "all" and found.total == found.all_words
    assert 10 <= found.total <= 35 and set(found.matched) <= organs
    snippets = " ".join(s.snippet for hit in found.hits for s in hit.sections)
    assert "<mark>organization" not in snippets.lower()


def test_all_words_first_and_the_wider_set_one_click_away(build):
    every = _find(build, "child marriage dowry")
    some = _find(build, "child marriage dowry", match="any")
    assert every.reading == "all" and some.reading == "some"
    assert every.total == every.all_words == some.all_words < some.total == every.some_words
    assert set(every.matched) <= set(some.matched)
    assert sum(c.count for c in every.facets["country"]) == every.total  # the facets describe the same set
    assert some.matched[: every.total] and set(some.matched[: every.total]) == set(every.matched)  # all words first


def test_several_values_of_a_filter_are_any_of_them(build, hrr_2023):
    both = _find(build, "forced labor", country=("BGD", "IND"))
    assert {h.iso3 for h in both.hits} == {"BGD", "IND"} and both.total == 2
    countries = {c.value: c.count for c in both.facets["country"]}
    assert countries["BGD"] == countries["IND"] == 1 and len(countries) > 2  # the others, to add
    client = web_app(hrr_2023[0]).test_client()
    api = client.get("/api/search?q=forced+labor&country=BGD&country=Nepal").get_json()
    assert {h["iso3"] for h in api["hits"]} == {"BGD", "NPL"}
    page = client.get("/search?q=forced+labor&country=BGD&country=IND").get_data(as_text=True)
    assert "Remove filter country: Bangladesh" in page and "Remove filter country: India" in page
    result = CliRunner().invoke(
        main,
        ["search", "forced", "labor", "--index", str(hrr_2023[0]), "--country", "BGD", "--country", "IND", "--json"],
    )
    assert result.exit_code == 0 and result.output.count('"iso3": "BGD"') == 1 and '"iso3": "IND"' in result.output


@pytest.mark.parametrize(
    "section",
    [
        "Prison and Detention Center Conditions",
        "prison and detention",
        "Women",
        "Children",
        "Trafficking in Persons",
        "Internet Freedom",
    ],
)
def test_subsections_are_filters(build, section):
    found = _find(build, "", section=section)
    assert found.total > 100


def test_a_subsection_filter_searches_that_subsection_only(build):
    found = _find(build, "hunger strike", section="Prison and Detention Center Conditions")
    anywhere = _find(build, "hunger strike")
    assert 0 < found.total < anywhere.total
    assert found.total == _find(build, 'hunger strike section:"prison and detention"').total
    for hit in found.hits:
        assert all(s.heading == "Prison and Detention Center Conditions" for s in hit.sections)


def test_a_heading_that_moved_is_filtered_by_its_heading(build):
    privacy = "Arbitrary or Unlawful Interference with Privacy, Family, Home, or Correspondence"
    by_heading = _find(build, "surveillance", section=privacy)
    by_number = _find(build, "surveillance", section="1.f")  # transnational repression in 2023
    assert by_heading.total and set(by_heading.matched) != set(by_number.matched)
    assert all(s.heading.endswith(privacy) for hit in by_heading.hits for s in hit.sections)


def test_the_section_facet_counts_what_choosing_a_section_gives(build):
    found = _find(build, "child marriage")
    counts = {c.value: c.count for c in found.facets["section"]}
    assert counts["women"] == _find(build, "child marriage", section="women").total
    assert counts["children"] == _find(build, "child marriage", section="children").total


def test_other_names_of_a_country_are_marked_where_they_match(build):
    found = _find(build, "Ivory Coast")
    assert found.total == _find(build, "Côte d'Ivoire").total > 1
    assert all("<mark>" in hit.sections[0].snippet for hit in found.hits)
    _, sections = get_narrative(build, "hrr-2023-civ", "Ivory Coast")
    assert any("<mark>" in s.html for s in sections)


def test_typed_filters_are_shown_and_kept_by_the_page_links(hrr_2023):
    client = web_app(hrr_2023[0]).test_client()
    page = client.get("/search?q=forced+labor+country:BGD+country:IND").get_data(as_text=True)
    assert "Remove filter country: Bangladesh" in page and "Remove filter country: India" in page
    facet = page.split('id="facet-country"', 1)[1].split("</section>", 1)[0]
    first = facet.split("<li>")[1:3]
    assert all("Remove" in item for item in first)  # the chosen values first, to take out
    add = next(item for item in facet.split("<li>") if ">Add </span>Afghanistan" in item)
    assert "q=forced+labor&amp;country=BGD&amp;country=IND&amp;country=AFG" in add


def test_the_zero_page_says_why_an_exclusion_leaves_nothing(hrr_2023):
    client = web_app(hrr_2023[0]).test_client()
    page = client.get("/search?q=Rohingya+-refugee").get_data(as_text=True)
    assert "No narrative matches" in page and "An excluded word leaves out every narrative" in page
    trend = client.get("/search?q=organ+removal&match=any").get_data(as_text=True)
    assert "/trend?q=organ+removal&amp;match=any" in trend
