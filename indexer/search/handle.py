"""An open build: the handle every search, page and command holds.

``OpenBuild`` is a Whoosh searcher on one build, the settings searches obey, and the tables
read from the build once (narrative facts, facet values, section keys, field lengths,
acronyms, frequent words). The tables are shared by every searcher open on the same build,
in every thread of a process. ``OpenBuilds`` lends searchers to the threads of a long-lived
process (the web app) and opens the new build when another one is published.
"""

from __future__ import annotations

import os
import pickle
import threading
import time
import weakref
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from whoosh import index as whoosh_index
from whoosh.index import Index
from whoosh.searching import Searcher

from indexer.errors import IndexUnavailable
from indexer.index.home import IndexHome
from indexer.index.schema import make_schema
from indexer.search.ranking import TipBM25
from indexer.settings import Settings

T = TypeVar("T")
_OTHER_VERSION = (
    "the index at {directory} was built by another version of tipsearch ({why}): "
    "rebuild it with 'tipsearch index --force PATH...'"
)


class BuildTables:
    """Tables made from one build on first use, shared by every searcher open on that build."""

    def __init__(self) -> None:
        self._made: dict[Hashable, Any] = {}
        self._lock = threading.RLock()  # a table may be made from another

    def get(self, name: Hashable, make: Callable[[Searcher], T], searcher: Searcher) -> T:
        with self._lock:
            if name not in self._made:
                self._made[name] = make(searcher)
            return self._made[name]


class OpenBuild:
    """A searcher on one build, the settings searches obey, and the build's tables; close it when done."""

    def __init__(
        self, searcher: Searcher, settings: Settings, tables: BuildTables | None = None, directory: Path | None = None
    ) -> None:
        self.searcher = searcher
        self.settings = settings
        self._tables = tables or BuildTables()
        self.directory = directory  # the build's directory, when it was opened from one

    def table(self, name: Hashable, make: Callable[[Searcher], T]) -> T:
        """The table ``name`` of this build, made by ``make(searcher)`` the first time it is asked for."""
        return self._tables.get(name, make, self.searcher)

    def with_settings(self, settings: Settings) -> OpenBuild:
        """The same searcher and tables under other settings (close only one of the two)."""
        return OpenBuild(self.searcher, settings, self._tables, self.directory)

    def close(self) -> None:
        self.searcher.close()

    def __enter__(self) -> OpenBuild:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_index(directory: Path) -> Index:
    """Open the Whoosh index in ``directory``, or raise IndexUnavailable saying what is wrong."""
    try:
        opened = whoosh_index.open_dir(str(directory)) if whoosh_index.exists_in(str(directory)) else None
    except (ImportError, AttributeError, pickle.UnpicklingError) as exc:  # its schema names code that moved
        raise IndexUnavailable(_OTHER_VERSION.format(directory=directory, why=exc)) from exc
    except Exception as exc:
        raise IndexUnavailable(f"cannot open the index at {directory}: {exc}") from exc
    if opened is None:
        raise IndexUnavailable(f"no index at {directory}: build one with 'tipsearch index PATH...'")
    if set(opened.schema.names()) != set(make_schema().names()):
        raise IndexUnavailable(_OTHER_VERSION.format(directory=directory, why="its fields differ"))
    return opened


def open_build(settings: Settings, path: Path | None = None, tables: BuildTables | None = None) -> OpenBuild:
    """Open the build searched at ``path`` (an index home or a build; default: the ``index`` setting)."""
    directory = IndexHome(path or settings.index).searched()
    return OpenBuild(open_index(directory).searcher(weighting=TipBM25()), settings, tables, directory.resolve())


class OpenBuilds:
    """Open builds of the current build, shared by the threads of a long-lived process (the web app).

    A thread borrows one for a request and gives it back; idle ones wait for the next request,
    whichever thread serves it, so a server that starts a thread per request opens no searcher
    per request. When another build is published, the next borrow opens the new one, and the
    old ones are closed as they are given back.
    """

    def __init__(self, settings: Settings, path: Path | None = None) -> None:
        self.settings = settings
        self.home = IndexHome(path or settings.index)
        self._lock = threading.Lock()
        self._current: tuple[str, int, int] | None = None
        self._tables = BuildTables()
        self._idle: list[OpenBuild] = []
        self._lent: dict[int, tuple[str, int, int]] = {}  # id of a lent build -> the version it is of
        weakref.finalize(self, _close_all, self._idle)

    def _version(self) -> tuple[str, int, int]:
        """Which build is current and its state: a swap or a change in place opens a new searcher."""
        searched = self.home.searched()
        try:
            stat = os.stat(searched)
        except OSError:
            raise IndexUnavailable(f"no index at {self.home.root}") from None
        return str(searched), stat.st_ino, stat.st_mtime_ns

    def borrow(self) -> OpenBuild:
        """An open build of the current build, for this thread alone until it is given back."""
        version = self._version()
        with self._lock:
            stale: list[OpenBuild] = []
            if version != self._current:
                stale, self._idle[:] = list(self._idle), []
                self._current, self._tables = version, BuildTables()
            build = self._idle.pop() if self._idle else None
            tables = self._tables
        _close_all(stale)
        build = build or open_build(self.settings, Path(version[0]), tables)
        with self._lock:
            self._lent[id(build)] = version
        return build

    def give_back(self, build: OpenBuild) -> None:
        """Return a borrowed build: kept for the next borrow while its build is current, else closed."""
        with self._lock:
            current = self._lent.pop(id(build), None) == self._current
            if current:
                self._idle.append(build)
        if not current:
            build.close()

    @contextmanager
    def lent(self) -> Iterator[OpenBuild]:
        """``borrow`` and ``give_back`` around a block."""
        build = self.borrow()
        try:
            yield build
        finally:
            self.give_back(build)


def _close_all(builds: list[OpenBuild]) -> None:
    for build in builds:
        build.close()


def index_status(settings: Settings, path: Path | None = None) -> dict:
    """The current build's id, age and narrative counts (by report, the years covered), and the builds kept."""
    home = IndexHome(path or settings.index)
    with open_build(settings, home.root) as build:
        years: dict[str, set[int]] = {}
        narratives = 0
        for fields in build.searcher.documents(kind="narrative"):
            years.setdefault(fields["report"], set()).add(fields["year"])
            narratives += 1
    by_report = {r: f"{min(y)}-{max(y)}" if len(y) > 1 else str(min(y)) for r, y in sorted(years.items())}
    current = home.current()
    return {
        "index": str(home.root),
        "build": current.name if current else "",
        "age_seconds": round(time.time() - home.searched().stat().st_mtime),
        "narratives": narratives,
        "by_report": by_report,
        "builds": [b.name for b in home.builds()],
    }
