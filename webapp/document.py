"""A narrative's page: its sections with the query's matches numbered and linked."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from markupsafe import Markup

from indexer.reports.paragraphs import is_boilerplate
from indexer.search.engine import DocumentSection, anchor
from indexer.search.recommendations import Recommendation

_MARK = re.compile(r"<mark>")
_TIP_REPORT = re.compile(r"Trafficking in Persons Report", re.I)


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
    cross_references: frozenset[int] = frozenset()  # paragraphs that refer to the TIP Report


def _tip_references(section: DocumentSection) -> frozenset[int]:
    """The paragraphs of a section that send the reader to the Trafficking in Persons Report ("See the
    Department of State's annual Trafficking in Persons Report at ...")."""
    return frozenset(i for i, p in enumerate(section.text.split("\n\n")) if is_boilerplate(p) and _TIP_REPORT.search(p))


def shown_sections(sections: list[DocumentSection]) -> list[ShownSection]:
    """The sections with each ``<mark>`` given an id (``m1``, ``m2``...) in reading order, and the matching
    sections linked to each other."""
    shown: list[ShownSection] = []
    numbers = itertools.count(1)
    total = 0  # matches before this section
    for section in sections:
        matches = sum(p.count("<mark>") for p in section.paragraphs)
        paragraphs = [Markup(_MARK.sub(lambda _: f'<mark id="m{next(numbers)}">', p)) for p in section.paragraphs]
        shown.append(
            ShownSection(
                section, anchor(section.id), paragraphs, matches, total + 1, cross_references=_tip_references(section)
            )
        )
        total += matches
    for before, after in itertools.pairwise([s for s in shown if s.matches]):
        before.next_anchor, after.previous_anchor = after.anchor, before.anchor
    return shown


def recommendation_notes(recommendations: list[Recommendation], editions: list[int]) -> dict[tuple[str, int], str]:
    """(section id, place in it) -> "new in 2021" or "repeated since 2019 (3 editions)" for each of a
    narrative's ``recommendations``; none in the earliest of the ``editions`` with recommendations, where
    nothing came before to compare with."""
    notes = {}
    for item in recommendations:
        held = [year for year in item.editions if year <= item.year]
        if len(held) > 1:
            notes[(item.section, item.number)] = f"repeated since {held[0]} ({len(held)} editions)"
        elif any(year < item.year for year in editions):
            notes[(item.section, item.number)] = f"new in {item.year}"
    return notes
