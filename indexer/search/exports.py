"""Result lists as files for spreadsheets (CSV) and programs (JSON lines): a row per section shown for each
narrative, the same for the web export and ``tipsearch search --all``."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterator
from dataclasses import replace

from indexer.reports.catalog import source_url
from indexer.reports.narratives import REPORT_LABELS, slug
from indexer.search.engine import SearchRequest, SearchResponse, anchor, search
from indexer.search.handle import OpenBuild

# Column key (the JSON name) -> column heading (the CSV header).
EXPORT_COLUMNS = {
    "rank": "Rank",
    "country": "Country",
    "iso3": "ISO3 code",
    "report": "Report",
    "edition": "Edition",
    "region": "Region",
    "tier": "Tier",
    "section": "Section",
    "page": "PDF page",
    "snippet": "Matching text",
    "tipsearch_url": "Read on tipsearch",
    "source_url": "Source on state.gov",
    "narrative_id": "Narrative id",
}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet would run as a formula
BYTE_ORDER_MARK = "\ufeff"  # tells spreadsheets the file is UTF-8


def export_rows(response: SearchResponse, doc_url: Callable[[str, str], str]) -> list[dict]:
    """One row per section shown for each narrative (its best ones), best narrative first, from a search made
    with plain snippets. ``doc_url(narrative_id, section_id)`` gives the address of the section on tipsearch."""
    rows = []
    for rank, hit in enumerate(response.hits, response.request.offset + 1):
        narrative = {
            "rank": rank,
            "country": hit.country or hit.title,
            "iso3": hit.iso3,
            "report": REPORT_LABELS.get(hit.report, hit.report),
            "edition": hit.year,
            "region": hit.region,
            "tier": hit.tier_name,
            "source_url": source_url(hit.report, hit.year, hit.source),
            "narrative_id": hit.id,
        }
        for section in hit.sections:
            rows.append(
                narrative
                | {
                    "section": section.heading,
                    "page": section.page,
                    "snippet": section.snippet,
                    "tipsearch_url": doc_url(hit.id, anchor(section.id, section.paragraph)),
                }
            )
    return [{key: row.get(key) for key in EXPORT_COLUMNS} for row in rows]


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def csv_lines(rows: list[dict], header: bool = True) -> str:
    """CSV of ``rows``; with ``header``, a byte-order mark (so that spreadsheets read UTF-8) and a line of
    column headings first. Cells that a spreadsheet would read as formulas are quoted with '."""
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        out.write(BYTE_ORDER_MARK)
        writer.writerow(EXPORT_COLUMNS.values())
    for row in rows:
        writer.writerow(_cell(row.get(key)) for key in EXPORT_COLUMNS)
    return out.getvalue()


def every_match(build: OpenBuild, request: SearchRequest, chunk: int = 200) -> Iterator[SearchResponse]:
    """Every narrative ``request`` matches, ``chunk`` at a time, best first, with plain snippets: for a
    command run on the user's own machine, which the web app's paging bounds do not apply to."""
    paged = build.with_settings(replace(build.settings, max_limit=max(chunk, build.settings.max_limit), max_page=10**9))
    offset = 0
    while True:
        response = search(paged, replace(request, limit=chunk, offset=offset, plain_snippets=True))
        yield response
        offset += chunk
        if offset >= response.total:
            return


def file_name(q: str, fmt: str, today: datetime.date | None = None) -> str:
    """``tipsearch-forced-labor-2026-12-04.csv``: the query's words (or "filters") and the date."""
    words = slug(q)[:60].strip("-") or "filters"
    return f"tipsearch-{words}-{(today or datetime.date.today()).isoformat()}.{fmt}"
