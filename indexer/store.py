"""Opening the index on disk."""

from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from indexer import settings
from indexer.errors import IndexUnavailable


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
