"""Which narratives a query matches, and the counts built on them: docs/query-language.md, "What a search matches".

The query is parsed with parts side by side read as ``AllOf`` (an AND the "some of the words" reading
may loosen), then evaluated bottom up as sets of **units**: a unit is a narrative, or, with a section
filter and for the section facet, a narrative's text under one group of section keys. Each word,
phrase or prefix gives the units whose text holds it, read from the index as arrays of document
numbers (``indexer.search.boolean.QueryDocs``); AND, OR and NOT are intersections, unions and
differences of those arrays, NOT taken against every unit. No Whoosh matcher decides a match.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.qparser import QueryParser, plugins, syntax

from indexer.search.boolean import QueryDocs
from indexer.search.facets import FACET_NAMES, facet_values, section_key_sets
from indexer.search.handle import OpenBuild
from indexer.search.names import with_other_names
from indexer.search.passages import narrative_numbers
from indexer.search.phrases import pair_phrases
from indexer.search.policy import sanitize, with_allowed_syntax
from indexer.search.query import FILTER_NAMES, Filters, plain_words, stopwords_only
from indexer.settings import Settings

NARRATIVE_WORDS = ("fulltext", "place")  # where a narrative's words are, place names included
IN_SECTIONS = ("body", "heading")  # where a section's words and phrases are
NARRATIVE_FILTERS = tuple(name for name in FILTER_NAMES if name != "section")
_NONE = np.empty(0, np.int64)
_schema_field = "body"  # the field the parser reads plain words and phrases for: stemmed, with positions


class AllOf(wq.And):
    """Parts side by side: every one, or some of them in the "some of the words" reading."""


class _AllOfGroup(syntax.AndGroup):
    qclass = AllOf


class _Parentheses(plugins.GroupPlugin):
    """Parentheses whose parts side by side are every one: ``(a b)`` is one part, never loosened to some.

    Whoosh's grouping, with a plain AND for a bracketed group instead of the parser's ``AllOf``."""

    def do_groups(self, parser, group):
        stack = [parser.group()]
        for node in group:
            if isinstance(node, self.OpenBracket):
                stack.append(syntax.AndGroup())
            elif isinstance(node, self.CloseBracket):
                if len(stack) > 1:
                    last = stack.pop()
                    stack[-1].append(last)
            else:
                stack[-1].append(node)
        top = stack[0]
        for unclosed in stack[1:]:
            top.extend(unclosed)
        if len(top) == 1 and isinstance(top[0], syntax.GroupNode):
            boost, top = top.boost, top[0]
            top.boost = boost
        return top


def _parser(schema) -> QueryParser:
    parser = with_allowed_syntax(QueryParser(_schema_field, schema, group=_AllOfGroup))
    parser.remove_plugin_class(plugins.GroupPlugin)
    parser.add_plugin(_Parentheses())
    return parser


def parse_match(build: OpenBuild, text: str) -> wq.Query | None:
    """The tree a query's match is decided by; None when it searches nothing."""
    settings: Settings = build.settings
    clean = with_other_names(sanitize(text, settings))
    if not clean.strip():
        return None
    parser = build.table("match parser", lambda searcher: _parser(searcher.schema))
    try:
        q = parser.parse(clean)
        if _searches_something(q) and all(field in ("body", "exact") for field, _ in q.iter_all_terms()):
            return q
    except Exception:  # any parse failure is read as plain words below
        pass
    plain = plain_words(clean)
    q = parser.parse(plain) if plain.strip() else wq.NullQuery
    if _searches_something(q):
        return q
    words = stopwords_only(plain)
    return AllOf([wq.Term("exact", w) for w in words]) if words else None


def _searches_something(q: wq.Query) -> bool:
    leaves = list(q.leaves()) if q.children() else [q]
    return any(isinstance(leaf, (wq.Term, wq.Phrase, wq.Prefix)) for leaf in leaves)


def has_parts(q: wq.Query | None) -> bool:
    """Whether a query has parts side by side that are not exclusions: whether "all" and "some" differ."""
    if q is None:
        return False
    if isinstance(q, AllOf) and sum(not isinstance(c, wq.Not) for c in q.children()) > 1:
        return True
    return any(has_parts(child) for child in q.children())


def some_of(q: wq.Query) -> wq.Query:
    """The "some of the words" reading: parts side by side ORed, their exclusions kept."""
    if isinstance(q, wq.Not):
        return wq.Not(some_of(q.query))
    if not q.children():
        return q
    children = [some_of(child) for child in q.children()]
    if not isinstance(q, AllOf):
        return q.__class__(children) if isinstance(q, wq.CompoundQuery) else q.apply(some_of)
    positive = [c for c in children if not isinstance(c, wq.Not)]
    negative = [c for c in children if isinstance(c, wq.Not)]
    either = positive[0] if len(positive) == 1 else wq.Or(positive)
    return wq.And([either, *negative]) if positive and negative else either if positive else wq.And(negative)


