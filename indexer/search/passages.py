"""Narratives ranked by their paragraphs: the evidence for plain-word queries.

In standardised reports every narrative has the same sections, so a word's document
frequency over narratives says little ("child" and "marriage" are in all of them); over
paragraphs it still discriminates. Each paragraph is scored with BM25 (Lucene's idf over
paragraphs, k1 1.2, b 0.5), and multiplied by 1 + ``PROXIMITY`` when it holds every word of
the query within ``WINDOW`` words (word positions are not read in a paragraph holding a word
more than ``CROWDED`` times, which no real one does: their cost would follow a hostile
page's size). A narrative's score adds up its paragraph scores best first, each worth
``DECAY`` times the one before: the best paragraph counts most, and many paragraphs about the
topic count more than one, with diminishing returns. A narrative whose place names (country,
other names, region) hold query words gets one more passage for them, scored as a paragraph
holding those words once. docs/ranking.md has the measurements.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from indexer.index.analysis import AMERICAN, stem_word, word_tokens
from indexer.search.handle import OpenBuild
from indexer.search.postings import field_lengths, positions, postings, segments

K1, B = 1.2, 0.5
PROXIMITY, WINDOW, IN_ORDER = 1.0, 20, 0.5
DECAY = 0.7
POSTINGS_BUDGET = 200_000  # paragraph postings one search reads, about 0.3 s of scoring
CROWDED = 1_000  # occurrences of one word past which a paragraph's word positions are not read (no real one has)
PLACE_WEIGHT = 3.0
OTHER_FORMS = 0.6
FIELD, EXACT_FIELD, PLACE_FIELD = "passage", "passage_exact", "place"
Allowed = np.ndarray | None  # docnum -> whether a search may score that paragraph (None: all may be)
WORD_FIELDS = ("fulltext", "body")  # fields of a parsed query whose words are the paragraphs' words
PARAGRAPHS = wq.Term("kind", "paragraph")


@dataclass(frozen=True)
class Clause:
    """One word or prefix of a query: its terms in the paragraph and place fields, and its weight."""

    terms: tuple[str, ...]
    place: tuple[str, ...]
    weight: float
    forms: tuple[str, ...] = ()  # the word as typed (folded) and its plural or singular, for terms[0]
    stands_for: tuple[int, ...] = ()  # of an acronym: the clauses of the words it stands for


@dataclass
class Evidence:
    """How a narrative matched: its score and its matching paragraphs' docnums and scores, best first."""

    score: float
    docs: np.ndarray
    scores: np.ndarray

    @property
    def paragraphs(self) -> list[tuple[int, float]]:
        """(docnum, score) of the matching paragraphs, best first."""
        return list(zip(self.docs.tolist(), self.scores.tolist(), strict=True))


def _leaves(q: wq.Query) -> list[wq.Query]:
    return list(q.leaves()) if q.children() else [q]


def _text(leaf: wq.Query) -> str:
    text = getattr(leaf, "text", "")
    return text.decode() if isinstance(text, bytes) else text


def _terms(leaf: wq.Query, reader) -> list[str]:
    if isinstance(leaf, wq.Prefix):
        return [t.decode() if isinstance(t, bytes) else t for t in leaf._btexts(reader)]
    return [_text(leaf)] if isinstance(leaf, wq.Term) else []


def _word(q: wq.Query) -> set[tuple[str, type]]:
    return {(_text(leaf), type(leaf)) for leaf in _leaves(q)}


def clause_nodes(q: wq.Query) -> list[wq.Query]:
    """The parts of a parsed query that each look for one word (in any field), NOT parts left out.

    The parser may flatten ``a* OR b*`` into one OR of every field's prefix: the parts of one word
    are joined, weighted by how many times the query holds the word (a hyphenated ``data-processing``
    beside ``data``).
    """
    if isinstance(q, wq.Not):
        return []
    if isinstance(q, wq.AndNot):
        return clause_nodes(q.a)
    if len(_word(q)) <= 1:
        return [q]
    by_word: dict[frozenset, list[wq.Query]] = {}
    for node in (node for child in q.children() for node in clause_nodes(child)):
        by_word.setdefault(frozenset(_word(node)), []).append(node)
    return [nodes[0] if len(nodes) == 1 else wq.Or(nodes, boost=_occurrences(nodes)) for nodes in by_word.values()]


