"""The documents a query matches, by the words' documents combined as sets, read as arrays.

Whoosh walks an OR of many words (five prefixes are 250 words in two fields) one posting at a
time through a tree of matchers: about a second. Its AND NOT also lets a document through
unchecked when it is the first the positive side finds and the excluded words' first document
comes before it. Here the words of AND, OR, NOT and prefixes are read whole
(``indexer.search.postings``) and combined as sorted arrays; any other query (a phrase, a
range) is left to Whoosh.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.search.postings import kept_arrays, postings
from indexer.search.ranking import CoordOr

_NONE = np.empty(0, np.int64)


def _or_of_its_words(q: wq.Query) -> bool:
    """Whether ``q`` matches as Whoosh's multi-word queries do: an OR of the words it expands to (a prefix)."""
    matcher = type(q).matcher
    return isinstance(q, wq.MultiTerm) and (
        matcher is wq.MultiTerm.matcher or (matcher is wq.Prefix.matcher and bool(q.text))  # "": every document
    )


class QueryDocs:
    """The documents queries match in one searcher's index; each word's documents and the live ones are
    read once, for all the queries asked."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._live: np.ndarray | None = None
        self._words: dict[tuple[str, object], np.ndarray] = {}

    def docs(self, q: wq.Query) -> np.ndarray:
        """The document numbers ``q`` matches, ascending, deleted documents left out."""
        kind = type(q)  # exactly these classes: a subclass may match otherwise (in order, at least some)
        if kind is wq.Term:
            return self._term(q.fieldname, q.text)
        if _or_of_its_words(q):
            return self._any_term(q.field(), [word for word in q._btexts(self.searcher.reader()) if word])
        if kind in (wq.And, wq.Require):
            return self._all(q.children())
        if kind in (wq.Or, CoordOr) and not q.minmatch:  # CoordOr ranks otherwise, matches the same
            return self._any(q.children())
        if kind is wq.AndMaybe:
            return self.docs(q.a)
        if kind is wq.AndNot:
            return np.setdiff1d(self.docs(q.a), self.docs(q.b), assume_unique=True)
        if kind is wq.Not:
            return np.setdiff1d(self.live(), self.docs(q.query), assume_unique=True)
        if q is wq.NullQuery:
            return _NONE
        return self._other(q)

    def _other(self, q: wq.Query) -> np.ndarray:
        """A phrase's documents: its word positions checked once for the searches that ask, while kept."""
        kept = kept_arrays(self.searcher.reader(), "query documents")
        found = kept.get(q)
        if found is None:
            found = (np.fromiter(self.searcher.docs_for_query(q), np.int64),)
            kept.put(q, found)
        return found[0]

    def _term(self, field: str, word) -> np.ndarray:
        if (field, word) not in self._words:
            self._words[field, word] = postings(self.searcher.reader(), field, word)[0]  # ascending, each once
        return self._words[field, word]

    def _any_term(self, field: str, words: list) -> np.ndarray:
        return np.unique(np.concatenate([_NONE, *(self._term(field, word) for word in words)]))

    def _all(self, children: list[wq.Query]) -> np.ndarray:
        found: np.ndarray | None = None
        for child in children:
            docs = self.docs(child)
            found = docs if found is None else np.intersect1d(found, docs, assume_unique=True)
            if not len(found):
                break
        return _NONE if found is None else found

    def _any(self, children: list[wq.Query]) -> np.ndarray:
        found = [self.docs(child) for child in children]
        return found[0] if len(found) == 1 else np.unique(np.concatenate([_NONE, *found]))

    def live(self) -> np.ndarray:
        """Every document not deleted."""
        if self._live is None:
            reader = self.searcher.reader()
            self._live = np.fromiter(reader.all_doc_ids(), np.int64)
        return self._live
