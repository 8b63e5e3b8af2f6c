"""HTML pages: the search page and a narrative's page."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for

from indexer.errors import QueryRejected
from indexer.reports.catalog import source_url
from indexer.search.engine import SearchResponse, get_narrative
from indexer.search.facets import FacetCount
from indexer.search.filter_values import MAX_FILTER_LENGTH, checked_filters, filter_choices
from indexer.search.history import companion, editions
from indexer.search.query import FILTER_NAMES, Filters, split_filters
from indexer.search.recommendations import country_recommendations
from indexer.search.similar import similar
from indexer.settings import Settings
from webapp.document import recommendation_notes, shown_sections
from webapp.links import external_url
from webapp.overview import index_overview
from webapp.searching import get_build, open_builds, request_filters, requested_page, run_search, search_args

bp = Blueprint("views", __name__)


def _page_url(page: int, **changed: str | list[str]) -> str:
    """This search's URL at ``page``, with the ``changed`` parameters (``q=...``) replaced."""
    values = search_args(**changed)
    if page > 1:
        values["page"] = page
    return url_for("views.search_page", **values)


FACET_TITLES = {
    "report": "Report",
    "year": "Year",
    "country": "Country",
    "region": "Region",
    "tier": "Tier",
    "section": "Section",
}
FACET_SIZE = 8  # values listed per facet before "show all"


@dataclass
class SearchPage:
    """What the search page shows: the response, or the problem with the request, and where it is in the pages."""

    response: SearchResponse | None = None
    problem: QueryRejected | None = None
    page: int = 1
    pages: int = 0
    past_end: bool = False  # the page asked for is after the last one
    shown_at_most: int = 0  # narratives the pages reach, when fewer than match (TIPSEARCH_MAX_PAGE)


