"""Index builds: ``<index>/builds/<build-id>/`` and ``<index>/current``, the one searched.

A build is written in its own directory and published by replacing the ``current``
symbolic link in one ``os.replace``: a reader sees the old build or the new one, never a
mix. The newest ``builds_to_keep`` builds stay for ``rollback``. An index directory that
holds a Whoosh index itself (no ``current``) is searched as it is.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from pathlib import Path

from indexer import settings
from indexer.errors import IndexUnavailable

BUILDS, CURRENT = "builds", "current"
COMPLETE = "BUILD-COMPLETE"  # written in a build once it is whole and validated
_WHOOSH_FILES = re.compile(r"^(_?MAIN_.*\.(toc|seg)|MAIN_WRITELOCK|_MAIN_\d+\.toc)$")


def new_build_id() -> str:
    """A build id that sorts by time, to the microsecond: ``20261128T174500.123456-3f2a``."""
    now = time.time()
    return f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime(now))}.{int(now % 1 * 1e6):06d}-{secrets.token_hex(2)}"


def build_dir(root: Path, build_id: str) -> Path:
    return root / BUILDS / build_id


def all_builds(root: Path) -> list[Path]:
    """The build directories, oldest first."""
    folder = root / BUILDS
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def current_build(root: Path) -> Path | None:
    """The published build, or None when the index has none (or is a plain Whoosh directory)."""
    link = root / CURRENT
    if not link.is_symlink():
        return None
    return (root / os.readlink(link)).resolve()


def searched_dir(root: Path) -> Path:
    """Where searches read: the current build, else the directory itself."""
    return current_build(root) or root


def clean_incomplete(root: Path) -> None:
    """Remove what a killed job left: builds never completed and half-made ``current`` links."""
    current = current_build(root)
    for build in all_builds(root):
        if build != current and not (build / COMPLETE).exists():
            shutil.rmtree(build, ignore_errors=True)
    for staged in root.glob(f".{CURRENT}-*") if root.is_dir() else []:
        staged.unlink(missing_ok=True)


def publish(root: Path, build_id: str) -> None:
    """Mark ``build_id`` complete and make it current, atomically; drop builds beyond ``builds_to_keep``."""
    (build_dir(root, build_id) / COMPLETE).touch()
    _point_current(root, build_id)
    for name in os.listdir(root):  # a plain index left from before builds
        if _WHOOSH_FILES.match(name):
            (root / name).unlink(missing_ok=True)
    _prune(root, int(settings.get("builds_to_keep")))


def _point_current(root: Path, build_id: str) -> None:
    """Replace the ``current`` link by one to ``build_id`` in a single rename."""
    if not build_dir(root, build_id).is_dir():
        raise IndexUnavailable(f"no build {build_id} in {root / BUILDS}")
    staged = root / f".{CURRENT}-{build_id}"
    staged.unlink(missing_ok=True)
    os.symlink(Path(BUILDS) / build_id, staged)
    os.replace(staged, root / CURRENT)


def _prune(root: Path, keep: int) -> None:
    """Remove the oldest builds beyond ``keep``, once ``prune_grace`` seconds have passed since
    their successor was published (a search still running on one finishes first)."""
    builds, current = all_builds(root), current_build(root)
    older = [b for b in builds if b != current]
    grace, now = float(settings.get("prune_grace")), time.time()
    for build in older[:max(0, len(older) - (keep - 1))]:
        successor = next((b for b in builds if b.name > build.name and (b / COMPLETE).exists()), None)
        if successor and now - (successor / COMPLETE).stat().st_mtime >= grace:
            shutil.rmtree(build, ignore_errors=True)


def rollback(root: Path) -> str:
    """Publish the build before the current one; return its id."""
    current = current_build(root)
    earlier = [b for b in all_builds(root) if (current is None or b.name < current.name) and (b / COMPLETE).exists()]
    if not earlier:
        raise IndexUnavailable(f"no earlier build to roll back to in {root / BUILDS}")
    _point_current(root, earlier[-1].name)
    return earlier[-1].name
