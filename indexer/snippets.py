"""Highlighted snippets: whole sentences with the matched words in ``<mark>``.

The document text is HTML-escaped first and only our own ``<mark>`` tags are
added, so nothing a document contains can become markup. A matched phrase is
marked as one span, not word by word.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

from indexer.analysis import word_tokens

_ABBREVIATIONS = {"u.s", "u.n", "mr", "mrs", "ms", "dr", "no", "st", "gen", "col", "lt", "sgt",
                  "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
                  "dec", "art", "para", "vol", "pp", "e.g", "i.e", "etc", "approx", "inc", "co",
                  "corp", "ltd", "govt", "dept", "v", "vs", "pres", "sen", "rep", "gov", "jr"}
_params = PunktParameters()
_params.abbrev_types = _ABBREVIATIONS
_sentences = PunktSentenceTokenizer(_params)
LONG_SENTENCE = 400
ELLIPSIS = " … "


@dataclass
class QueryTerms:
    """What a query looks for: stemmed words, exact words, and phrases of either."""

    stems: set[str] = field(default_factory=set)
    exact: set[str] = field(default_factory=set)
    stem_phrases: set[tuple[str, ...]] = field(default_factory=set)
    exact_phrases: set[tuple[str, ...]] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.stems or self.exact or self.stem_phrases or self.exact_phrases)

    def prefilter(self) -> re.Pattern:
        """A regex any lower-case ASCII paragraph holding a match must match (a cheap first test).

        A stem is a prefix of its words but for its last letter (``countri`` <- country).
        """
        words = self.stems | self.exact | {w for p in self.stem_phrases | self.exact_phrases for w in p}
        prefixes = sorted({w[:max(1, min(len(w) - 1, 6))] for w in words if w})
        return re.compile("|".join(map(re.escape, prefixes)) or r"(?!)")


def _phrase_spans(tokens, phrases, which: int) -> list[tuple[int, int]]:
    """Spans of every occurrence of the phrases, over words that have a term of kind ``which``."""
    words = [t for t in tokens if t[which] is not None]
    spans = []
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(words) - n + 1):
            if all(words[i + k][which] == phrase[k] for k in range(n)):
                spans.append((words[i][2], words[i + n - 1][3]))
    return spans


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph (paragraphs are separated by a blank line)."""
    spans, offset = [], 0
    for paragraph in text.split("\n\n"):
        spans.append((offset, offset + len(paragraph)))
        offset += len(paragraph) + 2
    return spans


def match_spans(text: str, terms: QueryTerms) -> list[tuple[int, int]]:
    """Character spans to mark in ``text``, sorted and not overlapping."""
    maybe = terms.prefilter()
    spans = []
    for start, end in paragraph_spans(text):
        paragraph = text[start:end]
        if paragraph.isascii() and not maybe.search(paragraph.lower()):
            continue
        tokens = [(f, s, start + a, start + b) for f, s, a, b in word_tokens(paragraph)]
        spans += _phrase_spans(tokens, terms.stem_phrases, 1) + _phrase_spans(tokens, terms.exact_phrases, 0)
        spans += [(a, b) for folded, stem, a, b in tokens
                  if (stem is not None and stem in terms.stems) or folded in terms.exact]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def render(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    """HTML of ``text[start:end]`` with the spans inside it wrapped in ``<mark>``."""
    end = len(text) if end is None else end
    out, cursor = [], start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[cursor:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end]))
    return "".join(out)


def sentence_spans(text: str, marks: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence; paragraph breaks always end a sentence.

    Given ``marks``, only the first paragraph and those holding a mark are split into
    sentences; the others stay whole (no snippet is cut from them).
    """
    spans = []
    for index, (start, end) in enumerate(paragraph_spans(text)):
        if marks is None or index == 0 or any(start <= s < end for s, _ in marks):
            spans.extend((start + s, start + e) for s, e in _sentences.span_tokenize(text[start:end]))
        else:
            spans.append((start, end))
    return spans


def _window(start: int, end: int, spans: list[tuple[int, int]], text: str) -> tuple[int, int]:
    """Narrow a very long sentence to the stretch around its first match, at word edges."""
    if end - start <= LONG_SENTENCE:
        return start, end
    first = next((s for s, e in spans if start <= s < end), start)
    lo = max(start, first - LONG_SENTENCE // 3)
    hi = min(end, lo + LONG_SENTENCE)
    while lo > start and not text[lo - 1].isspace():
        lo -= 1
    while hi < end and not text[hi].isspace():
        hi += 1
    return lo, hi


def snippet(text: str, terms: QueryTerms, sentences: int = 2) -> tuple[str, int]:
    """HTML of the best ``sentences`` sentences with matches marked, and the first one's offset.

    Sentences are chosen by how many different query words and phrases they hold,
    and shown in text order; with no match the text's opening is shown.
    """
    spans = match_spans(text, terms)
    bounds = sentence_spans(text, spans) or [(0, len(text))]
    scored = []
    for index, (start, end) in enumerate(bounds):
        inside = [text[s:e].lower() for s, e in spans if start <= s < end]
        if inside:
            scored.append((len(set(inside)) + 0.1 * len(inside), -index))
    chosen = sorted(-i for _, i in sorted(scored, reverse=True)[:sentences]) or [0]
    pieces = []
    for index in chosen:
        lo, hi = _window(*bounds[index], spans, text)
        prefix = "…" if lo > bounds[index][0] else ""
        suffix = "…" if hi < bounds[index][1] else ""
        pieces.append(prefix + render(text, spans, lo, hi) + suffix)
    return ELLIPSIS.join(pieces), bounds[chosen[0]][0]


def highlight_all(text: str, terms: QueryTerms) -> str:
    """HTML of the whole text with every match marked."""
    return render(text, match_spans(text, terms) if terms else [])
