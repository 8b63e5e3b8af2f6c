"""Extraction: raw bytes of a report page or PDF -> an :class:`Extracted` list of blocks."""

from __future__ import annotations

from dataclasses import dataclass

# Bidirectional controls reorder what a reader sees (a file name or URL shown backwards): never report text.
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C])


def plain_text(text: str | None) -> str:
    """Text as a report shows it: white space runs as one space, no bidirectional controls."""
    return " ".join((text or "").translate(_BIDI_CONTROLS).split())


@dataclass
class Block:
    """One heading or paragraph of a document, in reading order.

    ``level`` is the heading depth (1 = h1) for headings and 0 for paragraphs;
    ``page`` is the 1-based PDF page a paragraph starts on (None for HTML);
    ``lead`` is the bold words a paragraph opens with, when it does (a run-in heading
    such as "Prosecution" or "RECOMMENDATIONS FOR HAITI:").
    """

    kind: str  # "heading" or "text"
    text: str
    level: int = 0
    page: int | None = None
    lead: str = ""


@dataclass
class Extracted:
    """What extraction finds in one file: metadata from the file and its blocks."""

    blocks: list[Block]
    title: str = ""
    headline: str = ""
    url: str = ""
