"""When each narrative of a build last changed: ``UPDATED.json`` in the build's directory.

A build records, for each narrative, a digest of its text (``text_digest``, stored in the
narrative's document) and when a build first held that text: a narrative whose text is the same
as in the build before keeps that build's time. The feeds of a search (``/search.atom``) date
their entries by it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.files import write_atomically
from indexer.reports.narratives import Narrative

UPDATED = "UPDATED.json"


def text_digest(narrative: Narrative) -> str:
    """A digest of what a reader sees of a narrative: its title, tier and sections."""
    digest = hashlib.sha256()
    for part in (narrative.title, narrative.tier, *(f"{s.heading}\n{s.text}" for s in narrative.sections)):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()[:20]


def record_updates(build: Path, previous: Path | None, now: float) -> None:
    """Write ``build``'s record: each narrative's text digest and when it last changed, ``previous`` being the
    build published before it (its record gives the times of the narratives that did not change)."""
    before = read_updates(previous) if previous else {}
    with whoosh_index.open_dir(str(build)).searcher() as searcher:
        digests = {f["narrative"]: f["text_digest"] for f in searcher.documents(kind="narrative")}
    stamp = datetime.datetime.fromtimestamp(now, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    record = {n: [d, before[n][1] if before.get(n, ("",))[0] == d else stamp] for n, d in sorted(digests.items())}
    write_atomically(build / UPDATED, json.dumps(record, indent=0).encode())


def read_updates(build: Path) -> dict[str, tuple[str, str]]:
    """Narrative id -> (text digest, when its text last changed, as ``2026-12-04T05:00:00Z``); empty for a
    build without a record."""
    try:
        stored = json.loads((build / UPDATED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {narrative: (digest, when) for narrative, (digest, when) in stored.items()}
