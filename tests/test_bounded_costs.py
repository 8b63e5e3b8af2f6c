"""What one request costs is bounded by what it shows, whatever the indexed text or the request holds.

Each test is an attack on that bound: a hostile page in the index, a query or a parameter built to make
the work grow with the text or the input instead of with the answer.
"""

from __future__ import annotations

import pytest

from indexer.search import snippets
from indexer.search.engine import SearchRequest, get_narrative, search
from indexer.search.query import parse_text, query_terms
from indexer.settings import Settings
from tests.conftest import TIP_FIXTURES, index_files, opened, web_app

# One sentence of 351 KB: every full stop is followed by a lower-case word.
ENDLESS_SENTENCE = "forced labor government police report. " * 9000


def _terms(q: str):
    return query_terms(parse_text(q))


@pytest.fixture(scope="module")
def ix_build(index_dir):
    with opened(index_dir) as build:
        yield build


@pytest.fixture
def tokenized(monkeypatch) -> list[int]:
    """The length of every text snippets analyse word by word."""
    lengths: list[int] = []
    real = snippets.word_tokens
    monkeypatch.setattr(
        snippets, "word_tokens", lambda text, starting=None: lengths.append(len(text)) or real(text, starting)
    )
    return lengths


@pytest.mark.parametrize("q", ["forced labor", "police", '"forced labor"', "forc* polic*", "exact:report"])
def test_a_snippet_of_an_endless_sentence_analyses_no_more_than_a_few_sentences(tokenized, q):
    html, offset = snippets.snippet(ENDLESS_SENTENCE, _terms(q), 2)
    assert "<mark>" in html and offset == 0
    assert len(html) < 4 * (snippets.LONG_SENTENCE + 2 * snippets.WORD_EDGE)
    assert sum(tokenized) <= (2 + 4) * snippets.LONGEST_SENTENCE


@pytest.mark.parametrize("initials, shown", [(300_000, "The <mark>police</mark> report."), (1_000_000, "A. A. A.")])
def test_a_text_of_endless_initials_is_looked_at_only_so_far(monkeypatch, initials, shown):
    looked = []
    real = snippets._ends_abbreviation
    monkeypatch.setattr(snippets, "_ends_abbreviation", lambda text, stop: looked.append(stop) or real(text, stop))
    text = "A. " * initials + "The police report. " * 3  # a match past the first million characters is not sought
    html, _ = snippets.snippet(text, _terms("police"), 2)
    plain, _ = snippets.plain_snippet(text, _terms("police"), 2)
    assert html.startswith(shown) and plain.startswith(shown.replace("<mark>", "").replace("</mark>", ""))
    assert len(looked) <= 2 * snippets.SCANNED // 3 + 2


def test_a_word_without_end_is_cut_for_its_snippet():
    html, _ = snippets.snippet("police " + "x" * 1_000_000, _terms("police"), 2)
    assert html.startswith("<mark>police</mark> xxx") and len(html) < 1000


def test_long_stretches_are_cut_between_words_into_sentences():
    text = "word " * 3001 + "Then a real sentence. And another one."
    pieces = list(snippets.split_sentences(text))
    assert all(b - a <= snippets.LONGEST_SENTENCE for a, b in pieces)
    assert all(text[a:b] == text[a:b].strip() and text[a:b].startswith("word") for a, b in pieces[:-2])
    assert text[pieces[-2][0] : pieces[-2][1]].endswith("word Then a real sentence.")
    assert text[pieces[-1][0] : pieces[-1][1]] == "And another one."
    assert "".join(text[a:b] + " " for a, b in pieces).split() == text.split()


