"""HTML pages: the search page and a narrative's page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for

from indexer.query import FILTER_NAMES
from indexer.search import get_narrative
from webapp.searching import get_searcher, request_filters, run_search

bp = Blueprint("views", __name__)


def _page_url(page: int) -> str:
    args = {k: v for k, v in request.args.items() if v and k != "page"}
    return url_for("views.search_page", page=page, **args)


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
    return render_template("search.html", q=request.args.get("q", ""), filters=filters,
                           response=response, page=page, pages=pages, page_url=_page_url)


@bp.get("/doc/<narrative_id>")
def document_page(narrative_id: str):
    """A whole narrative with its sections and the query's words marked."""
    meta, sections = get_narrative(get_searcher(), narrative_id, request.args.get("q", ""))
    return render_template("doc.html", meta=meta, sections=sections, q=request.args.get("q", ""))


@bp.get("/healthz")
def healthz():
    """Liveness: the index opens and holds documents."""
    return {"status": "ok", "index": current_app.config["INDEX"], "documents": get_searcher().doc_count()}
