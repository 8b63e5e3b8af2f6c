"""A section of two editions side by side: sentences kept, removed and added."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from indexer.search.snippets import split_sentences


@dataclass
class Row:
    """One line of the comparison: the sentence on each side ("" for none) and what happened to it."""

    before: str
    after: str
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


def compare(before: str, after: str) -> list[Row]:
    """Rows pairing the sentences of ``before`` and ``after`` in order."""
    old, new = sentences(before), sentences(after)
    matcher = difflib.SequenceMatcher(a=[_key(s) for s in old], b=[_key(s) for s in new], autojunk=False)
    rows = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            rows += [Row(old[a1 + i], new[b1 + i], "kept") for i in range(a2 - a1)]
            continue
        rows += [Row(s, "", "removed") for s in old[a1:a2]]
        rows += [Row("", s, "added") for s in new[b1:b2]]
    return rows
