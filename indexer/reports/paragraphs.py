"""A section's paragraphs, the passages narratives are ranked by, and which of them are boilerplate.

Section text keeps the page's paragraphs apart with a blank line. Reports repeat some
paragraphs in nearly every narrative: cross-references to other reports ("See the
Department of State's annual Trafficking in Persons Report at https://...") and "Not
applicable." Those say nothing about the country, so they are indexed with a low weight
(``BOILERPLATE_WEIGHT``) and chosen as a snippet only when nothing else matches.
"""

from __future__ import annotations

import re

BOILERPLATE_WEIGHT = 0.1
_BOILERPLATE = re.compile(
    r"\s*(?:see (?:also )?the (?:department|secretary)|for (?:more|additional|further) "
    r"information|not applicable\b)",
    re.I,
)


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a section's text, in order (empty ones kept, so indexes are stable)."""
    return text.split("\n\n")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph of a section's text, as :func:`paragraphs` splits it."""
    spans, offset = [], 0
    for paragraph in paragraphs(text):
        spans.append((offset, offset + len(paragraph)))
        offset += len(paragraph) + 2
    return spans


def is_boilerplate(paragraph: str) -> bool:
    """Whether a paragraph is a cross-reference or a formula that every narrative repeats."""
    return bool(_BOILERPLATE.match(paragraph))
