"""The search engine against the reference evaluator (``tests/reference.py``), which applies the definition in
``docs/query-language.md`` ("What a search matches") by brute force to the narratives the test index was built from.

The reference's reading of the documentation's own examples is checked first, then the engine against it on the
documentation's examples and on a fixed sample of generated searches: matching narratives, total, all-words count
and every facet count.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.index.analysis import stem_word
from indexer.index.home import IndexHome
from indexer.settings import Settings
from tests.conftest import load_script, opened
from tests.reference import AllOf, AnyOf, Case, Corpus, Exact, Not, Vocabulary, Word, cases, parse, sample

differential = load_script("differential")

SEARCHES = 300  # generated searches checked in a fixed sample
SEED = 2024
EXAMPLES = 50  # and as hypothesis draws them
SHOWN = 5  # disagreements shown in full in a failure


@pytest.fixture(scope="module")
def corpus(sources, index_dir) -> Corpus:
    """The narratives of the test index, read again from its sources (through its extraction cache)."""
    settings = Settings.from_environment()
    return Corpus.from_files(sources, settings, IndexHome.of(settings, index_dir).cache)


@pytest.fixture(scope="module")
def vocabulary(corpus) -> Vocabulary:
    """What the generated searches are made of."""
    return Vocabulary(corpus)


@pytest.fixture(scope="module")
def build(index_dir):
    """The test index, opened."""
    with opened(index_dir) as build:
        yield build


def same_parts(typed: str, meant: str) -> bool:
    """Whether the reference reads two queries alike (a country's names in any order)."""

    def unordered(node):
        if isinstance(node, AnyOf):
            return frozenset(map(unordered, node.parts))
        if isinstance(node, AllOf):
            return tuple(map(unordered, node.parts))
        return ("not", unordered(node.part)) if isinstance(node, Not) else node

    return list(map(unordered, parse(typed))) == list(map(unordered, parse(meant)))


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("child marriage OR betrothal", "child (marriage OR betrothal)"),
        ("forced AND labor OR kilns", "(forced AND labor) OR kilns"),
        ("kilns OR bricks AND children", "kilns OR (bricks AND children)"),
        ("Rohingya -refugee", "Rohingya NOT refugee"),
        ("-Rohingya OR camps", "(NOT Rohingya) OR camps"),
        ("forced-labor", "forced labor"),
        ("U.N.-led", "U.N. led"),
        ('"trafficking of children"', '"trafficking in children"'),
        ("Turkey", '("Turkey" OR "Türkiye")'),
        ("Ivory Coast", '("Ivory Coast" OR "Côte d\'Ivoire")'),
        ("-Ivory Coast", 'NOT ("Ivory Coast" OR "Côte d\'Ivoire")'),
        ("bricks OR", "bricks"),
        ("AND bricks NOT", "bricks"),
        ("forced NOT", "forced"),
        ("labor and forced", "labor forced"),
    ],
)
def test_the_reference_reads_the_documented_examples_as_documented(typed, meant):
    assert same_parts(typed, meant)


def test_the_reference_searches_a_query_of_stopwords_as_exact_words():
    assert parse("WHO") == [Exact("who")]
    assert parse("the of") == [Exact("the"), Exact("of")]
    assert parse("the prison") == [Word(stem_word("prison"))]
    assert parse("NOT") == []


DOCUMENTED = [
    ("child marriage OR betrothal", {}),
    ("forced AND labor OR kilns", {}),
    ("Rohingya -refugee", {}),
    ("kilns bricks -children", {}),
    ("child marriage -dowry", {}),
    ("(Rohingya OR Uyghur) -camps", {}),
    ("prisons", {}),
    ("forced-labor", {}),
    ('"trafficking of children"', {}),
    ('"forced labor"~3', {}),
    ("traff*", {}),
    ("exact:organ", {}),
    ("Turkey", {}),
    ("Ivory Coast", {}),
    ("WHO", {}),
    ("forced labor", {"country": ("BGD", "IND")}),
    ("forced labor country:BGD country:IND", {}),
    ("forced labor country:BGD", {"country": ("IND",)}),
    ("forced labor", {"year": ("2016-2019",), "report": ("tip", "hrr")}),
    ("", {"tier": ("2WL", "3")}),
]
SECTIONS = [
    "Women",
    "Prison and Detention Center Conditions",
    "Transnational Repression",
    "Prosecution",
    "prison and detention",
    "1.f",
    "Section 1.f",
    "section-1f",
]


@pytest.mark.parametrize("q, filters", DOCUMENTED)
@pytest.mark.parametrize("match", ["all", "any"])
def test_the_documented_examples_match_what_the_reference_finds(build, corpus, q, filters, match):
    disagreement = differential.disagreement(build, corpus, Case(q, tuple(filters.items()), match))
    assert not disagreement, disagreement


@pytest.mark.parametrize("section", SECTIONS)
def test_the_documented_section_filters_match_what_the_reference_finds(build, corpus, needs_hrr, section):
    for q in ("prison", "forced labor", ""):
        disagreement = differential.disagreement(build, corpus, Case(q, (("section", (section,)),)))
        assert not disagreement, disagreement


def test_generated_searches_match_what_the_reference_finds(build, corpus, vocabulary):
    drawn = sample(vocabulary, SEARCHES, SEED)
    disagreements = differential.check(build, corpus, drawn)
    shown = "\n\n".join(disagreements[:SHOWN])
    assert not disagreements, f"{len(disagreements)} of {len(drawn)} searches disagree; the first ones:\n\n{shown}"


@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None)
@given(data=st.data())
def test_any_generated_search_matches_what_the_reference_finds(build, corpus, vocabulary, data):
    disagreement = differential.disagreement(build, corpus, data.draw(cases(vocabulary), label="search"))
    assert not disagreement, disagreement
