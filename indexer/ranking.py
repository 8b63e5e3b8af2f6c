"""Ranking: an OR that prefers sections matching more of the query's words.

BM25F scores each section; a coordination factor then multiplies the score by the
share of the query's clauses (words or phrases) the section matches (Lucene's
classic ``coord``), so a long natural-language query ranks sections holding most
of its words above sections repeating one of them. (Whoosh's own scaled OR zeroes
the score of one-word queries.)
"""

from __future__ import annotations

from whoosh import query as wq
from whoosh.matching import UnionMatcher, WrappingMatcher
from whoosh.qparser import syntax


def _union(matchers: list) -> UnionMatcher:
    if len(matchers) == 1:
        return matchers[0]
    middle = len(matchers) // 2
    return UnionMatcher(_union(matchers[:middle]), _union(matchers[middle:]))


class CoordMatcher(WrappingMatcher):
    """Union of clause matchers whose score is scaled by matched clauses / all clauses."""

    def __init__(self, clauses: list):
        super().__init__(_union(clauses))
        self._clauses = clauses

    def replace(self, minquality=0):
        # The clause matchers must stay the ones the union steps through.
        return self

    def supports_block_quality(self):
        return False

    def score(self):
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
