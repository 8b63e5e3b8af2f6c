"""The built package works on its own: a wheel installed in a new virtual environment, run from
another folder, indexes pages, searches them and serves the search page."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import HRR, ROOT, TIP_FIXTURES


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The ``bin`` folder of a new virtual environment holding only the wheel and its dependencies."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work), str(ROOT)], check=True, cwd=work
    )
    wheel = next(work.glob("tipsearch-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True)
    subprocess.run([str(work / "venv" / "bin" / "pip"), "install", "-q", str(wheel)], check=True, cwd=work)
    return work / "venv" / "bin"


def _clean_env() -> dict[str, str]:
    """This environment without settings or paths that could reach the checkout."""
    return {key: value for key, value in os.environ.items() if not key.startswith(("TIPSEARCH_", "PYTHON"))}


def _run(installed, *args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(installed / "tipsearch"), *args], capture_output=True, text=True, cwd=cwd, env=_clean_env(), timeout=600
    )


def test_the_wheel_holds_its_data_and_runs_from_any_folder(installed, tmp_path):
    help_text = _run(installed, "--help", cwd=tmp_path)
    assert help_text.returncode == 0, help_text.stderr
    assert "serve" in help_text.stdout and "index" in help_text.stdout

    pages = [TIP_FIXTURES] + (
        [HRR / "2023" / "bangladesh.html.gz", HRR / "2023" / "chad.html.gz"] if HRR.exists() else []
    )
    indexed = _run(installed, "index", *map(str, pages), cwd=tmp_path)
    assert indexed.returncode == 0, indexed.stderr
    assert (tmp_path / "data" / "index").is_dir()  # relative to the working folder, not the package

    found = _run(installed, "search", "forced", "labor", "--json", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert "tip-" in found.stdout

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(installed / "tipsearch"), "serve", "--port", str(port)],
        cwd=tmp_path,
        env=_clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/search?q=forced+labor", timeout=10) as page:
                    body = page.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the installed server never answered")
        assert "<mark>" in body and "narratives" in body
    finally:
        server.terminate()
        server.wait(timeout=20)
