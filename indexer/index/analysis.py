"""Text analysis shared by indexing, querying and snippets.

Words are found by an NLTK regular-expression tokenizer that reports character
spans, then folded (lower case, accents and curly quotes straightened, possessive
``'s`` and acronym dots dropped), stopwords removed (the list is ``indexer/data/stopwords.txt``),
British spellings read as American (``indexer/data/spellings.txt``: labour, programme,
organisation) and stemmed with NLTK's Snowball English stemmer. A few words Snowball would join
with a word of another meaning take their stem from ``indexer/data/stems.txt`` instead
(protected stems: ``organization`` and ``organize`` -> ``organiz``, apart from ``organ``); each
moved word is listed in all its forms, which keep one stem. The Whoosh analyzers built here
must stay importable from this module: an index pickles them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from functools import lru_cache

from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import RegexpTokenizer
from whoosh.analysis import Filter, StopFilter, Token, Tokenizer
from whoosh.fields import TEXT
from whoosh.formats import Positions
from whoosh.system import pack_uint

from indexer.settings import SHIPPED

WORD_PATTERN = r"(?:[^\W\d_]\.){2,}|\w+(?:['’]\w+)*"


class _WordTokenizer(RegexpTokenizer):
    """NLTK's regexp tokenizer without the wall-clock limit NLTK 3.10 puts on every call (``nltk.redos``):
    ``WORD_PATTERN`` is ours and runs in time linear in the text, and under a limit a long page's words, or a
    narrative's page, would fail or not depending on how busy the machine is."""

    def _check_regexp(self) -> None:
        try:
            from nltk import redos
        except ImportError:  # an NLTK without the limit
            super()._check_regexp()
            return
        if getattr(self, "_regexp", None) is None:
            self._regexp = redos.compile(self._pattern, self._flags, timeout=None)


_tokenizer = _WordTokenizer(WORD_PATTERN)
_stemmer = SnowballStemmer("english")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"'})


