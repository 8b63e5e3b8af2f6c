"""Pages for exploring across editions: a country's page, a section compared, a phrase through time."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from flask import Blueprint, redirect, render_template, request, url_for
from whoosh.searching import Searcher

from indexer.errors import DocumentNotFound, QueryRejected
from indexer.reports.countries import Country, fold, lookup
from indexer.reports.tiers import TIER_LABELS
from indexer.reports.years import year_range
from indexer.search.engine import DocumentSection, SearchRequest, SearchResponse, get_narrative, search
from indexer.search.facets import REPORT_LABELS, narrative_facts, section_label, section_labels
from indexer.search.filter_values import checked_filters
from indexer.search.handle import OpenBuild
from indexer.search.history import tier_history
from indexer.search.policy import check_length
from indexer.search.query import FILTER_NAMES, Filters, split_filters
from indexer.search.recommendations import recommendation_history
from webapp import charts
from webapp.compare import MOST_CHARACTERS, MOST_SENTENCES, compare
from webapp.searching import get_build, request_filters, search_args

bp = Blueprint("explore", __name__)


@dataclass
class CompareChoice:
    """What one report offers to compare for a country: its sections (key, label) and dated editions, oldest first."""

    report: str
    label: str
    sections: list[tuple[str, str]]
    years: list[int]


def _country(iso3: str) -> Country:
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


def _orders(searcher: Searcher, iso3: str, report: str) -> list[list[str]]:
    """Each of the country's narratives in ``report`` as its section keys in order, newest narrative first."""
    found = sorted(
        (-f["year"], f["narrative"], f["position"], f["section"])
        for f in searcher.documents(kind="section", iso3=iso3, report=report)
    )
    orders: dict[str, list[str]] = {}
    for _, narrative, _, keys in found:
        order = orders.setdefault(narrative, [])
        order += [key for key in keys.split() if key not in order and _compared_by(report, key)]
    return list(orders.values())


def _compared_by(report: str, key: str) -> bool:
    """Whether two editions are compared by a section key: a Human Rights Report's by number, not heading."""
    return report != "hrr" or key.startswith("section-") or key == "executive-summary"


def merged_order(orders: list[list[str]]) -> list[str]:
    """The keys of all ``orders`` in one list: the first order's, and each other key after the key it follows."""
    merged: list[str] = []
    for order in orders:
        at = 0
        for key in order:
            if key not in merged:
                merged.insert(at, key)
            at = merged.index(key) + 1
    return merged


def _section_keys(iso3: str, report: str) -> list[str]:
    """The section keys of the country's narratives in ``report``, in the order the narratives give them."""
    return get_build().table(
        ("section order", iso3, report), lambda searcher: merged_order(_orders(searcher, iso3, report))
    )


def _compare_choices(iso3: str, narratives: dict[str, list[tuple[int, str, str]]]) -> list[CompareChoice]:
    labels = section_labels(get_build())
    return [
        CompareChoice(
            report,
            REPORT_LABELS.get(report, report),
            [(key, labels.get(key, key)) for key in _section_keys(iso3, report)],
            sorted({year for year, _, _ in items if year}),
        )
        for report, items in narratives.items()
    ]


@bp.get("/country/<iso3>")
def country_page(iso3: str):
    """A country's tier timeline, its narratives by report and year, and forms to compare two editions; a
    country's name in the address (``/country/Thailand``) leads to its code's page."""
    named = lookup(iso3)
    if named and named.iso3 != iso3:
        return redirect(url_for("explore.country_page", iso3=named.iso3))
    country = _country(iso3)
    _, history = tier_history(get_build(), country.iso3)
    narratives = _narratives_of(country.iso3)
    return render_template(
        "country.html",
        country=country,
        history=history,
        tier_labels=TIER_LABELS,
        points=charts.tier_points(history),
        rows=charts.tier_rows(),
        left=charts.TIMELINE_LEFT,
        width=charts.TIMELINE_WIDTH,
        height=charts.timeline_height(),
        narratives=narratives,
        choices=_compare_choices(country.iso3, narratives),
        recommendations=recommendation_history(get_build(), "tip", country.iso3),
    )


def _asked_editions() -> tuple[int, int]:
    """The ``from`` and ``to`` years of the request, two different years."""
    years = [request.args.get(name, "") for name in ("from", "to")]
    if not all(re.fullmatch(r"[0-9]{4}", year) for year in years):
        raise QueryRejected("Choose two edition years to compare (from and to, e.g. from=2019&to=2023)")
    if years[0] == years[1]:
        raise QueryRejected(f"Choose two different editions to compare, not {years[0]} twice")
    return int(years[0]), int(years[1])


def _edition_ids(country: Country, report: str, years: tuple[int, int]) -> list[str]:
    """The ids of the country's narratives in the ``years`` editions of ``report``."""
    ids = {year: narrative for year, narrative, _ in _narratives_of(country.iso3).get(report, [])}
    for year in years:
        if year not in ids:
            raise DocumentNotFound(
                f"No narrative of {country.name} in the {year} {REPORT_LABELS.get(report, report)} is indexed."
            )
    return [ids[year] for year in years]


