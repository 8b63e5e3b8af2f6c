"""Topical searches on the real 2023 Human Rights Reports: what a researcher sees first.

The first five narratives are ones that talk about the topic at length, their first snippet
is about it (every query word marked, no cross-reference), the count says how many narratives
hold all the words, and a section facet's count is what clicking it gives.
"""

import re

import pytest

from indexer.index.acronyms import acronym_table
from indexer.index.analysis import word_tokens
from indexer.reports.paragraphs import is_boilerplate
from indexer.search.engine import SearchRequest, search
from tests.conftest import SHARED, opened


@pytest.fixture(scope="module")
def build(hrr_2023):
    with opened(hrr_2023[0]) as handle:
        yield handle


def _stems(text: str) -> set[str]:
    return {stem for _, stem, _, _ in word_tokens(text) if stem}


def _about(text: str, stems: set[str], acronym: str | None) -> bool:
    """Whether ``text`` holds every one of ``stems``, or the acronym that stands for them."""
    held = _stems(text)
    return stems <= held or acronym in held


def _paragraphs_about(build, narrative_id: str, stems: set[str], acronym: str | None) -> int:
    sections = build.searcher.documents(narrative=narrative_id, kind="section")
    return sum(1 for s in sections for p in s["body"].split("\n\n") if _about(p, stems, acronym))


TOPICS = ["child marriage", "forced labor", "female genital mutilation", "prison overcrowding"]


def _grades(query: str) -> dict[str, int]:
    """Page slug -> grade (0-3) of the narratives judged for ``query`` in hrr-topics-dev, if it is judged there."""
    judged = SHARED / "ir" / "hrr-topics-dev"
    if not judged.exists():
        return {}
    ids = [
        line.split("\t")[0]
        for line in (judged / "queries.tsv").read_text().splitlines()
        if line.split("\t")[-1] == query
    ]
    rows = [line.split("\t") for line in (judged / "qrels.tsv").read_text().splitlines()]
    return {slug: int(grade) for query_id, slug, grade in rows if query_id in ids}


@pytest.mark.parametrize("query", TOPICS)
def test_the_first_five_talk_about_the_topic(build, query):
    stems = _stems(query)
    acronym = next((a for words, a in build.table("acronyms", acronym_table).items() if set(words) == stems), None)
    grades = _grades(query)
    for hit in search(build, SearchRequest(q=query, limit=5)).hits:
        assert _paragraphs_about(build, hit.id, stems, acronym) >= 2, (hit.id, query)
        if grades:  # judged: the topic is a real problem there, with substance (grade 2 or 3)
            assert grades.get(hit.source.rstrip("/").rsplit("/", 1)[-1].split(".")[0], 0) >= 2, (hit.id, query)
        snippet = hit.sections[0].snippet
        assert _about(" ".join(re.findall(r"<mark>(.*?)</mark>", snippet)), stems, acronym), (hit.id, snippet)
        assert not is_boilerplate(re.sub(r"<[^>]+>", "", snippet)), (hit.id, snippet)


def test_the_count_tells_all_words_from_some(build):
    response = search(build, SearchRequest(q="female genital mutilation"))
    assert 0 < response.all_words == response.total < response.some_words < 191
    assert response.count_text() == f"{response.all_words} narratives contain all words"
    wider = search(build, SearchRequest(q="female genital mutilation", match="any"))
    assert wider.total == response.some_words and wider.all_words == response.all_words
    assert wider.count_text() == (
        f"{wider.total} narratives contain some of the words, {response.all_words} all of them"
    )
    holding = [h for h in search(build, SearchRequest(q="female genital mutilation", limit=200, match="any")).hits]
    assert all(
        _stems("female genital mutilation")
        <= _stems(" ".join(s["body"] + s["heading"] for s in build.searcher.documents(narrative=h.id, kind="section")))
        for h in holding[: response.all_words]
    )


@pytest.mark.parametrize("query", ["Rohingya", "forced labor", "child marriage", "acid attacks", '"acid attack"'])
def test_a_section_facet_counts_what_clicking_it_gives(build, query):
    facets = search(build, SearchRequest(q=query)).facets["section"]
    assert facets
    for count in facets[:4] + facets[-2:]:
        clicked = search(build, SearchRequest(q=f"{query} section:{count.value}"))
        assert clicked.total == count.count, (query, count)


def test_sections_and_reports_have_human_labels(build):
    facets = search(build, SearchRequest(q="torture")).facets
    labels = {c.value: c.label for c in facets["section"]}
    assert labels["section-1c"].startswith("1.c Torture and Other Cruel")
    assert [c.label for c in facets["report"]] == ["Human Rights Report"]


def test_a_query_in_words_finds_the_acronym_the_reports_define(build):
    assert build.table("acronyms", acronym_table)[("femal", "genit", "mutil")] == "fgm"
    hits = search(build, SearchRequest(q="female genital mutilation", limit=10)).hits
    assert any("<mark>FGM</mark>" in s.snippet for h in hits for s in h.sections)


def test_a_query_of_stopwords_is_searched(build):
    response = search(build, SearchRequest(q="WHO"))
    assert response.total > 0 and "<mark>" in response.hits[0].sections[0].snippet


def test_a_misspelling_that_occurs_gets_the_common_spelling(build):
    assert search(build, SearchRequest(q="trafficing")).suggestion == "trafficking"
    assert search(build, SearchRequest(q="traff*")).suggestion == ""
