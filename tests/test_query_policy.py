"""The query language's allow-list: what is kept, what is rewritten, what is refused."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from indexer.errors import QueryRejected
from indexer.search import policy
from indexer.search.engine import SearchRequest, search
from indexer.search.policy import BoundedPrefix, sanitize
from indexer.search.query import Filters, parse_text, split_filters
from indexer.settings import Settings
from tests.conftest import opened, web_app
from webapp.cli import main


@pytest.mark.parametrize(
    "typed, kept",
    [
        ('"forced labor"~3 fishing', '"forced labor"~3 fishing'),
        ('"forced labor"~500', '"forced labor"~20'),
        ("torture -prison", "torture NOT prison"),
        ("+shelter", "shelter"),
        ("forced AND (labor OR servitude) NOT prison", "forced AND ( labor OR servitude ) NOT prison"),
        ("traffick* law", "traffick* law"),
        ("tr*", "tr"),  # a prefix needs three letters
        ("*ffick tr*ck", "ffick tr ck"),  # leading and inner wildcards lose the wildcard
        ("/reg.x/ labor~2 a^3 {1 TO 2} [a TO b]", "reg.x labor 2 a 3 1 TO 2 a TO b"),
        ("title:abc body:def exact:Labour", "title abc body def exact:Labour"),
        ('"unclosed phrase', "unclosed phrase"),
        ("Côte d’Ivoire anti-trafficking U.S.", "Côte d’Ivoire anti trafficking U.S"),
    ],
)
def test_syntax_outside_the_allow_list_is_rewritten_as_words(typed, kept):
    assert sanitize(typed) == kept


def test_proximity_phrases_keep_their_slop():
    q = parse_text('"forced labor"~3')
    assert {leaf.slop for leaf in q.leaves() if isinstance(leaf, wq.Phrase)} == {3}


def test_minus_excludes_and_prefix_is_bounded():
    assert isinstance(parse_text("torture -prison"), wq.AndNot)
    prefixes = [leaf for leaf in parse_text("traffick*").leaves()]
    assert prefixes and all(isinstance(p, BoundedPrefix) for p in prefixes)


def test_prefix_expands_to_the_most_frequent_words_only(index_dir, monkeypatch):
    monkeypatch.setattr(policy, "PREFIX_TERMS", 2)
    with opened(index_dir) as build:
        words = BoundedPrefix("exact", "pro")._btexts(build.searcher.reader())
        stems = BoundedPrefix("body", "pro")._btexts(build.searcher.reader())
        everything = list(build.searcher.reader().expand_prefix("exact", "pro"))
    assert len(words) == 2 and len(everything) > 10
    assert 1 <= len(stems) <= 2  # the stems of those two words


@pytest.mark.parametrize("typed, year", [("year:2016..2019", "2016..2019"), ("year:[2016 TO 2019]", "2016 TO 2019")])
def test_year_ranges_in_the_query(typed, year, index_dir):
    text, filters = split_filters(f"labor {typed}", Filters())
    assert (text.strip(), filters.year) == ("labor", (year,))
    with opened(index_dir) as build:
        hits = search(build, SearchRequest(q=f"labor {typed}")).hits
    assert hits and all(2016 <= h.year <= 2019 for h in hits)


def test_limits_are_settings_and_refusals_say_which():
    with pytest.raises(QueryRejected, match="4 words and phrases; at most 3"):
        parse_text('one two three "four five"', "section", Settings(max_clauses=3))
    with pytest.raises(QueryRejected, match="longer than 10 characters"):
        parse_text("x" * 11, "section", Settings(max_query_length=10))


def test_phrases_with_a_distance_are_few_per_query():
    near = " ".join(f'"law year{n}"~20' for n in range(4))
    with pytest.raises(QueryRejected, match='4 phrases with ~N \\("a b"~5\\); at most 3'):
        parse_text(near)
    three = near.rsplit(" ", 1)[0] + ' "forced labor" "forced labor"~1 "labor"~9'  # ~1 and one word: no distance
    assert parse_text(three)
    with pytest.raises(QueryRejected, match="at most 1 are searched"):
        parse_text('"a b"~2 "c d"~3', "section", Settings(max_proximity=1))


QUERY_PIECES = st.lists(
    st.one_of(
        st.text(max_size=12),
        st.sampled_from(
            [
                '"',
                "(",
                ")",
                "*",
                "?",
                "~",
                "~2",
                "^",
                ":",
                "[",
                "]",
                "{",
                "}",
                "-",
                "+",
                "!",
                "/",
                "\\",
                "AND",
                "OR",
                "NOT",
                "ANDNOT",
                "year:",
                "country:",
                "tier:",
                "section:",
                "exact:",
                "body:",
                "year:[2016 TO",
                "2019]",
                "labor",
                "forced",
                "traffick*",
                "*",
                "\x00",
                "\u202e",
                "é",
            ]
        ),
    ),
    max_size=12,
).map(" ".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=QUERY_PIECES)
def test_any_string_gives_results_or_a_clear_refusal(index_dir, text):
    with opened(index_dir) as build:
        try:
            search(build, SearchRequest(q=text))
        except QueryRejected as refusal:
            assert str(refusal)


@pytest.fixture(scope="module")
def api(index_dir):
    return web_app(index_dir).test_client()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=QUERY_PIECES,
    year=st.one_of(st.just(""), st.text(max_size=8)),
    country=st.one_of(st.just(""), st.text(max_size=8)),
)
def test_the_api_answers_200_or_400_to_anything(api, text, year, country):
    response = api.get("/api/search", query_string={"q": text, "year": year, "country": country})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.get_json()["error"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=QUERY_PIECES)
def test_the_command_line_exits_0_1_or_2_without_a_traceback(index_dir, text):
    result = CliRunner().invoke(main, ["search", "--index", str(index_dir), "--", text])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_query_holds_a_bounded_number_of_prefixes():
    assert sanitize("traff* forc* labo* chil* marr*")
    with pytest.raises(QueryRejected, match="6 prefixes"):
        sanitize("traff* forc* labo* chil* marr* pris*")


def test_a_prefix_is_expanded_once_per_index_reader(index_dir, monkeypatch):
    from whoosh.reading import IndexReader

    calls = []
    real = IndexReader.iter_prefix
    monkeypatch.setattr(IndexReader, "iter_prefix", lambda self, *a: calls.append(a) or real(self, *a))
    with opened(index_dir) as build:
        search(build, SearchRequest(q="traff* fishing"))
        first = len(calls)
        search(build, SearchRequest(q="traff* labor"))
    assert first and len(calls) == first  # the second search asks the word list nothing


def test_exact_words_count_as_the_clauses_and_prefixes_they_search():
    with pytest.raises(QueryRejected, match="6 prefixes"):
        parse_text("exact:gov* exact:pro* exact:con* exact:dis* exact:com* exact:tra*")
    with pytest.raises(QueryRejected, match="at most 100 are searched"):
        parse_text("exact:" + "-".join(f"word{n}" for n in range(101)))
    assert parse_text("exact:anti-trafficking exact:gov*")


@pytest.mark.parametrize(
    "typed, kept",
    [("NOT", ""), ("NOT NOT", ""), ("forced NOT", "forced"), ("OR OR", ""), ("a OR OR b", "a OR b"), ("AND x", "x")],
)
def test_an_operator_with_nothing_to_join_is_dropped(typed, kept):
    assert sanitize(typed) == kept
