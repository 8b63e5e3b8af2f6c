"""Builds published by an atomic swap, kept for rollback, followed by the web app."""

from __future__ import annotations

import dataclasses
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index

from indexer.index.fingerprint import INPUTS
from indexer.index.home import COMPLETE, IndexHome
from indexer.index.updates import UPDATED
from indexer.search.engine import SearchRequest, search
from indexer.search.handle import OpenBuilds
from indexer.settings import Settings
from tests.conftest import TIP_FIXTURES, index_files, opened, web_app
from webapp.cli import main


def _narratives(root) -> int:
    with opened(root) as build:
        return len(list(build.searcher.documents(kind="narrative")))


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
    with builds.lent() as before:
        pass
    second = index_files([TIP_FIXTURES], root).build_id
    with builds.lent() as after:
        assert after is not before and len(list(after.searcher.documents(kind="narrative"))) > 3
    client = web_app(root).test_client()
    assert client.get("/healthz").get_json()["build"] == second
    home = IndexHome(root)
    with home.lock():
        first = home.rollback()
    assert client.get("/healthz").get_json()["build"] == first


def test_requests_share_open_builds_whatever_thread_serves_them(tmp_path, monkeypatch):
    from indexer.search import handle

    root = tmp_path / "index"
    index_files([TIP_FIXTURES], root)
    opened_builds, real_open = [], handle.open_build
    monkeypatch.setattr(handle, "open_build", lambda *args: opened_builds.append(args) or real_open(*args))
    client, statuses = web_app(root).test_client(), []
    for _ in range(10):  # a thread per request, as Flask's development server serves them
        asker = threading.Thread(target=lambda: statuses.append(client.get("/search?q=trafficking").status_code))
        asker.start()
        asker.join()
    assert statuses == [200] * 10 and len(opened_builds) == 1


def test_a_build_given_back_after_a_swap_is_closed(tmp_path):
    root = tmp_path / "index"
    index_files([TIP_FIXTURES / "2002-multi-country.html"], root)
    builds = OpenBuilds(Settings(index=root))
    old = builds.borrow()
    index_files([TIP_FIXTURES], root)
    with builds.lent() as new:
        assert new is not old and not old.searcher.is_closed  # a search still running on it finishes
    builds.give_back(old)
    assert old.searcher.is_closed and not new.searcher.is_closed
    with builds.lent() as again:
        assert again is new


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


def _contents(root: Path) -> dict[str, str]:
    """Each live narrative of the build searched at ``root``: its content hash, by id."""
    with opened(root) as build:
        return {f["narrative"]: f["content_hash"] for f in build.searcher.documents(kind="narrative")}


def _found(root: Path, query: str) -> list[str]:
    with opened(root) as build:
        return [hit.id for hit in search(build, SearchRequest(q=query, limit=50)).hits]


def _files_of(build: Path) -> dict[str, tuple[int, bytes]]:
    """The index files of a build (not its own markers or lock): inode and bytes, by name."""
    markers = (INPUTS, UPDATED, COMPLETE, "MAIN_WRITELOCK")
    return {p.name: (p.stat().st_ino, p.read_bytes()) for p in build.iterdir() if p.name not in markers}


def test_a_few_changed_pages_are_indexed_into_a_copy_of_the_current_build(tmp_path):
    raw, root = tmp_path / "raw", tmp_path / "index"
    shutil.copytree(TIP_FIXTURES, raw)
    settings = dataclasses.replace(Settings.from_environment(), rebuild_share=1.0)
    first = index_files([raw], root, settings)
    first_files = _files_of(IndexHome(root).current())
    page = raw / "2016-afghanistan.html"
    page.write_text(page.read_text(encoding="utf-8").replace("bacha baazi.</p>", "bacha baazi and tea estates.</p>"))

    changed = index_files([raw], root, settings)
    assert changed.incremental and changed.indexed_files == 1 and changed.files == first.files
    assert changed.narratives == 1 and changed.reused == first.narratives - 1
    copy = _files_of(IndexHome(root).current())
    assert any(name.endswith(".pst") for name in copy.keys() & first_files.keys())
    assert {name: first_files[name] for name in copy if name in first_files} == {
        name: value for name, value in copy.items() if name in first_files
    }, "the copy shares the segment files of the build it was made from, which stay as they were"
    assert _files_of(IndexHome(root).builds()[0]) == first_files

    full = tmp_path / "full"
    assert not index_files([raw], full, settings).incremental
    assert _contents(root) == _contents(full)
    for query in ("tea estates", "forced labor", "bacha baazi", "Korea"):
        assert sorted(_found(root, query)) == sorted(_found(full, query)), query
    assert _found(root, "tea estates") == ["tip-2016-afg"]

    (raw / "2019-south-korea.html").unlink()
    removed = index_files([raw], root, settings)
    assert removed.incremental and removed.indexed_files == 0 and removed.narratives == 0
    assert "tip-2019-kor" not in _contents(root) and len(_contents(root)) == first.narratives - 1


def test_a_build_is_made_whole_when_code_settings_or_many_pages_changed(tmp_path):
    raw, root = tmp_path / "raw", tmp_path / "index"
    shutil.copytree(TIP_FIXTURES, raw)
    settings = Settings.from_environment()
    index_files([raw], root, settings)
    page = raw / "2016-afghanistan.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- corrected -->")
    assert not index_files([raw], root, settings).incremental  # one page of five is more than rebuild_share
    page.write_text(page.read_text(encoding="utf-8") + "<!-- corrected again -->")
    other_limits = dataclasses.replace(settings, rebuild_share=1.0, max_html_bytes=settings.max_html_bytes - 1)
    assert not index_files([raw], root, other_limits).incremental  # what is indexed may differ


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
