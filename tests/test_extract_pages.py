"""Every real report page in ../shared read with its words whole.

Pages set words in pieces of inline markup (``<b>F</b><b>orced</b>``) and put links in
headings; extraction must give the words as the page shows them: no space that the page
does not have inside a word or before punctuation, and no heading that is a link.
"""

import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import lxml.html
import pytest

from indexer.extract.html import decode, decompress, extract_html
from tests.conftest import HRR, shared_path

LIMIT = 20_000_000
SPACE_BEFORE_PUNCTUATION = re.compile(r"\w+ [,.;:]")
WORD_PAIR = re.compile(r"(?=\b([A-Za-z]+) ([a-z]+)\b)")


def _page_text(raw: bytes) -> str:
    """All the text of a page as a browser joins it, white space collapsed."""
    root = lxml.html.document_fromstring(decode(raw))
    for element in root.iter("br", "img", "hr"):
        element.tail = " " + (element.tail or "")
    return " ".join(root.text_content().split())


def _read(path: Path) -> tuple[str, list, str]:
    raw = decompress(path.read_bytes(), LIMIT, str(path))
    return str(path), extract_html(raw, str(path), LIMIT).blocks, _page_text(raw)


@pytest.fixture(scope="module")
def pages():
    files = sorted(shared_path(HRR).glob("*/*.html.gz"))
    with ProcessPoolExecutor(2) as pool:
        return list(pool.map(_read, files, chunksize=16))


def test_every_year_is_read(pages):
    assert {Path(name).parent.name for name, _, _ in pages} == {str(y) for y in range(2016, 2024)}
    assert len([name for name, _, _ in pages if "/2023/" in name]) == 191


def test_no_space_before_punctuation_that_the_page_lacks(pages):
    added = [
        (name, found)
        for name, blocks, page in pages
        for block in blocks
        for found in SPACE_BEFORE_PUNCTUATION.findall(block.text)
        if found not in page
    ]
    assert added == []


def test_no_word_split_by_markup(pages):
    vocabulary = Counter(w.lower() for _, blocks, _ in pages for b in blocks for w in re.findall(r"[A-Za-z]+", b.text))
    split = []
    for name, blocks, page in pages:
        for block in blocks:
            for first, second in WORD_PAIR.findall(block.text):
                whole = (first + second).lower()
                pieces_rare = min(vocabulary[first.lower()], vocabulary[second]) <= 3
                if pieces_rare and vocabulary[whole] >= 20 and f"{first} {second}" not in page:
                    split.append((name, f"{first} {second}"))
    assert split == []


def test_no_heading_is_a_link(pages):
    assert [
        (name, b.text)
        for name, blocks, _ in pages
        for b in blocks
        if b.kind == "heading" and re.search(r"https?://|www\.", b.text)
    ] == []
