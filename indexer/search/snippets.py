"""Highlighted snippets: whole sentences with the matched words in ``<mark>``.

The document text is HTML-escaped first and only our own ``<mark>`` tags are
added, so nothing a document contains can become markup. A matched phrase is
marked as one span, not word by word.

What a snippet costs is bounded by what it shows, not by the text it is cut from: it
looks at most ``SCANNED`` characters of a text (from its first likely match), reads a
stretch of more than ``LONGEST_SENTENCE`` characters without a full stop (a table, a
list, a hostile page) as several sentences, and analyses word by word only the few
sentences a cheap prefilter ranks highest.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from indexer.index.analysis import word_tokens
from indexer.reports.paragraphs import is_boilerplate, paragraph_spans

_ABBREVIATIONS = frozenset(
    {
        "u.s",
        "u.n",
        "u.k",
        "e.u",
        "mr",
        "mrs",
        "ms",
        "dr",
        "no",
        "nos",
        "st",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "maj",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "art",
        "arts",
        "para",
        "vol",
        "pp",
        "e.g",
        "i.e",
        "etc",
        "approx",
        "inc",
        "co",
        "corp",
        "ltd",
        "govt",
        "dept",
        "v",
        "vs",
        "pres",
        "sen",
        "rep",
        "gov",
        "jr",
        "sr",
        "prof",
        "rev",
        "fig",
    }
)
# A sentence ends at . ! or ? (with any closing quotes or brackets) before white space and
# a capital, digit, quote or bracket, unless the word before the stop is an abbreviation
# or a single initial.
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])")
LONG_SENTENCE = 400  # characters of a sentence shown around its first match
LONGEST_SENTENCE = 5_000  # characters read as one sentence at most (the longest real one has about 2,600)
SCANNED = 100_000  # characters of one text looked at for its snippet (the longest real section has about 42,000)
SOUGHT = 1_000_000  # characters of a longer text in which its first likely match is sought
MOST_MARKS = 5_000  # matches marked on a narrative's page (a real one shows a few hundred at most)
WORD_EDGE = 200  # characters a cut may move to fall between two words (a long address is one word)
ELLIPSIS = " … "


@dataclass
class QueryTerms:
    """What a query looks for: stemmed words, exact words, and phrases of either."""

    stems: set[str] = field(default_factory=set)
    exact: set[str] = field(default_factory=set)
    stem_phrases: set[tuple[str, ...]] = field(default_factory=set)
    exact_phrases: set[tuple[str, ...]] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)  # of folded words, from ``word*``
    typed: set[str] = field(default_factory=set)  # the query's words as typed (folded), in either number

    def __bool__(self) -> bool:
        return bool(self.stems or self.exact or self.stem_phrases or self.exact_phrases or self.prefixes)

    def prefilter(self) -> re.Pattern:
        """A regex that lower-case ASCII text holding a match must match (a cheap first test).

        It finds the starts of the query's words: a stem is a prefix of its words but
        for its last letter (``countri`` <- country).
        """
        words = self.stems | self.exact | {w for p in self.stem_phrases | self.exact_phrases for w in p}
        prefixes = sorted({w[: max(1, min(len(w) - 1, 6))] for w in words if w} | {p[:6] for p in self.prefixes})
        return re.compile(r"\b(?:" + "|".join(map(re.escape, prefixes)) + ")" if prefixes else r"(?!)")


def _phrase_spans(tokens, phrases, which: int) -> list[tuple[int, int]]:
    """Spans of every occurrence of the phrases, over words that have a term of kind ``which``.

    Each phrase is checked only where its first word stands.
    """
    if not phrases:
        return []
    words = [t for t in tokens if t[which] is not None]
    where: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        where.setdefault(word[which], []).append(i)
    spans = []
    for phrase in phrases:
        n = len(phrase)
        for i in where.get(phrase[0], ()):
            if i + n <= len(words) and all(words[i + k][which] == phrase[k] for k in range(1, n)):
                spans.append((words[i][2], words[i + n - 1][3]))
    return spans


def _likely_paragraphs(text: str, maybe: re.Pattern):
    """Yield (start, paragraph, lower-cased paragraph) for the paragraphs the prefilter lets through.

    A paragraph with non-ASCII letters always passes: folding may change its words.
    """
    for start, end in paragraph_spans(text):
        paragraph = text[start:end]
        lowered = paragraph.lower()
        if not paragraph.isascii() or maybe.search(lowered):
            yield start, paragraph, lowered


def _scanned(text: str, maybe: re.Pattern) -> tuple[int, str]:
    """(offset, stretch) of ``text`` a snippet is chosen from: all of it when it is at most ``SCANNED`` characters,
    else ``SCANNED`` characters from shortly before its first likely match in its first ``SOUGHT``."""
    if len(text) <= SCANNED:
        return 0, text
    first = maybe.search(text[:SOUGHT].lower())
    start = _word_edge(text, max(0, (first.start() if first else 0) - LONGEST_SENTENCE), -1, 0)
    end = _word_edge(text, min(len(text), start + SCANNED), -1, start)
    return start, text[start:end]


def _word_edge(text: str, at: int, step: int, bound: int) -> int:
    """``at`` moved back to the start of its word (``step`` -1) or on to its end (1), not past ``bound``;
    unmoved when that is more than ``WORD_EDGE`` characters away."""
    edge = at
    for _ in range(WORD_EDGE):
        if edge == bound or (text[edge - 1] if step < 0 else text[edge]).isspace():
            return edge
        edge += step
    return at


def _token_spans(tokens: list[tuple[str, str | None, int, int]], terms: QueryTerms) -> list[tuple[int, int]]:
    """Spans of the tokens (folded, stem, start, end) that match, sorted and not overlapping."""
    prefixes = tuple(terms.prefixes)
    spans = _phrase_spans(tokens, terms.stem_phrases, 1) + _phrase_spans(tokens, terms.exact_phrases, 0)
    spans += [
        (a, b)
        for folded, stem, a, b in tokens
        if (stem is not None and (stem in terms.stems or folded.startswith(prefixes))) or folded in terms.exact
    ]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def match_spans(text: str, terms: QueryTerms, most: int = MOST_MARKS) -> list[tuple[int, int]]:
    """Character spans to mark in ``text``, sorted and not overlapping: the first ``most``."""
    spans: list[tuple[int, int]] = []
    maybe = terms.prefilter()
    phrases = terms.stem_phrases or terms.exact_phrases  # need every word, to see them side by side
    for start, paragraph, lowered in _likely_paragraphs(text, maybe):
        # Folding may change a non-ASCII word: those paragraphs, and phrases, are read word by word.
        whole = phrases or not paragraph.isascii()
        pieces = _pieces(paragraph, lowered, maybe) if whole else _stretches_at(paragraph, lowered, maybe)
        for offset, words in pieces:
            spans += _token_spans([(f, s, start + offset + a, start + offset + b) for f, s, a, b in words], terms)
            if len(spans) >= most:
                return spans[:most]
    return spans


def _pieces(paragraph: str, lowered: str, maybe: re.Pattern) -> Iterator[tuple[int, list]]:
    """(offset, words) of the paragraph read ``SCANNED`` characters at a time, cut between words (a phrase across
    a cut, in a paragraph longer than any real one, is not seen); an ASCII piece the prefilter finds nothing in
    is passed over."""
    start = 0
    while start < len(paragraph):
        end = len(paragraph)
        if end - start > SCANNED:
            end = _word_edge(paragraph, start + SCANNED, -1, start)
            end = end if end > start else start + SCANNED
        if not paragraph.isascii() or maybe.search(lowered, start, end):
            yield start, list(word_tokens(paragraph[start:end]))
        start = end


def _stretches_at(paragraph: str, lowered: str, maybe: re.Pattern) -> Iterator[tuple[int, list]]:
    """(offset, words) of each stretch between spaces of an ASCII paragraph holding a prefilter match, with the
    words of it where the prefilter matches (as ``word_tokens`` with ``starting``): words never cross a space."""
    after = 0
    for hit in maybe.finditer(lowered):
        if hit.start() < after:
            continue
        lo = paragraph.rfind(" ", 0, hit.start()) + 1
        after = paragraph.find(" ", hit.end())
        after = len(paragraph) if after < 0 else after
        yield lo, list(word_tokens(paragraph[lo:after], maybe))


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


def split_sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence of one paragraph, in order. A stretch of more than ``LONGEST_SENTENCE``
    characters without a sentence end is cut between words into pieces, each read as a sentence."""
    start = 0
    for stop in _SENTENCE_END.finditer(text):
        while stop.start() - start > LONGEST_SENTENCE:
            end, following = _cut(text, start)
            yield start, end
            start = following
        if _ends_abbreviation(text, stop.start()):
            continue
        yield start, stop.start() + len(stop.group().rstrip())
        start = stop.end()
    last = len(text.rstrip())
    while last - start > LONGEST_SENTENCE:
        end, following = _cut(text, start)
        yield start, end
        start = following
    if text[start:last].strip():
        yield start, last


