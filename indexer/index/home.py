"""An index home: one directory and everything that belongs to it.

::

    <root>/builds/<build-id>/   each build, written whole in its own directory
    <root>/current              symbolic link to the build searched
    <root>/runs/                reports of update runs
    <root>.lock                 the writers' lock (``indexer.index.locking``)
    <root>.cache/               extraction results kept for the next build

A build is published by replacing the ``current`` link in one ``os.replace``: a reader sees
the old build or the new one, never a mix. The newest ``builds_to_keep`` builds stay for
``rollback``. A directory that holds a Whoosh index itself (no ``current``) is searched as it is.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from contextlib import AbstractContextManager
from pathlib import Path

from indexer.errors import IndexUnavailable
from indexer.index.locking import index_lock
from indexer.settings import Settings

BUILDS, CURRENT, RUNS = "builds", "current", "runs"
COMPLETE = "BUILD-COMPLETE"  # written in a build once it is whole and validated
_WHOOSH_FILES = re.compile(r"^(_?MAIN_.*\.(toc|seg)|MAIN_WRITELOCK|_MAIN_\d+\.toc)$")


def new_build_id() -> str:
    """A build id that sorts by time, to the microsecond: ``20261128T174500.123456-3f2a``."""
    now = time.time()
    return f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime(now))}.{int(now % 1 * 1e6):06d}-{secrets.token_hex(2)}"


class IndexHome:
    """The builds, ``current`` link, lock, run reports and extraction cache of the index at ``root``."""

    def __init__(self, root: Path, builds_to_keep: int = 3, prune_grace: float = 60.0) -> None:
        self.root = Path(root)
        self.builds_to_keep, self.prune_grace = builds_to_keep, prune_grace
        self.cache = self.root.with_name(self.root.name + ".cache")
        self.runs = self.root / RUNS

    @classmethod
    def of(cls, settings: Settings, root: Path | None = None) -> IndexHome:
        """The home at ``root`` (default: the ``index`` setting), kept and pruned as ``settings`` say."""
        return cls(root or settings.index, settings.builds_to_keep, settings.prune_grace)

    def lock(self) -> AbstractContextManager[None]:
        """Hold the writers' lock for a block; ``IndexBusy`` at once when another job holds it."""
        return index_lock(self.root)

    def builds(self) -> list[Path]:
        """The build directories, oldest first."""
        folder = self.root / BUILDS
        return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []

    def current(self) -> Path | None:
        """The published build, or None when there is none (or the home is a plain Whoosh directory)."""
        link = self.root / CURRENT
        return (self.root / os.readlink(link)).resolve() if link.is_symlink() else None

    def searched(self) -> Path:
        """Where searches read: the current build, else the directory itself."""
        return self.current() or self.root

    def new_build(self) -> Path:
        """The directory for a new build (not yet made), after removing what a killed job left."""
        self._clean_incomplete()
        return self.root / BUILDS / new_build_id()

    def publish(self, build: Path) -> None:
        """Mark ``build`` complete and make it current, atomically; drop builds beyond ``builds_to_keep``."""
        (build / COMPLETE).touch()
        self._point_current(build.name)
        for name in os.listdir(self.root):  # a plain index left from before builds
            if _WHOOSH_FILES.match(name):
                (self.root / name).unlink(missing_ok=True)
        self._prune()

    def rollback(self) -> str:
        """Publish the build before the current one again; return its id."""
        current = self.current()
        earlier = [b for b in self.builds() if (current is None or b.name < current.name) and (b / COMPLETE).exists()]
        if not earlier:
            raise IndexUnavailable(f"no earlier build to roll back to in {self.root / BUILDS}")
        self._point_current(earlier[-1].name)
        return earlier[-1].name

    def _clean_incomplete(self) -> None:
        """Remove builds never completed and half-made ``current`` links."""
        current = self.current()
        for build in self.builds():
            if build != current and not (build / COMPLETE).exists():
                shutil.rmtree(build, ignore_errors=True)
        for staged in self.root.glob(f".{CURRENT}-*") if self.root.is_dir() else []:
            staged.unlink(missing_ok=True)

    def _point_current(self, build_id: str) -> None:
        """Replace the ``current`` link by one to ``build_id`` in a single rename."""
        if not (self.root / BUILDS / build_id).is_dir():
            raise IndexUnavailable(f"no build {build_id} in {self.root / BUILDS}")
        staged = self.root / f".{CURRENT}-{build_id}"
        staged.unlink(missing_ok=True)
        os.symlink(Path(BUILDS) / build_id, staged)
        os.replace(staged, self.root / CURRENT)

    def _prune(self) -> None:
        """Remove the oldest builds beyond ``builds_to_keep``, once ``prune_grace`` seconds have passed
        since their successor was published (a search still running on one finishes first)."""
        builds, current = self.builds(), self.current()
        older = [b for b in builds if b != current]
        now = time.time()
        for build in older[: max(0, len(older) - (self.builds_to_keep - 1))]:
            successor = next((b for b in builds if b.name > build.name and (b / COMPLETE).exists()), None)
            if successor and now - (successor / COMPLETE).stat().st_mtime >= self.prune_grace:
                shutil.rmtree(build, ignore_errors=True)
