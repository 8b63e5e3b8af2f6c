"""Ranking: BM25 with Lucene's idf, and an OR that prefers documents matching more words.

:class:`TipBM25` is Whoosh's BM25F (k1 1.2, b 0.75) with Lucene's idf,
``log(1 + (N - n + 0.5) / (n + 0.5))``, where N counts only the documents of the kind
that carries the field (narratives for their whole text, sections for section text): the
index holds both kinds, and counting all of them would flatten every idf.

For short queries (up to ``COORD_MAX_CLAUSES`` words or phrases) a coordination factor
multiplies the score by the share of the query's clauses a document matches (Lucene's
classic ``coord``), so ``forced labor fishing`` ranks documents holding all three words
above documents repeating one of them. Long natural-language queries are ranked by BM25
alone: there, requiring most words outweighs the words that matter (measured in
docs/ranking.md). Whoosh's own scaled OR zeroes the score of one-word queries.
"""

from __future__ import annotations

import math

from whoosh import query as wq
from whoosh import scoring
from whoosh.matching import UnionMatcher, WrappingMatcher
from whoosh.qparser import syntax

from indexer.index.schema import FIELD_KINDS

COORD_MAX_CLAUSES = 5


class TipBM25(scoring.BM25F):
    """BM25F with Lucene's idf over the documents of the field's own kind."""

    def idf(self, searcher, fieldname: str, text) -> float:
        parent = searcher.get_parent()
        kind = FIELD_KINDS.get(fieldname)
        total = parent.doc_frequency("kind", kind) if kind else parent.doc_count()
        found = parent.doc_frequency(fieldname, text)
        return math.log(1 + (total - found + 0.5) / (found + 0.5))


def _union(matchers: list) -> UnionMatcher:
    if len(matchers) == 1:
        return matchers[0]
    middle = len(matchers) // 2
    return UnionMatcher(_union(matchers[:middle]), _union(matchers[middle:]))


class CoordMatcher(WrappingMatcher):
    """Union of clause matchers; with few clauses, the score is scaled by matched / all clauses."""

    def __init__(self, clauses: list):
        super().__init__(_union(clauses))
        self._clauses = clauses

    def replace(self, minquality=0):
        # The clause matchers must stay the ones the union steps through.
        return self

    def supports_block_quality(self):
        return False

    def score(self):
        if len(self._clauses) > COORD_MAX_CLAUSES:
            return self.child.score()
        current = self.child.id()
        matched = sum(1 for m in self._clauses if m.is_active() and m.id() == current)
        return self.child.score() * matched / len(self._clauses)


class CoordOr(wq.Or):
    """``Or`` that ranks with :class:`CoordMatcher` when it has several clauses."""

    def _matcher(self, subs, searcher, context):
        if len(subs) < 2 or (context is not None and context.weighting is None):
            return super()._matcher(subs, searcher, context)
        return CoordMatcher([q.matcher(searcher, context) for q in subs])


class CoordOrGroup(syntax.OrGroup):
    """Query parser group that builds :class:`CoordOr`."""

    qclass = CoordOr