class _Units:
    """How documents map to units: ``unit = narrative * count + group``, the groups of a document read from its
    set of section keys (``members``: for each set of section keys, the groups it falls in). Without groups,
    the unit is the narrative."""

    def __init__(self, build: OpenBuild, members: list[list[int]] | None = None, count: int = 1):
        self.names, self.number_of = narrative_numbers(build)
        self.grouped = members is not None
        self.count = count
        self._every: np.ndarray | None = None
        if members is None:
            return
        self.key_set_of = section_key_sets(build)[1]
        self.sizes = np.array([len(m) for m in members], np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]]).astype(np.int64)
        self.flat = np.array([g for m in members for g in m], np.int64)

    @classmethod
    def in_sections(cls, build: OpenBuild, keys: set[str]) -> _Units:
        """One group: the sections with one of ``keys``."""
        return cls(build, [[0] if keys & set(key_set) else [] for key_set in section_key_sets(build)[0]])

    @classmethod
    def by_key(cls, build: OpenBuild) -> tuple[list[str], _Units]:
        """A group per section key (the build's keys, sorted); once per build."""

        def read(_searcher) -> tuple[list[str], _Units]:
            key_sets = section_key_sets(build)[0]
            keys = sorted({key for key_set in key_sets for key in key_set})
            number = {key: i for i, key in enumerate(keys)}
            return keys, cls(build, [[number[key] for key in key_set] for key_set in key_sets], len(keys))

        return build.table("units by section key", read)

    def of(self, docs: np.ndarray) -> np.ndarray:
        """The units ``docs`` fall in, ascending, each once."""
        if not self.grouped:
            return np.unique(self.number_of[docs])
        kinds = len(self.sizes)
        pairs = np.unique(self.number_of[docs] * kinds + self.key_set_of[docs])
        narratives, key_sets = np.divmod(pairs, kinds)
        sizes = self.sizes[key_sets]
        offsets = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        groups = self.flat[np.repeat(self.starts[key_sets], sizes) + offsets]
        return np.unique(np.repeat(narratives, sizes) * self.count + groups)

    def every(self, docs: QueryDocs) -> np.ndarray:
        """Every unit: those of the section documents; once per units."""
        if self._every is None:
            self._every = self.of(docs.docs(wq.Term("kind", "section")))
        return self._every

    def narratives(self, units: np.ndarray) -> np.ndarray:
        """The narrative numbers of ``units``, ascending, each once."""
        return np.unique(units // self.count) if self.grouped else units


class _Evaluator:
    """A parsed query's units, the words' documents read once per search (``docs``); with ``among``, only the
    units of the narratives it marks (narrative number -> whether to look at it)."""

    def __init__(self, build: OpenBuild, units: _Units, docs: QueryDocs, among: np.ndarray | None = None):
        self.build, self.units, self.docs, self.among = build, units, docs, among

    def _of(self, docs: np.ndarray) -> np.ndarray:
        return self.units.of(docs if self.among is None else docs[self.among[self.units.number_of[docs]]])

    def _every(self) -> np.ndarray:
        every = self.units.every(self.docs)
        return every if self.among is None else every[self.among[every // self.units.count]]

    def units_of(self, q: wq.Query | None) -> np.ndarray:
        """The units ``q`` holds of, ascending; every unit for no query."""
        if q is None:
            return self._every()
        if isinstance(q, wq.Not):
            return np.setdiff1d(self._every(), self.units_of(q.query), assume_unique=True)
        if isinstance(q, wq.And):
            found: np.ndarray | None = None
            for child in q.children():
                held = self.units_of(child)
                found = held if found is None else np.intersect1d(found, held, assume_unique=True)
            return _NONE if found is None else found
        if isinstance(q, wq.Or):
            return np.unique(np.concatenate([_NONE, *(self.units_of(c) for c in q.children())]))
        if isinstance(q, wq.Prefix):
            words = [w.decode() if isinstance(w, bytes) else w for w in q._btexts(self.build.searcher.reader())]
            return self.units_of(wq.Or([wq.Term(q.fieldname, w) for w in words]))
        if isinstance(q, wq.Term):
            return self._of(self._term_docs(q))
        if isinstance(q, wq.Phrase):
            fields = IN_SECTIONS if self.units.grouped else (*IN_SECTIONS, "place")
            phrases = [pair_phrases(wq.Phrase(f, q.words, slop=q.slop)) for f in fields]
            return self._of(self.docs.docs(wq.Or(phrases)))
        if q is wq.NullQuery:
            return _NONE
        raise ValueError(f"no match defined for {q!r}")

    def _term_docs(self, q: wq.Term) -> np.ndarray:
        text = q.text.decode() if isinstance(q.text, bytes) else q.text
        if q.fieldname == "exact":
            return self.docs.docs(wq.Term("exact", text))
        fields = IN_SECTIONS if self.units.grouped else NARRATIVE_WORDS
        return self.docs.docs(wq.Or([wq.Term(field, text) for field in fields]))


def _passes(build: OpenBuild, filters: Filters, leave_out: str = "") -> np.ndarray:
    """narrative number -> whether it passes every narrative filter but ``leave_out``."""
    names, _ = narrative_numbers(build)
    passing = np.ones(len(names), bool)
    for name in NARRATIVE_FILTERS:
        wanted = getattr(filters, name)
        if wanted and name != leave_out:
            held, accepts = facet_values(build)[name], _accepts(name, wanted)
            passing &= np.fromiter((accepts(held.get(n, ())) for n in names), bool, len(names))
    return passing


def _accepts(name: str, wanted: tuple[str, ...]) -> Callable[[tuple[str, ...]], bool]:
    """Whether a narrative's values of a filter hold one of the ``wanted`` values (a year, within a range)."""
    if name == "year":
        ranges = [tuple(map(int, value.split("-"))) for value in wanted]
        return lambda held: any(low <= int(year) <= high for year in held for low, high in ranges)
    return lambda held: not set(wanted).isdisjoint(held)


@dataclass
class MatchSet:
    """The narratives a query matches under filters, in the reading it was given in, and its facet counts."""

    matched: set[str]
    every_part: set[str]  # those holding every part (the same as ``matched`` for a query without parts)
    all_words: int | None  # how many hold every part, for a query with parts side by side
    some_words: int | None  # and how many hold some of them
    reading: str  # "all" or "some"
    facets: dict[str, Counter]  # facet name -> value -> count
    excludes: bool = False  # whether the query excludes a word, phrase or prefix


def match_set(build: OpenBuild, text: str, filters: Filters, wanted: str = "all") -> MatchSet:
    """What ``text`` under ``filters`` (as ``checked_filters`` gives them) matches; ``wanted`` "any" asks for the
    narratives holding some of the parts side by side."""
    tree = parse_match(build, text) if text.strip() else None
    names, _ = narrative_numbers(build)
    docs = QueryDocs(build.searcher)
    sections = set(filters.section)
    scoped = _Evaluator(build, _Units.in_sections(build, sections) if sections else _Units(build), docs)
    passing = _passes(build, filters)
    every = scoped.units.narratives(scoped.units_of(tree))
    parts = has_parts(tree)
    some = scoped.units.narratives(scoped.units_of(some_of(tree))) if parts and tree is not None else every
    reading = "some" if parts and (wanted == "any" or not passing[every].any()) else "all"
    found = some if reading == "some" else every
    return MatchSet(
        {names[i] for i in found[passing[found]].tolist()},
        {names[i] for i in every[passing[every]].tolist()},
        int(passing[every].sum()) if parts else None,
        int(passing[some].sum()) if parts else None,
        reading,
        _facet_counts(build, filters, some_of(tree) if reading == "some" and tree is not None else tree, found, docs),
        _excludes(tree),
    )


def _excludes(q: wq.Query | None) -> bool:
    return q is not None and (isinstance(q, wq.Not) or any(_excludes(child) for child in q.children()))


def _facet_counts(
    build: OpenBuild, filters: Filters, q: wq.Query | None, found: np.ndarray, docs: QueryDocs
) -> dict[str, Counter]:
    """Each facet's counts among the narratives ``found`` (before the narrative filters), every filter but the
    facet's own applied; the section facet's by each section key alone as the scope."""
    names, _ = narrative_numbers(build)
    counts: dict[str, Counter] = {}
    for name in NARRATIVE_FILTERS:
        kept = found[_passes(build, filters, leave_out=name)[found]]
        held = facet_values(build)[name]
        counts[name] = Counter(value for i in kept.tolist() for value in held[names[i]])
    keys, by_key = _Units.by_key(build)
    among = _passes(build, filters)
    if not filters.section and not _excludes(q):  # a section's text holds what its narrative holds, and no more
        among &= np.isin(np.arange(len(names)), found)
    key_numbers = _Evaluator(build, by_key, docs, among).units_of(q) % len(keys)
    chosen, count = np.unique(key_numbers, return_counts=True)
    counts["section"] = Counter({keys[k]: n for k, n in zip(chosen.tolist(), count.tolist(), strict=True)})
    return {name: counts[name] for name in FACET_NAMES}
