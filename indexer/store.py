"""Opening the index on disk, and keeping searchers open across searches.

Opening a searcher reads every segment's files, which costs far more than most
searches, so long-lived processes (the web app) keep one per thread and reopen
it only when the index directory changes.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index
from whoosh.searching import Searcher

from indexer import settings
from indexer.errors import IndexUnavailable
from indexer.ranking import TipBM25


def index_dir(path: str | Path | None = None) -> Path:
    """The index directory: the given path, else the ``index`` setting."""
    return Path(path or settings.get("index"))


def open_index(path: str | Path | None = None) -> Index:
    """Open the index, or raise IndexUnavailable saying where it was looked for."""
    directory = index_dir(path)
    if not whoosh_index.exists_in(str(directory)):
        raise IndexUnavailable(f"no index at {directory}: build one with 'tipsearch index PATH...'")
    try:
        return whoosh_index.open_dir(str(directory))
    except Exception as exc:
        raise IndexUnavailable(f"cannot open the index at {directory}: {exc}") from exc


def open_searcher(path: str | Path | None = None) -> Searcher:
    """A searcher on the index with the project's weighting; close it when done."""
    return open_index(path).searcher(weighting=TipBM25())


class SearcherCache:
    """One open searcher per thread, replaced when the index directory changes."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.directory = index_dir(path)
        self._local = threading.local()

    def _version(self) -> tuple[int, int]:
        try:
            stat = os.stat(self.directory)
        except OSError:
            raise IndexUnavailable(f"no index at {self.directory}") from None
        return stat.st_ino, stat.st_mtime_ns

    def get(self) -> Searcher:
        """This thread's searcher on the current index."""
        version = self._version()
        if getattr(self._local, "version", None) != version:
            old = getattr(self._local, "searcher", None)
            self._local.searcher = open_searcher(self.directory)
            self._local.version = version
            if old is not None:
                old.close()
        return self._local.searcher