def _search(settings: Settings) -> SearchPage:
    """This request's search; a refused query or filter is kept to be shown on the page, not as an error page."""
    try:
        page = requested_page()
        as_typed = request.args.get("spelling") == "as-typed"
        response, _, size = run_search(page=1 if page > settings.max_page else page, autocorrect=not as_typed)
    except QueryRejected as problem:
        return SearchPage(problem=problem)
    pages = min(-(-response.total // size), settings.max_page)
    reach = pages * size if response.total > settings.max_page * size else 0
    return SearchPage(response, page=page, pages=pages, past_end=page > max(pages, 1), shown_at_most=reach)


@bp.get("/")
@bp.get("/search")
def search_page():
    """The search form and, when a query or filter is given, its results; without one, what is indexed."""
    settings = open_builds().settings
    filters = request_filters()
    q = request.args.get("q", "")
    asked = q.strip() or filters.given()
    shown = _search(settings) if asked else SearchPage()
    short = {name: tuple(v for v in getattr(filters, name) if len(v) <= MAX_FILTER_LENGTH) for name in FILTER_NAMES}
    filters = replace(filters, **short)  # an overlong value is refused, and not repeated in the page
    text, merged = split_filters(q, filters) if len(q) <= settings.max_query_length else (q, filters)
    # Filters typed in the query are shown and changed as the others: the page's links carry them as parameters.
    moved = {"q": text, **{name: list(getattr(merged, name)) for name in FILTER_NAMES}} if merged != filters else {}
    choices = filter_choices(get_build())
    labels = {name: {c.value: c.label for c in counts} for name, counts in choices.items()}
    active = _active(merged, labels)
    chosen = {(name, stored) for name, _, stored, _ in active}
    body = render_template(
        "search.html",
        q=q,
        filters=merged,
        active=active,
        chosen=chosen,
        stored_of={(name, value): stored for name, value, stored, _ in active},
        facet_url=lambda name, value: _facet_url(active, name, value, moved),
        without_url=lambda name, value: _page_url(
            1, **{**moved, name: [v for n, v, _, _ in active if n == name and v != value]}
        ),
        sort=request.args.get("sort", "relevance"),
        match=request.args.get("match", ""),
        shown=shown,
        response=shown.response,
        facets=shown_facets(shown.response.facets, chosen) if shown.response else {},
        choices=shown_facets(choices, chosen),
        overview=None if asked else index_overview(get_build(), open_builds().home),
        page_url=_page_url,
        export_url=_export_url,
        feed_url=_feed_url,
        doc_args=_doc_args,
        trend_url=_trend_url,
        facet_titles=FACET_TITLES,
        facet_size=FACET_SIZE,
        export_most=open_builds().settings.max_limit,
    )
    return body, 400 if shown.problem else 404 if shown.past_end else 200


def _searched_args(response: SearchResponse | None) -> dict[str, Any]:
    """The page's search parameters, with the query as searched (its correction, when it was corrected)."""
    return search_args(q=response.request.q) if response and response.corrected_from else search_args()


def _trend_url(response: SearchResponse | None) -> str:
    args = _searched_args(response)
    return url_for(
        "explore.trend_page", **{name: v for name, v in args.items() if name in ("q", "match", *FILTER_NAMES)}
    )


def shown_facets(facets: dict[str, list[FacetCount]], chosen: set[tuple[str, str]]) -> dict[str, list[FacetCount]]:
    """The facets as a page lists them: the values ``chosen`` first; the Human Rights Report's sections by heading
    only, their numbered keys (``section-1f``, the same sections in one edition) left to typed filters."""
    return {
        name: sorted(
            (c for c in counts if name != "section" or not c.value.startswith("section-")),
            key=lambda c: (name, c.value) not in chosen,
        )
        for name, counts in facets.items()
    }


def _active(filters: Filters, labels: dict[str, dict[str, str]]) -> list[tuple[str, str, str, str]]:
    """(name, value as given, value as stored, label) of each filter value in use."""
    try:
        resolved = checked_filters(get_build(), filters)
    except QueryRejected:
        resolved = filters
    return [
        (name, value, stored, labels[name].get(stored, value))
        for name in FILTER_NAMES
        for value, stored in zip(getattr(filters, name), getattr(resolved, name), strict=True)
    ]


def _facet_url(active: list[tuple[str, str, str, str]], name: str, value: str, moved: dict[str, Any]) -> str:
    """This search with a facet's value added to its filter's values, or taken out when it is one of them;
    ``moved``: the query and filters to give instead of the request's (filters typed in the query)."""
    given = [(v, stored) for n, v, stored, _ in active if n == name]
    kept = [v for v, stored in given if stored != value]
    return _page_url(1, **{**moved, name: kept if len(kept) < len(given) else [*kept, value]})


def _doc_args(response: SearchResponse, page: int) -> dict[str, Any]:
    """What a result's link carries: the query as searched (to mark its words) and the rest of the search,
    for the narrative page's link back to these results."""
    return _searched_args(response) | ({"page": page} if page > 1 else {})


def _feed_url(response: SearchResponse | None) -> str:
    return url_for("feeds.search_feed", **_searched_args(response))


def _export_url(response: SearchResponse | None, fmt: str) -> str:
    return url_for("api.export", fmt=fmt, **_searched_args(response))


def _page_arg() -> dict[str, Any]:
    """The ``page`` parameter when it is a page after the first."""
    page = request.args.get("page", "")
    return {"page": int(page)} if page.isdigit() and 1 < int(page) <= open_builds().settings.max_page else {}


@bp.get("/doc/<narrative_id>")
def document_page(narrative_id: str):
    """A whole narrative with its sections and the query's words marked."""
    build = get_build()
    q = request.args.get("q", "")
    meta, sections = get_narrative(build, narrative_id, q)
    others = editions(build, meta.report, meta.iso3) if meta.iso3 and meta.year else []
    year = meta.year or 0
    earlier = [e for e in others if e.year < year]
    later = [e for e in others if e.year > year]
    pdf_page = sections[0].page if meta.source.lower().split("#")[0].endswith(".pdf") else None
    shown = shown_sections(sections)
    editions_held = country_recommendations(build, meta.report, meta.iso3) if meta.iso3 else {}
    notes = recommendation_notes(editions_held.get(meta.year or 0, []), sorted(editions_held))
    return render_template(
        "doc.html",
        meta=meta,
        sections=shown,
        matches=sum(s.matches for s in shown),
        first_matching=next((s.anchor for s in shown if s.matches), ""),
        q=q,
        results_url=url_for("views.search_page", **(search_args() | _page_arg())),
        source=source_url(meta.report, meta.year, meta.source),
        pdf_page=pdf_page,
        previous=earlier[-1] if earlier else None,
        next=later[0] if later else None,
        companion=companion(build, meta.report, meta.year, meta.iso3),
        notes=notes,
    )


@bp.get("/doc/<narrative_id>/similar")
def similar_page(narrative_id: str):
    """The narratives most like one: other countries in its edition, its country in other editions."""
    build = get_build()
    meta, _ = get_narrative(build, narrative_id)
    return render_template("similar.html", meta=meta, similar=similar(build, narrative_id))


@bp.get("/healthz")
def healthz():
    """Liveness: the index opens and holds documents; which build is current and how old it is (not where)."""
    home = open_builds().home
    current = home.current()
    return {
        "status": "ok",
        "documents": get_build().searcher.doc_count(),
        "build": current.name if current else None,
        "age_seconds": round(time.time() - home.searched().stat().st_mtime),
    }


@bp.get("/opensearch.xml")
def opensearch():
    """OpenSearch description, so that browsers can add tipsearch as a search engine."""
    body = render_template("opensearch.xml", search_url=external_url("views.search_page"))
    return current_app.response_class(body, mimetype="application/opensearchdescription+xml")