def load_stopwords() -> frozenset[str]:
    """The stopword list shipped in ``indexer/data/stopwords.txt``."""
    lines = (SHIPPED / "stopwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


STOPWORDS = load_stopwords()


def load_spellings() -> dict[str, str]:
    """British spelling -> American, from ``indexer/data/spellings.txt`` (``labour`` -> ``labor``)."""
    lines = (SHIPPED / "spellings.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split() for line in lines if line.strip() and not line.startswith("#"))


AMERICAN = load_spellings()


def load_stems() -> dict[str, str]:
    """Protected stems, from ``indexer/data/stems.txt``: word -> the stem it takes instead of Snowball's."""
    lines = (SHIPPED / "stems.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split() for line in lines if line.strip() and not line.startswith("#"))


PROTECTED = load_stems()


LONGEST_KEPT_TEXT = 100_000  # characters of a text whose word spans are kept for the next call
KEPT_WORD = 30  # characters of the longest word whose folded form and stem are kept for reuse
WORDS_KEPT = 100_000  # words kept per table, the latest used: with KEPT_WORD, some 25 MB at the very most


def word_spans(text: str) -> tuple[tuple[int, int], ...]:
    """The (start, end) character span of every word in ``text``.

    Kept for the last few texts up to ``LONGEST_KEPT_TEXT``: the stemmed and the exact-word
    fields of a section hold the same text, so indexing tokenizes it once.
    """
    return _kept_spans(text) if len(text) <= LONGEST_KEPT_TEXT else _spans(text)


def _spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(_tokenizer.span_tokenize(text))


_kept_spans = lru_cache(maxsize=8)(_spans)


def fold_word(word: str) -> str:
    """Normalise one word: lower case, no accents, straight quotes, no possessive.

    A short ASCII word's form is kept for reuse (``KEPT_WORD``, ``WORDS_KEPT``): the table's size
    is bounded in bytes, whatever words a query or a page holds.
    """
    return _kept_fold(word) if len(word) <= KEPT_WORD and word.isascii() else _fold(word)


def _fold(word: str) -> str:
    word = unicodedata.normalize("NFKD", word.translate(_QUOTES).lower())
    word = "".join(c for c in word if not unicodedata.combining(c))
    if word.endswith("'s"):
        word = word[:-2]
    return word.replace("'", "").replace(".", "")


_kept_fold = lru_cache(maxsize=WORDS_KEPT)(_fold)


def stem_word(folded: str) -> str:
    """Snowball English stem of an already folded word, British spellings read as American and protected
    stems first (``organization`` -> ``organiz``, not ``organ``); a short ASCII word's stem is kept for reuse,
    as :func:`fold_word` keeps its form."""
    return _kept_stem(folded) if len(folded) <= KEPT_WORD and folded.isascii() else _stem(folded)


def _stem(folded: str) -> str:
    word = AMERICAN.get(folded, folded)
    return PROTECTED.get(word) or _stemmer.stem(word)


_kept_stem = lru_cache(maxsize=WORDS_KEPT)(_stem)


def word_tokens(text: str, starting: re.Pattern | None = None) -> Iterator[tuple[str, str | None, int, int]]:
    """Yield (folded word, stem or None for a stopword, start, end) for each word; with ``starting``, only for
    the words where it matches the lower-cased text (for ASCII text, whose case changes keep its offsets).

    The folded word is the exact-word field's term, the stem the body field's.
    """
    lowered = text.lower() if starting else ""
    for start, end in word_spans(text):
        if starting and not starting.match(lowered, start):
            continue
        folded = fold_word(text[start:end])
        if folded:
            yield folded, None if folded in STOPWORDS else stem_word(folded), start, end


class NltkTokenizer(Tokenizer):
    """Whoosh tokenizer over :func:`word_spans`, keeping positions and character offsets."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for pos, (start, end) in enumerate(word_spans(value)):
            token.text = value[start:end]
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


class FoldFilter(Filter):
    """Apply :func:`fold_word` to each token; drop tokens that fold to nothing."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold_word(token.text)
            if token.text:
                yield token


class SnowballFilter(Filter):
    """Apply the cached Snowball stemmer to each token."""

    def __call__(self, tokens):
        for token in tokens:
            if not token.stopped:
                token.text = stem_word(token.text)
            yield token


def stemmed_analyzer():
    """Analyzer of the ranked body field: fold, drop stopwords, stem."""
    return NltkTokenizer() | FoldFilter() | StopFilter(stoplist=STOPWORDS, minsize=1) | SnowballFilter()


def exact_analyzer():
    """Analyzer of the exact-word field: fold only, every word kept."""
    return NltkTokenizer() | FoldFilter()


def indexed_words(text: str, stem: bool) -> Iterator[tuple[int, str]]:
    """Each term of ``text`` with its word position, exactly as the field's analyzer indexes it.

    Stemmed: stopwords dropped and the positions of the words kept renumbered from the first
    one, as Whoosh's ``StopFilter`` does. Exact: every word folded, positions as found.
    """
    last = None
    for pos, word in enumerate(_tokenizer.tokenize(text)):
        folded = fold_word(word)
        if not folded:
            continue
        if stem:
            if folded in STOPWORDS:
                continue
            folded = stem_word(folded)
            pos = pos if last is None else last + 1
            last = pos
        yield pos, folded


def indexed_positions(text: str, stem: bool) -> dict[str, list[int]]:
    """Each term of ``text`` and its word positions (see :func:`indexed_words`)."""
    positions: dict[str, list[int]] = defaultdict(list)
    for pos, term in indexed_words(text, stem):
        positions[term].append(pos)
    return positions


def load_common_stems() -> frozenset[str]:
    """The stems found in the most sections, shipped in ``indexer/data/common_stems.txt``."""
    lines = (SHIPPED / "common_stems.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


COMMON_STEMS = load_common_stems()


def pair_term(first: str, second: str) -> str | None:
    """The term of two adjacent stems in the word-pair field (``forced labor``), or None when it holds none.

    Only pairs of two common stems are held (Lucene's CommonGrams, stricter): a phrase with a
    rarer word is cheap to check by word positions, since few sections hold that word.
    """
    return f"{first} {second}" if first in COMMON_STEMS and second in COMMON_STEMS else None


def word_pairs(text: str) -> Counter[str]:
    """How often each held pair of adjacent stems occurs in ``text`` (stopwords skipped, as phrases skip them)."""
    stems = [term for _, term in indexed_words(text, stem=True)]
    return Counter(pair for pair in map(pair_term, stems, stems[1:]) if pair)


class AnalyzedText(TEXT):
    """A TEXT field that indexes in one pass over the words instead of the analyzer chain.

    Queries still go through the field's analyzer (:func:`stemmed_analyzer` or
    :func:`exact_analyzer`); indexing gives the same terms, frequencies and positions about
    five times faster, which is most of the cost of analysing a corpus.
    """

    def __init__(self, stem: bool = True, **kwargs):
        super().__init__(analyzer=stemmed_analyzer() if stem else exact_analyzer(), **kwargs)
        self.stem = stem

    def index(self, value, **kwargs):
        boost = self.format.field_boost
        with_positions = isinstance(self.format, Positions)
        for word, poslist in indexed_positions(value, self.stem).items():
            encoded = self.format.encode(poslist) if with_positions else pack_uint(len(poslist))
            yield word.encode("utf-8"), len(poslist), len(poslist) * boost, encoded


class WordPairs(AnalyzedText):
    """The word-pair field: each pair of adjacent stems is one term, counted, without positions.

    A two-word phrase of common stems is then one term to look up, and a longer phrase is
    checked for word positions only in the sections that hold all of its pairs
    (``indexer/search/phrases.py``).
    """

    def __init__(self, **kwargs):
        super().__init__(phrase=False, **kwargs)

    def index(self, value, **kwargs):
        boost = self.format.field_boost
        for pair, count in word_pairs(value).items():
            yield pair.encode("utf-8"), count, count * boost, pack_uint(count)
