"""Reading report files into narratives: which files, one file at a time, many in worker processes.

One file that cannot be read or parsed gives an ``ExtractionError`` naming it; ``extract_all``
reports it and goes on with the rest. A PDF is read in child processes, bounded in time and
memory (``indexer.extract.isolated``), from its bytes to its blocks.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from pathlib import Path

from indexer.errors import ExtractionError
from indexer.extract import cache as extract_cache
from indexer.extract.html import extract_html
from indexer.extract.isolated import run_isolated
from indexer.extract.pdf import assemble_pdf, read_pdf_part
from indexer.fetch.manifest import CRAWL_DIR, provenance
from indexer.reports.narratives import Narrative, build_narratives
from indexer.settings import Settings

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
PDF_SUFFIXES = (".pdf",)


def is_indexable(path: Path) -> bool:
    """True for the file kinds the indexer reads (HTML, gzipped HTML, PDF)."""
    name = path.name.lower()
    return name.endswith(HTML_SUFFIXES + PDF_SUFFIXES)


def is_pdf(path: Path) -> bool:
    """True for a PDF file name."""
    return path.name.lower().endswith(PDF_SUFFIXES)


def find_files(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Indexable files under the given files and folders, and the paths that are not.

    Hidden files and folders are passed over: a fetch's own ``.crawl`` without a word, any other
    with one (a problem naming it).
    """
    found, problems = [], []
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file() and is_indexable(p)):
                hidden = [part for part in file.relative_to(path).parts if part.startswith(".")]
                if not hidden:
                    found.append(file)
                elif hidden[0] != CRAWL_DIR:
                    problems.append((str(file), "hidden (a name starting with a dot), not indexed"))
        elif path.is_file() and is_indexable(path):
            found.append(path)
        elif path.exists():
            problems.append((str(path), "not an HTML or PDF file"))
        else:
            problems.append((str(path), "no such file or folder"))
    return found, problems


def extract_file(path: Path, settings: Settings, cache_dir: Path | None = None) -> list[Narrative]:
    """Read one file and return its narratives; raises ExtractionError naming the file.

    ``settings`` bound the file's size and a PDF's time and memory. With ``cache_dir``, a file
    parsed before (same bytes, name, provenance and parsing code) is not parsed again.
    """
    name = str(path)
    kind, limit = ("PDF", settings.max_pdf_bytes) if is_pdf(path) else ("page", settings.max_html_bytes)
    try:
        with path.open("rb") as file:
            data = file.read(limit + 1)  # no more than a file may hold is read (compressed, a page holds less)
    except OSError as exc:
        raise ExtractionError(f"{name}: cannot read ({exc.strerror})") from exc
    if not data:
        raise ExtractionError(f"{name}: empty file")
    if len(data) > limit:
        raise ExtractionError(f"{name}: {kind} larger than {limit} bytes")
    fetched = provenance(path)
    key = extract_cache.cache_key(data, f"{name}\n{fetched}")
    cached = extract_cache.load(cache_dir, key) if cache_dir else None
    if cached is not None:
        return cached
    narratives = _parse(path, data, fetched, settings)
    if cache_dir:
        with contextlib.suppress(OSError):  # a full disk: the file is parsed again next time, nothing else lost
            extract_cache.store(cache_dir, key, narratives)
    return narratives


def _parse(path: Path, data: bytes, fetched, settings: Settings) -> list[Narrative]:
    name = str(path)
    if is_pdf(path):
        extracted = _extract_pdf_isolated(name, data, settings)
    else:
        extracted = extract_html(data, name, settings.max_html_bytes)
    extracted.url = fetched.url if fetched else extracted.url  # where it was fetched from, over what it says
    edition = (fetched.report, fetched.year) if fetched else None
    return build_narratives(extracted, name, hashlib.sha256(data).hexdigest(), edition)


def _extract_pdf_isolated(name: str, data: bytes, settings: Settings):
    """A PDF's pages laid out in ``pdf_procs`` child processes at once, then put together in one more: every step
    of the PDF in a child, all within one ``pdf_timeout`` and each under the memory cap."""
    parts = max(1, settings.pdf_procs)
    started = time.monotonic()

    def isolated(function, args: tuple):
        return run_isolated(name, function, args, settings.pdf_timeout, settings.pdf_memory_mb, started)

    with ThreadPoolExecutor(parts) as pool:
        read = list(pool.map(lambda part: isolated(read_pdf_part, (data, name, part, parts)), range(parts)))
    return isolated(assemble_pdf, (name, read))


def _extract_safely(path: Path, settings: Settings, cache_dir: Path | None) -> tuple[str, list[Narrative] | None, str]:
    try:
        return str(path), extract_file(path, settings, cache_dir), ""
    except ExtractionError as exc:
        return str(path), None, str(exc)
    except Exception as exc:  # a parser bug on one file must not stop the build
        return str(path), None, f"{path}: {type(exc).__name__}: {exc}"


def extract_all(
    files: list[Path], settings: Settings, cache_dir: Path | None = None
) -> Iterator[tuple[str, list[Narrative] | None, str]]:
    """Extract files in ``index_procs`` worker processes, yielding (path, narratives or None, error)."""
    extract = partial(_extract_safely, settings=settings, cache_dir=cache_dir)
    procs = settings.index_procs
    if procs <= 1 or len(files) < 4:
        yield from map(extract, files)
        return
    with ProcessPoolExecutor(max_workers=procs) as pool:
        yield from pool.map(extract, files, chunksize=4)
