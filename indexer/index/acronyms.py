"""Acronyms the reports define, so that a query in words also finds the paragraphs that use the acronym.

Reports spell a term out once, then use its acronym: "Female Genital Mutilation/Cutting
(FGM/C)", "internally displaced persons (IDPs)", "Trafficking in Persons (TIP)". A definition
is a parenthesised acronym whose letters are the initials of the words just before it
(stopwords counted or not). Each narrative records the definitions it holds; a query holding
every word of a definition also searches its acronym.
"""

from __future__ import annotations

import re
from collections import Counter

from whoosh.searching import Searcher

from indexer.index.analysis import STOPWORDS, fold_word, stem_word

_DEFINED = re.compile(r"\(([A-Z][A-Za-z]*[A-Z])s?(?:/[A-Z]+)?\+?\)")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
LONGEST = 8  # letters of the longest acronym read


def _expansion(before: str, letters: str) -> tuple[str, ...] | None:
    """The words ending ``before`` whose initials spell ``letters`` (stopwords skipped or not), else None."""
    words = [fold_word(w) for w in _WORD.findall(before)[-2 * len(letters) - 2 :]]
    for keep_stopwords in (True, False):
        kept = [w for w in words if w and (keep_stopwords or w not in STOPWORDS)]
        chosen = kept[-len(letters) :]
        if len(chosen) == len(letters) and "".join(w[0] for w in chosen) == letters:
            return tuple(stem_word(w) for w in chosen if w not in STOPWORDS)
    return None


def find_acronyms(text: str) -> dict[str, tuple[str, ...]]:
    """Acronym (as the index holds it) -> the stems of the words it stands for, as ``text`` defines them."""
    found = {}
    for match in _DEFINED.finditer(text):
        acronym = match.group(1)
        letters = acronym.lower()
        if not 2 <= len(letters) <= LONGEST or not acronym.isupper():
            continue
        before = text[max(0, match.start() - 200) : match.start()]
        before = re.sub(r"/[^\s/]+\s*$", " ", before)  # "Mutilation/Cutting" reads as "Mutilation"
        expansion = _expansion(before, letters)
        if expansion and len(expansion) >= 2:
            found[stem_word(fold_word(acronym))] = expansion
    return found


def acronym_table(searcher: Searcher) -> dict[tuple[str, ...], str]:
    """Stems of the words -> the acronym most narratives define for them (a build's table: read it once)."""
    counts: Counter = Counter()
    for fields in searcher.documents(kind="narrative"):
        counts.update((tuple(words), acronym) for acronym, words in (fields.get("acronyms") or {}).items())
    table: dict[tuple[str, ...], str] = {}
    for (words, acronym), _ in counts.most_common():
        table.setdefault(words, acronym)
    return table
