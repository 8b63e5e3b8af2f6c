"""Extraction: raw bytes of a report page or PDF -> an :class:`Extracted` list of blocks."""

from __future__ import annotations

from dataclasses import dataclass

# Never report text: bidirectional controls reorder what a reader sees (a file name or URL shown
# backwards); control characters and noncharacters (U+FFFE) are not text, and XML may not hold them.
_NOT_TEXT = dict.fromkeys(
    [
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0x200E,
        0x200F,
        0x061C,
        *range(0x00, 0x20),  # white space among them is a space once runs are joined
        0x7F,
        *range(0xFDD0, 0xFDF0),
        *(plane + end for plane in range(0, 0x110000, 0x10000) for end in (0xFFFE, 0xFFFF)),
    ]
)
_NOT_TEXT.update(dict.fromkeys(map(ord, "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"), " "))


def plain_text(text: str | None) -> str:
    """Text as a report shows it: white space runs as one space, no bidirectional controls, control
    characters or noncharacters."""
    return " ".join((text or "").translate(_NOT_TEXT).split())


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
