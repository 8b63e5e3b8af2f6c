"""A country's names are interchangeable in queries: each name typed stands for all of them."""

from __future__ import annotations

import re

import pytest

from indexer.reports.countries import Country, all_countries, fold
from indexer.search.engine import SearchRequest, search
from indexer.search.names import with_other_names
from indexer.search.policy import sanitize
from indexer.search.query import parse_text
from tests.conftest import opened


def rewritten(typed: str) -> str:
    return with_other_names(sanitize(typed))


def alternatives(text: str) -> set[str]:
    """The folded phrases of a rewritten query."""
    return {fold(phrase) for phrase in re.findall(r'"([^"]*)"', text)}


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("Turkey", '("Turkey" OR "Türkiye")'),
        ("Türkiye", '("Türkiye" OR "Turkey")'),
        ("turkiye", '("Türkiye" OR "Turkey")'),
        ("Ivory Coast", '("Ivory Coast" OR "Cote d\'Ivoire")'),
        ("Côte d’Ivoire", '("Cote d\'Ivoire" OR "Ivory Coast")'),
        ("Czech Republic Roma", '("Czech Republic" OR "Czechia") Roma'),
        ("Czechia", '("Czechia" OR "Czech Republic")'),
        ("Swaziland labor", '("Swaziland" OR "Eswatini") labor'),
        ("Eswatini", '("Eswatini" OR "Swaziland")'),
        ("Kingdom of Eswatini", '("Eswatini" OR "Swaziland")'),
        ("forced labor Burma", 'forced labor ("Burma" OR "Myanmar")'),
        ("Myanmar", '("Myanmar" OR "Burma")'),
        ("Cabo Verde", '("Cabo Verde" OR "Cape Verde")'),
        ("Cape Verde", '("Cape Verde" OR "Cabo Verde")'),
        ("North Korea", '("North Korea" OR "Democratic People\'s Republic of Korea")'),
        ("NOT Turkey", 'NOT ("Turkey" OR "Türkiye")'),
        ("labor -Burma", 'labor NOT ("Burma" OR "Myanmar")'),
        ("(Burma OR Czechia) AND fishing", '( ("Burma" OR "Myanmar") OR ("Czechia" OR "Czech Republic") ) AND fishing'),
    ],
)
def test_a_name_typed_stands_for_every_name_of_its_country(typed, expected):
    assert rewritten(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        '"Turkey" fishing',  # a phrase is searched as typed
        "exact:Turkey",
        "Turk*",
        "Antigua AND Barbuda",  # no name across an operator
        "Chad Jordan Georgia",  # a country's only name: nothing to add
        "Korea",  # names no country alone
        "Congo",  # names both Congos in texts
        "Guinea Sudan Niger Dominica",
        "DPRK UAE US CAR",  # abbreviations would find "us" and "car"
        "TUR AND can per",  # ISO3 codes are no names
    ],
)
def test_words_that_name_no_single_country_with_other_names_are_left_as_typed(typed):
    assert rewritten(typed) == sanitize(typed)


def test_a_name_of_several_words_is_one_phrase_even_alone():
    # "Republic of Korea" is held in North Korea's name: South Korea is searched by one name, as one part
    assert rewritten("South Korea") == '("South Korea")'
    assert rewritten("Burkina Faso labor") == '("Burkina Faso") labor'


def test_the_longest_name_is_matched():
    congo = '("Democratic Republic of the Congo" OR "Congo-Kinshasa" OR "Zaire")'
    assert rewritten("Democratic Republic of the Congo") == congo
    assert rewritten("Republic of the Congo") == "Republic of the Congo"  # held in the longer name: ambiguous
    assert rewritten("Korea Democratic People's Republic of") == rewritten("North Korea")
    assert rewritten("North Korea Turkey") == f"{rewritten('North Korea')} {rewritten('Turkey')}"


def typed_names(country: Country) -> list[str]:
    """The names of a row one types: not abbreviations (DPRK, UAE), not print forms with brackets."""
    return [name for name in (country.name, *country.aliases) if "(" not in name and not name.isupper()]


@pytest.mark.parametrize("country", all_countries(), ids=lambda country: country.iso3)
def test_every_name_of_a_country_gives_the_same_names(country):
    own = {fold(name) for name in (country.name, *country.aliases)}
    found = {}
    for name in typed_names(country):
        out = rewritten(name)
        assert parse_text(out, "narrative") is not None, out
        if not alternatives(out):  # a lone word, or a name of two countries (Congo, Republic of Korea)
            assert out == sanitize(name), (name, out)
            continue
        found[name] = alternatives(out)
        assert found[name] <= own, (name, out)  # never another country's name
    assert len({frozenset(names) for names in found.values()}) <= 1, found


def test_end_to_end_turkiye_and_turkey_match_the_same_narratives_of_2023(hrr_2023):
    """End to end, on every 2023 Human Rights Report page of ../shared: texts say one name or the other."""
    with opened(hrr_2023[0]) as build:
        found = [
            {hit.id for hit in search(build, SearchRequest(q=q, limit=200, with_suggestion=False)).hits}
            for q in ("Türkiye", "Turkey")
        ]
    assert found[0] and found[0] == found[1]
