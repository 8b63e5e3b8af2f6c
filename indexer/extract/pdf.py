"""PDF -> blocks in reading order with page numbers, using pdfminer.six's layout analysis.

Multi-column pages are read column by column (gutters are found from where the
text lines are), running heads, page numbers and small-print captions are dropped,
words hyphenated across line ends are joined, and paragraphs continued across a
column or page break are put back together.
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTTextBox, LTTextLineHorizontal
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFParser

from indexer.errors import ExtractionError
from indexer.extract import Block, Extracted, plain_text

# boxes_flow=None: pdfminer does not order text boxes (a clustering that took half the time);
# reading_order() orders the lines itself.
LAYOUT = LAParams(char_margin=1.0, line_margin=0.5, boxes_flow=None)
MARGIN_REACH = 45.0  # points from the top or bottom of the text where running heads live
PAGE_NUMBER = re.compile(r"^(page\s*)?[-–—\s]*\d{1,4}[-–—\s]*(of\s+\d+)?$", re.I)
GUTTER_MIN_WIDTH = 6.0
PAGE_SPAN = 14_400  # points: 200 inches, the largest page a PDF may have at its default unit
SENTENCE_END = tuple('.!?:;"”)')
CID = re.compile(r"\(cid:\d+\)")  # glyphs without a Unicode mapping (bullets, mostly)


@dataclass
class Line:
    """A horizontal line of text on one page."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    size: float
    bold: bool
    page: int


def _line(ln: LTTextLineHorizontal, page: int) -> Line | None:
    text = plain_text(CID.sub("•", ln.get_text().replace("\xad", "-")))
    chars = [c for c in ln if isinstance(c, LTChar)]
    if not text or not chars:
        return None
    size = statistics.median(c.size for c in chars)
    bold = all("bold" in c.fontname.lower() for c in chars if c.get_text().strip())
    return Line(ln.x0, ln.y0, ln.x1, ln.y1, text, size, bold, page)


def _page_lines(layout, page: int) -> list[Line]:
    lines = []
    for element in layout:
        if isinstance(element, LTTextBox):
            for ln in element:
                if isinstance(ln, LTTextLineHorizontal) and (line := _line(ln, page)):
                    lines.append(line)
    return lines


