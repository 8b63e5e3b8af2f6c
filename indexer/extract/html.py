"""State.gov report pages (``.html`` or ``.html.gz``, any charset) -> blocks.

Only the report body is kept (``.report__main``, else ``<main>``, ``<article>`` or
``<body>``); navigation, banners, footers, scripts, styles and tag/related-content
boxes go. Parsing is lxml's; the character set is found by Beautiful Soup's
UnicodeDammit (byte-order mark, declared charset, then a guess).
"""

from __future__ import annotations

import itertools
import re

import lxml.html
from bs4.dammit import UnicodeDammit
from lxml import etree

from indexer.compressed import GZIP_MAGIC, gunzip
from indexer.errors import ExtractionError
from indexer.extract import Block, Extracted, plain_text
from indexer.urls import web_url


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


BODY_XPATHS = (f"//*[{_has_class('report__main')}]", "//main", "//article", "//body")
DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "svg",
    "iframe",
    "template",
    "select",
    "input",
    "textarea",
)
DROP_XPATH = " | ".join(
    [f".//{tag}" for tag in DROP_TAGS]
    + [
        f".//*[{_has_class(c)}]"
        for c in ("report__tags", "related-tags", "related-content", "share", "social", "breadcrumbs", "sidebar")
    ]
    + [
        ".//*[@hidden]",
        ".//*[@aria-hidden='true']",
        ".//*[@id='nav' or @id='navigation' or @id='header']",
        ".//*[contains(@id, 'footer')]",
        ".//*[contains(@class, 'footer')]",
        ".//*[contains(@class, 'site-header')]",
        ".//*[@role='navigation' or @role='banner' or @role='contentinfo']",
        f".//p[{_has_class('stars-above')}][a]",  # links to a report's parts ("Read a Section: China")
    ]
)
# Inline elements that stand between words as a space does (any other inline markup joins
# its text to its neighbours' as the page shows it: <b>F</b><b>orced</b> is "Forced").
SPACING_TAGS = {"br", "img", "hr"}
HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
BLOCK_TAGS = {
    "p",
    "li",
    "blockquote",
    "pre",
    "td",
    "th",
    "dt",
    "dd",
    "caption",
    "figcaption",
    "div",
    "section",
    "article",
    "main",
    "body",
    "tr",
    "ul",
    "ol",
    "table",
}
_URL = re.compile(r"https?://\S+")
_URL_BEFORE = re.compile(r"^https?://\S*/")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def decompress(data: bytes, limit: int, name: str) -> bytes:
    """Return ``data`` gunzipped when it is gzip, refusing more than ``limit`` bytes."""
    if not data.startswith(GZIP_MAGIC):
        raw = data
    else:
        try:
            raw = gunzip(data, limit)
        except ValueError as exc:
            raise ExtractionError(f"{name}: {exc}") from None
    if len(raw) > limit:
        raise ExtractionError(f"{name}: page larger than {limit} bytes")
    return raw


MAX_ELEMENTS = 100_000  # the real report pages have at most about 2,700


def _published_url(href: str) -> str:
    """A canonical link's URL when every parser reads it as on state.gov, else "": a page may not name another
    site as its source."""
    url = web_url(href.strip())
    host = url.host if url else ""
    return href.strip() if host and (host == "state.gov" or host.endswith(".state.gov")) else ""


def _is_bold_line(element) -> bool:
    """A paragraph written wholly in bold and short: a heading in all but markup."""
    if element.tag != "p":
        return False
    text = plain_text(element.text_content())
    bold = plain_text(" ".join(b.text_content() for b in element.iter("strong", "b")))
    return 0 < len(text) <= 120 and text == bold


def _texts(body):
    """Yield (innermost block element, text) for every piece of text under ``body``, in order.

    Elements that separate words (``SPACING_TAGS``) yield a space of their own.
    """
    stack = []
    for event, element in etree.iterwalk(body, events=("start", "end")):
        if not isinstance(element.tag, str):  # comments and processing instructions
            if event == "end" and stack:
                yield stack[-1], element.tail
            continue
        opens = element.tag in BLOCK_TAGS or element.tag in HEADING_TAGS or element is body
        if event == "start":
            if opens:
                stack.append(element)
            yield stack[-1], " " if element.tag in SPACING_TAGS else element.text
        else:
            if opens:
                stack.pop()
            if stack:
                yield stack[-1], element.tail


