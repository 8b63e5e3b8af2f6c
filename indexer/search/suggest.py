""" "Did you mean": the query with each rare word replaced by a close word far more frequent.

A word no section holds is replaced by the closest country name if one is close
(``Cambodai`` -> ``Cambodia``), else by the closest word within one edit (two for words of
five letters or more), with the same first letter, that at least ``FREQUENT`` sections hold
(``trafficing`` -> ``trafficking``, though its stem is that of "traffic"). A word fewer than
``SUSPECT`` sections hold is replaced by a word one edit away that ``RATIO`` times as many
hold. Filters, operators, ``exact:`` words and prefixes that match some word are
left as typed.

The cost is bounded whatever the query: words are looked up in a table of the index's
frequent words built once per index version, with rapidfuzz, and only ``MAX_CHECKED``
words of one query, each at most ``MAX_WORD`` letters, are looked at.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from whoosh.searching import Searcher

from indexer.index.analysis import AMERICAN, stem_word, word_tokens
from indexer.reports.countries import all_countries, fold
from indexer.search.handle import OpenBuild
from indexer.search.policy import OPERATORS, WORDS_FIELD
from indexer.search.query import FILTER_IN_QUERY

SUSPECT = 3
FREQUENT = 5
RATIO = 20
MAX_CHECKED = 8
MAX_WORD = 30
CLOSENESS = 0.8  # difflib ratio a country name needs
_EXACT_WORD = re.compile(r"exact:\S+", re.I)


@cache
def _country_words() -> list[str]:
    return sorted(
        {w for c in all_countries() for name in (c.name, *c.aliases) for w in fold(name).split() if len(w) > 3}
    )


def _frequent_words(build: OpenBuild, letter: str) -> dict[str, int]:
    """The words starting with ``letter`` that at least FREQUENT sections hold, with their counts; once per build."""

    def read(searcher: Searcher) -> dict[str, int]:
        return {
            (w.decode() if isinstance(w, bytes) else w): info.doc_frequency()
            for w, info in searcher.reader().iter_prefix(WORDS_FIELD, letter)
            if info.doc_frequency() >= FREQUENT
        }

    return build.table(("frequent words", letter), read)


def _near_word(build: OpenBuild, folded: str, frequency: int) -> str | None:
    """The closest frequent word within one or two edits (one, and RATIO times as frequent, for a word that occurs)."""
    counts = _frequent_words(build, folded[0])
    needed = max(FREQUENT, RATIO * frequency)
    most = 1 if len(folded) <= 4 or frequency else 2
    found = process.extract(folded, list(counts), scorer=Levenshtein.distance, score_cutoff=most, limit=None)
    better = [
        (distance, -counts[w], w)
        for w, distance, _ in found
        if counts[w] >= needed and stem_word(w) != stem_word(folded)
    ]
    return min(better)[2] if better else None


def _closest(build: OpenBuild, folded: str, frequency: int) -> str | None:
    if not frequency:
        countries = difflib.get_close_matches(folded, _country_words(), n=1, cutoff=CLOSENESS)
        if countries:
            return countries[0]
    return _near_word(build, folded, frequency)


def _is_live_prefix(build: OpenBuild, query: str, folded: str, end: int) -> bool:
    """Whether the word ends in ``*`` and some indexed word starts with it."""
    return query[end : end + 1] == "*" and any(True for _ in build.searcher.reader().expand_prefix(WORDS_FIELD, folded))


def suggestion_for(build: OpenBuild, query: str) -> tuple[str, bool]:
    """(the query with its rare words replaced, or "" when no word needs it or has a replacement, or the query
    would then be longer than ``max_query_length``; whether no section holds any word it replaces, as
    ``trafficing``, whose stem would match "traffic")."""
    reader = build.searcher.reader()
    kept = [(m.start(), m.end()) for pattern in (FILTER_IN_QUERY, _EXACT_WORD) for m in pattern.finditer(query)]
    replaced, cursor, checked, unseen = [], 0, 0, True
    for folded, stem, start, end in word_tokens(query):
        typed = query[start:end]
        if (
            stem is None
            or typed in OPERATORS
            or len(folded) > MAX_WORD
            or not folded[0].isascii()  # the frequent words are read per first letter: few letters, few tables
            or folded in AMERICAN
            or any(a <= start < b for a, b in kept)
        ):
            continue
        frequency = reader.doc_frequency(WORDS_FIELD, folded)
        if frequency >= SUSPECT or _is_live_prefix(build, query, folded, end):
            continue
        checked += 1
        if checked > MAX_CHECKED:
            break
        better = _closest(build, folded, frequency)
        if better and better != folded:
            replaced += [query[cursor:start], better.capitalize() if typed[:1].isupper() else better]
            cursor, unseen = end, unseen and not frequency
    suggested = "".join(replaced) + query[cursor:]
    if not replaced or len(suggested) > build.settings.max_query_length:  # a longer word could pass the limit
        return "", False
    return suggested, unseen
