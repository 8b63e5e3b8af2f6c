"""Fetch one report edition: from its landing page to its narrative pages and PDFs.

The crawl starts at the edition's landing page (from the catalog), follows links within
the edition up to three pages deep, and keeps a page as a narrative page when it holds a
country narrative (the indexer's own parser decides). PDFs linked from the landing page
or a contents page (the whole report; not the per-country PDFs narrative pages link to)
are saved too. Every URL is asked for conditionally once it has been
saved, so a second run downloads only what changed.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from indexer.errors import ExtractionError
from indexer.extract.html import extract_html
from indexer.fetch.client import Answer, FetchError, PoliteClient
from indexer.fetch.manifest import CRAWL_DIR, Manifest, Saved
from indexer.reports.catalog import CatalogEntry
from indexer.reports.narratives import build_narratives, is_country_narrative
from indexer.urls import endpoint, resolve, web_url

MAX_DEPTH = 3  # landing page -> contents -> region -> narrative page
MOST_URLS = 5_000  # pages and PDFs of one edition asked for (a real edition has about 250)
LONGEST_NAME = 100  # characters of a saved file name before its suffix
_PAGE_SUFFIXES = ("", ".htm", ".html", ".shtml", ".php", ".aspx")


@dataclass
class FetchReport:
    """What fetching one edition did, counted by URL."""

    report: str
    year: int
    folder: Path
    landing: str = ""  # the landing page's URL as read, "" when none was found
    site_failed: bool = False  # the landing page was not simply missing: the site failed to answer
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (URL, reason): robots.txt
    failures: list[tuple[str, str]] = field(default_factory=list)  # (URL, reason)
    narrative_files: int = 0
    pdf_files: int = 0
    requests: int = 0  # HTTP requests made, retries not counted
    downloaded: int = 0  # bytes of content received

    def count(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)


class Mirror:
    """Maps published state.gov URLs to the URLs they are read from, and back."""

    def __init__(self, landing: str, base_url: str | None) -> None:
        parts = urlsplit(landing)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.prefix = base_url.rstrip("/") if base_url else ""

    def locate(self, url: str) -> str:
        """Where to read a published URL: on the mirror when there is one."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if not self.prefix or not (host == "state.gov" or host.endswith(".state.gov")):
            return url
        return self.prefix + parts.path + (f"?{parts.query}" if parts.query else "")

    def published(self, url: str) -> str:
        """The state.gov URL of a URL read from the mirror."""
        if self.prefix and url.startswith(self.prefix + "/"):
            return self.origin + url[len(self.prefix) :]
        return url


def _links(data: bytes, base: str) -> list[str]:
    """Absolute URLs of a page's links as the HTTP client will ask for them (``..`` resolved), fragments
    removed, each once and in page order; a link that is not one plain http or https address to every parser
    (``indexer.urls``) is left out."""
    try:
        root = lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError):
        return []
    links: dict[str, None] = {}
    for href in root.xpath("//a/@href"):
        url = web_url(resolve(base, href).split("#", 1)[0])
        if url:
            links[url.url] = None
    return list(links)


def _endpoint_of(url: str) -> tuple[str, int]:
    """The host and port ``url`` connects to (("", 0) for none)."""
    checked = web_url(url)
    return endpoint(checked) if checked else ("", 0)


def holds_narratives(data: bytes, url: str, max_bytes: int) -> bool:
    """Whether an HTML page (of at most ``max_bytes``) holds at least one country narrative."""
    try:
        extracted = extract_html(data, url, max_bytes)
    except ExtractionError:
        return False
    return any(is_country_narrative(n) for n in build_narratives(extracted, url, ""))


