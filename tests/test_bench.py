"""The benchmark's fixed query set stays valid for tipsearch and for the engines it is compared with."""

from __future__ import annotations

import sqlite3

import pytest

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
            search(build, SearchRequest(q=text, filters=Filters(**filters)))  # raises QueryRejected if not


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
