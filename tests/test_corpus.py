"""Whole folders of real report pages: every page indexed with the right country and year."""

from collections import Counter

import pytest

from indexer.reports.countries import lookup
from indexer.search.engine import SearchRequest, search
from indexer.search.query import Filters
from tests.conftest import HRR, index_files, opened, shared_path


def _expected(path):
    """Country and year a page must get, judged from where it is saved."""
    slug = path.name.removesuffix(".html.gz").replace("-", " ")
    return lookup(slug), int(path.parent.name)


def _check_folder(folders, target, report):
    files = sorted(p for folder in folders for p in folder.glob("*.html.gz"))
    assert report.failures == []
    assert report.narratives == len(files)
    build = opened(target)
    got = Counter((d["iso3"], d["year"]) for d in build.searcher.documents(position=0))
    expected = Counter((country.iso3, year) for country, year in map(_expected, files) if country)
    assert len(expected) > 0.9 * len(files)
    assert {key: n for key, n in expected.items() if got[key] < n} == {}
    return build


def test_2023_folder_indexes_every_page(hrr_2023):
    with _check_folder([HRR / "2023"], *hrr_2023) as build:
        assert search(build, SearchRequest(q='"No FEAR Act"')).hits == []
        top = search(build, SearchRequest(q="Rohingya refugees in Cox's Bazar", filters=Filters(year="2023")))
        assert top.hits[0].iso3 in {"BGD", "MMR"}


@pytest.mark.corpus
def test_whole_hrr_corpus_indexes_every_page(tmp_path):
    folders = sorted(p for p in shared_path(HRR).iterdir() if p.is_dir())
    _check_folder(folders, tmp_path / "ix", index_files(folders, tmp_path / "ix")).close()
