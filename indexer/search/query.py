"""User query text and filters -> Whoosh queries.

Free text is ranked over the text, headings and place names with an OR that
prefers documents matching more of the words; "phrases", AND/OR/NOT and
``exact:word`` work; filters (``country:``, ``year:``, ``tier:``, ``section:``,
``report:``, ``region:``) may be typed in the query or given as parameters. Text
that does not parse is searched as plain words.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.qparser import MultifieldParser

from indexer.errors import QueryRejected
from indexer.index.analysis import word_tokens
from indexer.index.schema import NARRATIVE_FIELDS, SECTION_FIELDS, make_schema
from indexer.reports.narratives import REPORT_NAMES
from indexer.reports.tiers import normalize_tier
from indexer.reports.years import year_range
from indexer.search.names import with_other_names
from indexer.search.phrases import pair_phrases
from indexer.search.policy import sanitize, with_allowed_syntax
from indexer.search.ranking import CoordOr, CoordOrGroup
from indexer.search.snippets import QueryTerms
from indexer.settings import DEFAULTS, Settings

FILTER_NAMES = ("report", "country", "year", "tier", "section", "region")
TEXT_FIELDS = (*SECTION_FIELDS, *NARRATIVE_FIELDS, "exact")
# A bracketed value holds no other bracket: an unclosed ``[`` is looked past at the next one, never to the end.
FILTER_IN_QUERY = re.compile(rf"(?<!\S)({'|'.join(FILTER_NAMES)}):(\[[^\][]*\]|\"[^\"]*\"|\S+)", re.I)
_SYNTAX = re.compile(r"[\"():*?~^\[\]{}+\-!\\/]|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b")
_PROXIMITY = re.compile(r"~\d+")
_schema = make_schema()


FilterValues = tuple[str, ...]


@dataclass(frozen=True)
class Filters:
    """Restrictions on the narratives searched, as the user gave them: each filter's values (ORed within a
    filter, ANDed across filters). A single value may be given as a string."""

    report: FilterValues = ()
    country: FilterValues = ()
    year: FilterValues = ()
    tier: FilterValues = ()
    section: FilterValues = ()
    region: FilterValues = ()

    def __post_init__(self) -> None:
        for name in FILTER_NAMES:
            given = getattr(self, name)
            values = (given,) if isinstance(given, str) else tuple(given)
            object.__setattr__(self, name, tuple(dict.fromkeys(v.strip() for v in values if v.strip())))

    def given(self) -> list[tuple[str, str]]:
        """(filter name, value) of every value given, in the order of ``FILTER_NAMES``."""
        return [(name, value) for name in FILTER_NAMES for value in getattr(self, name)]


def _parser(fields: dict[str, float]) -> MultifieldParser:
    return with_allowed_syntax(MultifieldParser(list(fields), _schema, fieldboosts=fields, group=CoordOrGroup))


_PARSERS = {"section": _parser(SECTION_FIELDS), "narrative": _parser(NARRATIVE_FIELDS)}


def split_filters(text: str, filters: Filters) -> tuple[str, Filters]:
    """Move ``name:value`` filters typed in the query into ``filters``; a filter given as a parameter replaces
    the values typed for it."""
    found: dict[str, list[str]] = {}
    for name, value in FILTER_IN_QUERY.findall(text):
        found.setdefault(name.lower(), []).append(value.strip('"[]'))  # year:[2016 TO 2019] as year:2016 TO 2019
    merged = Filters(**{name: getattr(filters, name) or tuple(found.get(name, ())) for name in FILTER_NAMES})
    return FILTER_IN_QUERY.sub(" ", text).strip(), merged


def _fields_ok(q: wq.Query) -> bool:
    return all(field in TEXT_FIELDS for field, _ in q.iter_all_terms())


def lift_nots(q: wq.Query) -> wq.Query:
    """Turn ``OR(a, b, NOT c)`` into ``(a OR b) ANDNOT c``, so NOT excludes under an OR default."""
    if isinstance(q, wq.BinaryQuery):
        return q.__class__(lift_nots(q.a), lift_nots(q.b))
    if isinstance(q, wq.CompoundQuery):
        q = q.__class__([lift_nots(sub) for sub in q.subqueries], boost=q.boost)
    if not isinstance(q, wq.Or):
        return q
    positive = [sub for sub in q.subqueries if not isinstance(sub, wq.Not)]
    negative = [sub.query for sub in q.subqueries if isinstance(sub, wq.Not)]
    if not negative or not positive:
        return q
    kept = positive[0] if len(positive) == 1 else q.__class__(positive, boost=q.boost)
    return wq.AndNot(kept, negative[0] if len(negative) == 1 else wq.Or(negative))


def weight_repeated_words(q: wq.Query, text: str) -> wq.Query:
    """Boost each word clause of a top-level OR by how often its word occurs in ``text``.

    The parser keeps one clause per distinct word; a word a long question repeats is
    one it is about (query term frequency, as BM25 counts it).
    """
    if isinstance(q, wq.AndNot):
        return wq.AndNot(weight_repeated_words(q.a, text), q.b)
    if not isinstance(q, wq.Or):
        return q
    counts = Counter(stem for _, stem, _, _ in word_tokens(text) if stem)
    weighted = []
    for clause in q.subqueries:
        words = {w.decode() if isinstance(w, bytes) else w for _, w in clause.iter_all_terms()}
        repeats = counts[words.pop()] if len(words) == 1 and not isinstance(clause, wq.Phrase) else 1
        weighted.append(clause.with_boost(clause.boost * repeats) if repeats > 1 else clause)
    return q.__class__(weighted, boost=q.boost)


def parse_text(
    text: str, level: str = "section", settings: Settings = DEFAULTS, other_names: bool = False
) -> wq.Query | None:
    """The ranked query for free text over ``section`` or ``narrative`` documents; None for no words. With
    ``other_names``, a country's name stands for all its names (``indexer/search/names.py``), as it does in
    what a search matches: for the sections shown and the words marked; narratives are ranked by the words typed."""
    text = sanitize(text, settings)
    text = with_other_names(text) if other_names else text
    if not text.strip():
        return None
    parser = _PARSERS[level]
    try:
        q = lift_nots(parser.parse(text))
        if _fields_ok(q) and _searches_something(q):
            return pair_phrases(weight_repeated_words(q, text))
    except Exception:  # any parse failure falls back to plain words below
        pass
    plain = plain_words(text)
    q = parser.parse(plain) if plain.strip() else wq.NullQuery
    if _searches_something(q):
        return weight_repeated_words(q, plain)
    words = stopwords_only(plain)
    if not words:
        return None
    return wq.Term("exact", words[0]) if len(words) == 1 else CoordOr([wq.Term("exact", w) for w in words])


def plain_words(text: str) -> str:
    """Query text that does not parse, as plain words: its syntax taken out (the N of ``~N`` is no word)."""
    return _SYNTAX.sub(" ", _PROXIMITY.sub(" ", text))


def stopwords_only(text: str) -> list[str]:
    """The words of a query of stopwords only (``WHO``, ``the``), folded, each once: searched as whole words."""
    return list(dict.fromkeys(folded for folded, _, _, _ in word_tokens(text)))


def _searches_something(q: wq.Query) -> bool:
    """Whether a parsed query holds a word, phrase or prefix (stopwords alone leave none)."""
    leaves = list(q.leaves()) if q.children() else [q]
    return any(isinstance(leaf, (wq.Term, wq.Phrase, wq.Prefix)) for leaf in leaves)


def scored_part(q: wq.Query) -> wq.Query:
    """The part of ``q`` that ranks: without what it excludes (which the narratives ranked do not hold), and
    without Whoosh's matchers of NOT, which fail on some trees of phrases."""
    return q.accept(
        lambda node: wq.NullQuery if isinstance(node, wq.Not) else node.a if isinstance(node, wq.AndNot) else node
    ).normalize()


