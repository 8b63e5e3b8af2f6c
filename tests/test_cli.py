import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.search.engine import SearchRequest
from indexer.search.exports import EXPORT_COLUMNS, every_match
from tests.conftest import PDF_HOSTILE, ROOT, TIP_FIXTURES, opened, shared_path
from webapp.cli import main


@pytest.fixture
def runner(index_dir, monkeypatch):
    monkeypatch.setenv("TIPSEARCH_INDEX", str(index_dir))
    return CliRunner()


def test_search_prints_readable_results_and_exits_0(runner):
    result = runner.invoke(main, ["search", "bacha", "baazi"])
    assert result.exit_code == 0, result.output
    assert "1. Afghanistan – Trafficking in Persons Report 2016\n   tip 2016, Tier 2 Watch List" in result.output
    assert "\x1b[" not in result.output  # no colour when not on a terminal


def test_search_json_has_one_object_per_hit_with_the_documented_fields(runner):
    result = runner.invoke(main, ["search", "forced labor", "--report", "tip", "--tier", "3", "--json"])
    assert result.exit_code == 0, result.output
    hits = [json.loads(line) for line in result.output.splitlines()]
    assert {h["country"] for h in hits} == {"Burma", "North Korea"}
    for field in (
        "id",
        "report",
        "year",
        "country",
        "iso3",
        "tier",
        "section",
        "heading",
        "score",
        "snippet",
        "source",
    ):
        assert field in hits[0]
    assert hits == sorted(hits, key=lambda h: -h["score"])


def test_no_hits_exits_1_and_errors_exit_2(runner):
    assert runner.invoke(main, ["search", "qqxyzzyplugh"]).exit_code == 1
    bad = runner.invoke(main, ["search", "labor", "--year", "20x"])
    assert bad.exit_code == 2 and "year" in bad.output


