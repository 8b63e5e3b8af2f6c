"""Build the index from files and folders: extract in worker processes, write with Whoosh.

One file that cannot be read or parsed is reported and skipped; the rest are indexed.
Every build is written in a new build directory and published by an atomic swap of the
index's ``current`` link (``indexer/builds.py``), so searches never see a half-built index;
``add=True`` starts the new build from a copy of the current one.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from whoosh import index as whoosh_index

from indexer import settings
from indexer.errors import ExtractionError
from indexer.extract import cache as extract_cache
from indexer.extract.html import extract_html
from indexer.extract.isolated import run_isolated
from indexer.extract.pdf import assemble_pdf, read_pdf_part
from indexer.fetch.manifest import provenance
from indexer.index.acronyms import find_acronyms
from indexer.index.fingerprint import INPUTS, inputs_digest, record_digest, recorded_digest
from indexer.index.home import build_dir, clean_incomplete, current_build, new_build_id, publish, searched_dir
from indexer.index.schema import make_schema
from indexer.reports.countries import lookup
from indexer.reports.narratives import Narrative, build_narratives
from indexer.reports.paragraphs import BOILERPLATE_WEIGHT, is_boilerplate, paragraphs

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
PDF_SUFFIXES = (".pdf",)


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


def is_indexable(path: Path) -> bool:
    """True for the file kinds the indexer reads (HTML, gzipped HTML, PDF)."""
    name = path.name.lower()
    return name.endswith(HTML_SUFFIXES + PDF_SUFFIXES)


def cache_dir(index_dir: Path) -> Path:
    """Where the extraction cache of an index lives: ``<index>.cache`` beside it."""
    return index_dir.with_name(index_dir.name + ".cache")


def is_pdf(path: Path) -> bool:
    return path.name.lower().endswith(PDF_SUFFIXES)


def find_files(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Indexable files under the given files and folders, and the paths that are not.

    Hidden files and folders (such as a fetch's ``.crawl``) are passed over.
    """
    found, problems = [], []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and is_indexable(p)
                                and not any(part.startswith(".") for part in p.relative_to(path).parts)))
        elif path.is_file() and is_indexable(path):
            found.append(path)
        elif path.exists():
            problems.append((str(path), "not an HTML or PDF file"))
        else:
            problems.append((str(path), "no such file or folder"))
    return found, problems


def extract_file(path: Path, cache_dir: Path | None = None) -> list[Narrative]:
    """Read one file and return its narratives; raises ExtractionError naming the file.

    With ``cache_dir``, a file parsed before (same bytes, name, provenance and parsing code)
    is not parsed again.
    """
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractionError(f"{name}: cannot read ({exc.strerror})") from exc
    if not data:
        raise ExtractionError(f"{name}: empty file")
    fetched = provenance(path)
    key = extract_cache.cache_key(data, f"{name}\n{fetched}")
    cached = extract_cache.load(cache_dir, key) if cache_dir else None
    if cached is not None:
        return cached
    narratives = _parse(path, data, fetched)
    if cache_dir:
        extract_cache.store(cache_dir, key, narratives)
    return narratives


def _parse(path: Path, data: bytes, fetched) -> list[Narrative]:
    name = str(path)
    if is_pdf(path):
        if len(data) > settings.get("max_pdf_bytes"):
            raise ExtractionError(f"{name}: PDF larger than {settings.get('max_pdf_bytes')} bytes")
        extracted = _extract_pdf_isolated(name, data)
    else:
        extracted = extract_html(data, name, settings.get("max_html_bytes"))
    extracted.url = fetched.url if fetched else extracted.url  # where it was fetched from, over what it says
    edition = (fetched.report, fetched.year) if fetched else None
    return build_narratives(extracted, name, hashlib.sha256(data).hexdigest(), edition)


def _extract_pdf_isolated(name: str, data: bytes):
    """A PDF's pages laid out in ``pdf_procs`` child processes at once, each timed and capped apart."""
    parts = max(1, int(settings.get("pdf_procs")))
    timeout, memory = float(settings.get("pdf_timeout")), int(settings.get("pdf_memory_mb"))
    with ThreadPoolExecutor(parts) as pool:
        read = pool.map(lambda part: run_isolated(name, read_pdf_part, (data, name, part, parts), timeout, memory),
                        range(parts))
        return assemble_pdf(name, list(read))


def _extract_safely(path: Path, cache_dir: Path | None = None) -> tuple[str, list[Narrative] | None, str]:
    try:
        return str(path), extract_file(path, cache_dir), ""
    except ExtractionError as exc:
        return str(path), None, str(exc)
    except Exception as exc:  # a parser bug on one file must not stop the build
        return str(path), None, f"{path}: {type(exc).__name__}: {exc}"


def extract_all(files: list[Path], procs: int,
                cache_dir: Path | None = None) -> Iterator[tuple[str, list[Narrative] | None, str]]:
    """Extract files in ``procs`` worker processes, yielding (path, narratives or None, error)."""
    extract = partial(_extract_safely, cache_dir=cache_dir)
    if procs <= 1 or len(files) < 4:
        yield from map(extract, files)
        return
    with ProcessPoolExecutor(max_workers=procs) as pool:
        yield from pool.map(extract, files, chunksize=4)