def _occurrences(nodes: list[wq.Query]) -> float:
    """How many times the query holds the word of ``nodes``: each node holding its text-field clause counts."""
    found = sum(
        node.boost for node in nodes if any(getattr(leaf, "fieldname", "") in WORD_FIELDS for leaf in _leaves(node))
    )
    return found or 1.0


def _forms(word: str, stem: str) -> list[str]:
    """A typed word and its singular or plural (``prison``, ``prisons``): the forms that count in full."""
    variants = [word, word + "s", word + "es", word.removesuffix("s"), word.removesuffix("es")]
    return [v for v in dict.fromkeys(variants) if v and (v == word or stem_word(v) == stem)]


def typed_forms(text: str) -> dict[str, list[str]]:
    """Stem -> the words of query ``text`` with that stem, as typed (labour read as labor) and in their other number."""
    typed: dict[str, list[str]] = defaultdict(list)
    for folded, stem, _, _ in word_tokens(text):
        if stem:
            typed[stem] += [form for form in _forms(AMERICAN.get(folded, folded), stem) if form not in typed[stem]]
    return typed


def query_clauses(q: wq.Query, reader, text: str, acronyms: dict[tuple[str, ...], str]) -> list[Clause]:
    """The words of a parsed plain-word query (typed as ``text``) as clauses to score paragraphs with.

    When the query holds every word an acronym stands for (``acronyms``: stems -> acronym),
    the acronym is one more clause, and a paragraph holding it holds those words.
    """
    typed = typed_forms(text)
    found = []
    for node in clause_nodes(q):
        leaves = _leaves(node)
        terms = [t for leaf in leaves if getattr(leaf, "fieldname", "") in WORD_FIELDS for t in _terms(leaf, reader)]
        place = [t for leaf in leaves if getattr(leaf, "fieldname", "") == PLACE_FIELD for t in _terms(leaf, reader)]
        forms = typed.get(terms[0], []) if len(terms) == 1 and not isinstance(leaves[0], wq.Prefix) else []
        if terms or place:
            found.append(Clause(tuple(dict.fromkeys(terms)), tuple(dict.fromkeys(place)), node.boost, tuple(forms)))
    return _with_acronyms(found, acronyms)


def _with_acronyms(clauses: list[Clause], acronyms: dict[tuple[str, ...], str]) -> list[Clause]:
    words = {c.terms[0]: i for i, c in enumerate(clauses) if len(c.terms) == 1}
    found = [
        Clause((acronym,), (), 1.0, stands_for=tuple(words[w] for w in expansion))
        for expansion, acronym in acronyms.items()
        if all(w in words for w in expansion)
    ]
    return clauses + found


def narrative_column(build: OpenBuild) -> list[str]:
    """docnum -> narrative id, read into memory once per build (a search may look up every match)."""
    return build.table("narrative column", lambda searcher: list(searcher.reader().column_reader("narrative")))


def narrative_numbers(build: OpenBuild) -> tuple[list[str], np.ndarray]:
    """The build's narrative ids, and docnum -> the number of its narrative among them; once per build."""

    def number(_searcher) -> tuple[list[str], np.ndarray]:
        column = narrative_column(build)
        names = sorted(set(column))
        index = {name: i for i, name in enumerate(names)}
        return names, np.fromiter(map(index.__getitem__, column), np.int64, len(column))

    return build.table("narrative numbers", number)


class _Scorer:
    """BM25 of paragraphs for one search: idf over paragraph documents, lengths read once per build."""

    def __init__(self, build: OpenBuild):
        self.reader = build.searcher.reader()
        self.total = max(1, build.searcher.doc_frequency("kind", "paragraph"))
        self.average = max(1.0, self.reader.field_length(FIELD) / self.total)
        self.lengths = field_lengths(build, FIELD)

    def idf(self, term: str) -> float:
        found = self.reader.doc_frequency(FIELD, term)
        return math.log(1 + (self.total - found + 0.5) / (found + 0.5))

    def bm25(self, tf: np.ndarray, docs: np.ndarray) -> np.ndarray:
        norm = K1 * (1 - B + B * self.lengths[docs] / self.average)
        return tf * (K1 + 1) / (tf + norm)

    def postings(self, field: str, term: str, allowed: Allowed) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, weights) of a term's postings, those ``allowed`` says yes to only, when it is given."""
        docs, weights = postings(self.reader, field, term)
        if allowed is None:
            return docs, weights
        kept = allowed[docs]
        return docs[kept], weights[kept]