def _unnumbered(heading: str) -> str:
    """A section's heading without its number, folded: what stays when an edition renumbers its sections
    (privacy was 1.f of the Human Rights Report until 2022, 1.h from 2023)."""
    return fold(re.sub(r"^\d+\.[a-z]?\s+", "", section_label(heading)))


def _section_text(sections: list[DocumentSection], key: str, heading: str = "") -> tuple[str, str]:
    """(text, heading) of a narrative's sections with filter key ``key``, joined when several have it; the
    section with the same ``heading`` (numbers aside) when it has one. The heading is "" for several."""
    chosen = [s for s in sections if heading and _unnumbered(s.heading) == heading]
    chosen = chosen or [s for s in sections if key in s.section.split()]
    one = _unnumbered(chosen[0].heading) if len(chosen) == 1 else ""
    return "\n\n".join(s.text for s in chosen), one


@bp.get("/country/<iso3>/compare")
def compare_page(iso3: str):
    """One section of two editions side by side: sentences kept, changed, removed and added."""
    country = _country(iso3)
    report = request.args.get("report", "tip")
    section = request.args.get("section", "")
    if not section:
        raise QueryRejected("Choose a section to compare.")
    years = _asked_editions()
    (from_meta, from_sections), (to_meta, to_sections) = (
        get_narrative(get_build(), narrative) for narrative in _edition_ids(country, report, years)
    )
    after, heading = _section_text(to_sections, section)
    before, from_heading = _section_text(from_sections, section, heading)  # the same section, though renumbered
    if not after.strip() and from_heading:  # the "to" edition numbers it otherwise
        after, _ = _section_text(to_sections, section, from_heading)
    label = section_labels(get_build()).get(section, section)
    if not before.strip() and not after.strip():
        raise DocumentNotFound(
            f"Neither the {years[0]} nor the {years[1]} edition has a {label} section for {country.name}."
        )
    compared = compare(before, after)
    return render_template(
        "compare.html",
        country=country,
        report=REPORT_LABELS.get(report, report),
        section=label,
        years=years,
        absent=next((y for y, text in zip(years, (before, after), strict=True) if not text.strip()), None),
        titles=(from_meta.title, to_meta.title),
        rows=compared.rows,
        left_out=compared.left_out,
        cut_short=compared.cut_short,
        most_sentences=MOST_SENTENCES,
        most_characters=MOST_CHARACTERS,
        counts=Counter(row.change for row in compared.rows),
    )


def _edition_sizes(build: OpenBuild, filters: Filters) -> dict[int, int]:
    """Year -> how many narratives of that edition the filters select (every one without filters); 0 for an
    edition of the report, within the years asked, that holds none of them."""
    checked = checked_filters(build, filters)
    ranges = [year_range(value) for value in checked.year] or [(0, 9999)]
    reports = set(checked.report)
    facts = [
        f
        for f in narrative_facts(build).values()
        if f.year and any(low <= f.year <= high for low, high in ranges) and (not reports or f.report in reports)
    ]
    sizes = dict.fromkeys((f.year for f in facts), 0)
    if not filters.given():
        return sizes | Counter(f.year for f in facts)
    selected = search(build, SearchRequest(filters=filters, limit=1, with_suggestion=False))
    return sizes | _per_year(selected, sizes)


def _per_year(response: SearchResponse, years: Iterable[int]) -> dict[int, int]:
    """Year -> the response's matches of that year, for the ``years`` asked (the year facet counts every year)."""
    return {int(c.value): c.count for c in response.facets["year"] if int(c.value) in years}


@bp.get("/trend")
def trend_page():
    """How many narratives of each edition match a query: when a phrase entered the reports. Filters (in the
    query or as parameters) select both the matches and the narratives they are a share of."""
    q = request.args.get("q", "")
    report = request.args.get("report", "")
    chart, response, every_word, problem = None, None, False, None
    if q.strip():
        build = get_build()
        try:
            check_length(q, build.settings.max_query_length)  # first: a refusal costs nothing
            text, filters = split_filters(q, replace(request_filters(), report=report or request_filters().report))
            match = request.args.get("match", "all") or "all"
            response = search(
                build, SearchRequest(q=text, filters=filters, limit=1, with_suggestion=False, match=match)
            )
            every_word = response.all_words is not None and response.reading == "all"
            sizes = _edition_sizes(build, filters)
            chart = charts.year_bars(_per_year(response, sizes), sizes)
        except QueryRejected as refused:  # said on the page, the form kept
            problem = refused
    body = render_template(
        "trend.html",
        q=q,
        report=report,
        chart=chart,
        response=response,
        every_word=every_word,
        kept=[
            (name, value)
            for name, values in search_args().items()
            if name in FILTER_NAMES and name != "report"
            for value in values
        ],
        left=charts.PLOT_LEFT,
        right=charts.PLOT_RIGHT,
        width=charts.CHART_WIDTH,
        height=charts.CHART_HEIGHT,
        top=charts.PLOT_TOP,
        problem=problem,
        instead=[
            (label, url_for("explore.trend_page", **search_args(**{problem.name: value})))
            for value, label in getattr(problem, "suggestions", [])
        ],
    )
    return body, 400 if problem else 200
