"""A section of two editions side by side: sentences kept, changed, removed and added.

A sentence removed and a similar one added in its place make one "changed" row, its words
deleted and inserted marked up with ``<del>`` and ``<ins>``. Every side is HTML built from
escaped text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from indexer.search.snippets import split_sentences

# Two sentences are one sentence changed when this share of their words match (difflib's ratio).
SIMILAR = 0.5
# What one comparison may cost, whatever a page holds: sentences compared on each side (the longest real
# section has about 300), and the sentences after the last pair that an unpaired one is compared with.
MOST_SENTENCES = 1_000
MOST_CHARACTERS = 200_000  # of the sentences compared on each side (the longest real section has about 42,000)
PAIRING_WINDOW = 100
# Steps one comparison may take matching sentences and their words (see _Metered), about a second at worst:
# 20,030 real comparisons of 2016, 2019, 2022 and 2023 sections take at most about 2,100,000 (Israel's
# section 1, 2016 against 2023, in 0.3 s).
MOST_STEPS = 4_000_000
CALL_STEPS = 50  # what each call into the matcher costs besides its items (Python's own overhead)
_MARKED = Markup(
    '<{tag}><span class="visually-hidden">[{label}: </span>{words}<span class="visually-hidden">]</span></{tag}>'
)


@dataclass
class Comparison:
    """The rows of a comparison, how many characters past its first ``MOST_SENTENCES`` sentences (or
    ``MOST_CHARACTERS``) were left out of it, and whether it ran out of steps (``MOST_STEPS``), the
    sentences it had not weighed then shown removed and added."""

    rows: list[Row]
    left_out: int = 0
    cut_short: bool = False


@dataclass
class Row:
    """One line of the comparison: each side as HTML ("" for none) and what happened to the sentence."""

    before: Markup
    after: Markup
    change: str  # "kept", "removed", "added" or "changed"


def sentences(text: str) -> Iterator[tuple[str, int]]:
    """The sentences of a section's text, paragraph by paragraph, each with where it ends in the text."""
    start = 0
    for paragraph in text.split("\n\n"):
        for a, b in split_sentences(paragraph):
            if paragraph[a:b].strip():
                yield paragraph[a:b].strip(), start + b
        start += len(paragraph) + 2


def _key(sentence: str) -> str:
    return " ".join(re.findall(r"\w+", sentence.lower()))


def _words(sentence: str) -> list[str]:
    return _key(sentence).split()


class _OverBudget(Exception):
    """The comparison has taken all the steps it may."""


@dataclass
class _Budget:
    """The steps a comparison may still take matching sentences and words."""

    steps: int = MOST_STEPS
    refused: bool = False  # whether a charge found too few steps left

    def charge(self, steps: int) -> None:
        """Spend ``steps``; raises ``_OverBudget`` (and spends all) when fewer are left."""
        if steps > self.steps:
            self.steps, self.refused = 0, True
            raise _OverBudget
        self.steps -= steps


class _Metered(difflib.SequenceMatcher):
    """difflib's matcher charging ``budget`` for what it reads, and before each search for a longest match
    for the steps that search may take: each item of ``a`` in the range meets every occurrence of it in
    ``b``. That is what grows past linear when items repeat (words in a long sentence, a sentence in a
    section)."""

    def __init__(self, budget: _Budget, a: Sequence[str] = (), b: Sequence[str] = ()):
        budget.charge(len(a) + len(b))
        self.budget = budget
        super().__init__(a=a, b=b, autojunk=False)

    def set_seq1(self, a: Sequence[str]) -> None:
        self.budget.charge(CALL_STEPS + len(a))
        super().set_seq1(a)

    def find_longest_match(self, alo=0, ahi=None, blo=0, bhi=None):
        ahi = len(self.a) if ahi is None else ahi
        self.budget.charge(CALL_STEPS + ahi - alo + sum(len(self.b2j.get(item, ())) for item in self.a[alo:ahi]))
        return super().find_longest_match(alo, ahi, blo, bhi)


def _most_similar(words: list[str], candidates: list[list[str]], budget: _Budget) -> int | None:
    """The index of the first candidate (a sentence's words) most similar to ``words``, if one is similar
    enough, among those ``budget`` lets it weigh."""
    best, best_ratio = None, SIMILAR
    try:
        matcher = _Metered(budget, b=words)
        for index, candidate in enumerate(candidates):
            matcher.set_seq1(candidate)
            # Each ratio bounds the next from above, the first from the lengths alone.
            if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio or (ratio == best_ratio and best is None):
                best, best_ratio = index, ratio
    except _OverBudget:
        pass
    return best


def _marked(tag: str, label: str, words: list[str]) -> Markup:
    return _MARKED.format(tag=tag, label=label, words=" ".join(words))


def _word_changes(before: str, after: str, budget: _Budget) -> tuple[Markup, Markup]:
    """Both sentences as HTML: words only ``before`` has in ``<del>``, words only ``after`` has in ``<ins>``;
    both whole in them when ``budget`` cannot weigh their words."""
    old, new = before.split(), after.split()
    try:
        opcodes = _Metered(budget, a=old, b=new).get_opcodes()
    except _OverBudget:
        return _marked("del", "deleted", old), _marked("ins", "inserted", new)
    left: list[Markup] = []
    right: list[Markup] = []
    for op, a1, a2, b1, b2 in opcodes:
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


def _paired(old: list[str], new: list[str], budget: _Budget) -> list[Row]:
    """Rows for sentences ``old`` replaced by ``new``: each old sentence with the most similar new one
    after the last pair (among the next ``PAIRING_WINDOW``) as one changed row; sentences without a match
    removed or added."""
    rows: list[Row] = []
    start, words = 0, [_words(s) for s in new]
    for sentence in old:
        found = _most_similar(_words(sentence), words[start : start + PAIRING_WINDOW], budget)
        if found is None:
            rows += _removed([sentence])
            continue
        rows += _added(new[start : start + found])
        rows.append(Row(*_word_changes(sentence, new[start + found], budget), "changed"))
        start += found + 1
    return rows + _added(new[start:])


def _first(text: str) -> tuple[list[str], int]:
    """The first sentences of ``text``, at most ``MOST_SENTENCES`` and ``MOST_CHARACTERS``, and how many
    characters of it come after them (none read)."""
    first: list[str] = []
    end = 0
    for sentence, ends in sentences(text):
        if len(first) == MOST_SENTENCES or ends > MOST_CHARACTERS:
            return first, len(text.rstrip()) - end
        first.append(sentence)
        end = ends
    return first, 0


def compare(before: str, after: str) -> Comparison:
    """The sentences of ``before`` and ``after`` paired in order, the first ``MOST_SENTENCES`` (and
    ``MOST_CHARACTERS``) of each, in at most ``MOST_STEPS``."""
    (old, old_left), (new, new_left) = _first(before), _first(after)
    budget = _Budget()
    try:
        opcodes = _Metered(budget, a=[_key(s) for s in old], b=[_key(s) for s in new]).get_opcodes()
    except _OverBudget:
        opcodes = [("replace", 0, len(old), 0, len(new))]
    rows: list[Row] = []
    for op, a1, a2, b1, b2 in opcodes:
        if op == "equal":
            rows += [Row(escape(old[a1 + i]), escape(new[b1 + i]), "kept") for i in range(a2 - a1)]
        else:
            rows += _paired(old[a1:a2], new[b1:b2], budget)
    return Comparison(rows, old_left + new_left, budget.refused)