def _min_window(positions: list[list[int]]) -> float:
    """The fewest words spanning one position of every list (each list sorted); infinite when a list is empty."""
    merged = sorted((p, i) for i, plist in enumerate(positions) for p in plist)
    seen: defaultdict[int, int] = defaultdict(int)
    need, best, lo = len(positions), math.inf, 0
    for p, i in merged:
        seen[i] += 1
        while len(seen) == need:
            start, j = merged[lo]
            best = min(best, p - start + 1)
            seen[j] -= 1
            if not seen[j]:
                del seen[j]
            lo += 1
    return best


def _in_order(lists: list[list[int]]) -> float:
    """The share of the query's neighbouring words that some place in the paragraph holds side by side, in order."""
    pairs = list(zip(lists, lists[1:], strict=False))
    return sum(1 for first, second in pairs if {p + 1 for p in first} & set(second)) / len(pairs)


def _proximity(reader, clauses: list[Clause], read: set[str], docnums: set[int]) -> dict[int, float]:
    """For those of ``docnums`` holding a word of every word clause within ``WINDOW`` words, the factor
    their score is multiplied by: 1 + ``PROXIMITY``, plus up to ``IN_ORDER`` for words side by side in query order.
    Only the positions of terms whose postings were ``read`` are read: the others' cost is what the budget left out.
    """
    if not docnums:
        return {}
    words = [c for c in clauses if not c.stands_for]
    found: dict[int, list[list[int]]] = {d: [[] for _ in words] for d in docnums}
    for leaf, base in segments(reader):
        wanted = {d - base for d in docnums if base <= d < base + leaf.doc_count_all()}
        for i, clause in enumerate(clauses):
            for term in (t for t in clause.terms if t in read):
                for docnum, where in positions(leaf, FIELD, term, wanted):
                    for j in clause.stands_for or (i,):
                        found[docnum + base][j] += where
    factors = {}
    for docnum, lists in found.items():
        lists = [sorted(p) for p in lists]
        if _min_window(lists) <= WINDOW:
            factors[docnum] = 1 + PROXIMITY + IN_ORDER * _in_order(lists)
    return factors


def _as_typed(scorer: _Scorer, forms: tuple[str, ...], allowed: Allowed) -> np.ndarray:
    """Paragraph docnum -> how often it holds the word in a form typed."""
    counts = np.zeros(scorer.reader.doc_count_all())
    for form in forms:
        docs, weights = scorer.postings(EXACT_FIELD, form, allowed)
        counts[docs] += weights
    return counts


def _within_budget(scorer: _Scorer, clauses: list[Clause]) -> set[str]:
    """The query's terms read over paragraphs: the rarest first, as long as their postings add up to at
    most ``POSTINGS_BUDGET`` (always one). A long query of common words, or of prefixes, costs a bounded
    time; the most common words it leaves out weigh least in BM25 and still decide what matches.
    """
    cost: dict[str, int] = {}
    for clause in clauses:
        for term in clause.terms:
            cost[term] = scorer.reader.doc_frequency(FIELD, term)
        if clause.forms:  # the typed forms' postings are read too
            cost[clause.terms[0]] += sum(scorer.reader.doc_frequency(EXACT_FIELD, form) for form in clause.forms)
    read: set[str] = set()
    total = 0
    for term in sorted(cost, key=lambda term: cost[term]):
        total += cost[term]
        if read and total > POSTINGS_BUDGET:
            break
        read.add(term)
    return read


