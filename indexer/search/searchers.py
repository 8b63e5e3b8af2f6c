"""Opening the index on disk, and keeping searchers open across searches.

Opening a searcher reads every segment's files, which costs far more than most
searches, so long-lived processes (the web app) keep one per thread and reopen
it only when the index directory changes.
"""

from __future__ import annotations

import os
import pickle
import threading
import time
import weakref
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index
from whoosh.searching import Searcher

from indexer import settings
from indexer.errors import IndexUnavailable
from indexer.index.home import all_builds, current_build, searched_dir
from indexer.index.schema import make_schema
from indexer.search.ranking import TipBM25

_OTHER_VERSION = ("the index at {directory} was built by another version of tipsearch ({why}): "
                  "rebuild it with 'tipsearch index --force PATH...'")


def index_dir(path: str | Path | None = None) -> Path:
    """The index directory: the given path, else the ``index`` setting."""
    return Path(path or settings.get("index"))


def open_index(path: str | Path | None = None) -> Index:
    """Open the index (its current build), or raise IndexUnavailable saying where it was looked for."""
    directory = searched_dir(index_dir(path))
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


def open_searcher(path: str | Path | None = None) -> Searcher:
    """A searcher on the index with the project's weighting; close it when done."""
    return open_index(path).searcher(weighting=TipBM25())


class SearcherCache:
    """One open searcher per thread, replaced when another build is published (or the index changes)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.directory = index_dir(path)
        self._local = threading.local()
        self._open: list[Searcher] = []  # every thread's, closed when the cache goes
        self._lock = threading.Lock()
        weakref.finalize(self, _close_all, self._open)

    def _version(self) -> tuple[str, int, int]:
        """Which build is current and its state: a swap or a change in place opens a new searcher."""
        searched = searched_dir(self.directory)
        try:
            stat = os.stat(searched)
        except OSError:
            raise IndexUnavailable(f"no index at {self.directory}") from None
        return str(searched), stat.st_ino, stat.st_mtime_ns

    def get(self) -> Searcher:
        """This thread's searcher on the current index."""
        version = self._version()
        if getattr(self._local, "version", None) != version:
            old = getattr(self._local, "searcher", None)
            self._local.searcher = open_searcher(self.directory)
            self._local.version = version
            with self._lock:
                self._open.append(self._local.searcher)
                if old is not None:
                    self._open.remove(old)
            if old is not None:
                old.close()
        return self._local.searcher


def _close_all(searchers: list[Searcher]) -> None:
    for searcher in searchers:
        searcher.close()


def index_status(path: str | Path | None = None) -> dict:
    """The current build's id, age and narrative counts (by report, the years covered), and the builds kept."""
    root = index_dir(path)
    searched = searched_dir(root)
    with open_searcher(root) as searcher:
        years: dict[str, set[int]] = {}
        for fields in searcher.documents(kind="narrative"):
            years.setdefault(fields["report"], set()).add(fields["year"])
        narratives = searcher.doc_frequency("kind", "narrative")
    by_report = {r: f"{min(y)}-{max(y)}" if len(y) > 1 else str(min(y)) for r, y in sorted(years.items())}
    return {"index": str(root), "build": current_build(root).name if current_build(root) else "",
            "age_seconds": round(time.time() - searched.stat().st_mtime), "narratives": narratives,
            "by_report": by_report, "builds": [b.name for b in all_builds(root)]}
