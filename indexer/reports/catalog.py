"""The editions catalog (``indexer/data/editions.toml``): where each report edition lives online."""

from __future__ import annotations

import datetime
import re
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from urllib.parse import urlsplit

from indexer.errors import TipsearchError
from indexer.reports.years import year_range
from indexer.settings import SHIPPED

CATALOG_FILE = SHIPPED / "editions.toml"
_PLACEHOLDERS = {"{slug}": r"[^/]+", "{id}": r"\d+"}
_PAGE_NAME = re.compile(r"([^/\\]+?)(?:\.html?)?(?:\.gz)?$", re.I)


@dataclass(frozen=True)
class CatalogEntry:
    """One edition of one report: its landing page, narrative URL pattern and PDF location."""

    report: str
    year: int
    landing: str
    pages: str
    layout: str
    pdf: str

    def page_path_pattern(self) -> re.Pattern:
        """Regex matching the path of this edition's narrative pages (also under a mirror prefix)."""
        path = re.escape(urlsplit(self.pages).path).replace("/j/tip/", "/[gj]/tip/")
        for placeholder, regex in _PLACEHOLDERS.items():
            path = path.replace(re.escape(placeholder), regex)
        path = path.replace(r"\.htm", r"\.html?")
        if path.endswith("/"):
            path += r"?(?:index\.html?)?"
        return re.compile(path + "$")

    def landing_paths(self) -> list[str]:
        """Paths the landing page may have on a mirror: as catalogued, then archive variants."""
        path = urlsplit(self.landing).path
        variants = [path]
        if path.endswith("/index.htm"):
            variants.append(path.removesuffix("index.htm"))
        variants += [v.replace("/j/tip/", "/g/tip/") for v in variants if "/j/tip/" in v]
        return variants


@cache
def _catalog() -> dict[str, dict[int, CatalogEntry]]:
    with CATALOG_FILE.open("rb") as handle:
        raw = tomllib.load(handle)
    return {
        report: {int(year): CatalogEntry(report, int(year), **fields) for year, fields in years.items()}
        for report, years in raw.items()
    }


def reports() -> list[str]:
    """The reports the catalog knows (``tip``, ``hrr``)."""
    return sorted(_catalog())


def latest(report: str) -> int:
    """The newest catalogued edition of ``report``."""
    return max(_entries(report))


def _entries(report: str) -> dict[int, CatalogEntry]:
    try:
        return _catalog()[report]
    except KeyError:
        raise TipsearchError(f"--report must be one of {', '.join(reports())}, not {report!r}") from None


def entry(report: str, year: int) -> CatalogEntry:
    """The catalog entry for one edition; a year after the newest follows the newest's pattern."""
    entries = _entries(report)
    if year in entries:
        return entries[year]
    newest = entries[latest(report)]
    if newest.year < year <= datetime.date.today().year:

        def moved(url: str) -> str:
            return url.replace(str(newest.year), str(year))

        return replace(newest, year=year, landing=moved(newest.landing), pages=moved(newest.pages))
    raise TipsearchError(f"--edition {year}: the {report} report has editions {min(entries)} to {latest(report)}")


def newest_first(report: str) -> list[CatalogEntry]:
    """Every edition that may exist, from this year's back to the first: where to look for the latest."""
    first = min(_entries(report))
    return [entry(report, year) for year in range(max(latest(report), datetime.date.today().year), first - 1, -1)]


def editions(report: str, specs: tuple[str, ...]) -> list[CatalogEntry]:
    """The entries for ``--edition`` values (``2019``, ``2016-2019``)."""
    years: set[int] = set()
    for spec in specs:
        try:
            low, high = year_range(spec)
        except ValueError as exc:
            raise TipsearchError(f"--edition {exc}") from None
        years.update(range(low, high + 1))
    return [entry(report, year) for year in sorted(years)]


def source_url(report: str, year: int | None, source: str) -> str:
    """Where a narrative read from ``source`` lives on state.gov: ``source`` when that is an address, else
    the address the catalog gives its file's name (``65988.htm`` of the 2006 TIP Report), else the
    edition's landing page; "" when the edition is not in the catalog. Never a path on this machine."""
    if source.startswith(("http://", "https://")):
        return source
    if not year or report not in ("tip", "hrr"):
        return ""
    try:
        edition = entry(report, year)
    except TipsearchError:
        return ""
    name = _PAGE_NAME.search(source.split("#")[0])
    stem = name.group(1) if name else ""
    if "{id}" in edition.pages and stem.isdigit():
        return edition.pages.replace("{id}", stem)
    if "{slug}" in edition.pages and re.fullmatch(r"[a-z0-9-]+", stem):
        return edition.pages.replace("{slug}", stem)
    return edition.landing
