"""Faults: the update killed at random moments, and searches served while builds are swapped.

Marked ``faults`` (selected with ``-m faults``); they run with the rest of the suite.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from indexer.errors import IndexBusy
from indexer.index.home import COMPLETE, IndexHome
from indexer.index.locking import index_lock
from indexer.search.engine import SearchRequest, search
from indexer.search.query import Filters
from tests.conftest import TIP_FIXTURES, index_files, opened, web_app
from tests.fixtures.mirror_server import MirrorServer
from tests.fixtures.tip_site import TROUBLE_LINKS
from tests.test_fetch import BASE_2023, mirror_routes

pytestmark = pytest.mark.faults
TIPSEARCH = str(Path(sys.executable).with_name("tipsearch"))
TRIALS = 20


def _finds_north_korea(index: Path) -> bool:
    with opened(index) as build:
        hits = search(build, SearchRequest(q="North Korea", filters=Filters(year="2023", report="tip"))).hits
    return "tip-2023-prk" in [h.id for h in hits]


def _lock_is_free(index: Path) -> bool:
    try:
        with index_lock(index):
            return True
    except IndexBusy:
        return False


def test_update_killed_at_random_moments_never_breaks_the_live_index(tmp_path):
    routes = mirror_routes(tmp_path)
    for slow in (TROUBLE_LINKS["stalled"], TROUBLE_LINKS["broken"]):
        routes.pop(slow)
    index = tmp_path / "index"
    env = {
        **os.environ,
        "TIPSEARCH_RAW": str(tmp_path / "raw"),
        "TIPSEARCH_INDEX": str(index),
        "TIPSEARCH_FETCH_DELAY": "0",
        "TIPSEARCH_FETCH_RETRIES": "1",
        "TIPSEARCH_FETCH_BACKOFF": "0.01",
        "TIPSEARCH_REBUILD_SHARE": "1",  # a changed page is indexed into a copy of the current build
    }
    rng = random.Random(20261128)
    with MirrorServer(routes) as server:
        command = [TIPSEARCH, "update", "--edition", "2023", "--base-url", server.url, "--timeout", "2"]
        started = time.monotonic()
        assert subprocess.run(command, env=env, capture_output=True).returncode == 0
        duration = time.monotonic() - started
        for trial in range(TRIALS):
            routes[f"{BASE_2023}south-korea/"].body += f"<!-- trial {trial} -->".encode()
            job = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0, duration))
            job.kill()
            job.wait()
            assert _lock_is_free(index), f"trial {trial}: the killed job's workers hold the lock"
            assert _finds_north_korea(index), f"trial {trial}: the live index lost its narratives"
        routes[f"{BASE_2023}south-korea/"].body += b"<!-- last -->"
        last = subprocess.run(command, env=env, capture_output=True, text=True)
    assert last.returncode == 0, last.stdout + last.stderr
    assert "published build" in last.stdout and _finds_north_korea(index)
    assert "from a copy of the previous build" in last.stdout
    assert all((build / COMPLETE).exists() for build in IndexHome(index).builds())  # nothing half-built is left
    assert not list(index.glob(".current-*")) and not list((tmp_path / "raw").rglob(".*.partial"))


def test_searches_during_builds_and_swaps_see_no_error_and_no_empty_result(tmp_path):
    index = tmp_path / "index"
    index_files([TIP_FIXTURES], index)
    client = web_app(index).test_client()
    problems, stop = [], threading.Event()

    def ask():
        while not stop.is_set():
            response = client.get("/api/search?q=trafficking")
            if response.status_code != 200 or not response.get_json()["hits"]:
                problems.append((response.status_code, response.get_data(as_text=True)[:200]))

    askers = [threading.Thread(target=ask) for _ in range(4)]
    for asker in askers:
        asker.start()
    try:
        for _ in range(8):
            index_files([TIP_FIXTURES], index)
    finally:
        stop.set()
        for asker in askers:
            asker.join()
    assert problems == []


def test_a_pdf_child_whose_parent_is_killed_does_not_linger(tmp_path):
    import os
    import subprocess
    import sys
    import textwrap
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        textwrap.dedent(f"""
        import os, time
        from indexer.extract.isolated import run_isolated

        def big_result():
            open({str(tmp_path / "child.pid")!r}, "w").write(str(os.getpid()))
            time.sleep(1.5)
            return b"x" * 5_000_000  # more than a pipe holds: the child blocks until someone reads

        run_isolated("big.pdf", big_result, (), 60, 512)
    """)
    )
    parent = subprocess.Popen([sys.executable, str(script)], cwd=Path(__file__).resolve().parent.parent)
    pid_file = tmp_path / "child.pid"
    for _ in range(100):
        if pid_file.exists() and pid_file.read_text():
            break
        time.sleep(0.05)
    child = int(pid_file.read_text())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        with open(f"/proc/{child}/stat") as stat:
            if stat.read().split()[2] == "Z":  # exited, waiting for init to reap it
                return
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    raise AssertionError("the PDF child outlived its killed parent")


def _children(pid: int) -> list[int]:
    """The processes ``pid`` forked that still run."""
    found = []
    for tasks in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in tasks.read_text().split()]
        except OSError:  # the thread ended between listing and reading
            continue
    return found


def _alive_in_session(session: int) -> list[int]:
    """Processes of ``session`` that run (not zombies waiting to be reaped)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def test_a_killed_update_leaves_no_process_behind_and_the_next_cron_run_proceeds(tmp_path):
    routes = mirror_routes(tmp_path)
    for slow in (TROUBLE_LINKS["stalled"], TROUBLE_LINKS["broken"]):
        routes.pop(slow)
    env = {
        **os.environ,
        "TIPSEARCH_RAW": str(tmp_path / "raw"),
        "TIPSEARCH_INDEX": str(tmp_path / "index"),
        "TIPSEARCH_FETCH_DELAY": "0",
        "TIPSEARCH_REBUILD_SHARE": "0",  # every changed page makes a whole build: worker processes, PDF children
    }
    cron_lock = tmp_path / "update.cron.lock"
    rng = random.Random(20261204)
    with MirrorServer(routes) as server:
        update = [TIPSEARCH, "update", "--edition", "2023", "--base-url", server.url, "--timeout", "2"]
        cron_line = ["flock", "-n", "-o", str(cron_lock), *update]  # as docs/operations.md has it
        assert subprocess.run(cron_line, env=env, capture_output=True).returncode == 0
        kills = 0
        for trial in range(10):
            routes[f"{BASE_2023}south-korea/"].body += f"<!-- trial {trial} -->".encode()
            flock = subprocess.Popen(cron_line, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
            try:
                deadline = time.monotonic() + 60
                while not (job := _children(flock.pid)) or not _children(job[0]):
                    assert time.monotonic() < deadline and flock.poll() is None, f"trial {trial}: no worker started"
                    time.sleep(0.01)
                kill_at = time.monotonic() + rng.uniform(0, 0.5)
                while time.monotonic() < kill_at and _children(job[0]):  # a random moment while workers run
                    time.sleep(0.01)
                try:
                    os.kill(job[0], signal.SIGKILL)
                    kills += 1
                except ProcessLookupError:  # the job ended first
                    pass
                flock.wait()
            except BaseException:
                os.killpg(flock.pid, signal.SIGKILL)  # the whole job, so that a failed trial leaves nothing running
                flock.wait()
                raise
            deadline = time.monotonic() + 10
            while (left := _alive_in_session(flock.pid)) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not left, f"trial {trial}: processes of the killed job are left: {left}"
        assert kills >= 8, f"only {kills} of 10 trials killed a running job"
        routes[f"{BASE_2023}south-korea/"].body += b"<!-- last -->"
        last = subprocess.run(cron_line, env=env, capture_output=True, text=True)
    assert last.returncode == 0, last.stdout + last.stderr
    assert "published build" in last.stdout