def test_many_phrases_are_marked_at_the_cost_of_their_first_words(monkeypatch):
    text = ENDLESS_SENTENCE[:40_000]
    terms = _terms(" ".join(f'"police r{n}"' for n in range(60)) + ' "police report"')
    spans = snippets.match_spans(text, terms)
    assert len(spans) == text.count("police report")


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    """The TIP fixtures beside a page that is a single endless sentence and one of 30,000 distinct words."""
    folder = tmp_path_factory.mktemp("hostile-pages")
    (folder / "endless.html").write_text(
        f"<html><head><title>Endless</title></head><body><main><h1>Endless</h1><p>{ENDLESS_SENTENCE}</p></main></body></html>"
    )
    words = " ".join(f"Report {n}." for n in range(30_000))  # 30,000 words the page holds once each
    (folder / "distinct.html").write_text(f"<html><body><main><h1>Distinct</h1><p>{words}</p></main></body></html>")
    root = tmp_path_factory.mktemp("hostile-index") / "index"
    report = index_files([TIP_FIXTURES, folder], root, Settings(index_procs=1))
    assert not report.failures
    return root


WORST_WORDS = [
    "forced labor",
    "police",
    "government",
    '"forced labor"',
    '"labor government police"',
    "forc* gov* pol* rep* lab*",
    "exact:police exact:report",
    " ".join(f'"police r{n}"' for n in range(60)),
]


@pytest.mark.parametrize("q", WORST_WORDS)
def test_searches_matching_the_endless_page_analyse_what_they_show(hostile_index, tokenized, q):
    with opened(hostile_index) as build:
        for plain in (False, True):
            response = search(build, SearchRequest(q=q, limit=20, plain_snippets=plain))
            sections = sum(len(hit.sections) for hit in response.hits)
            assert sum(tokenized) <= sections * 6 * snippets.LONGEST_SENTENCE
            tokenized.clear()


@pytest.mark.parametrize("q", ['"forced labor" police', "police", "exact:report", '"government police"'])
def test_the_endless_page_is_shown_whole_with_its_first_marks_read_so_far(hostile_index, tokenized, q):
    with opened(hostile_index) as build:
        _, sections = get_narrative(build, "other-undated-endless-html", q)
    assert "".join(s.text for s in sections) == ENDLESS_SENTENCE.strip()
    assert sum(s.html.count("<mark>") for s in sections) == snippets.MOST_MARKS  # the page holds 9,000 or more
    assert sum(tokenized) <= 2 * snippets.SCANNED


def test_words_are_read_without_a_time_limit_that_would_depend_on_the_machine(monkeypatch):
    from nltk import redos

    from indexer.index import analysis

    monkeypatch.setattr(redos, "DEFAULT_TIMEOUT", 0.000_001)  # NLTK's limit on each call, were it applied
    text = "b " * 300_000
    assert len(analysis.word_spans(text)) == 300_000 and len(list(analysis.indexed_words(text, stem=False))) == 300_000


def test_the_web_pages_on_the_endless_page_answer(hostile_index):
    client = web_app(hostile_index).test_client()
    for path in [
        "/search?q=forced+labor",
        "/api/search?q=police",
        "/api/export.csv?q=government",
        "/search.atom?q=police",
    ]:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("path", ["/trend?q=", "/doc/tip-2023-prk?q=", "/api/search?q=", "/search?q="])
def test_a_query_over_the_length_limit_is_refused_before_any_pattern_reads_it(client, monkeypatch, path):
    from indexer.search import engine, query
    from webapp import explore

    read = []
    for module in (engine, query, explore):
        if hasattr(module, "split_filters"):
            real = module.split_filters
            monkeypatch.setattr(
                module, "split_filters", lambda text, filters, real=real: read.append(1) or real(text, filters)
            )
    answer = client.get(path + "+year:[" * 37_000)
    assert answer.status_code == 400 and "longer than 1000 characters" in answer.get_data(as_text=True)
    assert not read


def test_an_unclosed_bracket_in_a_typed_filter_is_looked_past_at_the_next_one():
    from indexer.search.query import FILTER_IN_QUERY

    typed = "year:[2016 year:[2016 TO 2019] country:[Burma"
    assert [m.group(0) for m in FILTER_IN_QUERY.finditer(typed)] == [
        "year:[2016",
        "year:[2016 TO 2019]",
        "country:[Burma",
    ]


