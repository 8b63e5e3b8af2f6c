"""JSON API: the same search as the pages and the CLI."""

from flask import Blueprint, jsonify

from webapp.searching import run_search

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def api_search():
    """Ranked narratives as JSON: ``{total, page, limit, hits: [...]}``."""
    response, page, size = run_search()
    return jsonify({"query": response.request.q, "total": response.total, "page": page, "limit": size,
                    "hits": [hit.as_json() for hit in response.hits]})
