"""What the views and the API share: the searcher on the app's index and the request's search."""

from __future__ import annotations

from flask import current_app, request
from whoosh.searching import Searcher

from indexer.errors import QueryRejected
from indexer.search.engine import SearchRequest, SearchResponse, search
from indexer.search.query import FILTER_NAMES, Filters
from indexer.search.searchers import SearcherCache


def get_searcher() -> Searcher:
    """This thread's searcher on the app's index, reopened when the index changes."""
    if "tipsearch.searchers" not in current_app.extensions:
        current_app.extensions["tipsearch.searchers"] = SearcherCache(current_app.config["INDEX"])
    return current_app.extensions["tipsearch.searchers"].get()


def request_filters() -> Filters:
    """Filters from the GET parameters."""
    return Filters(**{name: request.args.get(name, "").strip() for name in FILTER_NAMES})


def _int_arg(name: str, default: int) -> int:
    value = request.args.get(name, "")
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise QueryRejected(f"{name} must be a whole number, not {value!r}") from None


def run_search(default_size: int | None = None, with_suggestion: bool = True) -> tuple[SearchResponse, int, int]:
    """Search for the current request's ``q``, filters and ``page``; returns (response, page, size)."""
    size = _int_arg("limit", default_size or current_app.config["PAGE_SIZE"])
    page = _int_arg("page", 1)
    if page < 1:
        raise QueryRejected("page must be 1 or more")
    req = SearchRequest(q=request.args.get("q", ""), filters=request_filters(), limit=size,
                        offset=(page - 1) * size, sort=request.args.get("sort", "relevance") or "relevance",
                        with_suggestion=with_suggestion)
    return search(get_searcher(), req), page, size
