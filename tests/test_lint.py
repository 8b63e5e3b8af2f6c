import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


CODE = ["indexer", "webapp", "scripts", "tests"]


def _tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not Path(found).exists():
        pytest.skip(f"{name} is not installed (pip install -e '.[test]' brings it)")
    return found


def test_code_passes_ruff():
    result = subprocess.run([_tool("ruff"), "check", *CODE], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_code_is_formatted():
    result = subprocess.run([_tool("ruff"), "format", "--check", *CODE], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_the_package_type_checks():
    result = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


# Releases that fix published advisories: nothing older may be installed.
FIXED_RELEASES = {
    "requests": (2, 32, 4),
    "waitress": (3, 0, 1),
    "urllib3": (2, 6),
    "werkzeug": (3, 1, 6),  # safe_join and Windows device names, CVE-2026-27199
    "jinja2": (3, 1, 6),  # the sandbox and |attr, CVE-2025-27516
}


def test_dependencies_exclude_releases_with_published_advisories():
    import re
    import tomllib
    from importlib.metadata import version

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    floors = {
        m.group(1).lower(): tuple(map(int, m.group(2).split(".")))
        for m in (re.match(r"([\w.-]+)>=([\d.]+)", d) for d in declared)
        if m
    }
    for name, fixed in FIXED_RELEASES.items():
        assert floors.get(name, ()) >= fixed, f"{name} must be pinned at {'.'.join(map(str, fixed))} or later"
        assert tuple(map(int, version(name).split(".")[:3])) >= fixed


def test_the_nightly_service_is_confined():
    unit = (ROOT / "scripts" / "systemd" / "tipsearch-update.service").read_text()
    settings = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line and not line.startswith("#"))
    assert settings["UMask"] == "0027" and settings["NoNewPrivileges"] == "yes"
    assert settings["ProtectSystem"] == "strict" and settings["ReadWritePaths"].endswith("/data")
    assert {"localhost", "link-local", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"} <= set(
        settings["IPAddressDeny"].split()
    )