def test_a_correction_that_would_pass_the_length_limit_is_not_made(client):
    typed = "goverment " * 8 + "the " * 228 + "and "
    assert len(typed) <= 1000 < len(typed.replace("goverment", "government"))
    page = client.get("/search", query_string={"q": typed})
    assert page.status_code == 200 and "Did you mean" not in page.get_data(as_text=True)
    assert client.get("/api/search", query_string={"q": typed}).get_json()["suggestion"] is None


def test_the_trend_joins_what_was_typed_with_and_past_the_length_limit(client):
    typed = "child the " * 99
    assert len(typed) <= 1000
    assert client.get("/trend", query_string={"q": typed}).status_code == 200


def test_distinct_words_leave_no_growing_memory_behind(ix_build):
    import gc
    import tracemalloc

    def ask(n: int) -> None:
        # A word of a character that unfolds 18-fold, different every time.
        search(ix_build, SearchRequest(q=chr(0x4E00 + n) + "\ufdfa" * 200 + f" police{n}x"))

    for n in range(10):
        ask(n)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for n in range(10, 70):
        ask(n)
    gc.collect()
    grown = sum(stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(before, "filename"))
    tracemalloc.stop()
    assert grown < 60 * 2_000  # a few small entries per request at most, never the words themselves


def _counting_match_steps(monkeypatch) -> list[int]:
    """Counts, for every search of difflib for a longest match, the steps it may take: each item of ``a`` in
    the range meets every occurrence of it in ``b``."""
    import difflib

    steps: list[int] = []
    original = difflib.SequenceMatcher.find_longest_match

    def counted(self, alo=0, ahi=None, blo=0, bhi=None):
        ahi = len(self.a) if ahi is None else ahi
        steps.append(sum(1 + len(self.b2j.get(item, ())) for item in self.a[alo:ahi]))
        return original(self, alo, ahi, blo, bhi)

    monkeypatch.setattr(difflib.SequenceMatcher, "find_longest_match", counted)
    return steps


@pytest.mark.parametrize(
    "hostile",
    [
        "The police report the case. " * 20_000,  # one sentence, 20,000 times
        " ".join(f"The police report case {n}." for n in range(20_000)),
        "word " * 100_000,  # one sentence of 100,000 words
        "A. " * 1_600_000,  # 4.8 MB of initials, not one sentence end
        " ".join(f"word{n % 7}" for n in range(20_000)) + ".",  # one sentence of 7 words repeated
    ],
)
def test_comparing_a_section_with_a_hostile_one_compares_a_bounded_part_of_it(monkeypatch, hostile):
    from webapp import compare

    real = " ".join(f"Officials in province {n} reported {n} cases of forced labor to the police." for n in range(150))
    steps = _counting_match_steps(monkeypatch)
    for before, after in ((real, hostile), (hostile, real), (hostile, hostile.replace("police", "army"))):
        compared = compare.compare(before, after)
        assert len(compared.rows) <= 2 * compare.MOST_SENTENCES
        assert compared.left_out >= len(hostile) - compare.MOST_CHARACTERS - 1_000
    assert sum(steps) <= 3 * compare.MOST_STEPS


def test_sentences_repeated_in_both_editions_are_compared_in_bounded_steps_and_say_so(monkeypatch):
    from webapp import compare

    steps = _counting_match_steps(monkeypatch)
    compared = compare.compare("Xa. " * 1_000, "Xa. Xb. " * 500)
    assert sum(steps) <= compare.MOST_STEPS
    assert compared.cut_short
    assert [row.change for row in compared.rows].count("kept") < 1_000  # what was not weighed is not paired


def test_a_real_sized_section_is_compared_in_full():
    from webapp import compare

    before = " ".join(
        f"Officials in province {n} reported {n} cases of forced labor to the police." for n in range(300)
    )
    after = before.replace("police", "labor inspectors").replace("Officials", "The authorities")
    compared = compare.compare(before, after)
    assert not compared.cut_short
    assert [row.change for row in compared.rows] == ["changed"] * 300


