"""Result lists as CSV or JSON files, bounded to ``max_limit`` narratives."""

from __future__ import annotations

import csv
import html
import io
import re

from indexer.search.engine import SearchResponse

EXPORT_FIELDS = (
    "rank",
    "id",
    "report",
    "year",
    "country",
    "iso3",
    "region",
    "tier",
    "tier_label",
    "title",
    "score",
    "section",
    "heading",
    "page",
    "snippet",
    "source",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet would run as a formula


def export_rows(response: SearchResponse) -> list[dict]:
    """One row per narrative: its fields, its best section and its snippet as plain text."""
    rows = []
    for rank, hit in enumerate(response.hits, response.request.offset + 1):
        best = hit.as_json()
        rows.append(
            {name: best.get(name) for name in EXPORT_FIELDS if name != "rank"}
            | {"rank": rank, "snippet": html.unescape(re.sub(r"</?mark>", "", best["snippet"]))}
        )
    return rows


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def to_csv(rows: list[dict]) -> str:
    """CSV with a header line; cells that a spreadsheet would read as formulas are quoted with '."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: _cell(row.get(name)) for name in EXPORT_FIELDS})
    return out.getvalue()
