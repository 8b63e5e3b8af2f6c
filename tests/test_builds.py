"""Builds published by an atomic swap, kept for rollback, followed by the web app."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index

from indexer.index.home import all_builds, current_build, publish, rollback
from indexer.index.writer import build_index
from indexer.search.searchers import SearcherCache, open_searcher
from tests.conftest import TIP_FIXTURES
from webapp import create_app
from webapp.cli import main


def _narratives(root) -> int:
    with open_searcher(root) as searcher:
        return searcher.doc_frequency("kind", "narrative")


def test_each_build_is_published_whole_and_the_oldest_are_dropped(tmp_path, monkeypatch):
    monkeypatch.setenv("TIPSEARCH_BUILDS_TO_KEEP", "2")
    monkeypatch.setenv("TIPSEARCH_PRUNE_GRACE", "0")
    root = tmp_path / "index"
    ids = [build_index([TIP_FIXTURES / name], root).build_id
           for name in ("2002-multi-country.html", "2016-afghanistan.html", "2019-south-korea.html")]
    assert current_build(root).name == ids[-1] and (root / "current").is_symlink()
    assert [b.name for b in all_builds(root)] == ids[1:]
    assert _narratives(root) == 1
    assert rollback(root) == ids[1] and current_build(root).name == ids[1]


def test_a_build_with_nothing_indexed_publishes_nothing(tmp_path):
    root = tmp_path / "index"
    first = build_index([TIP_FIXTURES], root).build_id
    empty = tmp_path / "empty.html"
    empty.write_text("")
    assert build_index([empty], root).build_id == ""
    assert current_build(root).name == first and len(all_builds(root)) == 1


def test_add_starts_from_a_copy_of_the_current_build(tmp_path):
    root = tmp_path / "index"
    first = build_index([TIP_FIXTURES / "2002-multi-country.html"], root).build_id
    build_index([TIP_FIXTURES / "2016-afghanistan.html"], root, add=True)
    assert _narratives(root) == 4
    rollback(root)
    assert current_build(root).name == first and _narratives(root) == 3  # the old build was left as it was


def test_a_plain_index_directory_still_opens_and_is_replaced_by_builds(tmp_path):
    root = tmp_path / "index"
    build_index([TIP_FIXTURES / "2016-afghanistan.html"], tmp_path / "scratch")
    shutil.copytree(current_build(tmp_path / "scratch"), root)  # the older layout: the index itself
    assert whoosh_index.exists_in(str(root)) and _narratives(root) == 1
    build_index([TIP_FIXTURES / "2002-multi-country.html"], root)
    assert _narratives(root) == 3 and not list(root.glob("*.toc"))


def test_the_web_app_follows_a_swap_without_a_restart(tmp_path):
    root = tmp_path / "index"
    build_index([TIP_FIXTURES / "2002-multi-country.html"], root)
    cache = SearcherCache(root)
    before = cache.get()
    second = build_index([TIP_FIXTURES], root).build_id
    after = cache.get()
    assert after is not before and after.doc_frequency("kind", "narrative") > 3
    client = create_app({"TESTING": True, "INDEX": str(root), "RATE_LIMIT": 0}).test_client()
    assert client.get("/healthz").get_json()["build"] == second
    publish(root, all_builds(root)[0].name)
    assert client.get("/healthz").get_json()["build"] == all_builds(root)[0].name


def test_status_and_rollback_commands(tmp_path):
    root = tmp_path / "index"
    first = build_index([TIP_FIXTURES / "2002-multi-country.html"], root).build_id
    second = build_index([TIP_FIXTURES], root).build_id
    status = CliRunner().invoke(main, ["status", "--index", str(root)])
    assert f"build {second}" in status.output and "builds kept: " in status.output
    rolled = CliRunner().invoke(main, ["rollback", "--index", str(root)])
    assert rolled.exit_code == 0 and first in rolled.output
    again = CliRunner().invoke(main, ["rollback", "--index", str(root)])
    assert again.exit_code == 2 and "no earlier build" in again.output


def test_old_builds_outlive_their_successor_by_the_grace_period(tmp_path, monkeypatch):
    monkeypatch.setenv("TIPSEARCH_BUILDS_TO_KEEP", "1")
    root = tmp_path / "index"
    first = build_index([TIP_FIXTURES], root).build_id
    build_index([TIP_FIXTURES], root)
    assert first in [b.name for b in all_builds(root)]  # a search may still be reading it
    monkeypatch.setenv("TIPSEARCH_PRUNE_GRACE", "0")
    build_index([TIP_FIXTURES], root)
    assert len(all_builds(root)) == 1


def test_unchanged_files_are_not_parsed_again(tmp_path, monkeypatch):
    from indexer.index import writer as build

    root = tmp_path / "index"
    build_index([TIP_FIXTURES], root)
    cached = set(build.cache_dir(root).glob("*.pickle"))
    assert len(cached) == len(list(TIP_FIXTURES.glob("*.html")))
    parsed = []
    real_parse = build._parse
    monkeypatch.setattr(build, "_parse", lambda *args: parsed.append(args[0]) or real_parse(*args))
    build_index([TIP_FIXTURES], root)
    assert parsed == []  # every page came from the cache
    build_index([TIP_FIXTURES / "2016-afghanistan.html"], root)
    assert len(list(build.cache_dir(root).glob("*.pickle"))) == 1  # entries no longer used are dropped


def test_a_rebuild_over_unchanged_files_keeps_the_current_build(tmp_path):
    raw, root = tmp_path / "raw", tmp_path / "index"
    shutil.copytree(TIP_FIXTURES, raw)
    first = build_index([raw], root)
    again = build_index([raw], root)
    assert again.unchanged and again.build_id == first.build_id and again.narratives == 0
    assert [b.name for b in all_builds(root)] == [first.build_id]
    forced = build_index([raw], root, force=True)
    assert not forced.unchanged and forced.build_id != first.build_id
    page = next(raw.glob("2016-*.html"))
    page.write_text(page.read_text(encoding="utf-8").replace("Afghanistan", "Afghanistan."), encoding="utf-8")
    changed = build_index([raw], root)
    assert not changed.unchanged and changed.build_id not in (first.build_id, forced.build_id)
    (raw / "2019-south-korea.html").unlink()
    assert not build_index([raw], root).unchanged  # a file gone is a change too


def test_a_build_added_to_is_never_taken_for_unchanged(tmp_path):
    root = tmp_path / "index"
    build_index([TIP_FIXTURES / "2002-multi-country.html"], root)
    build_index([TIP_FIXTURES / "2016-afghanistan.html"], root, add=True)
    rebuilt = build_index([TIP_FIXTURES / "2002-multi-country.html"], root)
    assert not rebuilt.unchanged and _narratives(root) == 3


def test_the_cli_says_when_nothing_changed(tmp_path):
    root = tmp_path / "index"
    runner = CliRunner()
    assert runner.invoke(main, ["index", str(TIP_FIXTURES), "--index", str(root)]).exit_code == 0
    second = runner.invoke(main, ["index", str(TIP_FIXTURES), "--index", str(root)])
    assert second.exit_code == 0 and "nothing changed" in second.output
    assert "nothing changed" not in runner.invoke(main, ["index", str(TIP_FIXTURES), "--index", str(root),
                                                         "--force"]).output


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
