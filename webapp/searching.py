"""What the views and the API share: the open build of the app's index and the request's search."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import current_app, g, request

from indexer.errors import QueryRejected
from indexer.search.engine import SearchRequest, SearchResponse, search
from indexer.search.filter_values import MAX_FILTER_LENGTH
from indexer.search.handle import OpenBuild, OpenBuilds
from indexer.search.query import FILTER_NAMES, Filters


def open_builds() -> OpenBuilds:
    """The app's open builds (lent to one request at a time) and its settings."""
    return current_app.extensions["tipsearch"]


def get_build() -> OpenBuild:
    """The open build of the app's index this request searches: the current one when it first asked."""
    if "build" not in g:
        g.build = open_builds().borrow()
    return g.build


def give_back_build(_error: BaseException | None = None) -> None:
    """At the end of a request, give back the build it borrowed."""
    build = g.pop("build", None)
    if build is not None:
        open_builds().give_back(build)


def request_filters() -> Filters:
    """Filters from the GET parameters, each with every value given (``country=BGD&country=IND``)."""
    return Filters(**{name: tuple(request.args.getlist(name)) for name in FILTER_NAMES})


def _int_arg(name: str, default: int) -> int:
    value = request.args.get(name, "")
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise QueryRejected(f"{name} must be a whole number, not {value!r}") from None


def requested_page() -> int:
    """The ``page`` parameter: 1 when absent."""
    page = _int_arg("page", 1)
    if page < 1:
        raise QueryRejected("page must be 1 or more")
    return page


def run_search(default_size: int | None = None, page: int | None = None, **fields) -> tuple[SearchResponse, int, int]:
    """Search for the current request's ``q``, filters and ``page`` (or the ``page`` given), with other
    ``fields`` of the SearchRequest set (``with_suggestion``, ``plain_snippets``, ``sort``); returns
    (response, page, size)."""
    size = _int_arg("limit", default_size or open_builds().settings.page_size)
    page = page or requested_page()
    if page > open_builds().settings.max_page:
        raise QueryRejected(f"page must be between 1 and {open_builds().settings.max_page}")
    req = SearchRequest(
        q=request.args.get("q", ""),
        filters=request_filters(),
        limit=size,
        offset=(page - 1) * size,
        sort=request.args.get("sort", "relevance") or "relevance",
        match=request.args.get("match", "all") or "all",
    )
    return search(get_build(), replace(req, **fields)), page, size


# What a link to a search carries over; spelling=as-typed searches a misspelt word as typed.
SEARCH_PARAMETERS = ("q", *FILTER_NAMES, "sort", "limit", "spelling", "match")


def search_args(**changed: str | list[str]) -> dict[str, Any]:
    """This request's search parameters (a filter's as the list of its values), with the ``changed`` ones
    replaced; any other parameter is dropped (``url_for`` reads some, such as ``_external``, as instructions),
    and so is a value too long to be one."""
    kept: dict[str, Any] = {}
    for name in SEARCH_PARAMETERS:
        many = name in FILTER_NAMES
        value = changed.get(name, request.args.getlist(name) if many else request.args.get(name, ""))
        if many:
            values = [value] if isinstance(value, str) else value
            value = [v for v in values if v and len(v) <= MAX_FILTER_LENGTH]
        elif name != "q" and len(value) > MAX_FILTER_LENGTH:
            value = ""
        if value:
            kept[name] = value
    return kept