def _cut(text: str, start: int) -> tuple[int, int]:
    """(end of the piece, start of the next) for a piece of at most ``LONGEST_SENTENCE`` characters from ``start``,
    cut between words when a word edge is near."""
    cut = _word_edge(text, start + LONGEST_SENTENCE, -1, start + 1)
    return (cut - 1 if text[cut - 1].isspace() else cut), cut


def _ends_abbreviation(text: str, stop: int) -> bool:
    """Whether the full stop at ``stop`` ends an abbreviation or an initial rather than a sentence."""
    word = text[max(0, stop - 30) : stop + 1].rsplit(None, 1)[-1].lower().strip("\"“‘'([").rstrip(".")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _candidate_sentences(text: str, maybe: re.Pattern) -> list[tuple[int, int, int]]:
    """(likely matches, start, end) of every sentence in the paragraphs the prefilter lets through, within the
    stretch of ``text`` a snippet is chosen from."""
    offset, scanned = _scanned(text, maybe)
    found = []
    for p_start, paragraph, lowered in _likely_paragraphs(scanned, maybe):
        start = offset + p_start
        for s, e in split_sentences(paragraph):
            found.append((len(set(maybe.findall(lowered, s, e))), start + s, start + e))
    return found


def _window(start: int, end: int, spans: list[tuple[int, int]], text: str) -> tuple[int, int]:
    """Narrow a very long sentence to the stretch around its first match, at word edges."""
    if end - start <= LONG_SENTENCE:
        return start, end
    first = next((s for s, e in spans if start <= s < end), start)
    lo = max(start, first - LONG_SENTENCE // 3)
    hi = min(end, lo + LONG_SENTENCE)
    return _word_edge(text, lo, -1, start), _word_edge(text, hi, 1, end)


def _sentence_value(sentence: str, tokens: list, spans: list[tuple[int, int]], terms: QueryTerms) -> float:
    """How well a sentence shows a match: different query words held, in the forms typed, side by side.

    ``tokens`` are the sentence's words (folded, stem, start, end), ``spans`` its matches. ``labor
    force`` shows ``forced labor`` less well than ``forced labor`` does. A cross-reference or formula
    sentence ("See the Department of State's ... Report") is worth less than any other.
    """
    words, j = set(), 0
    for _, stem, a, b in tokens:  # tokens and spans in text order, spans apart: one pass over both
        while j < len(spans) and spans[j][1] < b:
            j += 1
        if stem and j < len(spans) and spans[j][0] <= a:
            words.add(stem)
    stemmed = [(folded, stem) for folded, stem, _, _ in tokens if stem]
    as_typed = {folded for folded, _ in stemmed if folded in terms.typed}

    def matches(token: tuple[str, str]) -> bool:
        return token[0] in terms.typed if terms.typed else token[1] in terms.stems

    adjacent = sum(1 for a, b in itertools.pairwise(stemmed) if a[1] != b[1] and matches(a) and matches(b))
    value = len(words) + 0.5 * len(as_typed) + 0.5 * adjacent + 0.1 * len(spans)
    return value - 100 if is_boilerplate(sentence) else value


def snippet(text: str, terms: QueryTerms, sentences: int = 2) -> tuple[str, int]:
    """HTML of the best ``sentences`` sentences with matches marked, and the first one's offset.

    Sentences are chosen by how many different query words they hold, side by side or
    not (cross-references last), and shown in text order; with no match the text's opening is shown. Only the
    few sentences a cheap prefilter ranks highest are analysed word by word.
    """
    likely = sorted(_candidate_sentences(text, terms.prefilter()), key=lambda c: -c[0])[: sentences + 4]
    chosen = []
    for hits, start, end in likely:
        sentence = text[start:end]
        if not hits and sentence.isascii():
            continue
        tokens = list(word_tokens(sentence))
        spans = _token_spans(tokens, terms)
        if spans:
            value = _sentence_value(sentence, tokens, spans, terms)
            chosen.append((value, start, end, [(start + s, start + e) for s, e in spans]))
    chosen = sorted(sorted(chosen, key=lambda c: -c[0])[:sentences], key=lambda c: c[1])
    if not chosen:
        chosen = [(0, *_opening(text), [])]
    pieces = []
    for _, start, end, spans in chosen:
        lo, hi = _window(start, end, spans, text)
        pieces.append(("…" if lo > start else "") + render(text, spans, lo, hi) + ("…" if hi < end else ""))
    return ELLIPSIS.join(pieces), chosen[0][1]


def _opening(text: str) -> tuple[int, int]:
    """(start, end) of the text's first sentence."""
    return next(split_sentences(text[: paragraph_spans(text)[0][1]]), (0, len(text)))


def plain_snippet(text: str, terms: QueryTerms, sentences: int = 2) -> tuple[str, int]:
    """The best ``sentences`` sentences as plain text, and the first one's offset, chosen by the prefilter alone
    (how many query words a sentence seems to hold; cross-references last): for files, which mark nothing, at
    a fraction of the cost of :func:`snippet`."""
    maybe = terms.prefilter()
    candidates = [c for c in _candidate_sentences(text, maybe) if c[0]]
    ranked = sorted(candidates, key=lambda c: (is_boilerplate(text[c[1] : c[2]]), -c[0]))
    chosen = sorted((start, end) for _, start, end in ranked[:sentences]) or [_opening(text)]
    pieces = []
    for start, end in chosen:
        found = maybe.search(text[start:end].lower())
        spans = [(start + found.start(), start + found.end())] if found else []
        lo, hi = _window(start, end, spans, text)
        pieces.append(("…" if lo > start else "") + text[lo:hi] + ("…" if hi < end else ""))
    return ELLIPSIS.join(pieces), chosen[0][0]


def highlight_all(texts: list[str], terms: QueryTerms) -> list[str]:
    """HTML of each text whole, with matches marked: the first ``MOST_MARKS`` of them all (a narrative's page)."""
    marked, left = [], MOST_MARKS
    for text in texts:
        spans = match_spans(text, terms, left) if terms and left else []
        left -= len(spans)
        marked.append(render(text, spans))
    return marked
