"""What users may type: the query language's allow-list, applied before parsing.

Allowed: words; "phrases", with ``~N`` proximity (N up to 20); ``AND``, ``OR``, ``NOT``
(upper case); ``-word`` (NOT word) and ``+word`` (the word); parentheses; ``exact:word``; a trailing ``prefix*``
after three letters or more (expanded to the index's most frequent matching words, at most
``PREFIX_TERMS``). Filters (``country:`` ...) are taken out before, by ``split_filters``.

Everything else loses its syntax and keeps its words: leading and inner wildcards, regular
expressions, fuzzy ``word~2``, boosts, ranges and other field names. Nothing is ever
expanded across the whole vocabulary. Limits: ``max_query_length`` characters (checked
first, so a refusal is immediate), ``max_clauses`` words (stopwords aside) and phrases,
``max_prefixes`` prefixes and ``max_proximity`` phrases with ``~N`` (each reads the word
positions of every section holding its words).
"""

from __future__ import annotations

import heapq
import re
import weakref
from collections import Counter, OrderedDict

from whoosh import query as wq
from whoosh.qparser import QueryParser, plugins, syntax
from whoosh.qparser.syntax import attach

from indexer.errors import QueryRejected
from indexer.index.analysis import fold_word, stem_word, word_tokens
from indexer.settings import DEFAULTS, Settings

OPERATORS = ("AND", "OR", "NOT")
_TOKENS = re.compile(
    r"""
    (?P<phrase>[+-]?"[^"]*"(?:~(?P<slop>\d+))?)
  | (?P<paren>[()])
  | (?P<exact>[+-]?exact:[^\s()"]+)
  | (?P<prefix>[+-]?[^\W\d_]{3,}\*)(?=[\s()]|$)
  | (?P<word>[^\s()"]+)
""",
    re.X,
)
_NOT_WORD = re.compile(r"[^\w'’.]+")  # what a word keeps: letters, digits, apostrophes, dots
MAX_SLOP = 20
WORDS_FIELD = "exact"  # every word of the text, folded, unstemmed


def check_length(text: str, limit: int) -> None:
    """Refuse text longer than ``limit`` (``max_query_length``) before any work is done on it."""
    if len(text) > limit:
        raise QueryRejected(f"query longer than {limit} characters")


def _words(text: str) -> list[str]:
    """The words of a token with its syntax taken out: ``forced-labor`` is two, as typed apart."""
    return [w for w in (w.strip(".'’") for w in _NOT_WORD.sub(" ", text).split()) if w]


def _signed(sign: str, parts: list[str]) -> list[str]:
    """``-part`` as ``NOT part`` (a part of several words in parentheses: ``-forced-labor`` is
    ``NOT ( forced labor )``); ``+part`` as the part."""
    if sign != "-" or not parts:
        return parts
    return ["NOT", *(parts if len(parts) == 1 else ["(", *parts, ")"])]


def _phrase(token: str, slop: str | None) -> list[str]:
    words = _NOT_WORD.sub(" ", token.split('"')[1]).split()
    if not words:
        return []
    slop_text = f"~{min(int(slop), MAX_SLOP)}" if slop and len(words) > 1 else ""
    return ['"' + " ".join(words) + '"' + slop_text]


def _exact(body: str) -> list[str]:
    """``exact:`` words: ``exact:forced-labor`` is ``exact:forced exact:labor``; a prefix kept whole."""
    if body.endswith("*"):
        return [f"exact:{body}"]
    return [f"exact:{word}" for word in _words(body)]


def _parts(kind: str, token: str, slop: str | None) -> list[str]:
    """The sanitized tokens of one token of the query."""
    if kind == "paren" or token in OPERATORS:
        return [token]
    sign, body = (token[0], token[1:]) if token[0] in "+-" else ("", token)
    if kind == "phrase":
        return _signed(sign, _phrase(body, slop))
    if kind == "exact":
        return _signed(sign, _exact(body.removeprefix("exact:")))
    if kind == "prefix":
        return _signed(sign, [body])
    return _signed(sign, _words(body))


def sanitize(text: str, settings: Settings = DEFAULTS) -> str:
    """The query text with only allowed syntax left; QueryRejected when it holds more clauses,
    prefixes or phrases with ``~N`` than ``settings`` allow."""
    check_length(text, settings.max_query_length)
    kept: list[str] = []
    for match in _TOKENS.finditer(text):
        kind = "phrase" if match.lastgroup == "slop" else match.lastgroup or "word"
        kept += _parts(kind, match.group(kind), match.group("slop"))
    kept = _joining(kept)
    clauses = sum(_clauses(token) for token in kept)
    prefixes = sum(token.endswith("*") for token in kept)
    near = sum(token.startswith('"') and _slop(token) > 1 for token in kept)
    _check_limits(clauses, prefixes, near, settings)
    return " ".join(kept)


def _joining(tokens: list[str]) -> list[str]:
    """``tokens`` without the operators that have nothing to join: ``forced NOT`` is ``forced``, ``OR OR``
    nothing; ``AND`` and ``OR`` need a part on each side, ``NOT`` one after it; ``NOT NOT`` cancels out."""
    kept = list(tokens)
    while True:
        for i, token in enumerate(kept):
            after = kept[i + 1] if i + 1 < len(kept) else ")"
            before = kept[i - 1] if i else "("
            if token == "NOT" and after == "NOT":
                del kept[i : i + 2]
                break
            if token in OPERATORS and (
                after in (")", "AND", "OR") or (token != "NOT" and (before == "(" or before in OPERATORS))
            ):
                del kept[i]
                break
        else:
            return kept