def _bold_lead(owner, text: str) -> str:
    """The bold words a paragraph opens with (one or more bold elements in a row), followed by
    more text; else ""."""
    if owner.tag not in ("p", "div", "li") or (owner.text or "").strip():
        return ""
    pieces = []
    for child in owner:
        if child.tag not in ("b", "strong"):
            break
        pieces.append(child.text_content())
        if (child.tail or "").strip():
            break
        pieces.append(child.tail or "")
    lead = plain_text("".join(pieces))
    return lead if lead and text.startswith(lead) and len(lead) < len(text) else ""


def _block(owner, text: str) -> Block:
    level = HEADING_TAGS.get(owner.tag) or (4 if _is_bold_line(owner) else 0)
    if level:
        # A link pasted before a heading's words: "https://www.state.gov/.../Trafficking in Persons".
        heading = _URL_BEFORE.sub("", text)
        if heading and not _URL.search(heading):
            return Block("heading", heading, level)
        # A link, or a sentence holding one, set as a heading: text.
    return Block("text", text, lead=_bold_lead(owner, text))


def body_blocks(body) -> list[Block]:
    """Blocks of a cleaned body element, in document order.

    Text is gathered per innermost block element (paragraph, list item, heading, ...),
    so inline markup never splits a paragraph and text directly in a ``div`` is kept. The
    pieces join as the page has them: white space between inline elements is kept, and none
    is added.
    """
    blocks: list[Block] = []
    current = None  # the block element the pieces in ``parts`` belong to
    parts: list[str] = []
    for owner, text in _texts(body):
        if not text or (owner is not current and not text.strip()):
            continue
        if owner is not current:
            if parts:
                blocks.append(_block(current, plain_text("".join(parts))))
            current, parts = owner, []
        parts.append(text)
    if parts:
        blocks.append(_block(current, plain_text("".join(parts))))
    return blocks


def decode(raw: bytes) -> str:
    """Bytes of a page -> text, by BOM, declared charset, or a guess."""
    text = UnicodeDammit(raw, is_html=True).unicode_markup
    if text is None:
        return raw.decode("utf-8", "replace")
    return _XML_DECLARATION.sub("", text, count=1)


def extract_html(data: bytes, name: str, limit: int) -> Extracted:
    """Extract the report body of one saved page; ``name`` is used in error messages."""
    raw = decompress(data, limit, name)
    if not raw.strip():
        raise ExtractionError(f"{name}: empty file")
    try:
        root = lxml.html.document_fromstring(decode(raw))
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"{name}: not parseable as HTML ({exc})") from exc
    if any(True for _ in itertools.islice(root.iter(), MAX_ELEMENTS, None)):
        raise ExtractionError(f"{name}: more than {MAX_ELEMENTS} HTML elements; a report page has a few thousand")
    canonical = root.xpath("//link[@rel='canonical']/@href") or root.xpath("//meta[@property='og:url']/@content")
    url = _published_url(canonical[0]) if canonical else ""
    title = plain_text(root.findtext(".//title"))
    h1 = root.find(".//h1")
    headline = plain_text(h1.text_content()) if h1 is not None else ""
    body = next((found[0] for found in (root.xpath(x) for x in BODY_XPATHS) if found), None)
    if body is None:
        raise ExtractionError(f"{name}: no HTML body")
    for element in body.xpath(DROP_XPATH):
        if element.getparent() is not None:
            element.drop_tree()
    blocks = body_blocks(body)
    if blocks and blocks[0].kind == "heading" and blocks[0].text == headline and body.tag == "body":
        blocks = blocks[1:]
    if not any(b.kind == "text" for b in blocks):
        raise ExtractionError(f"{name}: no report text found")
    return Extracted(blocks=blocks, title=title, headline=headline, url=url)
