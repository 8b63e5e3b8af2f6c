"""Extraction: raw bytes of a report page or PDF -> an :class:`Extracted` list of blocks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Block:
    """One heading or paragraph of a document, in reading order.

    ``level`` is the heading depth (1 = h1) for headings and 0 for paragraphs;
    ``page`` is the 1-based PDF page a paragraph starts on (None for HTML).
    """

    kind: str  # "heading" or "text"
    text: str
    level: int = 0
    page: int | None = None


@dataclass
class Extracted:
    """What extraction finds in one file: metadata from the file and its blocks."""

    blocks: list[Block]
    title: str = ""
    headline: str = ""
    url: str = ""