def documents(narrative: Narrative) -> Iterator[dict]:
    """The Whoosh documents of one narrative: the narrative's own, then each section's and its paragraphs'."""
    country = lookup(narrative.iso3) if narrative.iso3 else None
    place = " ".join([narrative.country, *(country.aliases if country else ()), narrative.region])
    shared = {"narrative": narrative.id, "report": narrative.report, "year": narrative.year or 0,
              "iso3": narrative.iso3, "country": narrative.country, "region": narrative.region,
              "tier": narrative.tier, "tier_label": narrative.tier_label, "title": narrative.title,
              "place": place, "source": narrative.source, "content_hash": narrative.content_hash}
    yield {**shared, "id": narrative.id, "kind": "narrative",
           "section": " ".join(sorted({k for s in narrative.sections for k in s.keys})),
           "section_headings": {s.keys[-1]: s.heading for s in reversed(narrative.sections) if s.keys},
           "acronyms": {a: words for s in narrative.sections for a, words in find_acronyms(s.text).items()},
           "fulltext": "\n\n".join(f"{s.heading}\n\n{s.text}" for s in narrative.sections)}
    for position, section in enumerate(narrative.sections):
        yield {**shared, "id": f"{narrative.id}/{position}", "kind": "section",
               "section": " ".join(section.keys), "position": position, "heading": section.heading,
               "body": section.text, "exact": section.text, "body_pairs": section.text,
               "heading_pairs": section.heading, "pages": section.pages}
        filters = {name: shared[name] for name in ("narrative", "report", "year", "iso3", "region", "tier")}
        for number, paragraph in enumerate(paragraphs(section.text)):
            if paragraph.strip():
                passage = f"{section.heading}\n\n{paragraph}" if number == 0 else paragraph  # a heading opens its text
                weight = {"_boost": BOILERPLATE_WEIGHT} if is_boilerplate(paragraph) else {}
                yield {**filters, "id": f"{narrative.id}/{position}/{number}", "kind": "paragraph",
                       "section": " ".join(section.keys), "position": position, "passage": passage,
                       "passage_exact": passage, **weight}


def _unique_ids(narratives: list[Narrative], seen: set[str], from_pdf: bool) -> list[Narrative]:
    """The narratives to index, each with an id not yet taken in this build.

    A country narrative from a PDF whose id a page already gave is left out: the whole-report
    PDF repeats the edition's country pages. Other repeats get a numbered id.
    """
    kept = []
    for narrative in narratives:
        if from_pdf and narrative.iso3 and narrative.id in seen:
            continue
        base, n = narrative.id, 2
        while narrative.id in seen:
            narrative.id, n = f"{base}-{n}", n + 1
        seen.add(narrative.id)
        kept.append(narrative)
    return kept


def build_index(paths: list[Path], index_dir: Path, add: bool = False, force: bool = False,
                progress: Callable[[Iterable, int], Iterable] = lambda items, total: items,
                on_failure: Callable[[str, str], None] = lambda path, reason: None,
                validate: Callable[[Path], list[str]] = lambda build: []) -> BuildReport:
    """Index the files under ``paths`` into ``index_dir``.

    A full build replaces the index when it is complete; ``add=True`` adds to (and
    replaces narratives with the same id in) the existing index instead. A full build over the
    files and code the current build was made from keeps that build (``unchanged``) unless
    ``force`` is given. ``progress``
    wraps the stream of extracted files (with their count); ``on_failure`` hears of each
    file that fails; ``validate`` is asked about the finished build and publishing waits for
    it to find nothing wrong.
    """
    started, started_at = time.perf_counter(), time.time()
    report = BuildReport()
    files, problems = find_files(paths)
    for path, reason in problems:
        report.failures.append((path, reason))
        on_failure(path, f"{path}: {reason}")
    files.sort(key=is_pdf)  # pages first: a narrative both on a page and in a PDF is taken from the page
    report.files = len(files)
    digest = "" if add else inputs_digest(files)
    current = current_build(index_dir)
    if digest and not force and recorded_digest(current) == digest:
        report.build_id, report.unchanged = current.name, True
        report.seconds = time.perf_counter() - started
        return report
    clean_incomplete(index_dir)
    report.build_id = new_build_id()
    target = build_dir(index_dir, report.build_id)
    previous = searched_dir(index_dir)
    if add and whoosh_index.exists_in(str(previous)):
        shutil.copytree(previous, target)
        (target / INPUTS).unlink(missing_ok=True)  # an added-to build is not the product of one set of files
        ix = whoosh_index.open_dir(str(target))
    else:
        target.mkdir(parents=True)
        ix = whoosh_index.create_in(str(target), make_schema())
    procs = int(settings.get("index_procs"))
    # Separate files per segment: Whoosh reads a compound segment file by copying its parts into
    # memory, which costs each open searcher about as much memory as the index holds on disk.
    writer = ix.writer(procs=procs, limitmb=int(settings.get("index_memory_mb")), multisegment=procs > 1,
                       compound=False)
    seen: set[str] = set()
    try:
        for path, narratives, error in progress(extract_all(files, procs, cache_dir(index_dir)), len(files)):
            if narratives is None:
                report.failures.append((path, error))
                on_failure(path, error)
                continue
            kept = _unique_ids(narratives, seen, is_pdf(Path(path)))
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
            record_digest(target, digest)
    except BaseException:
        with contextlib.suppress(Exception):  # cancelling fails for what failed the build (a full disk)
            writer.cancel()
        shutil.rmtree(target, ignore_errors=True)
        raise
    report.rejected = validate(target) if report.narratives else []
    if report.narratives and not report.rejected:
        publish(index_dir, report.build_id)
        if not add:
            extract_cache.drop_unused(cache_dir(index_dir), since=started_at)
    else:
        shutil.rmtree(target, ignore_errors=True)
        report.build_id = ""
    report.seconds = time.perf_counter() - started
    return report
