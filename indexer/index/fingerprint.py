"""What a build was made from: one digest of its files, what a fetch knows of them, and the code.

A full build records the digest in its directory; the next full build over the same files
with the same code finds the same digest and keeps the current build instead of making a
new one. Hashing the whole HRR corpus (1,552 files) takes well under a second.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from indexer.extract.cache import code_fingerprint
from indexer.fetch.manifest import provenance
from indexer.files import package_digest
from indexer.settings import Settings

INPUTS = "INPUTS"  # the file in a build directory that holds the digest
_INDEXING_FILES = (
    "index/schema.py",
    "index/analysis.py",
    "index/documents.py",
    "index/acronyms.py",
    "reports/paragraphs.py",
    "data/stopwords.txt",
    "data/spellings.txt",
)
_INDEXING_SETTINGS = ("max_html_bytes", "max_pdf_bytes", "pdf_timeout", "pdf_memory_mb")


@cache
def _indexing_fingerprint() -> bytes:
    return package_digest(_INDEXING_FILES, start=code_fingerprint())


def inputs_digest(files: list[Path], settings: Settings) -> str:
    """The digest of a full build over ``files``: their names, bytes and provenance, the code, the settings."""
    digest = hashlib.sha256(_indexing_fingerprint())
    digest.update(repr([getattr(settings, name) for name in _INDEXING_SETTINGS]).encode())
    for path in sorted(files):
        digest.update(f"{path}\n{provenance(path)}\n".encode())
        try:
            with path.open("rb") as file:
                digest.update(hashlib.file_digest(file, "sha256").digest())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


def recorded_digest(build: Path | None) -> str:
    """The inputs digest a build recorded, or "" (none recorded, or no build)."""
    try:
        return (build / INPUTS).read_text(encoding="utf-8").strip() if build else ""
    except OSError:
        return ""


def record_digest(build: Path, digest: str) -> None:
    """Record in ``build`` the digest of the inputs it was made from."""
    (build / INPUTS).write_text(digest + "\n", encoding="utf-8")