def test_missing_index_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["search", "labor", "--index", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no index at" in result.output


def test_index_reports_failures_by_name_and_indexes_the_rest(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    target = tmp_path / "ix"
    result = CliRunner().invoke(main, ["index", str(TIP_FIXTURES), str(broken), str(empty), "--index", str(target)])
    assert result.exit_code == 0, result.output
    assert "broken.pdf" in result.output and "empty.html: empty file" in result.output
    assert "indexed 7 narratives" in result.output and "2 failed" in result.output
    search = CliRunner().invoke(main, ["search", "restavèks", "--index", str(target), "--json"])
    assert json.loads(search.output.splitlines()[0])["iso3"] == "HTI"


def test_index_of_nothing_readable_exits_1(tmp_path):
    encrypted = shared_path(PDF_HOSTILE / "aes-256.pdf")
    result = CliRunner().invoke(main, ["index", str(encrypted), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 1 and "encrypted" in result.output


def test_add_keeps_what_was_indexed(tmp_path):
    target = str(tmp_path / "ix")
    CliRunner().invoke(main, ["index", str(TIP_FIXTURES / "2007-haiti.html"), "--index", target])
    CliRunner().invoke(main, ["index", "--add", str(TIP_FIXTURES / "2016-afghanistan.html"), "--index", target])
    result = CliRunner().invoke(main, ["search", "government", "--index", target, "--json", "--limit", "50"])
    assert {json.loads(line)["iso3"] for line in result.output.splitlines()} == {"HTI", "AFG"}


def test_serve_without_an_index_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--index", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no index at" in result.output


def test_tiers_lists_a_country_by_edition(runner):
    result = runner.invoke(main, ["tiers", "Burma", "--json"])
    assert result.exit_code == 0, result.output
    history = json.loads(result.output)
    assert history["iso3"] == "MMR" and [t["year"] for t in history["tiers"]] == [2002, 2023]
    text = runner.invoke(main, ["tiers", "Burma"])
    assert "2002  Tier 3" in text.output
    assert runner.invoke(main, ["tiers", "Atlantis"]).exit_code == 2
    assert runner.invoke(main, ["tiers", "Chad"]).exit_code == 1


def test_show_prints_a_narrative_with_its_recommendations(runner):
    result = runner.invoke(main, ["show", "tip-2019-kor"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2019 Trafficking in Persons Report: South Korea, Tier 1\n")
    assert "\nPRIORITIZED RECOMMENDATIONS\n  • Amend the anti-trafficking law" in result.output
    assert runner.invoke(main, ["show", "tip-2019-xyz"]).exit_code == 2


def test_run_fetches_from_a_mirror_indexes_and_serves(tmp_path, monkeypatch):
    from tests.fixtures.mirror_server import MirrorServer
    from tests.test_fetch import mirror_routes

    served = []
    monkeypatch.setattr("webapp.cli._serve", lambda settings, host, port: served.append(settings.index))
    monkeypatch.setenv("TIPSEARCH_RAW", str(tmp_path / "raw"))
    monkeypatch.setenv("TIPSEARCH_FETCH_DELAY", "0")
    monkeypatch.setenv("TIPSEARCH_FETCH_RETRIES", "0")
    index = tmp_path / "index"
    with MirrorServer(mirror_routes(tmp_path)) as server:
        result = CliRunner().invoke(main, ["run", server.url, "--edition", "2019", "--index", str(index)])
        assert result.exit_code == 0, result.output
        assert served == [index] and "indexed 4 narratives" in result.output
        empty = CliRunner().invoke(main, ["run", server.url, "--edition", "2004", "--index", str(index)])
    assert empty.exit_code == 1 and "no narratives found for tip 2004" in empty.output
    assert served == [index]


def test_search_prints_facets_on_request(runner):
    text = runner.invoke(main, ["search", "labor", "--facets"]).output
    assert "\nFacets:\n  report: " in text and "  tier: " in text
    lines = runner.invoke(main, ["search", "labor", "--facets", "--json"]).output.splitlines()
    assert set(json.loads(lines[-1])["facets"]) == {"report", "year", "country", "region", "tier", "section"}
    assert all("id" in json.loads(line) for line in lines[:-1])


def test_a_query_word_may_start_with_a_minus(runner):
    with_all = runner.invoke(main, ["search", "forced", "labor", "--json", "--limit", "50"])
    without = runner.invoke(main, ["search", "forced", "labor", "-fishing", "--json", "--limit", "50"])
    assert without.exit_code == 0, without.output
    ids = {json.loads(line)["id"] for line in without.output.splitlines()}
    assert ids and ids < {json.loads(line)["id"] for line in with_all.output.splitlines()}


HOLD_THE_LOCK = """
import signal, sys
from pathlib import Path
from indexer.index.locking import index_lock
with index_lock(Path(sys.argv[1])):
    print("held", flush=True)
    signal.pause()
"""


def test_a_second_index_job_exits_75_at_once_and_a_dead_ones_lock_does_not_block(tmp_path):
    from indexer.errors import IndexBusy
    from indexer.index.locking import index_lock

    target = tmp_path / "index"
    with index_lock(target):
        busy = CliRunner().invoke(main, ["index", str(TIP_FIXTURES), "--index", str(target)])
    assert busy.exit_code == 75 and "index busy" in busy.output

    def held() -> bool:
        try:
            with index_lock(target):
                return False
        except IndexBusy:
            return True

    # A process of its own (not a fork of this one, whose other threads may hold locks the child needs).
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(target)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    ) as holder:
        try:
            assert holder.stdout and holder.stdout.readline() == "held\n"
            assert held()
        finally:
            holder.kill()  # SIGKILL: the job dies holding the lock
    assert not held()  # the kernel let go of the killed job's lock
    after = CliRunner().invoke(main, ["index", str(TIP_FIXTURES), "--index", str(target)])
    assert after.exit_code == 0, after.output


def _serve_in_background(index_dir: Path, settings: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """``tipsearch serve`` on a free port with these ``TIPSEARCH_*`` settings, and the port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-c", "from webapp.cli import main; main()", "serve", "--index", str(index_dir)]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **settings},
    )
    return server, port


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_from_its_worker_processes(index_dir, workers):
    import requests

    server, port = _serve_in_background(index_dir, {"TIPSEARCH_WEB_WORKERS": str(workers), "TIPSEARCH_RATE_LIMIT": "0"})
    try:
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        answers = [
            requests.get(f"http://127.0.0.1:{port}/api/search", params={"q": "forced labor"}, timeout=10)
            for _ in range(6)
        ]
        assert all(a.status_code == 200 and a.json()["hits"] for a in answers)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        assert len(children) == (workers if workers > 1 else 0)
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert f"with {workers} worker(s)" in output and "Traceback" not in output


def test_processes_forked_under_the_lock_do_not_hold_it(tmp_path):
    import multiprocessing
    import signal

    from indexer.errors import IndexBusy
    from indexer.index.locking import index_lock

    target = tmp_path / "index"
    context = multiprocessing.get_context("fork")
    running = context.Event()

    def work():
        running.set()
        signal.pause()

    with index_lock(target):
        worker = context.Process(target=work)
        worker.start()
        assert running.wait(10)
    try:
        with index_lock(target):  # the worker still runs, yet the lock is free
            pass
    except IndexBusy:
        pytest.fail("a process forked while the lock was held kept it")
    finally:
        worker.kill()
        worker.join()


def test_gunicorns_own_error_answers_carry_the_security_headers(index_dir):
    server, port = _serve_in_background(index_dir, {"TIPSEARCH_WEB_WORKERS": "2"})
    try:
        answer = b""
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
                    client.sendall(b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
                    while chunk := client.recv(65536):
                        answer += chunk
                break
            except OSError:
                time.sleep(0.1)
        head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        assert head.startswith("HTTP/1.1 400") and "Content-Security-Policy: default-src 'self'" in head, head
        assert "X-Content-Type-Options: nosniff" in head
    finally:
        server.terminate()
        server.communicate(timeout=20)


def test_search_all_streams_every_match_as_export_rows(runner, hrr_2023, monkeypatch):
    monkeypatch.setenv("TIPSEARCH_INDEX", str(hrr_2023[0]))
    monkeypatch.setenv("TIPSEARCH_PUBLIC_URL", "https://tipsearch.example.org")
    lines = runner.invoke(main, ["search", "government", "--all"]).output.splitlines()
    rows = [json.loads(line) for line in lines]
    narratives = list(dict.fromkeys(row["narrative_id"] for row in rows))
    assert len(narratives) == hrr_2023[1].narratives  # every one
    assert sorted({row["rank"] for row in rows}) == list(range(1, len(narratives) + 1))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert rows[0]["tipsearch_url"].startswith(
        f"https://tipsearch.example.org/doc/{rows[0]['narrative_id']}?q=government#"
    )
    table = runner.invoke(main, ["search", "government", "--all", "--format", "csv", "--country", "Chad"]).output
    assert table.startswith("\ufeffRank,Country,") and table.count("\ufeff") == 1
    assert {row["Country"] for row in csv.DictReader(io.StringIO(table.removeprefix("\ufeff")))} == {"Chad"}
    assert runner.invoke(main, ["search", "zzzqqqx", "--all"]).exit_code == 1


def test_every_match_pages_through_all_the_matches_a_chunk_at_a_time(index_dir):
    with opened(index_dir) as build:
        chunks = list(every_match(build, SearchRequest(q="government"), chunk=3))
        total = chunks[0].total
        assert len(chunks) == -(-total // 3) and all(len(c.hits) == 3 for c in chunks[:-1])
        ids = [hit.id for c in chunks for hit in c.hits]
        assert len(ids) == len(set(ids)) == total > 3
        assert "<mark>" not in chunks[0].hits[0].sections[0].snippet  # plain text


def test_served_on_a_loopback_address_links_read_elsewhere_name_it():
    from indexer.settings import Settings
    from webapp.cli import served_at

    assert served_at(Settings(), "127.0.0.1", 8080).public_url == "http://127.0.0.1:8080"
    assert served_at(Settings(), "::1", 9000).public_url == "http://[::1]:9000"
    assert served_at(Settings(), "0.0.0.0", 8080).public_url == ""  # reached by names it cannot know
    assert served_at(Settings(public_url="https://s.example"), "127.0.0.1", 8080).public_url == "https://s.example"
