""""Did you mean": the query with each rare or absent word replaced by a close, frequent one.

A word is rare when fewer than ``RARE`` sections hold it. Its replacement is the closest
country name first (``Cambodai`` -> ``Cambodia``), else the closest word, within two edits
and with the same first letter, that at least ``FREQUENT`` sections hold. Filters, operators and
``exact:`` words are left as typed.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

from whoosh.searching import Searcher
from whoosh.support.levenshtein import distance

from indexer.analysis import word_tokens
from indexer.countries import all_countries, fold
from indexer.query import FILTER_IN_QUERY
from indexer.query_policy import OPERATORS

RARE = 2
FREQUENT = 5
CLOSENESS = 0.8  # difflib ratio a suggestion needs
_EXACT_WORD = re.compile(r"exact:\S+", re.I)


@cache
def _country_words() -> list[str]:
    return sorted({w for c in all_countries() for name in (c.name, *c.aliases) for w in fold(name).split()
                   if len(w) > 3})


def _near_words(searcher: Searcher, folded: str) -> list[str]:
    """Words within one edit (two for longer words) that at least FREQUENT sections hold, closest first.

    Each segment's reader walks its word list with a Levenshtein automaton, sharing the first letter.
    """
    reader = searcher.reader()
    most = 1 if len(folded) <= 4 else 2
    leaves = [leaf for leaf, _ in reader.leaf_readers()] if not reader.is_atomic() else [reader]
    near = {w.decode() if isinstance(w, bytes) else w
            for leaf in leaves for w in leaf.terms_within("exact", folded, most, prefix=1)}
    frequency = {w: reader.doc_frequency("exact", w) for w in near}
    return sorted((w for w in near if frequency[w] >= FREQUENT),
                  key=lambda w: (distance(w, folded), -frequency[w], w))


def _closest(searcher: Searcher, folded: str) -> str | None:
    countries = difflib.get_close_matches(folded, _country_words(), n=1, cutoff=CLOSENESS)
    if countries:
        return countries[0]
    words = _near_words(searcher, folded)
    return words[0] if words else None


def suggest(searcher: Searcher, query: str) -> str:
    """The query with its rare words replaced, or "" when every word is common enough or has no match."""
    reader = searcher.reader()
    kept = [(m.start(), m.end()) for pattern in (FILTER_IN_QUERY, _EXACT_WORD) for m in pattern.finditer(query)]
    replaced, changed = [], False
    cursor = 0
    for folded, stem, start, end in word_tokens(query):
        typed = query[start:end]
        if stem is None or typed in OPERATORS or any(a <= start < b for a, b in kept):
            continue
        if reader.doc_frequency("body", stem) >= RARE:
            continue
        better = _closest(searcher, folded)
        if better and better != folded:
            replaced += [query[cursor:start], better.capitalize() if typed[:1].isupper() else better]
            cursor, changed = end, True
    return "".join(replaced) + query[cursor:] if changed else ""