def _clauses(token: str) -> int:
    """How many words and phrases a sanitized token searches."""
    if token in OPERATORS or token in "()":
        return 0
    if token.startswith(('"', "exact:")) or token.endswith("*"):
        return 1
    return sum(1 for _, stem, _, _ in word_tokens(token) if stem)  # stopwords are not searched


def _check_limits(clauses: int, prefixes: int, near: int, settings: Settings) -> None:
    if clauses > settings.max_clauses:
        raise QueryRejected(f"query has {clauses} words and phrases; at most {settings.max_clauses} are searched")
    if prefixes > settings.max_prefixes:
        raise QueryRejected(f"query has {prefixes} prefixes (word*); at most {settings.max_prefixes} are searched")
    if near > settings.max_proximity:
        raise QueryRejected(
            f'query has {near} phrases with ~N ("a b"~5); at most {settings.max_proximity} are searched'
        )


def _slop(phrase: str) -> int:
    """The N of a phrase written ``"..."~N`` (1 for a plain phrase: its words side by side)."""
    return int(phrase.rsplit("~", 1)[1]) if phrase.endswith(tuple("0123456789")) else 1


class BoundedPrefix(wq.Prefix):
    """A prefix query expanded to at most ``PREFIX_TERMS`` words, the most frequent first.

    Words are found among whole words (the unstemmed ``exact`` field: ``organiz*`` finds
    "organization", whose stem is "organiz", and not "organ") and searched as the field's stems.
    """

    def __init__(self, fieldname: str, text: str, boost: float = 1.0, constantscore: bool = False) -> None:
        super().__init__(fieldname, text, boost=boost, constantscore=constantscore)

    def _btexts(self, ixreader):
        chosen = _expansion(ixreader, self.text)
        if self.fieldname == WORDS_FIELD:
            return chosen
        return list(dict.fromkeys(stem_word(w.decode() if isinstance(w, bytes) else w) for w in chosen))


PREFIX_TERMS = 50  # words one prefix expands to, the most frequent
_EXPANSIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # reader -> prefix -> its words
_EXPANSIONS_KEPT = 1000  # prefixes remembered per reader, the latest


def _expansion(ixreader, prefix: str) -> list:
    """The ``PREFIX_TERMS`` most frequent whole words starting with ``prefix``, once per reader and prefix.

    Whoosh asks a prefix query for its words several times per search, and a word list holds
    thousands of words for a short prefix.
    """
    cache = _EXPANSIONS.setdefault(ixreader, OrderedDict())
    if prefix not in cache:
        frequency: Counter = Counter()
        # One pass over each segment's word list, whose entries carry their frequencies: several times faster
        # than over the merged list of a reader of several segments, and the same sums.
        for leaf, _ in ixreader.leaf_readers():
            for word, info in leaf.iter_prefix(WORDS_FIELD, prefix):
                frequency[word] += info.doc_frequency()
        # The most frequent first, words of one frequency in the word list's order.
        frequent = heapq.nsmallest(PREFIX_TERMS, frequency.items(), key=lambda entry: (-entry[1], entry[0]))
        cache[prefix] = [word for word, _ in frequent]
        if len(cache) > _EXPANSIONS_KEPT:
            cache.popitem(last=False)
    return cache[prefix]


class BoundedPrefixPlugin(plugins.PrefixPlugin):
    """``word*`` after three letters or more, as a :class:`BoundedPrefix`."""

    class PrefixNode(plugins.PrefixPlugin.PrefixNode):
        qclass = BoundedPrefix

        def query(self, parser):
            """The prefix as typed, folded, not stemmed: ``redee*`` is not ``rede*``."""
            return attach(BoundedPrefix(self.fieldname or parser.fieldname, fold_word(self.text), self.boost), self)

    expr = r"(?P<text>[^\W\d_]{3,})[*](?= |$|\))"
    nodetype = PrefixNode


class OperatorsPlugin(plugins.OperatorsPlugin):
    """``AND``, ``OR`` and ``NOT`` only (no ``ANDNOT``, ``ANDMAYBE`` or ``REQUIRE``: those are words), ``AND``
    binding tighter than ``OR``: ``a AND b OR c`` is ``(a AND b) OR c`` and ``a OR b AND c`` is ``a OR (b AND c)``."""

    def __init__(self) -> None:
        tagged = self.OpTagger
        super().__init__(
            clean=True,
            ops=[
                (tagged(r"(^|(?<=(\s|[()])))NOT(?=\s)", syntax.NotGroup, syntax.PrefixOperator, memo="not"), 0),
                (tagged(r"(?<=\s)AND(?=\s)", syntax.AndGroup, memo="and"), 0),
                (tagged(r"(?<=\s)OR(?=\s)", syntax.OrGroup, memo="or"), 1),
            ],
        )


# Whoosh's default parser less what is refused, plus bounded prefixes and the operators above.
REFUSED_PLUGINS = (
    plugins.OperatorsPlugin,
    plugins.WildcardPlugin,
    plugins.EveryPlugin,
    plugins.BoostPlugin,
    plugins.RangePlugin,
    plugins.SingleQuotePlugin,
)
ADDED_PLUGINS = (BoundedPrefixPlugin, OperatorsPlugin)


def with_allowed_syntax(parser: QueryParser) -> QueryParser:
    """``parser`` reading only the allowed syntax: Whoosh's default less what is refused, plus bounded prefixes
    and the operators above."""
    for plugin in REFUSED_PLUGINS:
        parser.remove_plugin_class(plugin)
    for plugin in ADDED_PLUGINS:
        parser.add_plugin(plugin())
    return parser
