"""The benchmark's fixed query set stays valid for tipsearch and for the engines it is compared with."""

from __future__ import annotations

import sqlite3

import pytest

from indexer.errors import FilterRejected
from indexer.search.engine import SearchRequest, search
from indexer.search.query import Filters
from tests.conftest import load_script, opened

bench = load_script("bench")
engines = load_script("bench_engines")
QUERIES = bench.load_queries()


def test_the_query_set_has_every_kind_of_query():
    kinds = [bench.kind_of(text, filters) for text, filters in QUERIES]
    assert len(QUERIES) >= 200
    assert {kind: kinds.count(kind) >= 8 for kind in set(kinds)} == dict.fromkeys(
        ("one word", "several words", "phrase", "boolean", "filtered"), True
    )


def test_tipsearch_accepts_every_query_of_the_set(index_dir):
    with opened(index_dir) as build:
        for text, filters in QUERIES:
            try:
                search(build, SearchRequest(q=text, filters=Filters(**filters)))  # raises QueryRejected if not
            except FilterRejected as refused:  # a place or section this small index holds no narrative of
                assert str(refused).startswith("no narrative of"), (text, filters)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("forced labor", '"forced" OR "labor"'),
        ('"rule of law" judiciary', '"rule of law" OR "judiciary"'),
        ("torture NOT prison", '"torture" NOT "prison"'),
        ("protest -violence", '"protest" NOT "violence"'),
        ("journalists AND (arrested OR detained)", '"journalists" AND ( "arrested" OR "detained" )'),
        ("traffick*", '"traffick" *'),
        ("exact:labour", '"labour"'),
    ],
)
def test_queries_are_translated_for_fts5(text, expected):
    assert engines.fts5_expression(text) == expected


def test_fts5_parses_every_query_of_the_set():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE s USING fts5(heading, body, tokenize='porter unicode61')")
    for text, _ in QUERIES:
        if text:
            db.execute("SELECT count(*) FROM s WHERE s MATCH ?", [engines.fts5_expression(text)]).fetchall()


def test_the_others_get_filters_resolved():
    assert bench._resolved({"country": "Burma", "year": "2016-2019", "region": "africa", "section": "Section 7"}) == {
        "iso3": "MMR",
        "years": [2016, 2019],
        "region": "Africa",
        "section": "section-7",
    }


def test_page_timings_ask_every_route_and_say_whether_each_met_the_target(index_dir):
    timings = load_script("page_timings")
    rows = timings.measure(index_dir, repeat=1)
    assert [r["path"] for r in rows] == [path for _, path in timings.ROUTES]
    expected = {"/search?q=forced+labor&country=Korea": 400}  # the notice with the close values
    assert all(r["status"] == expected.get(r["path"], 200) for r in rows), rows
    table = timings.markdown([{**rows[0], "median_ms": 151.0}, {**rows[1], "median_ms": 20.0}])
    assert table.splitlines()[2].endswith("| no |") and table.splitlines()[3].endswith("| yes |")


def test_the_worst_requests_are_timed_each_with_a_new_path_where_it_matters(index_dir, tmp_path):
    timings = load_script("page_timings")
    routes = timings.worst_routes(index_dir)
    rows = timings.measure(index_dir, repeat=2, routes=routes)
    assert [r["page"] for r in rows] == [name for name, _ in routes]
    assert all(r["status"] in (200, 400, 404) for r in rows), rows  # refused or answered, never a 500
    fresh = dict(routes)["5 prefixes not asked before"]
    assert not isinstance(fresh, str) and fresh() != fresh()
    assert timings.markdown(rows, timings.WORST_TARGET_MS, "max_ms").count("\n") == len(rows) + 1
    pages = timings.write_hostile_pages(tmp_path / "hostile")
    assert sorted(p.name for p in pages.iterdir()) == sorted(timings.HOSTILE_PAGES)
