"""What an index holds, for the home page and the countries index: reports, editions, countries."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from flask import Blueprint, render_template

from indexer.index.home import IndexHome
from indexer.reports.tiers import TIER_LABELS
from indexer.search.facets import REPORT_LABELS, narrative_facts
from indexer.search.handle import OpenBuild
from webapp.searching import get_build

bp = Blueprint("overview", __name__)


@dataclass
class ReportHoldings:
    """One report in the index: its editions (year, narratives), newest first."""

    report: str
    label: str
    editions: list[tuple[int, int]]

    @property
    def narratives(self) -> int:
        return sum(count for _, count in self.editions)


@dataclass
class Overview:
    """What the index holds and when it was last published."""

    reports: list[ReportHoldings]
    countries: int
    updated: str


def index_overview(build: OpenBuild, home: IndexHome) -> Overview:
    """The reports and editions of ``build`` with their narrative counts, and its publication date."""
    facts = narrative_facts(build).values()
    counts = Counter((f.report, f.year) for f in facts)
    reports = [
        ReportHoldings(
            report,
            REPORT_LABELS.get(report, report),
            sorted(((year, n) for (r, year), n in counts.items() if r == report), reverse=True),
        )
        for report in sorted({r for r, _ in counts}, key=lambda r: (r == "other", r != "tip", r))
    ]
    published = datetime.datetime.fromtimestamp(home.searched().stat().st_mtime, datetime.UTC)
    return Overview(reports, len({f.iso3 for f in facts if f.iso3}), f"{published:%d %B %Y}".lstrip("0"))


@dataclass
class CountryRow:
    """A country's narratives in one report: edition year -> (narrative id, tier label)."""

    name: str
    iso3: str
    region: str
    editions: dict[int, tuple[str, str]] = field(default_factory=dict)


def country_table(build: OpenBuild, report: str) -> tuple[list[int], list[CountryRow]]:
    """The editions of ``report`` (newest first) and a row per country holding a narrative of it, by name."""
    rows: dict[str, CountryRow] = {}
    for narrative, f in narrative_facts(build).items():
        if f.report == report and f.iso3:
            row = rows.setdefault(f.iso3, CountryRow(f.country, f.iso3, f.region))
            row.editions[f.year] = (narrative, TIER_LABELS.get(f.tier, ""))
    years = sorted({year for row in rows.values() for year in row.editions}, reverse=True)
    return years, sorted(rows.values(), key=lambda row: row.name)


@bp.get("/countries")
def countries_page():
    """Every indexed country with its narratives by report and edition; for the TIP Report, its tier."""
    build = get_build()
    reports = sorted({f.report for f in narrative_facts(build).values() if f.iso3}, key=lambda r: r != "tip")
    tables = [(report, REPORT_LABELS.get(report, report), *country_table(build, report)) for report in reports]
    return render_template("countries.html", tables=tables)
