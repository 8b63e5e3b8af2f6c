"""Atom feeds of searches: ``/search.atom?q=...&region=...`` follows a search.

One entry per matching narrative (up to ``max_limit``), newest edition first, each dated by when
its text last changed in a published build (``indexer/index/updates.py``), so a feed reader
shows a new edition or a corrected page that matches as new or updated.
"""

from __future__ import annotations

import datetime
import re
import urllib.parse
import uuid
from dataclasses import dataclass

from flask import Blueprint, render_template

from indexer.index.updates import read_updates
from indexer.search.handle import OpenBuild
from indexer.search.query import FILTER_NAMES
from webapp.links import external_url
from webapp.searching import get_build, open_builds, run_search, search_args

bp = Blueprint("feeds", __name__)


@dataclass
class Entry:
    """One narrative in a feed."""

    id: str
    title: str
    url: str
    updated: str
    summary: str
    report: str


def _updates(build: OpenBuild) -> dict[str, tuple[str, str]]:
    """Narrative id -> (digest, last changed) of the build searched; once per build."""
    return build.table("updates", lambda _: read_updates(build.directory) if build.directory else {})


def _built(build: OpenBuild) -> str:
    """When the build searched was made, for narratives its record does not date."""
    made = build.directory.stat().st_mtime if build.directory else 0.0
    return datetime.datetime.fromtimestamp(made, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# What XML 1.0 may not hold (control characters, U+FFFE, U+FFFF): a query may bring them into the feed.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _atom_id(name: str) -> str:
    """An Atom id for ``name``: an absolute IRI, the same whatever address the app is reached at."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'tipsearch:' + name)}"


def _feed_id(args: dict) -> str:
    return _atom_id("search?" + urllib.parse.urlencode(sorted(args.items()), doseq=True))


@bp.get("/search.atom")
def search_feed():
    """The search of the page's parameters as an Atom 1.0 feed."""
    most = open_builds().settings.max_limit
    response, _, _ = run_search(most, page=1, with_suggestion=False, plain_snippets=True, sort="newest")
    build = get_build()
    updates, built = _updates(build), _built(build)
    entries = [
        Entry(
            _atom_id(f"narrative/{hit.id}"),
            hit.heading,
            external_url("views.document_page", narrative_id=hit.id),
            updates.get(hit.id, ("", built))[1],
            " … ".join(section.snippet for section in hit.sections[:1]),
            hit.report,
        )
        for hit in response.hits
    ]
    args = search_args()
    body = render_template(
        "search.atom.xml",
        entries=entries,
        query=response.request.q,
        filters=[(name, value) for name in FILTER_NAMES for value in args.get(name, [])],
        feed_id=_feed_id(args),
        self_url=external_url("feeds.search_feed", **args),
        page_url=external_url("views.search_page", **args),
        updated=max((e.updated for e in entries), default=built),
    )
    return _NOT_XML.sub("", body), 200, {"Content-Type": "application/atom+xml; charset=utf-8"}
