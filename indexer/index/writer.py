"""Writing a build: the narratives of the given files into a new Whoosh index, published whole.

Every build is written in a new build directory of the index home and published by an
atomic swap of its ``current`` link (``indexer.index.home``), so searches never see a
half-built index; ``add=True`` starts the new build from a copy of the current one. One file
that cannot be read or parsed is reported and skipped; the rest are indexed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from indexer.extract import cache as extract_cache
from indexer.extract.files import extract_all, find_files, is_pdf
from indexer.index.changes import changes_since
from indexer.index.documents import documents, unique_ids
from indexer.index.fingerprint import INPUTS, FileRecord, Inputs, inputs_of, record_inputs, recorded_inputs
from indexer.index.home import COMPLETE, IndexHome
from indexer.index.schema import make_schema
from indexer.index.updates import UPDATED, record_updates
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
    capped: list[tuple[str, str]] = field(default_factory=list)  # (path, what of a narrative was read otherwise)
    seconds: float = 0.0
    incremental: bool = False  # started from a copy of the current build, indexing only the files that changed
    reused: int = 0  # narratives an incremental build kept from the current one
    indexed_files: int = 0  # the files read: all of them, or those an incremental build found changed


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
    the same id in) a copy of it instead. A build over the files and code the current build
    was made from keeps that build (``unchanged``) unless ``force`` is given; one where only
    some pages changed starts from a copy of the current build and indexes those pages alone
    (``incremental``). ``progress`` wraps the stream of extracted files (with their count);
    ``on_failure`` hears of each file that fails; ``validate`` is asked about the finished
    build, which is published only when it finds nothing wrong. The caller holds the home's lock.
    """
    started, started_at = time.perf_counter(), time.time()
    report = BuildReport()
    files, problems = find_files(paths)
    for path, reason in problems:
        _failed(report, on_failure, path, f"{path}: {reason}")
    files.sort(key=is_pdf)  # pages first: a narrative both on a page and in a PDF is taken from the page
    report.files = len(files)
    unreadable = list(report.failures)
    inputs = None if add else inputs_of(files, settings)
    current = home.current()
    previous = recorded_inputs(current)
    if inputs and not force and inputs.same_as(previous):
        report.build_id, report.unchanged = current.name if current else "", True
    else:
        changes = None if add or force or not current else changes_since(current, previous, inputs, files, settings)
        plan = _Plan(files, home.searched() if add else None, replace=add)
        if changes:
            plan = _Plan(changes.changed, current, stale=changes.stale, kept=changes.kept)
        build = _write(plan, inputs, home, settings, report, progress, on_failure)
        if build is None:  # the changed pages could not be applied alone
            report = BuildReport(files=len(files), failures=unreadable)
            build = _write(_Plan(files), inputs, home, settings, report, progress, on_failure)
        if build:
            _publish(build, home, report, validate, cache_since=None if add or report.incremental else started_at)
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class _Plan:
    """What one build writes: ``files`` indexed into a copy of ``start_from`` (or into an empty index)."""

    files: list[Path]
    start_from: Path | None = None
    replace: bool = False  # a narrative replaces the one with its id (``add``)
    stale: set[str] = field(default_factory=set)  # narratives of files changed or removed, deleted first
    kept: dict[str, FileRecord] = field(default_factory=dict)  # the files that stay, for an incremental build


class _NeedsFullBuild(Exception):
    """The changed pages cannot be applied to a copy of the current build alone."""


def _failed(report: BuildReport, on_failure: Callable[[str, str], None], path: str, reason: str) -> None:
    report.failures.append((path, reason))
    on_failure(path, reason)


def _start(build: Path, copy_of: Path | None) -> Index:
    """A new index in ``build``: a copy of the index in ``copy_of`` when there is one, else empty.

    The copy hard-links the segment files, which Whoosh never writes again; a build's own
    markers (its record, ``COMPLETE``, the write lock) are left out.
    """
    if copy_of and whoosh_index.exists_in(str(copy_of)):
        own_files = shutil.ignore_patterns(INPUTS, UPDATED, COMPLETE, "*_WRITELOCK")
        shutil.copytree(copy_of, build, copy_function=os.link, ignore=own_files)
        return whoosh_index.open_dir(str(build))
    build.mkdir(parents=True)
    return whoosh_index.create_in(str(build), make_schema())


