"""Builds published by an atomic swap, kept for rollback, followed by the web app."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index

from indexer.index.home import IndexHome
from indexer.search.handle import OpenBuilds
from indexer.settings import Settings
from tests.conftest import TIP_FIXTURES, index_files, opened, web_app
from webapp.cli import main


def _narratives(root) -> int:
    with opened(root) as build:
        return build.searcher.doc_frequency("kind", "narrative")


def test_each_build_is_published_whole_and_the_oldest_are_dropped(tmp_path, monkeypatch):
    monkeypatch.setenv("TIPSEARCH_BUILDS_TO_KEEP", "2")
    monkeypatch.setenv("TIPSEARCH_PRUNE_GRACE", "0")
    root = tmp_path / "index"
    ids = [
        index_files([TIP_FIXTURES / name], root).build_id
        for name in ("2002-multi-country.html", "2016-afghanistan.html", "2019-south-korea.html")
    ]
    assert IndexHome(root).current().name == ids[-1] and (root / "current").is_symlink()
    assert [b.name for b in IndexHome(root).builds()] == ids[1:]
    assert _narratives(root) == 1
    assert IndexHome(root).rollback() == ids[1] and IndexHome(root).current().name == ids[1]


def test_a_build_with_nothing_indexed_publishes_nothing(tmp_path):
    root = tmp_path / "index"
    first = index_files([TIP_FIXTURES], root).build_id
    empty = tmp_path / "empty.html"
    empty.write_text("")
    assert index_files([empty], root).build_id == ""
    assert IndexHome(root).current().name == first and len(IndexHome(root).builds()) == 1


def test_add_starts_from_a_copy_of_the_current_build(tmp_path):
    root = tmp_path / "index"
    first = index_files([TIP_FIXTURES / "2002-multi-country.html"], root).build_id
    index_files([TIP_FIXTURES / "2016-afghanistan.html"], root, add=True)
    assert _narratives(root) == 4
    IndexHome(root).rollback()
    assert IndexHome(root).current().name == first and _narratives(root) == 3  # the old build was left as it was


def test_a_plain_index_directory_still_opens_and_is_replaced_by_builds(tmp_path):
    root = tmp_path / "index"
    index_files([TIP_FIXTURES / "2016-afghanistan.html"], tmp_path / "scratch")
    shutil.copytree(IndexHome(tmp_path / "scratch").current(), root)  # the older layout: the index itself
    assert whoosh_index.exists_in(str(root)) and _narratives(root) == 1
    index_files([TIP_FIXTURES / "2002-multi-country.html"], root)
    assert _narratives(root) == 3 and not list(root.glob("*.toc"))


def test_the_web_app_follows_a_swap_without_a_restart(tmp_path):
    root = tmp_path / "index"
    index_files([TIP_FIXTURES / "2002-multi-country.html"], root)
    builds = OpenBuilds(Settings(index=root))
    before = builds.get()
    second = index_files([TIP_FIXTURES], root).build_id
    after = builds.get()
    assert after is not before and after.searcher.doc_frequency("kind", "narrative") > 3
    client = web_app(root).test_client()
    assert client.get("/healthz").get_json()["build"] == second
    home = IndexHome(root)
    with home.lock():
        first = home.rollback()
    assert client.get("/healthz").get_json()["build"] == first


def test_status_and_rollback_commands(tmp_path):
    root = tmp_path / "index"
    first = index_files([TIP_FIXTURES / "2002-multi-country.html"], root).build_id
    second = index_files([TIP_FIXTURES], root).build_id
    status = CliRunner().invoke(main, ["status", "--index", str(root)])
    assert f"build {second}" in status.output and "builds kept: " in status.output
    rolled = CliRunner().invoke(main, ["rollback", "--index", str(root)])
    assert rolled.exit_code == 0 and first in rolled.output
    again = CliRunner().invoke(main, ["rollback", "--index", str(root)])
    assert again.exit_code == 2 and "no earlier build" in again.output


def test_old_builds_outlive_their_successor_by_the_grace_period(tmp_path, monkeypatch):
    monkeypatch.setenv("TIPSEARCH_BUILDS_TO_KEEP", "1")
    root = tmp_path / "index"
    first = index_files([TIP_FIXTURES], root).build_id
    index_files([TIP_FIXTURES], root)
    assert first in [b.name for b in IndexHome(root).builds()]  # a search may still be reading it
    monkeypatch.setenv("TIPSEARCH_PRUNE_GRACE", "0")
    index_files([TIP_FIXTURES], root)
    assert len(IndexHome(root).builds()) == 1


def test_unchanged_files_are_not_parsed_again(tmp_path, monkeypatch):
    from indexer.extract import files

    root = tmp_path / "index"
    index_files([TIP_FIXTURES], root)
    cached = set(IndexHome(root).cache.glob("*.pickle"))
    assert len(cached) == len(list(TIP_FIXTURES.glob("*.html")))
    parsed = []
    real_parse = files._parse
    monkeypatch.setattr(files, "_parse", lambda *args: parsed.append(args[0]) or real_parse(*args))
    index_files([TIP_FIXTURES], root)
    assert parsed == []  # every page came from the cache
    index_files([TIP_FIXTURES / "2016-afghanistan.html"], root)
    assert len(list(IndexHome(root).cache.glob("*.pickle"))) == 1  # entries no longer used are dropped


def test_a_rebuild_over_unchanged_files_keeps_the_current_build(tmp_path):
    raw, root = tmp_path / "raw", tmp_path / "index"
    shutil.copytree(TIP_FIXTURES, raw)
    first = index_files([raw], root)
    again = index_files([raw], root)
    assert again.unchanged and again.build_id == first.build_id and again.narratives == 0
    assert [b.name for b in IndexHome(root).builds()] == [first.build_id]
    forced = index_files([raw], root, force=True)
    assert not forced.unchanged and forced.build_id != first.build_id
    page = next(raw.glob("2016-*.html"))
    page.write_text(page.read_text(encoding="utf-8").replace("Afghanistan", "Afghanistan."), encoding="utf-8")
    changed = index_files([raw], root)
    assert not changed.unchanged and changed.build_id not in (first.build_id, forced.build_id)
    (raw / "2019-south-korea.html").unlink()
    assert not index_files([raw], root).unchanged  # a file gone is a change too


def test_a_build_added_to_is_never_taken_for_unchanged(tmp_path):
    root = tmp_path / "index"
    index_files([TIP_FIXTURES / "2002-multi-country.html"], root)
    index_files([TIP_FIXTURES / "2016-afghanistan.html"], root, add=True)
    rebuilt = index_files([TIP_FIXTURES / "2002-multi-country.html"], root)
    assert not rebuilt.unchanged and _narratives(root) == 3


def test_the_cli_says_when_nothing_changed(tmp_path):
    root = tmp_path / "index"
    runner = CliRunner()
    assert runner.invoke(main, ["index", str(TIP_FIXTURES), "--index", str(root)]).exit_code == 0
    second = runner.invoke(main, ["index", str(TIP_FIXTURES), "--index", str(root)])
    assert second.exit_code == 0 and "nothing changed" in second.output
    assert (
        "nothing changed"
        not in runner.invoke(main, ["index", str(TIP_FIXTURES), "--index", str(root), "--force"]).output
    )


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # whoosh leaves the file it failed to read to the GC
def test_an_index_of_another_version_says_to_rebuild(tmp_path, monkeypatch):
    import sys
    import types

    from whoosh.fields import TEXT, Schema

    moved = types.ModuleType("tipsearch_moved_analysis")  # a module a newer version no longer has
    moved.Text = type("Text", (TEXT,), {"__module__": moved.__name__})
    whoosh_index.create_in(str(tmp_path), Schema(text=TEXT())).close()
    result = CliRunner().invoke(main, ["search", "labor", "--index", str(tmp_path)])
    assert result.exit_code == 2
    assert "built by another version of tipsearch (its fields differ)" in result.output
    assert "tipsearch index --force" in result.output

    monkeypatch.setitem(sys.modules, moved.__name__, moved)
    whoosh_index.create_in(str(tmp_path), Schema(text=moved.Text())).close()
    monkeypatch.delitem(sys.modules, moved.__name__)
    result = CliRunner().invoke(main, ["search", "labor", "--index", str(tmp_path)])
    assert result.exit_code == 2
    assert "built by another version of tipsearch (No module named 'tipsearch_moved_analysis')" in result.output


def test_a_cache_entry_written_by_code_since_moved_is_parsed_again(tmp_path, monkeypatch):
    import sys
    import types

    from indexer.extract import cache as extract_cache

    moved = types.ModuleType("tipsearch_moved_narratives")
    moved.Narrative = type("Narrative", (), {"__module__": moved.__name__})
    monkeypatch.setitem(sys.modules, moved.__name__, moved)
    extract_cache.store(tmp_path / "cache", "k", [moved.Narrative()])
    monkeypatch.delitem(sys.modules, moved.__name__)
    assert (tmp_path / "cache" / "k.pickle").exists()
    assert extract_cache.load(tmp_path / "cache", "k") is None
