"""Which files changed since a build was made, and whether a new build can start from a copy of it.

A copy of the current build, with the narratives of changed and removed pages deleted and
the changed pages indexed again, is the build a full rebuild would make, as long as the
code and settings are the same and no PDF changed (a whole-report PDF repeats the pages'
narratives). Deleted documents stay in a copy's segments and in its term statistics until a
full build, so a copy is used only while its segments stay few and its deleted documents
stay under ``Settings.rebuild_share`` of all; otherwise the caller makes a full build.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.extract.files import is_pdf
from indexer.index.fingerprint import FileRecord, Inputs
from indexer.settings import Settings

MAX_SEGMENTS = 12  # a copy with more segments than this is rebuilt whole: searches read every segment


@dataclass
class Changes:
    """What a build of some files needs beyond a copy of the current one."""

    changed: list[Path]  # files new or changed since: to index
    stale: set[str]  # narratives of the files changed or removed: to delete
    kept: dict[str, FileRecord]  # the records of the files that stay as they were


def changes_since(
    current: Path, previous: Inputs | None, inputs: Inputs | None, files: list[Path], settings: Settings
) -> Changes | None:
    """The changes that turn a copy of ``current`` (made from ``previous``) into a build of ``files``;
    None when a full build is needed."""
    if previous is None or inputs is None or previous.code != inputs.code:
        return None
    changed = [path for path in files if _digest(previous, str(path)) != inputs.files[str(path)].digest]
    removed = [path for path in previous.files if path not in inputs.files]
    touched = [str(path) for path in changed] + removed
    if not touched or any(is_pdf(Path(path)) for path in touched):
        return None
    stale = {n for path in touched if path in previous.files for n in previous.files[path].narratives}
    narratives = sum(len(record.narratives) for record in previous.files.values())
    if _too_worn(current, len(stale) / max(1, narratives), settings.rebuild_share):
        return None
    kept = {path: record for path, record in previous.files.items() if path not in touched}
    return Changes(changed, stale, kept)


def _digest(inputs: Inputs, path: str) -> str:
    record = inputs.files.get(path)
    return record.digest if record else ""


def _too_worn(build: Path, stale_share: float, rebuild_share: float) -> bool:
    """Whether a copy of ``build`` with ``stale_share`` of its narratives deleted has too many segments or deletions."""
    ix = whoosh_index.open_dir(str(build))
    everything, live = ix.doc_count_all(), ix.doc_count()
    deleted = everything - live + live * stale_share
    return len(ix._segments()) > MAX_SEGMENTS or deleted > rebuild_share * everything
