"""The Whoosh schema, in one place: one document per narrative section.

A section document carries its narrative's metadata, so results can be grouped
per narrative (``narrative``) and limited to a section (``section`` keys).
"""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from indexer.analysis import exact_analyzer, stemmed_analyzer

SCHEMA_VERSION = 1

# Fields searched by plain words, with their BM25F boosts.
SEARCH_FIELDS = {"body": 1.0, "heading": 1.5, "place": 1.2}


def make_schema() -> Schema:
    """Build the schema used by every index."""
    stemmed = stemmed_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        narrative=ID(stored=True, sortable=True),
        report=ID(stored=True),
        year=NUMERIC(int, bits=32, stored=True, signed=False),
        iso3=ID(stored=True),
        country=STORED(),
        region=ID(stored=True),
        tier=ID(stored=True),
        tier_label=STORED(),
        section=KEYWORD(stored=True, lowercase=True),
        position=NUMERIC(int, bits=32, stored=True, signed=False),
        title=STORED(),
        heading=TEXT(analyzer=stemmed, stored=True),
        place=TEXT(analyzer=stemmed),
        body=TEXT(analyzer=stemmed, stored=True),
        exact=TEXT(analyzer=exact_analyzer()),
        pages=STORED(),
        source=STORED(),
        content_hash=STORED(),
    )
