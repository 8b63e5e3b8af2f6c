"""``tipsearch update`` against the local mirror: publish, nothing changed, a change, a rejected build, busy."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from indexer.index.home import IndexHome
from indexer.index.locking import index_lock
from tests.fixtures.mirror_server import MirrorServer, Route
from tests.test_fetch import BASE_2023, mirror_routes
from webapp.cli import main


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    monkeypatch.setenv("TIPSEARCH_RAW", str(tmp_path / "raw"))
    monkeypatch.setenv("TIPSEARCH_FETCH_DELAY", "0")
    monkeypatch.setenv("TIPSEARCH_FETCH_RETRIES", "1")
    monkeypatch.setenv("TIPSEARCH_FETCH_BACKOFF", "0.01")
    routes = mirror_routes(tmp_path)
    with MirrorServer(routes) as server:
        yield server, routes, tmp_path / "index"


def update(server, index):
    return CliRunner().invoke(
        main, ["update", "--edition", "2023", "--base-url", server.url, "--timeout", "1", "--index", str(index)]
    )


def test_update_publishes_then_says_nothing_changed(mirror):
    server, routes, index = mirror
    first = update(server, index)
    assert first.exit_code == 0, first.output
    built = IndexHome(index).current().name
    assert f"published build {built}: 8 narratives added, 0 changed, 0 removed" in first.output
    second = update(server, index)
    assert second.exit_code == 0 and f"nothing changed; build {built} stays current" in second.output
    assert IndexHome(index).current().name == built
    status = json.loads(CliRunner().invoke(main, ["status", "--json", "--index", str(index)]).output)
    assert status["build"] == built and status["last_run"]["outcome"] == "unchanged"
    reports = sorted((index / "runs").glob("*.json"))
    assert len(reports) == 2 and json.loads(reports[0].read_text())["fetched"][0]["new"] == 10

    page = routes[f"{BASE_2023}south-korea/"]
    page.body = page.body.replace(b"remained on Tier 2", b"was downgraded to Tier 2 Watch List")
    third = update(server, index)
    assert third.exit_code == 0 and "0 narratives added, 1 changed, 0 removed" in third.output
    assert IndexHome(index).current().name != built


def test_a_build_that_loses_narratives_is_not_published(mirror):
    server, routes, index = mirror
    assert update(server, index).exit_code == 0
    built = IndexHome(index).current().name
    for page in (index.parent / "raw" / "tip" / "2023").glob("*.html"):  # gone here and from the site
        if page.name not in ("south-korea.html", "north-korea.html"):
            page.unlink()
            routes[f"{BASE_2023}{page.stem}/"] = Route(status=500)
    routes[f"{BASE_2023}south-korea/"].body += b"<!-- changed -->"
    rejected = update(server, index)
    assert rejected.exit_code == 1 and "not published: tip 2023:" in rejected.output
    assert IndexHome(index).current().name == built


def test_update_while_another_job_writes_exits_75(mirror):
    server, _, index = mirror
    with index_lock(index):
        busy = update(server, index)
    assert busy.exit_code == 75 and "index busy" in busy.output
