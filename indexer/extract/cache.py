"""Extraction results kept by content, so that a rebuild parses only the files that changed.

The key is the SHA-256 of the file's bytes, its name, what a fetch knows of it, and the
parsing code itself (the names and source of the extraction and narrative modules, and the
country list): changing any of these parses the file again. An entry that cannot be loaded
(written by code since moved) is parsed again too.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import cache
from pathlib import Path

from indexer.files import package_digest, write_atomically
from indexer.reports.narratives import Narrative

_PARSING_FILES = (
    "extract/html.py",
    "extract/pdf.py",
    "extract/__init__.py",
    "reports/narratives.py",
    "reports/tiers.py",
    "reports/countries.py",
    "extract/files.py",
    "data/countries.csv",
)


@cache
def code_fingerprint() -> bytes:
    """A digest of the parsing code and the country list: a change to either parses every file again."""
    return package_digest(_PARSING_FILES)


def cache_key(data: bytes, context: str) -> str:
    """The key of a file's extraction: its bytes, ``context`` (name, provenance) and the parsing code."""
    digest = hashlib.sha256(code_fingerprint())
    digest.update(context.encode())
    digest.update(data)
    return digest.hexdigest()


def _private(folder: Path) -> bool:
    """Whether ``folder`` is this user's and nobody else may write in it: pickles are code once loaded."""
    try:
        found = folder.stat()
    except OSError:
        return False
    return found.st_uid == os.getuid() and not found.st_mode & 0o022


def load(folder: Path, key: str) -> list[Narrative] | None:
    """The narratives stored under ``key``, or None (also when others could have written the folder)."""
    entry = folder / f"{key}.pickle"
    if not _private(folder):
        return None
    try:
        narratives = pickle.loads(entry.read_bytes())
        os.utime(entry)  # used by this build: kept by ``drop_unused``
        return narratives
    except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError, ImportError):
        return None


def store(folder: Path, key: str, narratives: list[Narrative]) -> None:
    """Keep ``narratives`` under ``key`` (written whole or not at all)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not _private(folder):
        return
    write_atomically(folder / f"{key}.pickle", pickle.dumps(narratives, protocol=pickle.HIGHEST_PROTOCOL), 0o600)


def drop_unused(folder: Path, since: float) -> None:
    """Drop the entries no build has read or written since ``since`` (files no longer indexed)."""
    if folder.is_dir():
        for entry in folder.glob("*.pickle"):
            if entry.stat().st_mtime < since:
                entry.unlink(missing_ok=True)