def without_place(q: wq.Query) -> wq.Query:
    """``q`` without its place-name clauses: for ranking the sections of one narrative, which all
    carry the same place names (half the matching work of a several-word query)."""
    return (
        scored_part(q)
        .accept(lambda node: wq.NullQuery if getattr(node, "fieldname", "") == "place" else node)
        .normalize()
    )


def needs_sections(q: wq.Query | None) -> bool:
    """Whether a search must match section by section: for a phrase or an exact word."""
    if q is None:
        return False
    leaves = list(q.leaves()) if q.children() else [q]
    return any(isinstance(leaf, wq.Phrase) or getattr(leaf, "fieldname", "") == "exact" for leaf in leaves)


def _year_query(value: str) -> wq.Query:
    try:
        low, high = year_range(value)
    except ValueError as exc:
        raise QueryRejected(f"year {exc}") from None
    return wq.NumericRange("year", low, high)


def report_value(value: str) -> str:
    """A report filter's value as stored (``tip``, ``hrr``); QueryRejected for another."""
    if value.lower() not in REPORT_NAMES:
        raise QueryRejected(f"report must be one of {', '.join(REPORT_NAMES)}, not {value!r}")
    return value.lower()


def tier_value(value: str) -> str:
    """A tier filter's value as stored (``2WL``); QueryRejected for one that names no tier."""
    tier = normalize_tier(value)
    if tier is None:
        raise QueryRejected(f"tier must be 1, 2, 2WL, 3 or special, not {value!r}")
    return tier


FILTER_FIELDS = {"report": "report", "country": "iso3", "tier": "tier", "section": "section", "region": "region"}


def filter_query(filters: Filters) -> wq.Query | None:
    """The Whoosh filter of ``filters`` as ``checked_filters`` (``indexer/search/filter_values.py``) gives them:
    every filter, any of its values; None when there are none."""
    parts: list[wq.Query] = []
    for name, values in ((name, getattr(filters, name)) for name in FILTER_NAMES):
        if values:
            alternatives = [
                _year_query(value) if name == "year" else wq.Term(FILTER_FIELDS[name], value) for value in values
            ]
            parts.append(alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives))
    return wq.And(parts) if parts else None


def query_terms(q: wq.Query | None) -> QueryTerms:
    """The words and phrases of a query that snippets should mark (not those under NOT)."""
    terms = QueryTerms()
    if q is None:
        return terms
    stack = [q]
    while stack:
        node = stack.pop()
        if isinstance(node, wq.Not):
            continue
        if isinstance(node, wq.AndNot):
            stack.append(node.a)
            continue
        if isinstance(node, wq.Phrase):
            words = tuple(node.words)
            (terms.exact_phrases if node.fieldname == "exact" else terms.stem_phrases).add(words)
        elif isinstance(node, wq.Prefix):
            terms.prefixes.add(node.text)
        elif isinstance(node, wq.Term):
            text = node.text.decode() if isinstance(node.text, bytes) else node.text
            (terms.exact if node.fieldname == "exact" else terms.stems).add(text)
        else:
            stack.extend(node.children())
    return terms
