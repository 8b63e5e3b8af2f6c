"""The Whoosh schema, in one place: a document per narrative, per section and per paragraph.

Narrative documents (``kind`` = ``narrative``) hold a narrative's whole text in
``fulltext`` (no positions): which narratives a query matches, and which hold all its
words, is decided there. Paragraph documents (``kind`` = ``paragraph``) hold one
paragraph in ``passage`` with the narrative's filter fields: plain-word queries rank
narratives by them (``indexer/passages.py``). Section documents (``kind`` =
``section``) carry the section text with positions plus the narrative's metadata:
phrases and exact words are searched there, and they are what results and the
document page show.
"""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, Schema

from indexer.index.analysis import AnalyzedText, WordPairs

# Fields searched by plain words in each kind of document, with their BM25F boosts.
SECTION_FIELDS = {"body": 1.0, "heading": 1.5, "place": 1.2}
NARRATIVE_FIELDS = {"fulltext": 1.0, "place": 1.2}
# The kind of document that carries each text field ("place" is in both).
FIELD_KINDS = {
    "fulltext": "narrative",
    "passage": "paragraph",
    "passage_exact": "paragraph",
    "body": "section",
    "heading": "section",
    "exact": "section",
    "body_pairs": "section",
    "heading_pairs": "section",
}


def make_schema() -> Schema:
    """Build the schema used by every index."""
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
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
        heading=AnalyzedText(stored=True),
        place=AnalyzedText(),
        body=AnalyzedText(stored=True),
        fulltext=AnalyzedText(phrase=False),
        passage=AnalyzedText(),
        passage_exact=AnalyzedText(stem=False, phrase=False),
        exact=AnalyzedText(stem=False),
        body_pairs=WordPairs(),
        heading_pairs=WordPairs(),
        pages=STORED(),
        section_headings=STORED(),  # of a narrative document: each section key's heading
        acronyms=STORED(),  # of a narrative document: the acronyms it defines (indexer/acronyms.py)
        source=STORED(),
        content_hash=STORED(),
        text_digest=STORED(),  # of a narrative document: what a reader sees of it (indexer/index/updates.py)
    )