def score_paragraphs(build: OpenBuild, clauses: list[Clause], allowed: Allowed) -> tuple[np.ndarray, np.ndarray]:
    """The paragraphs ``allowed`` (all when None) holding a query word: their docnums, ascending, and scores.

    Other forms of a typed word (``forces`` for ``forced``) count ``OTHER_FORMS`` as much as the
    form typed and its plural or singular.
    """
    scorer = _Scorer(build)
    read = _within_budget(scorer, clauses)
    scores = np.zeros(scorer.reader.doc_count_all())
    touched = np.zeros(len(scores), bool)
    words = sum(1 for c in clauses if not c.stands_for)
    near = 1 < words <= WINDOW  # more words than the window never fit in it
    held = np.zeros(len(scores), np.int64)  # which clauses a paragraph holds, one bit each, when ``near``
    crowded = np.zeros(len(scores), bool)  # holds a word more than CROWDED times: a hostile page, not prose
    for i, clause in enumerate(clauses):
        typed = _as_typed(scorer, clause.forms, allowed) if clause.forms and clause.terms[0] in read else None
        bits = sum(1 << j for j in clause.stands_for) if clause.stands_for else 1 << i
        for term in (t for t in clause.terms if t in read):
            docs, tf = scorer.postings(FIELD, term, allowed)  # a term's postings name each paragraph once
            crowded[docs] |= tf > CROWDED
            if typed is not None and term == clause.terms[0]:
                as_typed = typed[docs]
                tf = as_typed + OTHER_FORMS * (tf - as_typed)
            scores[docs] += clause.weight * scorer.idf(term) * scorer.bm25(tf, docs)
            touched[docs] = True
            if near:
                held[docs] |= bits
    found = np.flatnonzero(touched)
    if near:
        holding_all = found[(held[found] == (1 << words) - 1) & ~crowded[found]]
        for docnum, factor in _proximity(scorer.reader, clauses, read, set(holding_all.tolist())).items():
            scores[docnum] *= factor
    return found, scores[found]


def _place_scores(build: OpenBuild, clauses: list[Clause]) -> dict[str, float]:
    """Narrative id -> the score of its place names as one passage holding the query words they hold."""
    scorer, narrative_of = _Scorer(build), narrative_column(build)
    scores: dict[str, float] = defaultdict(float)
    for clause in clauses:
        holding: dict[str, float] = {}
        for term in clause.place:
            if (PLACE_FIELD, term) in scorer.reader:
                idf = scorer.idf(term)
                for docnum in scorer.reader.postings(PLACE_FIELD, term).all_ids():
                    holding[narrative_of[docnum]] = max(holding.get(narrative_of[docnum], 0.0), idf)
        for narrative, idf in holding.items():
            scores[narrative] += PLACE_WEIGHT * clause.weight * idf
    return scores


def rank_narratives(build: OpenBuild, clauses: list[Clause], allowed: Allowed) -> dict[str, Evidence]:
    """Narrative id -> its evidence, for every narrative with a matching paragraph or place name."""
    names, number_of = narrative_numbers(build)
    place = np.zeros(len(names))
    for narrative, score in _place_scores(build, clauses).items():
        place[bisect_left(names, narrative)] = score
    docs, scores = score_paragraphs(build, clauses, allowed)
    evidence = {}
    if len(docs):
        owners = number_of[docs]
        order = np.lexsort((-scores, owners))  # by narrative, then best first
        docs, scores, owners = docs[order], scores[order], owners[order]
        starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        ends = np.append(starts[1:], len(owners))
        ranks = np.arange(len(owners)) - np.repeat(starts, ends - starts)
        # A place score is one more passage among the paragraphs': those below it move down a rank.
        below = (scores <= place[owners]) & (place[owners] > 0)
        decayed = np.add.reduceat(scores * DECAY ** (ranks + below), starts)
        above = np.add.reduceat((~below).astype(np.int64), starts)
        for k, (start, end) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
            owner = int(owners[start])
            total = decayed[k] + place[owner] * DECAY ** above[k]
            evidence[names[owner]] = Evidence(float(total), docs[start:end], scores[start:end])
    empty = np.empty(0, np.int64)
    for owner in np.flatnonzero(place).tolist():
        if names[owner] not in evidence:
            evidence[names[owner]] = Evidence(float(place[owner]), empty, np.empty(0))
    return evidence
