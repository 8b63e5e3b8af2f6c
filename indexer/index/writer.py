"""Writing a build: the narratives of the given files into a new Whoosh index, published whole.

Every build is written in a new build directory of the index home and published by an
atomic swap of its ``current`` link (``indexer.index.home``), so searches never see a
half-built index; ``add=True`` starts the new build from a copy of the current one. One file
that cannot be read or parsed is reported and skipped; the rest are indexed.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from indexer.extract import cache as extract_cache
from indexer.extract.files import extract_all, find_files, is_pdf
from indexer.index.documents import documents, unique_ids
from indexer.index.fingerprint import INPUTS, inputs_digest, record_digest, recorded_digest
from indexer.index.home import IndexHome
from indexer.index.schema import make_schema
from indexer.settings import Settings


@dataclass
class BuildReport:
    """What a build did: counts, failures (path, reason) and elapsed seconds."""

    files: int = 0
    narratives: int = 0
    sections: int = 0
    repeated: int = 0  # PDF narratives left out because a page of the same edition has them
    build_id: str = ""  # the build published, "" when none was
    unchanged: bool = False  # the files and code are those of the current build, which stays current
    rejected: list[str] = field(default_factory=list)  # why validation kept the build from being published
    failures: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


def build_index(
    paths: list[Path],
    home: IndexHome,
    settings: Settings,
    add: bool = False,
    force: bool = False,
    progress: Callable[[Iterable, int], Iterable] = lambda items, total: items,
    on_failure: Callable[[str, str], None] = lambda path, reason: None,
    validate: Callable[[Path], list[str]] = lambda build: [],
) -> BuildReport:
    """Index the files under ``paths`` into a new build of ``home`` and publish it.

    A full build replaces the current one; ``add=True`` adds to (and replaces narratives with
    the same id in) a copy of it instead. A full build over the files and code the current
    build was made from keeps that build (``unchanged``) unless ``force`` is given. ``progress``
    wraps the stream of extracted files (with their count); ``on_failure`` hears of each file
    that fails; ``validate`` is asked about the finished build, which is published only when
    it finds nothing wrong. The caller holds the home's lock.
    """
    started, started_at = time.perf_counter(), time.time()
    report = BuildReport()
    files, problems = find_files(paths)
    for path, reason in problems:
        _failed(report, on_failure, path, f"{path}: {reason}")
    files.sort(key=is_pdf)  # pages first: a narrative both on a page and in a PDF is taken from the page
    report.files = len(files)
    digest = "" if add else inputs_digest(files, settings)
    current = home.current()
    if current and digest and not force and recorded_digest(current) == digest:
        report.build_id, report.unchanged = current.name, True
    else:
        build = home.new_build()
        report.build_id = build.name
        _write(
            _start(build, home.searched() if add else None),
            files,
            home,
            settings,
            add,
            report,
            progress,
            on_failure,
            digest,
        )
        _publish(build, home, report, validate, cache_since=None if add else started_at)
    report.seconds = time.perf_counter() - started
    return report


def _failed(report: BuildReport, on_failure: Callable[[str, str], None], path: str, reason: str) -> None:
    report.failures.append((path, reason))
    on_failure(path, reason)


def _start(build: Path, copy_of: Path | None) -> Index:
    """A new index in ``build``: a copy of the index in ``copy_of`` when there is one, else empty."""
    if copy_of and whoosh_index.exists_in(str(copy_of)):
        shutil.copytree(copy_of, build)
        (build / INPUTS).unlink(missing_ok=True)  # an added-to build is not the product of one set of files
        return whoosh_index.open_dir(str(build))
    build.mkdir(parents=True)
    return whoosh_index.create_in(str(build), make_schema())


def _write(
    ix: Index,
    files: list[Path],
    home: IndexHome,
    settings: Settings,
    add: bool,
    report: BuildReport,
    progress: Callable[[Iterable, int], Iterable],
    on_failure: Callable[[str, str], None],
    digest: str,
) -> None:
    """Extract ``files`` and write their narratives into ``ix``; a build that fails is removed whole."""
    procs = settings.index_procs
    # Separate files per segment: Whoosh reads a compound segment file by copying its parts into
    # memory, which costs each open searcher about as much memory as the index holds on disk.
    writer = ix.writer(procs=procs, limitmb=settings.index_memory_mb, multisegment=procs > 1, compound=False)
    seen: set[str] = set()
    try:
        for path, narratives, error in progress(extract_all(files, settings, home.cache), len(files)):
            if narratives is None:
                _failed(report, on_failure, path, error)
                continue
            kept = unique_ids(narratives, seen, is_pdf(Path(path)))
            report.repeated += len(narratives) - len(kept)
            for narrative in kept:
                if add:
                    writer.delete_by_term("narrative", narrative.id)
                for document in documents(narrative):
                    writer.add_document(**document)
                report.sections += len(narrative.sections)
                report.narratives += 1
        writer.commit()
        if digest:
            record_digest(Path(ix.storage.folder), digest)
    except BaseException:
        with contextlib.suppress(Exception):  # cancelling fails for what failed the build (a full disk)
            writer.cancel()
        shutil.rmtree(ix.storage.folder, ignore_errors=True)
        raise


def _publish(
    build: Path, home: IndexHome, report: BuildReport, validate: Callable[[Path], list[str]], cache_since: float | None
) -> None:
    """Publish ``build`` when it holds narratives and ``validate`` finds nothing wrong; else remove it.

    After a full build (``cache_since``), cache entries it did not use are dropped.
    """
    report.rejected = validate(build) if report.narratives else []
    if report.narratives and not report.rejected:
        home.publish(build)
        if cache_since is not None:
            extract_cache.drop_unused(home.cache, since=cache_since)
    else:
        shutil.rmtree(build, ignore_errors=True)
        report.build_id = ""
