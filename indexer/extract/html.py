"""State.gov report pages (``.html`` or ``.html.gz``, any charset) -> blocks.

Only the report body is kept (``.report__main``, else ``<main>``, else ``<body>``);
navigation, banners, footers, scripts, styles and tag/related-content boxes go.
"""

from __future__ import annotations

import gzip
import io
import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from indexer.errors import ExtractionError
from indexer.extract import Block, Extracted

BODY_SELECTORS = (".report__main", "main", "article", "body")
DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form",
             "button", "svg", "iframe", "template", "select", "input")
DROP_SELECTORS = (".report__tags", ".related-tags", ".related-content", ".share",
                  ".social", ".breadcrumbs", ".sidebar", "[hidden]", "[aria-hidden=true]",
                  "#nav", "#navigation", "#header", "[id*=footer]", "[class*=footer]",
                  "[class*=site-header]", "[role=navigation]", "[role=banner]", "[role=contentinfo]")
HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
BLOCK_TAGS = {"p", "li", "blockquote", "pre", "td", "th", "dt", "dd", "caption",
              "figcaption", "div", "section", "article", "main", "body", "tr"}
GZIP_MAGIC = b"\x1f\x8b"


def decompress(data: bytes, limit: int, name: str) -> bytes:
    """Return ``data`` gunzipped when it is gzip, refusing more than ``limit`` bytes."""
    if not data.startswith(GZIP_MAGIC):
        raw = data
    else:
        try:
            raw = gzip.GzipFile(fileobj=io.BytesIO(data)).read(limit + 1)
        except (OSError, EOFError) as exc:
            raise ExtractionError(f"{name}: not a readable gzip file ({exc})") from exc
    if len(raw) > limit:
        raise ExtractionError(f"{name}: page larger than {limit} bytes")
    return raw


def _clean(text: str) -> str:
    return " ".join(text.split())


def _block_of(node: NavigableString) -> Tag | None:
    parent = node.parent
    while parent is not None and parent.name not in HEADING_TAGS and parent.name not in BLOCK_TAGS:
        parent = parent.parent
    return parent


def _is_bold_line(tag: Tag) -> bool:
    """A paragraph written wholly in bold and short: a heading in all but markup."""
    if tag.name != "p":
        return False
    text = _clean(tag.get_text(" "))
    bold = _clean(" ".join(b.get_text(" ") for b in tag.find_all(["strong", "b"])))
    return 0 < len(text) <= 120 and text == bold


def body_blocks(body: Tag) -> list[Block]:
    """Blocks of a cleaned body element, in document order."""
    blocks: list[Block] = []
    current: Tag | None = None
    parts: list[str] = []

    def flush() -> None:
        text = _clean(" ".join(parts))
        if current is not None and text:
            if current.name in HEADING_TAGS:
                blocks.append(Block("heading", text, HEADING_TAGS[current.name]))
            elif _is_bold_line(current):
                blocks.append(Block("heading", text, 4))
            else:
                blocks.append(Block("text", text))
        parts.clear()

    for node in body.descendants:
        if not isinstance(node, NavigableString) or isinstance(node, Comment):
            continue
        if type(node) is not NavigableString:  # CData, Doctype, processing instructions
            continue
        block = _block_of(node)
        if block is not current:
            flush()
            current = block
        parts.append(str(node))
    flush()
    return blocks


def _meta(soup: BeautifulSoup) -> dict[str, str]:
    found = {}
    for tag in soup.find_all("meta"):
        key = tag.get("property") or tag.get("name")
        if key and tag.get("content"):
            found[key] = tag["content"]
    return found


def extract_html(data: bytes, name: str, limit: int) -> Extracted:
    """Extract the report body of one saved page; ``name`` is used in error messages."""
    raw = decompress(data, limit, name)
    if not raw.strip():
        raise ExtractionError(f"{name}: empty file")
    soup = BeautifulSoup(raw, "lxml")
    meta = _meta(soup)
    canonical = soup.find("link", rel="canonical")
    url = (canonical.get("href") if canonical else "") or meta.get("og:url", "")
    title = _clean(soup.title.get_text()) if soup.title else ""
    h1 = soup.find("h1")
    headline = _clean(h1.get_text(" ")) if h1 else ""
    body = next((b for b in (soup.select_one(s) for s in BODY_SELECTORS) if b is not None), None)
    if body is None:
        raise ExtractionError(f"{name}: no HTML body")
    for tag in body.find_all(DROP_TAGS):
        tag.decompose()
    for selector in DROP_SELECTORS:
        for tag in body.select(selector):
            tag.decompose()
    blocks = body_blocks(body)
    if body.name != "section" and blocks and blocks[0].kind == "heading" and blocks[0].text == headline:
        blocks = blocks[1:]
    if not any(b.kind == "text" for b in blocks):
        raise ExtractionError(f"{name}: no report text found")
    return Extracted(blocks=blocks, title=title, headline=headline, url=url, meta=meta)
