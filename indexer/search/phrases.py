"""Phrases, matched through word-pair fields where they can be and by word positions in linear time.

Whoosh matches a phrase by reading the word positions of every section that holds all of
its words: for ``"security forces"`` that is most sections of the corpus. A word-pair field
(``indexer.index.analysis.WordPairs``, one for the text, one for the headings) holds each pair of
adjacent common stems as one term, so a phrase of two common words (stopwords aside) is one
term to look up, matching exactly the sections the positions would; a longer phrase steps
only through the sections that hold every one of its held pairs and checks word positions
there. A phrase with no held pair (a rarer word in each pair), a phrase with a slop other
than 1 and a phrase of another field have their word positions checked in the sections
holding all their words, the few that hold the rarer words. Every position check takes time
linear in the positions read, where Whoosh's own grows without bound on a repeated word.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq
from whoosh.matching import IntersectionMatcher, NullMatcher, WrappingMatcher
from whoosh.query.qcore import QueryError
from whoosh.query.spans import Span, SpanNear2, SpanWrappingMatcher
from whoosh.util import make_binary_tree

from indexer.index.analysis import pair_term

PAIRED_FIELDS = {"body": "body_pairs", "heading": "heading_pairs"}  # field -> its word-pair field


class _Positions(SpanNear2.SpanNear2Matcher):
    """Whoosh's check of a phrase's word positions (each word after the one before, at most ``slop`` further), in
    time linear in the positions: the places each word can stand at are found word by word, with numpy. Whoosh
    combines spans pair by pair, which grows past any bound when a word repeats in a section that holds it
    thousands of times ("police police police" on a hostile page)."""

    def _get_spans(self):
        decoded: dict = {}
        reached = None
        for m in self.ms:
            key = m.term() or id(m)
            if key not in decoded:
                decoded[key] = np.asarray(m.value_as("positions"), np.int64)
            at = decoded[key]
            if reached is not None:  # a place of the word before, 1 to ``slop`` positions earlier
                first = np.searchsorted(reached, at - self.slop)
                inside = first < len(reached)
                inside[inside] = reached[first[inside]] <= at[inside] - 1
                at = at[inside]
            reached = at
            if not len(reached):
                return []
        return [Span(int(reached[0]))]


class _PairedSpans(_Positions):
    """The phrase check of word positions, visiting only documents that hold every pair."""

    def __init__(self, words: list, pairs: list):
        self.ms, self.slop, self.ordered, self.mindist = words, 1, True, 1
        self._pairs = pairs
        SpanWrappingMatcher.__init__(self, make_binary_tree(IntersectionMatcher, pairs + words))

    def copy(self):
        return self.__class__([m.copy() for m in self.ms], [m.copy() for m in self._pairs])

    def supports_block_quality(self):
        return False  # skipping by block quality would step past the position check


class PairedPhrase(wq.Phrase):
    """A phrase matched through its word pairs when its field has them and its words are side by side, else by
    its words' positions in linear time (the same matches and scores as Whoosh's ``Phrase``)."""

    def matcher(self, searcher, context=None):
        held = [pair_term(a, b) for a, b in zip(self.words, self.words[1:], strict=False)]
        if self.fieldname not in PAIRED_FIELDS or self.slop != 1 or not any(held):
            matcher = self._by_positions(searcher, context)
        else:
            matcher = self._by_pairs(held, searcher, context)
        return WrappingMatcher(matcher, boost=self.boost) if self.boost != 1.0 else matcher

    def _by_pairs(self, held: list, searcher, context):
        paired = PAIRED_FIELDS[self.fieldname]
        field = searcher.schema[paired]
        pairs = [wq.Term(paired, pair) for pair in held if pair]
        reader = searcher.reader()
        if any((paired, field.to_bytes(p.text)) not in reader for p in pairs):
            return NullMatcher()
        if len(held) == 1:
            return pairs[0].matcher(searcher, context)
        return _PairedSpans(
            [wq.Term(self.fieldname, w).matcher(searcher, context) for w in self.words],
            [p.matcher(searcher, context) for p in pairs],
        )

    def _by_positions(self, searcher, context):
        """As Whoosh's ``Phrase.matcher``, with the positions checked by ``_Positions``."""
        if self.fieldname not in searcher.schema:
            return NullMatcher()
        field = searcher.schema[self.fieldname]
        if not field.format or not field.format.supports("positions"):
            raise QueryError(f"Phrase search: {self.fieldname!r} field has no positions")
        reader = searcher.reader()
        try:
            words = [field.to_bytes(word) for word in self.words]
        except ValueError:
            return NullMatcher()
        if any((self.fieldname, word) not in reader for word in words):
            return NullMatcher()
        terms = [wq.Term(self.fieldname, word).matcher(searcher, context) for word in words]
        return _Positions(terms, slop=self.slop, ordered=True, mindist=1)


def pair_phrases(q: wq.Query) -> wq.Query:
    """``q`` with each phrase matched by ``PairedPhrase``."""
    if type(q) is wq.Phrase:
        return PairedPhrase(q.fieldname, q.words, slop=q.slop, boost=q.boost, char_ranges=q.char_ranges)
    return q.apply(pair_phrases)