def _write(
    plan: _Plan,
    inputs: Inputs | None,
    home: IndexHome,
    settings: Settings,
    report: BuildReport,
    progress: Callable[[Iterable, int], Iterable],
    on_failure: Callable[[str, str], None],
) -> Path | None:
    """Extract the plan's files and write their narratives into a new build of ``home``; return it.

    A build that fails is removed whole; None when an incremental plan needs a full build.
    """
    build = home.new_build()
    report.build_id, report.incremental = build.name, bool(plan.kept or plan.stale)
    report.indexed_files = len(plan.files)
    ix = _start(build, plan.start_from)
    procs = 1 if plan.start_from else settings.index_procs
    # Separate files per segment: Whoosh reads a compound segment file by copying its parts into
    # memory, which costs each open searcher about as much memory as the index holds on disk.
    writer = ix.writer(procs=procs, limitmb=settings.index_memory_mb, multisegment=procs > 1, compound=False)
    staying = {n for record in plan.kept.values() for n in record.narratives}
    seen, records = set(staying), dict(plan.kept)
    try:
        for narrative_id in plan.stale:
            writer.delete_by_term("narrative", narrative_id)
        for path, narratives, error in progress(extract_all(plan.files, settings, home.cache), len(plan.files)):
            if narratives is None:
                _failed(report, on_failure, path, error)
                continue
            read = [n.id for n in narratives] if is_pdf(Path(path)) else []
            if plan.kept and staying & {n.id for n in narratives}:
                raise _NeedsFullBuild  # a page now gives a narrative another page gives
            kept = unique_ids(narratives, seen, is_pdf(Path(path)))
            report.repeated += len(narratives) - len(kept)
            report.capped += [(path, f"{n.id}: {note}") for n in kept for note in n.capped]
            records[path] = FileRecord(inputs.files[path].digest if inputs else "", [n.id for n in kept], read)
            _add(writer, kept, plan.replace, report)
        _check_pdf_repeats(plan, records)
        writer.commit()
        report.reused = len(staying)
        if inputs:
            record_inputs(build, Inputs(inputs.code, records))
    except BaseException as failure:
        with contextlib.suppress(Exception):  # cancelling fails for what failed the build (a full disk)
            writer.cancel()
        shutil.rmtree(build, ignore_errors=True)
        if isinstance(failure, _NeedsFullBuild):
            return None
        if isinstance(failure, OSError) and not failure.filename:  # written through a file object: say where
            raise OSError(failure.errno, failure.strerror or str(failure), str(build)) from failure
        raise
    return build


def _add(writer, narratives: list, replace: bool, report: BuildReport) -> None:
    """Add the documents of ``narratives`` (each replacing the one with its id when ``replace``), counted."""
    for narrative in narratives:
        if replace:
            writer.delete_by_term("narrative", narrative.id)
        for document in documents(narrative):
            writer.add_document(**document)
        report.sections += len(narrative.sections)
        report.narratives += 1


def _check_pdf_repeats(plan: _Plan, records: dict[str, FileRecord]) -> None:
    """An incremental build must leave out the same PDF narratives a full one would: those a page gives."""
    if not plan.kept:
        return
    read_in_pdfs = {n for record in records.values() for n in record.read}
    given_before = {n for n in plan.stale if n in read_in_pdfs}
    given_now = {n for path in map(str, plan.files) if path in records for n in records[path].narratives}
    if given_before != given_now & read_in_pdfs:
        raise _NeedsFullBuild


def _publish(
    build: Path, home: IndexHome, report: BuildReport, validate: Callable[[Path], list[str]], cache_since: float | None
) -> None:
    """Publish ``build`` when it holds narratives and ``validate`` finds nothing wrong; else remove it.

    After a full build (``cache_since``), cache entries it did not use are dropped; an
    incremental build used only those of the changed files, so it drops none.
    """
    holds = report.narratives + report.reused
    report.rejected = validate(build) if holds else []
    if holds and not report.rejected:
        record_updates(build, home.current(), time.time())
        home.publish(build)
        if cache_since is not None:
            extract_cache.drop_unused(home.cache, since=cache_since)
    else:
        shutil.rmtree(build, ignore_errors=True)
        report.build_id = ""
