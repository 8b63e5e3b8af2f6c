"""A section of two editions side by side: sentences kept, changed, removed and added.

A sentence removed and a similar one added in its place make one "changed" row, its words
deleted and inserted marked up with ``<del>`` and ``<ins>``. Every side is HTML built from
escaped text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

from indexer.search.snippets import split_sentences

# Two sentences are one sentence changed when this share of their words match (difflib's ratio).
SIMILAR = 0.5
_MARKED = Markup(
    '<{tag}><span class="visually-hidden">[{label}: </span>{words}<span class="visually-hidden">]</span></{tag}>'
)


@dataclass
class Row:
    """One line of the comparison: each side as HTML ("" for none) and what happened to the sentence."""

    before: Markup
    after: Markup
    change: str  # "kept", "removed", "added" or "changed"


def sentences(text: str) -> list[str]:
    """The sentences of a section's text, paragraph by paragraph."""
    return [
        paragraph[a:b].strip()
        for paragraph in text.split("\n\n")
        for a, b in split_sentences(paragraph)
        if paragraph[a:b].strip()
    ]


def _key(sentence: str) -> str:
    return " ".join(re.findall(r"\w+", sentence.lower()))


def _words(sentence: str) -> list[str]:
    return _key(sentence).split()


def _most_similar(words: list[str], candidates: list[list[str]]) -> int | None:
    """The index of the candidate (a sentence's words) most similar to ``words``, if one is similar enough."""
    matcher = difflib.SequenceMatcher(b=words, autojunk=False)

    def score(candidate: list[str]) -> float:
        matcher.set_seq1(candidate)
        return matcher.ratio() if matcher.quick_ratio() >= SIMILAR else 0.0

    best = max(enumerate(map(score, candidates)), key=lambda scored: scored[1], default=(0, 0.0))
    return best[0] if best[1] >= SIMILAR else None


def _marked(tag: str, label: str, words: list[str]) -> Markup:
    return _MARKED.format(tag=tag, label=label, words=" ".join(words))


def word_changes(before: str, after: str) -> tuple[Markup, Markup]:
    """Both sentences as HTML: words only ``before`` has in ``<del>``, words only ``after`` has in ``<ins>``."""
    old, new = before.split(), after.split()
    left: list[Markup] = []
    right: list[Markup] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            left.append(escape(" ".join(old[a1:a2])))
            right.append(escape(" ".join(new[b1:b2])))
            continue
        if a2 > a1:
            left.append(_marked("del", "deleted", old[a1:a2]))
        if b2 > b1:
            right.append(_marked("ins", "inserted", new[b1:b2]))
    return Markup(" ").join(left), Markup(" ").join(right)


def _removed(sentences: Iterable[str]) -> list[Row]:
    return [Row(escape(s), Markup(), "removed") for s in sentences]


def _added(sentences: Iterable[str]) -> list[Row]:
    return [Row(Markup(), escape(s), "added") for s in sentences]


def _paired(old: list[str], new: list[str]) -> list[Row]:
    """Rows for sentences ``old`` replaced by ``new``: each old sentence with the most similar new one
    after the last pair as one changed row; sentences without a match removed or added."""
    rows: list[Row] = []
    start, words = 0, [_words(s) for s in new]
    for sentence in old:
        found = _most_similar(_words(sentence), words[start:])
        if found is None:
            rows += _removed([sentence])
            continue
        rows += _added(new[start : start + found])
        rows.append(Row(*word_changes(sentence, new[start + found]), "changed"))
        start += found + 1
    return rows + _added(new[start:])


def compare(before: str, after: str) -> list[Row]:
    """Rows pairing the sentences of ``before`` and ``after`` in order."""
    old, new = sentences(before), sentences(after)
    matcher = difflib.SequenceMatcher(a=[_key(s) for s in old], b=[_key(s) for s in new], autojunk=False)
    rows: list[Row] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            rows += [Row(escape(old[a1 + i]), escape(new[b1 + i]), "kept") for i in range(a2 - a1)]
        else:
            rows += _paired(old[a1:a2], new[b1:b2])
    return rows
