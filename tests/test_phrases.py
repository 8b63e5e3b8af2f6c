"""Phrases matched through the word-pair field find exactly what word positions find."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from indexer.index.analysis import indexed_words
from indexer.search.phrases import PairedPhrase, pair_phrases
from indexer.search.query import parse_text
from tests.conftest import opened


def _phrases_in(build, field: str, sections: int = 40) -> list[list[str]]:
    """Runs of 2-4 adjacent stems from indexed sections, plus the same runs reversed (mostly absent)."""
    phrases = []
    for number, fields in enumerate(build.searcher.documents(kind="section")):
        if number >= sections:
            break
        stems = [term for _, term in indexed_words(fields[field], stem=True)]
        for length in (2, 3, 4):
            for start in range(0, max(1, len(stems) - length + 1), 37):
                run = stems[start : start + length]
                phrases += [run, run[::-1]]
    return phrases


def _matches(build, q) -> tuple[set[int], set[int]]:
    searcher = build.searcher
    return set(searcher.docs_for_query(q)), {d for d, _ in searcher.search(q, limit=None, optimize=False).items()}


@pytest.mark.parametrize("field", ["body", "heading"])
def test_paired_phrases_match_the_sections_positions_match(index_dir, field):
    with opened(index_dir) as build:
        phrases = _phrases_in(build, field)
        assert len(phrases) > 20
        found = 0
        for words in phrases:
            expected = set(build.searcher.docs_for_query(wq.Phrase(field, words)))
            ids, scored = _matches(build, PairedPhrase(field, words))
            assert ids == scored == expected, words
            found += bool(expected)
        assert found > len(phrases) / 3  # the runs taken from the text are found


@pytest.mark.usefixtures("needs_hrr")
def test_paired_phrases_on_real_reports(hrr_2023):
    root, _ = hrr_2023
    with opened(root) as build:
        for text in (
            "security forces",
            "human rights defenders",
            "worst forms of child labor",
            "freedom of expression",
            "Venezuelan refugees and migrants",  # a pair with a rarer stem, then a pair of common ones
            "brick kilns",  # no pair held: word positions alone
        ):
            q = parse_text(f'"{text}"')
            plain = q.accept(
                lambda node: (
                    wq.Phrase(node.fieldname, node.words, slop=node.slop, boost=node.boost)
                    if isinstance(node, PairedPhrase)
                    else node
                )
            )
            found = set(build.searcher.docs_for_query(q))
            assert found == set(build.searcher.docs_for_query(plain)) and found, text


def test_every_phrase_is_rewritten_and_keeps_its_slop():
    q = wq.Or(
        [
            wq.Phrase("body", ["forc", "labor"]),
            wq.Phrase("heading", ["forc", "labor"]),
            wq.Phrase("place", ["burkina", "faso"]),
            wq.Phrase("body", ["forc", "labor"], slop=3),
            wq.Term("body", "fish"),
        ]
    )
    rewritten = pair_phrases(q).subqueries
    assert [type(s) for s in rewritten] == [PairedPhrase, PairedPhrase, PairedPhrase, PairedPhrase, wq.Term]
    assert rewritten[3].slop == 3  # kept: checked by word positions


@pytest.mark.parametrize("slop", [1, 2, 5, 20])
def test_word_positions_are_checked_as_whoosh_checks_them(index_dir, slop):
    with opened(index_dir) as build:
        phrases = _phrases_in(build, "body", sections=15)
        phrases += [[w, w] for w, *_ in phrases[:20]] + [[w, x, w] for w, x, *_ in phrases[:20] if x]
        for words in phrases:
            expected = set(build.searcher.docs_for_query(wq.Phrase("body", words, slop=slop)))
            ids, scored = _matches(build, PairedPhrase("body", words, slop=slop))
            assert ids == scored == expected, (words, slop)


def test_a_repeated_word_on_a_crowded_page_never_reaches_whoosh_own_position_check(tmp_path, monkeypatch):
    from whoosh.query.spans import SpanNear2

    from indexer.search.engine import SearchRequest, search
    from indexer.settings import Settings
    from tests.conftest import TIP_FIXTURES, index_files

    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "crowded.html").write_text(
        "<html><body><main><p>" + "police report " * 20_000 + "</p></main></body></html>"
    )
    index_files([TIP_FIXTURES, folder], tmp_path / "index", Settings(index_procs=1))

    def whoosh_own(matcher):
        raise AssertionError("Whoosh's span combination, which grows without bound, was used")

    monkeypatch.setattr(SpanNear2.SpanNear2Matcher, "_get_spans", whoosh_own)
    with opened(tmp_path / "index") as build:
        for q in ['"police police police police police"~20', '"' + "police report " * 30 + '"', '"report police"~3']:
            assert search(build, SearchRequest(q=q)).total >= 1, q
