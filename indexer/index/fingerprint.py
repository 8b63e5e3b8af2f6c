"""What a build was made from: the code and settings, and each file by name, provenance and bytes.

A full build records these in its directory (``INPUTS.json``), with the narratives each
file gave. The next build over the same files with the same code finds the same record and
keeps the current build; one where a few pages changed starts from a copy of the current
build and indexes only those (``indexer.index.writer``). Hashing the whole HRR corpus
(1,552 files) takes well under a second.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from indexer.extract.cache import code_fingerprint
from indexer.fetch.manifest import provenance
from indexer.files import package_digest, write_atomically
from indexer.settings import Settings

INPUTS = "INPUTS.json"  # the file in a build directory that holds its record
_INDEXING_FILES = (
    "index/schema.py",
    "index/analysis.py",
    "index/documents.py",
    "index/acronyms.py",
    "reports/paragraphs.py",
    "data/stopwords.txt",
    "data/spellings.txt",
    "data/common_stems.txt",
    "data/stems.txt",
)
_INDEXING_SETTINGS = ("max_html_bytes", "max_pdf_bytes", "pdf_timeout", "pdf_memory_mb")


@cache
def _indexing_fingerprint() -> bytes:
    return package_digest(_INDEXING_FILES, start=code_fingerprint())


def file_digest(path: Path) -> str:
    """A file's digest: its name, what a fetch knows of it, and its bytes."""
    digest = hashlib.sha256(f"{path}\n{provenance(path)}\n".encode())
    try:
        with path.open("rb") as file:
            digest.update(hashlib.file_digest(file, "sha256").digest())
    except OSError:
        digest.update(b"unreadable")
    return digest.hexdigest()


def code_digest(settings: Settings) -> str:
    """The digest of the code that reads and indexes files, and of the settings that change what is indexed."""
    digest = hashlib.sha256(_indexing_fingerprint())
    digest.update(repr([getattr(settings, name) for name in _INDEXING_SETTINGS]).encode())
    return digest.hexdigest()


@dataclass
class FileRecord:
    """One file of a build: its digest, the narrative ids it gave, and (for a PDF) every id it read."""

    digest: str
    narratives: list[str] = field(default_factory=list)
    read: list[str] = field(default_factory=list)  # a PDF's narratives before those a page has were left out


@dataclass
class Inputs:
    """What a build was made from: the code digest and each file's record, by path."""

    code: str
    files: dict[str, FileRecord]

    def same_as(self, other: Inputs | None) -> bool:
        """Whether ``other`` was made by the same code from the same files."""
        return (
            other is not None
            and other.code == self.code
            and {p: f.digest for p, f in other.files.items()} == {p: f.digest for p, f in self.files.items()}
        )


def inputs_of(files: list[Path], settings: Settings) -> Inputs:
    """The inputs of a build over ``files`` (their narratives not yet known)."""
    return Inputs(code_digest(settings), {str(path): FileRecord(file_digest(path)) for path in files})


def recorded_inputs(build: Path | None) -> Inputs | None:
    """The inputs a build recorded, or None (none recorded, an unreadable record, or no build)."""
    try:
        stored = json.loads((build / INPUTS).read_text(encoding="utf-8")) if build else None
        return Inputs(stored["code"], {p: FileRecord(**f) for p, f in stored["files"].items()}) if stored else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record_inputs(build: Path, inputs: Inputs) -> None:
    """Record in ``build`` what it was made from."""
    stored = {"code": inputs.code, "files": {p: f.__dict__ for p, f in sorted(inputs.files.items())}}
    write_atomically(build / INPUTS, json.dumps(stored, indent=0).encode())
