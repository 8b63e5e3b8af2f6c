"""HTML pages: the search page and a narrative's page."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for

from indexer.search.engine import get_narrative
from indexer.search.history import editions
from indexer.search.query import FILTER_NAMES
from indexer.search.similar import similar
from webapp.searching import get_build, open_builds, request_filters, run_search

bp = Blueprint("views", __name__)


SEARCH_PARAMETERS = ("q", *FILTER_NAMES, "sort", "limit")  # what a link to a search carries over


def _search_args(**changed: str) -> dict[str, Any]:
    """This request's search parameters, with the ``changed`` ones replaced; any other parameter is dropped
    (``url_for`` reads some, such as ``_external``, as instructions)."""
    merged = {**request.args.to_dict(), **changed}
    return {name: merged[name] for name in SEARCH_PARAMETERS if merged.get(name)}


def _page_url(page: int, **changed: str) -> str:
    """This search's URL at ``page``, with the ``changed`` parameters (``q=...``) replaced."""
    values = _search_args(**changed)
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
FACET_SIZE = 12  # values shown per facet, the most frequent


@bp.get("/")
@bp.get("/search")
def search_page():
    """The search form and, when a query or filter is given, its results."""
    filters = request_filters()
    asked = request.args.get("q", "").strip() or any(getattr(filters, n) for n in FILTER_NAMES)
    response = page = size = None
    if asked:
        response, page, size = run_search()
    pages = -(-response.total // size) if response else 0
    active = [(name, getattr(filters, name)) for name in FILTER_NAMES if getattr(filters, name)]
    return render_template(
        "search.html",
        q=request.args.get("q", ""),
        filters=filters,
        active=active,
        sort=request.args.get("sort", "relevance"),
        response=response,
        page=page,
        pages=pages,
        page_url=_page_url,
        export_url=_export_url,
        facet_titles=FACET_TITLES,
        facet_size=FACET_SIZE,
    )


def _export_url(fmt: str) -> str:
    return url_for("api.export", fmt=fmt, **_search_args())


@bp.get("/doc/<narrative_id>")
def document_page(narrative_id: str):
    """A whole narrative with its sections and the query's words marked."""
    build = get_build()
    meta, sections = get_narrative(build, narrative_id, request.args.get("q", ""))
    others = editions(build, meta.report, meta.iso3) if meta.iso3 and meta.year else []
    year = meta.year or 0
    earlier = [e for e in others if e.year < year]
    later = [e for e in others if e.year > year]
    pdf_page = sections[0].page if meta.source.lower().split("#")[0].endswith(".pdf") else None
    return render_template(
        "doc.html",
        meta=meta,
        sections=sections,
        q=request.args.get("q", ""),
        similar=similar(build, narrative_id),
        pdf_page=pdf_page,
        previous=earlier[-1] if earlier else None,
        next=later[0] if later else None,
    )


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
    body = render_template("opensearch.xml", search_url=url_for("views.search_page", _external=True))
    return current_app.response_class(body, mimetype="application/opensearchdescription+xml")