def _file_name(url: str, kind: str) -> str:
    """A file name for a URL: its last path segment, with an HTML or PDF suffix."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if segments and re.fullmatch(r"index\.html?", segments[-1], re.I):
        segments.pop()
    # Never a hidden file (``/.hidden/``), which the indexer passes over.
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", segments[-1] if segments else "index").lstrip(".") or "index"
    if len(name) > LONGEST_NAME:  # file systems refuse names over 255 bytes: keep a part and the URL's digest
        name = f"{name[: LONGEST_NAME - 20]}-{hashlib.sha256(url.encode()).hexdigest()[:12]}"
    suffix = ".pdf" if kind == "pdf" else ".html"
    if not name.lower().endswith((suffix, ".htm")):
        name += suffix
    return f"{CRAWL_DIR}/pages/{name}" if kind == "page" else name


def _unique(manifest: Manifest, file: str, url: str) -> str:
    path, n = PurePosixPath(file), 2
    while manifest.taken(file, url):
        file, n = str(path.with_stem(f"{path.stem}-{n}")), n + 1
    return file


class EditionCrawl:
    """One edition's crawl into ``folder``; :meth:`run` returns its report."""

    def __init__(
        self,
        entry: CatalogEntry,
        folder: Path,
        client: PoliteClient,
        base_url: str | None,
        max_html_bytes: int,
        on_url: Callable[[str, str], None] = lambda url, status: None,
    ) -> None:
        self.entry, self.client, self.on_url = entry, client, on_url
        self.max_html_bytes = max_html_bytes
        self.mirror = Mirror(entry.landing, base_url)
        self.base_url = base_url
        self.manifest = Manifest(folder, entry.report, entry.year)
        self.report = FetchReport(entry.report, entry.year, folder)
        self.page_pattern = entry.page_path_pattern()
        self._landing_dir = "/"  # the landing page's folder and host and port, once it is found
        self._endpoint = ("", 0)
        self._seen: set[str] = set()  # the URLs queued, the landing page's included
        self._capped = False  # whether links were left unfollowed past MOST_URLS (said once)

    def run(self) -> FetchReport:
        requests, downloaded = self.client.requests, self.client.downloaded
        try:
            self._crawl()
        finally:
            self.report.requests = self.client.requests - requests
            self.report.downloaded = self.client.downloaded - downloaded
        return self.report

    def _crawl(self) -> None:
        landing = self._landing()
        if landing is None:
            return
        landing_url, data = landing
        self.report.landing = landing_url
        self._landing_dir = urlsplit(landing_url).path.rsplit("/", 1)[0] + "/"
        self._endpoint = _endpoint_of(landing_url)
        self._seen = {landing_url}
        queue: deque[tuple[str, int]] = deque()
        self._follow(data, landing_url, 1, queue)
        pdfs = []
        while queue:
            url, depth = queue.popleft()
            if urlsplit(url).path.lower().endswith(".pdf"):
                pdfs.append(url)
                continue
            page = self._fetch(url, "html")
            if page and page[0] == "page" and depth < MAX_DEPTH:
                self._follow(page[1], url, depth + 1, queue)
        for url in pdfs:
            self._fetch(url, "pdf")

    def _follow(self, data: bytes, base: str, depth: int, queue: deque[tuple[str, int]]) -> None:
        """Queue the links of a page that lead to the edition's pages and PDFs, each once, ``MOST_URLS`` at most."""
        for url in self._links(data, base):
            if url in self._seen or not self._in_edition(url):
                continue
            if len(self._seen) > MOST_URLS:
                if not self._capped:
                    why = f"more than {MOST_URLS} links in the edition; the rest were not followed"
                    self.report.failures.append((self.report.landing, why))
                self._capped = True
                return
            self._seen.add(url)
            queue.append((url, depth))

    def _in_edition(self, url: str) -> bool:
        """Whether a link leads to a page or PDF of the edition: on the landing page's host and port, a PDF or a
        page under the landing page's folder or named as the edition's pages are."""
        path = urlsplit(url).path
        if _endpoint_of(url) != self._endpoint:
            return False
        if path.lower().endswith(".pdf"):
            return True
        in_edition = self.page_pattern.search(path) or path.startswith(self._landing_dir)
        return bool(in_edition) and PurePosixPath(path).suffix in _PAGE_SUFFIXES

    def _links(self, data: bytes, base: str) -> list[str]:
        """A page's links, as URLs to read (state.gov links moved to the mirror)."""
        return [self.mirror.locate(url) for url in _links(data, base)]

    def _landing(self) -> tuple[str, bytes] | None:
        """The landing page (its URL as read and its content), trying the mirror's layouts."""
        candidates = [self.mirror.locate(self.mirror.origin + path) for path in self.entry.landing_paths()]
        if self.base_url and urlsplit(self.base_url).path.strip("/"):
            candidates.insert(0, self.base_url)
        errors: list[str] = []
        found = self._first_answering(candidates, errors)
        if found is None and self.base_url and not self.report.site_failed:
            found = self._first_answering(self._linked_from_mirror_home(), errors)
        if found is None:
            self.report.failures.append((self.entry.landing, "no landing page: " + "; ".join(errors)))
        return found

    def _first_answering(self, candidates: list[str], errors: list[str]) -> tuple[str, bytes] | None:
        """The first candidate URL that answers, saved as a page; errors are collected."""
        for url in candidates:
            try:
                answer = self._get(url)
            except FetchError as error:
                errors.append(str(error))
                if error.status not in (404, 410):  # the site failed, rather than the page missing
                    self.report.site_failed = True
                    return None
                continue
            return answer.url, self._keep(url, answer, "page")[1]
        return None

    def _linked_from_mirror_home(self) -> list[str]:
        """Links on the mirror's home page that name this edition (a mirror laid out its own way)."""
        home = self.mirror.prefix + "/"
        try:
            answer = self.client.get(home)
        except FetchError:
            return []
        year = str(self.entry.year)
        words = ("traffick", "tip") if self.entry.report == "tip" else ("human-rights", "hrr")
        return [
            url
            for url in self._links(answer.body, answer.url)
            if _endpoint_of(url) == _endpoint_of(home)
            and year in urlsplit(url).path
            and any(w in url.lower() for w in words)
        ]

    def _get(self, url: str, pdf: bool = False) -> Answer:
        known = self.manifest.usable(self.mirror.published(url))
        return self.client.get(url, known.etag if known else "", known.last_modified if known else "", pdf=pdf)

    def _fetch(self, url: str, kind: str) -> tuple[str, bytes] | None:
        """Fetch and save one URL; (kind saved as, content) or None when it failed (said in the report)."""
        published = self.mirror.published(url)
        try:
            answer = self._get(url, pdf=kind == "pdf")
            kind = self._kind_of(published, answer) if kind == "html" else kind
        except FetchError as error:
            if error.reason == "disallowed by robots.txt":
                self.report.skipped.append((published, error.reason))
            else:
                self.report.failures.append((published, error.reason))
            self.on_url(published, "failed")
            return None
        except Exception as error:  # a fault reading one hostile page: that URL fails, the crawl goes on
            self.report.failures.append((published, f"cannot be read ({type(error).__name__}: {error})"))
            self.on_url(published, "failed")
            return None
        return self._keep(url, answer, kind)

    def _kind_of(self, published: str, answer: Answer) -> str:
        """What an answer to a page's link is: a narrative page, another page, or a PDF."""
        known = self.manifest.usable(published)
        if answer.status == 304 and known:
            return known.kind
        if answer.body.startswith(b"%PDF"):  # a PDF behind a link without .pdf
            return "pdf"
        return (
            "narrative"
            if holds_narratives(answer.body, self.mirror.published(answer.url), self.max_html_bytes)
            else "page"
        )

    def _keep(self, url: str, answer: Answer, kind: str) -> tuple[str, bytes]:
        """Count and save an answer; a 304 reads the saved copy."""
        published = self.mirror.published(url)
        known = self.manifest.usable(published)
        if answer.status == 304 and known:
            status, data = "unchanged", self.manifest.file_of(known).read_bytes()
            saved = Saved(published, known.file, known.kind, answer.etag, answer.last_modified, known.sha256)
            self.manifest.record(saved, None)
        else:
            data = answer.body
            digest = hashlib.sha256(data).hexdigest()
            status = "new" if not known else "unchanged" if known.sha256 == digest else "changed"
            if known and known.kind != kind:
                self.manifest.file_of(known).unlink()
            file = (
                known.file
                if known and known.kind == kind
                else _unique(self.manifest, _file_name(published, kind), published)
            )
            self.manifest.record(Saved(published, file, kind, answer.etag, answer.last_modified, digest), data)
        self.report.count(status)
        self.report.narrative_files += kind == "narrative"
        self.report.pdf_files += kind == "pdf"
        self.on_url(published, status)
        return kind, data