def test_word_positions_are_not_read_in_a_paragraph_holding_a_word_thousands_of_times(hostile_index, monkeypatch):
    from indexer.search import passages

    looked: set[int] = set()
    real = passages._proximity
    monkeypatch.setattr(
        passages,
        "_proximity",
        lambda reader, clauses, read, docs: looked.update(docs) or real(reader, clauses, read, docs),
    )
    with opened(hostile_index) as build:
        response = search(build, SearchRequest(q="forced labor", limit=20))
        endless = {d for d in build.searcher.docs_for_query(query_of("narrative", "other-undated-endless-html"))}
    assert "other-undated-endless-html" in [hit.id for hit in response.hits]
    assert looked and not looked & endless


def query_of(field: str, value: str):
    from whoosh import query as wq

    return wq.Term(field, value)


def _narrative_text(build, narrative_id: str) -> str:
    sections = sorted(build.searcher.documents(narrative=narrative_id, kind="section"), key=lambda f: f["position"])
    return "\n\n".join(s["body"] for s in sections)


def _same_terms(found: list[tuple[str, float]], expected: list[tuple[str, float]]) -> bool:
    return [w for w, _ in found] == [w for w, _ in expected] and [x for _, x in found] == pytest.approx(
        [x for _, x in expected]
    )


def test_key_terms_are_whooshs_own(hostile_index):
    from indexer.search.similar import KEY_TERMS, key_terms

    with opened(hostile_index) as build:
        for narrative_id in ("tip-2023-prk", "tip-2002-prk", "other-undated-endless-html"):
            text = _narrative_text(build, narrative_id)
            whooshs = build.searcher.key_terms_from_text("fulltext", text, numterms=KEY_TERMS)
            assert _same_terms(key_terms(build.searcher.reader(), text), whooshs), narrative_id


def test_key_terms_of_a_page_of_distinct_words_look_up_a_few_of_them(hostile_index, monkeypatch):
    from indexer.search import similar

    with opened(hostile_index) as build:
        reader = build.searcher.reader()
        looked = []
        real = type(reader).frequency
        monkeypatch.setattr(type(reader), "frequency", lambda self, *term: looked.append(term) or real(self, *term))
        found = similar.similar(build, "other-undated-distinct-html")
        text = _narrative_text(build, "other-undated-distinct-html")
    assert len(set(text.split())) > 30_000
    assert found.same_edition is not None and 0 < len(looked) <= similar.MOST_LOOKUPS


def test_key_terms_weigh_the_first_characters_of_a_text_only(hostile_index, monkeypatch):
    from indexer.search import similar

    monkeypatch.setattr(similar, "MOST_CHARACTERS", 2_000)
    with opened(hostile_index) as build:
        text = _narrative_text(build, "tip-2023-prk")
        whooshs = build.searcher.key_terms_from_text("fulltext", text[:2_000], numterms=similar.KEY_TERMS)
        assert _same_terms(similar.key_terms(build.searcher.reader(), text), whooshs)


def test_kept_arrays_are_bounded_in_bytes_and_entries(monkeypatch):
    import numpy as np

    from indexer.search import postings

    monkeypatch.setattr(postings, "KEPT_BYTES", 8_000)
    monkeypatch.setattr(postings, "KEPT_ENTRIES", 3)
    kept = postings.KeptArrays()
    for n in range(10):
        kept.put(("field", f"word{n}"), (np.arange(100, dtype=np.int64),))  # 800 bytes each
    assert len(kept.arrays) == 3 and kept.size == 2_400 and kept.get(("field", "word9")) is not None
    kept.put(("field", "big"), (np.arange(2_000, dtype=np.int64),))  # more than all the room: not kept
    kept.put(("field", "none"), (np.empty(0, np.int64),))  # nothing: not kept either
    assert kept.get(("field", "big")) is None and kept.get(("field", "none")) is None
    assert not kept.get(("field", "word9"))[0].flags.writeable  # shared arrays cannot be changed
