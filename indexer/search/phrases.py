"""Phrases of the section text and headings, matched through word-pair fields.

Whoosh matches a phrase by reading the word positions of every section that holds all of
its words: for ``"security forces"`` that is most sections of the corpus. A word-pair field
(``indexer.index.analysis.WordPairs``, one for the text, one for the headings) holds each pair of
adjacent common stems as one term, so a phrase of two common words (stopwords aside) is one
term to look up, matching exactly the sections the positions would; a longer phrase steps
only through the sections that hold every one of its held pairs and checks word positions
there. A phrase with no held pair (a rarer word in each pair) and phrases with a slop other
than 1 are left to Whoosh, whose position check then visits only the few sections holding
the rarer words.
"""

from __future__ import annotations

from whoosh import query as wq
from whoosh.matching import IntersectionMatcher, NullMatcher, WrappingMatcher
from whoosh.query.spans import SpanNear2, SpanWrappingMatcher
from whoosh.util import make_binary_tree

from indexer.index.analysis import pair_term

PAIRED_FIELDS = {"body": "body_pairs", "heading": "heading_pairs"}  # field -> its word-pair field


class _PairedSpans(SpanNear2.SpanNear2Matcher):
    """Whoosh's phrase check of word positions, visiting only documents that hold every pair."""

    def __init__(self, words: list, pairs: list):
        self.ms, self.slop, self.ordered, self.mindist = words, 1, True, 1
        self._pairs = pairs
        SpanWrappingMatcher.__init__(self, make_binary_tree(IntersectionMatcher, pairs + words))

    def copy(self):
        return self.__class__([m.copy() for m in self.ms], [m.copy() for m in self._pairs])

    def supports_block_quality(self):
        return False  # skipping by block quality would step past the position check


class PairedPhrase(wq.Phrase):
    """A phrase of a paired field, matched through its word pairs (same matches as ``Phrase``)."""

    def matcher(self, searcher, context=None):
        held = [pair_term(a, b) for a, b in zip(self.words, self.words[1:], strict=False)]
        if self.slop != 1 or not any(held):
            return super().matcher(searcher, context)
        paired = PAIRED_FIELDS[self.fieldname]
        field = searcher.schema[paired]
        pairs = [wq.Term(paired, pair) for pair in held if pair]
        reader = searcher.reader()
        if any((paired, field.to_bytes(p.text)) not in reader for p in pairs):
            return NullMatcher()
        if len(held) == 1:
            matcher = pairs[0].matcher(searcher, context)
        else:
            matcher = _PairedSpans(
                [wq.Term(self.fieldname, w).matcher(searcher, context) for w in self.words],
                [p.matcher(searcher, context) for p in pairs],
            )
        return WrappingMatcher(matcher, boost=self.boost) if self.boost != 1.0 else matcher


def pair_phrases(q: wq.Query) -> wq.Query:
    """``q`` with each phrase of a paired field matched through the word-pair field."""
    if type(q) is wq.Phrase and q.fieldname in PAIRED_FIELDS:
        return PairedPhrase(q.fieldname, q.words, slop=q.slop, boost=q.boost, char_ranges=q.char_ranges)
    return q.apply(pair_phrases)
