"""A narrative's page: its sections with the query's matches numbered and linked."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from markupsafe import Markup

from indexer.search.engine import DocumentSection

_MARK = re.compile(r"<mark>")


@dataclass
class ShownSection:
    """A section as the page shows it: its anchor, its paragraphs with numbered matches, and its place
    among the sections that match."""

    section: DocumentSection
    anchor: str
    paragraphs: list[Markup]
    matches: int
    first_match: int  # the number of its first match, counted over the whole narrative
    previous_anchor: str = ""  # the matching section before it
    next_anchor: str = ""  # the matching section after it


def shown_sections(sections: list[DocumentSection]) -> list[ShownSection]:
    """The sections with each ``<mark>`` given an id (``m1``, ``m2``...) in reading order, and the matching
    sections linked to each other."""
    shown: list[ShownSection] = []
    numbers = itertools.count(1)
    total = 0  # matches before this section
    for section in sections:
        matches = sum(p.count("<mark>") for p in section.paragraphs)
        paragraphs = [Markup(_MARK.sub(lambda _: f'<mark id="m{next(numbers)}">', p)) for p in section.paragraphs]
        shown.append(ShownSection(section, section.id.replace("/", "-"), paragraphs, matches, total + 1))
        total += matches
    for before, after in itertools.pairwise([s for s in shown if s.matches]):
        before.next_anchor, after.previous_anchor = after.anchor, before.anchor
    return shown
