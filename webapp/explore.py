"""Pages for exploring across editions: a country's page, a section compared, a phrase through time."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, render_template, request

from indexer.errors import DocumentNotFound, QueryRejected
from indexer.reports.countries import lookup
from indexer.search.engine import get_narrative
from indexer.search.facets import narrative_facts
from indexer.search.history import tier_history
from webapp.charts import CHART_HEIGHT, CHART_WIDTH, tier_points, year_bars
from webapp.compare import compare
from webapp.searching import get_build, run_search

bp = Blueprint("explore", __name__)


def _country(iso3: str):
    country = lookup(iso3)
    if country is None or country.iso3 != iso3.upper():
        raise DocumentNotFound(f"no country with ISO3 code {iso3!r}")
    return country


def _narratives_of(iso3: str) -> dict[str, list[tuple[int, str, str]]]:
    """The country's narratives by report: (year, id, tier) newest first."""
    by_report: dict[str, list[tuple[int, str, str]]] = {}
    for narrative, facts in narrative_facts(get_build()).items():
        if facts.iso3 == iso3:
            by_report.setdefault(facts.report, []).append((facts.year, narrative, facts.tier))
    return {report: sorted(items, reverse=True) for report, items in sorted(by_report.items())}


@bp.get("/country/<iso3>")
def country_page(iso3: str):
    """A country's tier timeline, its narratives by report and year, and a form to compare two editions."""
    country = _country(iso3)
    _, history = tier_history(get_build(), country.iso3)
    narratives = _narratives_of(country.iso3)
    sections = sorted(
        {key for f in narrative_facts(get_build()).values() if f.iso3 == country.iso3 for key in f.sections}
    )
    return render_template(
        "country.html",
        country=country,
        history=history,
        points=tier_points(history),
        narratives=narratives,
        sections=sections,
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
    )


def _section_text(narrative_id: str, key: str) -> tuple[str, str]:
    """(heading, text) of a narrative's sections with filter key ``key``, joined."""
    meta, sections = get_narrative(get_build(), narrative_id)
    chosen = [s for s in sections if key in s.section.split()]
    return meta.title, "\n\n".join(s.text for s in chosen)


@bp.get("/country/<iso3>/compare")
def compare_page(iso3: str):
    """One section of two editions side by side, sentences added, removed and kept marked."""
    country = _country(iso3)
    report = request.args.get("report", "tip")
    section = request.args.get("section", "")
    years = [request.args.get(name, "") for name in ("from", "to")]
    if not section or not all(y.isdigit() for y in years):
        raise QueryRejected("choose a section and two edition years (from, to)")
    ids = [f"{report}-{year}-{country.iso3.lower()}" for year in years]
    (title_a, before), (title_b, after) = (_section_text(i, section) for i in ids)
    rows = compare(before, after)
    counts = Counter(row.change for row in rows)
    return render_template(
        "compare.html",
        country=country,
        report=report,
        section=section,
        years=years,
        titles=(title_a, title_b),
        rows=rows,
        counts=counts,
    )


@bp.get("/trend")
def trend_page():
    """How many narratives of each edition match a query: when a phrase entered the reports."""
    q = request.args.get("q", "")
    bars, response = [], None
    if q.strip():
        response, _, _ = run_search(1, with_suggestion=False)
        report = request.args.get("report", "")
        totals = Counter(
            f.year for f in narrative_facts(get_build()).values() if f.year and (not report or f.report == report)
        )
        counts = {int(c.value): c.count for c in response.facets["year"]}
        bars = year_bars(counts, totals)
    return render_template(
        "trend.html",
        q=q,
        report=request.args.get("report", ""),
        bars=bars,
        response=response,
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
    )
