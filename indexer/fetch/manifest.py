"""What a fetch saved in one edition folder: ``<folder>/.crawl/manifest.json``.

For each URL (as published on state.gov): the file it was saved to, its validators
(ETag, Last-Modified) for conditional requests, and the SHA-256 of its content. Pages
that only lead to narratives (landing and contents pages) are kept in ``.crawl/pages``,
out of the indexer's way. The indexer reads the manifest to give each saved file its
published URL and edition.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

from indexer.fetch.robots import ROBOTS_BYTES
from indexer.files import write_atomically

CRAWL_DIR = ".crawl"
MANIFEST = "manifest.json"


@dataclass
class Saved:
    """One fetched URL: where it is saved (relative to the edition folder) and its validators."""

    url: str
    file: str
    kind: str  # "narrative", "pdf" or "page"
    etag: str = ""
    last_modified: str = ""
    sha256: str = ""


def inside(folder: Path, file: str) -> bool:
    """Whether ``file`` is a relative path naming something inside ``folder`` (no ``..``, no absolute path)."""
    relative = PurePosixPath(file)
    if not file or relative.is_absolute() or ".." in relative.parts or "\\" in file:
        return False
    return (folder / relative).resolve().is_relative_to(folder.resolve())


class Manifest:
    """The saved URLs of one edition folder (``report``, ``year``), written back after every change."""

    def __init__(self, folder: Path, report: str, year: int) -> None:
        self.folder, self.report, self.year = folder, report, year
        self.path = folder / CRAWL_DIR / MANIFEST
        self.saved: dict[str, Saved] = {}
        for partial in folder.rglob(".*.partial") if folder.is_dir() else []:  # left by a killed fetch
            partial.unlink(missing_ok=True)
        if self.path.exists():
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            # An entry naming a file outside the folder is dropped (and fetched again): the manifest is
            # a file on disk, not to be trusted with paths to overwrite or delete.
            self.saved = {e["url"]: Saved(**e) for e in stored["saved"] if inside(folder, e.get("file", ""))}

    def file_of(self, saved: Saved) -> Path:
        return self.folder / saved.file

    def usable(self, url: str) -> Saved | None:
        """The entry for ``url`` if its file is still on disk."""
        saved = self.saved.get(url)
        return saved if saved and self.file_of(saved).is_file() else None

    def taken(self, file: str, url: str) -> bool:
        """Whether another URL already saved to ``file``."""
        return any(s.file == file and s.url != url for s in self.saved.values())

    def record(self, saved: Saved, data: bytes | None) -> None:
        """Store ``data`` (when given) in the entry's file and save the manifest."""
        if data is not None:
            write_atomically(self.file_of(saved), data)
        self.saved[saved.url] = saved
        entries = sorted((asdict(s) for s in self.saved.values()), key=lambda e: e["url"])
        stored = {"report": self.report, "year": self.year, "saved": entries}
        write_atomically(self.path, json.dumps(stored, indent=1, ensure_ascii=False).encode())


@dataclass(frozen=True)
class Provenance:
    """Where a fetched file comes from: its published URL and the edition it was fetched for."""

    url: str
    report: str
    year: int


@lru_cache(maxsize=256)
def _provenance_by_file(folder: Path, modified: float) -> dict[str, Provenance]:
    stored = json.loads((folder / CRAWL_DIR / MANIFEST).read_text(encoding="utf-8"))
    return {e["file"]: Provenance(e["url"], stored["report"], int(stored["year"])) for e in stored["saved"]}


def provenance(path: Path) -> Provenance | None:
    """The provenance of a fetched file, or None for a file that was not fetched."""
    manifest = path.parent / CRAWL_DIR / MANIFEST
    try:
        return _provenance_by_file(path.parent, manifest.stat().st_mtime).get(path.name)
    except (OSError, ValueError, KeyError, TypeError):
        return None


class StoredRobots:
    """Each site's robots.txt, kept in ``<dest>/.crawl`` so that later runs ask for it conditionally.

    Called with a site's origin, returns the text of its robots.txt (None when it has none);
    ``fetch(origin, etag, last_modified)`` is the client's way of asking for it.
    """

    def __init__(self, dest: Path, fetch: Callable) -> None:
        self.manifest, self.fetch = Manifest(dest, "", 0), fetch

    def __call__(self, origin: str) -> str | None:
        url = f"{origin}/robots.txt"
        known = self.manifest.usable(url)
        answer = self.fetch(origin, known.etag if known else "", known.last_modified if known else "")
        if answer is None:
            return None
        if answer.status == 304 and known:
            with self.manifest.file_of(known).open("rb") as stored:
                return stored.read(ROBOTS_BYTES).decode("utf-8", "replace")
        file = f"{CRAWL_DIR}/robots-{re.sub(r'[^A-Za-z0-9.-]+', '-', origin.split('://', 1)[-1])}.txt"
        digest = hashlib.sha256(answer.body).hexdigest()
        self.manifest.record(Saved(url, file, "robots", answer.etag, answer.last_modified, digest), answer.body)
        return answer.body.decode("utf-8", "replace")
