"""JSON API: the same search as the pages and the CLI."""

import json
from dataclasses import asdict

from flask import Blueprint, Response, jsonify, request

from indexer.errors import DocumentNotFound
from indexer.reports.countries import lookup
from indexer.search.engine import get_narrative, narrative_json
from indexer.search.exports import EXPORT_COLUMNS, csv_lines, export_rows, file_name
from indexer.search.history import tier_history
from indexer.search.recommendations import recommendations_of
from indexer.search.similar import similar
from webapp.links import external_url
from webapp.searching import get_build, open_builds, run_search

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def api_search():
    """Ranked narratives as JSON: ``{query, sort, match, reading, total, all_words, some_words, forms, page, limit,
    hits, facets, suggestion}``."""
    response, page, size = run_search()
    return jsonify(
        {
            "query": response.request.q,
            "sort": response.request.sort,
            "match": response.request.match,
            "reading": response.reading,
            "total": response.total,
            "all_words": response.all_words,
            "some_words": response.some_words,
            "forms": response.forms,
            "page": page,
            "limit": size,
            "hits": [hit.as_json() for hit in response.hits],
            "facets": response.facets_json(),
            "suggestion": response.suggestion or None,
        }
    )


@bp.get("/countries/<iso3>")
def api_country(iso3: str):
    """A country's Trafficking in Persons Report tier history, as ``tipsearch tiers --json``."""
    country = lookup(iso3)
    if country is None or country.iso3 != iso3.upper():
        raise DocumentNotFound(f"no country with ISO3 code {iso3!r}")
    _, history = tier_history(get_build(), country.iso3)
    return jsonify(
        {"country": country.name, "iso3": country.iso3, "region": country.region, "tiers": [asdict(e) for e in history]}
    )


@bp.get("/narratives/<narrative_id>")
def api_narrative(narrative_id: str):
    """One narrative whole: metadata, sections in order and its recommendations, as ``tipsearch show``."""
    build = get_build()
    info, sections = get_narrative(build, narrative_id)
    return jsonify(narrative_json(info, sections, recommendations_of(build, info.report, info.iso3, info.year)))


@bp.get("/narratives/<narrative_id>/similar")
def api_similar(narrative_id: str):
    """The narratives most like one: ``{same_edition: [...], other_editions: [...]}``."""
    return jsonify(similar(get_build(), narrative_id).as_json())


def _doc_url(narrative_id: str, anchor: str) -> str:
    q = request.args.get("q") or None
    return external_url("views.document_page", narrative_id=narrative_id, q=q) + "#" + anchor


@bp.get("/export.<fmt>")
def export(fmt: str):
    """The result list as a CSV or JSON file, a row per section shown, up to ``max_limit`` narratives (``limit``
    to ask fewer)."""
    if fmt not in ("csv", "json"):
        raise DocumentNotFound(f"no export format {fmt!r}; csv or json")
    response, _, _ = run_search(open_builds().settings.max_limit, with_suggestion=False, plain_snippets=True)
    rows = export_rows(response, _doc_url)
    body = (
        csv_lines(rows)
        if fmt == "csv"
        else json.dumps(
            {"query": response.request.q, "total": response.total, "columns": EXPORT_COLUMNS, "rows": rows},
            ensure_ascii=False,
        )
    )
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    name = file_name(response.request.q, fmt)
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