def _digitless(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _margin_keys(lines: list[Line]) -> dict[int, str]:
    """Digit-free keys of the lines at the top and bottom of a page's text, by line index."""
    if not lines:
        return {}
    top, bottom = max(ln.y1 for ln in lines), min(ln.y0 for ln in lines)
    return {
        i: _digitless(ln.text)
        for i, ln in enumerate(lines)
        if ln.y1 > top - MARGIN_REACH or ln.y0 < bottom + MARGIN_REACH
    }


def _drop_furniture(pages: list[list[Line]]) -> list[list[Line]]:
    """Remove running heads and feet (repeated at the top or bottom of many pages) and page numbers.

    A line whose text stands at the margin of many pages is dropped wherever it stands,
    since the first page of a document often sets it lower.
    """
    keys = [_margin_keys(lines) for lines in pages]
    counts = Counter(k for page_keys in keys for k in set(page_keys.values()))
    repeated = max(2, len(pages) // 4)
    furniture = {k for k, n in counts.items() if n >= repeated}
    return [
        [
            ln
            for i, ln in enumerate(lines)
            if _digitless(ln.text) not in furniture and not (i in page_keys and PAGE_NUMBER.match(ln.text))
        ]
        for lines, page_keys in zip(pages, keys, strict=True)
    ]


def _gutters(lines: list[Line]) -> list[float]:
    """x positions of the gaps between text columns on one page.

    A gutter is a vertical strip, at least GUTTER_MIN_WIDTH wide, that (almost) no
    column-width line crosses; a few stray lines across it (a head, a wide table row)
    do not hide it. Lines placed off any page a PDF can have (``PAGE_SPAN``) are not
    looked at: the cost stays that of a page, whatever coordinates a file chooses.
    """
    lines = [ln for ln in lines if -PAGE_SPAN <= ln.x0 <= ln.x1 <= PAGE_SPAN]
    if not lines:
        return []
    left, right = int(min(ln.x0 for ln in lines)), int(max(ln.x1 for ln in lines)) + 1
    narrow = [ln for ln in lines if ln.x1 - ln.x0 < 0.55 * (right - left)]
    starts_ends = [0] * (right - left + 2)
    for ln in narrow:
        starts_ends[int(ln.x0) - left] += 1
        starts_ends[int(ln.x1) - left + 1] -= 1
    cover = list(itertools.accumulate(starts_ends[:-1]))
    tolerance = max(1, len(narrow) // 30)
    gutters, run_start = [], None
    for x, count in enumerate(cover):
        if count <= tolerance:
            run_start = x if run_start is None else run_start
            continue
        if run_start is not None and x - run_start >= GUTTER_MIN_WIDTH and run_start > 0:
            gutters.append(left + (run_start + x) / 2)
        run_start = None
    return gutters


def _column(line: Line, gutters: list[float]) -> int | None:
    """The column index of a line, or None when it spans a gutter."""
    if any(line.x0 < g < line.x1 for g in gutters):
        return None
    return sum(1 for g in gutters if line.x0 > g)


def _merge_fragments(lines: list[Line]) -> list[Line]:
    """Join pieces of one printed line that pdfminer returned separately."""
    merged: list[Line] = []
    for ln in sorted(lines, key=lambda ln: (-round(ln.y0), ln.x0)):
        prev = merged[-1] if merged else None
        if prev and abs(prev.y0 - ln.y0) < 2 and ln.x0 >= prev.x1 - 1:
            prev.text = f"{prev.text} {ln.text}"
            prev.x1, prev.bold = ln.x1, prev.bold and ln.bold
        else:
            merged.append(ln)
    return merged


def reading_order(lines: list[Line]) -> list[list[Line]]:
    """Group one page's lines into runs (a column, or a full-width line) in reading order."""
    gutters = _gutters(lines)
    runs: list[list[Line]] = []
    band: dict[int, list[Line]] = {}

    def close_band() -> None:
        for col in sorted(band):
            runs.append(_merge_fragments(band[col]))
        band.clear()

    for ln in sorted(lines, key=lambda ln: -ln.y1):
        col = _column(ln, gutters)
        if col is None:
            close_band()
            runs.append([ln])
        else:
            band.setdefault(col, []).append(ln)
    close_band()
    return runs


_HYPHENATED = re.compile(r"[^\W\d_]-$")  # a word broken at a line's end


def join_lines(lines: list[str]) -> str:
    """The lines of one paragraph as one text, a word hyphenated across a line end put back together.

    Each junction looks at the two lines' ends only: the cost follows the paragraph's length.
    """
    joined = lines[:1]
    for before, line in itertools.pairwise(lines):
        if _HYPHENATED.search(before[-2:]) and line[:1].islower():
            joined[-1] = joined[-1][:-1]
        else:
            joined.append(" ")
        joined.append(line)
    return "".join(joined)


def _body_size(pages: list[list[Line]]) -> float:
    sizes: Counter[float] = Counter()
    for lines in pages:
        for ln in lines:
            sizes[round(ln.size, 1)] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _heading_level(line: Line, following: Line | None, body: float) -> int:
    """2 or 3 for larger type, 4 for a short bold line that is not run into the next."""
    if line.size >= 1.4 * body:
        return 2
    if line.size >= 1.12 * body:
        return 3
    run_in = following is not None and following.text[:1].islower()
    if line.bold and len(line.text) <= 100 and not line.text.endswith(".") and not run_in:
        return 4
    return 0


def _blocks(runs: list[list[Line]], body: float) -> list[Block]:
    """Headings and paragraphs from runs of lines; a paragraph's lines are joined once it is complete."""
    blocks: list[Block] = []
    lines: list[list[str]] = []  # the lines of each block
    open_para = False
    for run in runs:
        prev: Line | None = None
        for i, ln in enumerate(run):
            if ln.size < 0.85 * body:
                continue  # captions, footnote markers and other small print
            level = _heading_level(ln, run[i + 1] if i + 1 < len(run) else None, body)
            if level:
                if blocks and blocks[-1].kind == "heading" and prev is not None and blocks[-1].level == level:
                    lines[-1].append(ln.text)
                else:
                    blocks.append(Block("heading", "", level, ln.page))
                    lines.append([ln.text])
                open_para, prev = False, ln
                continue
            gap = (prev.y0 - ln.y1) if prev else 0
            new_para = prev is not None and gap > 0.5 * ln.size
            continues = (
                open_para
                and blocks
                and not new_para
                and (prev is not None or not lines[-1][-1].endswith(SENTENCE_END) or ln.text[:1].islower())
            )
            if continues:
                lines[-1].append(ln.text)
            else:
                blocks.append(Block("text", "", 0, ln.page))
                lines.append([ln.text])
            open_para, prev = True, ln
    for block, block_lines in zip(blocks, lines, strict=True):
        block.text = " ".join(block_lines) if block.kind == "heading" else join_lines(block_lines)
    return blocks


def _title(data: bytes) -> str:
    doc = PDFDocument(PDFParser(io.BytesIO(data)))
    for info in doc.info:
        title = info.get("Title")
        if isinstance(title, bytes):
            title = title.decode("utf-16" if title.startswith(b"\xfe\xff") else "latin-1", "replace")
        if isinstance(title, str) and title.strip():
            return plain_text(title)
    return ""


@dataclass
class PdfPart:
    """The lines of some of a PDF's pages, by page number, and the PDF's title (read by part 0)."""

    title: str
    pages: list[tuple[int, list[Line]]]


class _EveryNth:
    """Page indexes ``part``, ``part + parts``, ``part + 2 * parts``... as a container pdfminer accepts."""

    def __init__(self, part: int, parts: int):
        self.part, self.parts = part, parts

    def __contains__(self, index: object) -> bool:
        return isinstance(index, int) and index % self.parts == self.part


def read_pdf_part(data: bytes, name: str, part: int = 0, parts: int = 1) -> PdfPart:
    """Lay out every ``parts``-th page of a PDF, from page index ``part``; ``name`` is used in errors.

    Parts can be read in separate processes and put together by :func:`assemble_pdf`.
    """
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise ExtractionError(f"{name}: not a PDF file")
    try:
        title = _title(data) if part == 0 else ""
        layouts = extract_pages(io.BytesIO(data), laparams=LAYOUT, page_numbers=_EveryNth(part, parts))
        pages = [
            (number, _page_lines(layout, number))
            for number, layout in zip(itertools.count(part + 1, parts), layouts, strict=False)
        ]
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise ExtractionError(f"{name}: encrypted PDF (a password is needed to read it)") from exc
    except Exception as exc:  # pdfminer raises many kinds of errors on damaged files
        raise ExtractionError(f"{name}: unreadable PDF ({type(exc).__name__}: {exc})") from exc
    return PdfPart(title, pages)


def assemble_pdf(name: str, parts: list[PdfPart]) -> Extracted:
    """The blocks of a PDF in reading order, from all of its parts."""
    pages = [lines for _, lines in sorted(page for part in parts for page in part.pages)]
    kept = _drop_furniture(pages)
    body = _body_size(kept)
    runs = [run for lines in kept for run in reading_order(lines)]
    blocks = _blocks(runs, body)
    if not any(b.kind == "text" for b in blocks):
        raise ExtractionError(f"{name}: no text in PDF (scanned or empty)")
    return Extracted(blocks=blocks, title=next((part.title for part in parts if part.title), ""))


def extract_pdf(data: bytes, name: str) -> Extracted:
    """Extract one PDF in this process; ``name`` is used in error messages."""
    return assemble_pdf(name, [read_pdf_part(data, name)])
