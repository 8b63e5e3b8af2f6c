"""A reference evaluator of the query language, and a generator of searches to check the search engine with.

:class:`Corpus` applies the definition in ``docs/query-language.md`` ("What a search matches") by brute
force to the extracted narratives, with plain Python sets and no index: its own parser of the query
language, the project's analyzer for the words (``indexer.index.analysis``), so that text and query are
read alike, and the countries table. It is meant to be obviously correct, not fast.

:class:`Generator` draws searches made of a corpus's own words, phrases, headings, country names and
filter values (:class:`Vocabulary`): :func:`cases` is a hypothesis strategy of them, and :func:`sample` draws
a fixed sample for a seed with a random number generator instead, for a script or a test.

The limits of the query language (``TIPSEARCH_MAX_*``) are not applied here: the generated searches stay
within them.
"""

from __future__ import annotations

import random
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, cycle
from pathlib import Path
from typing import TypeVar

from hypothesis import strategies as st

from indexer.errors import ExtractionError
from indexer.extract.files import extract_file, find_files, is_pdf
from indexer.index.analysis import STOPWORDS, fold_word, stem_word, word_tokens
from indexer.index.documents import unique_ids
from indexer.reports.countries import Country, all_countries, fold
from indexer.reports.narratives import Narrative, Section
from indexer.settings import Settings

FILTER_NAMES = ("report", "country", "year", "tier", "section", "region")
FACET_NAMES = ("report", "year", "country", "region", "tier", "section")
PREFIX_WORDS = 50  # whole words a prefix stands for
TIERS = {"1": "1", "2": "2", "2wl": "2WL", "3": "3", "special": "special"}
REPORTS = ("tip", "hrr")
REGION_NAMES = {"middle east": "Near East"}  # the other names of regions the documentation gives
OPERATORS = ("AND", "OR", "NOT")


class Refused(Exception):
    """A search the documentation refuses: nothing to search for, or a filter value that names nothing."""


# -- Reading text ------------------------------------------------------------------------------------------------


def stems_of(text: str) -> tuple[str, ...]:
    """The stems of ``text``'s words in order, stopwords left out (so that the words around one are side by side)."""
    return tuple(stem for _, stem, _, _ in word_tokens(text) if stem)


def folded_words(text: str) -> tuple[str, ...]:
    """Every word of ``text``, folded, stopwords included."""
    return tuple(folded for folded, _, _, _ in word_tokens(text))


def slug(text: str) -> str:
    """Lower-case letters and digits, the runs joined by hyphens: how section keys are written."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


@dataclass(frozen=True)
class Unit:
    """What a search looks in: one heading, one section's text, or a narrative's place names."""

    narrative: str
    section: int | None  # None for the place names
    kind: str  # "heading", "text" or "place"
    stems: frozenset[str]
    sequence: tuple[str, ...] = ()  # the stems in order, where phrases are looked for
    exact: frozenset[str] = frozenset()  # every word as folded (a text: where exact words are looked for)


def place_names(narrative: Narrative) -> list[str]:
    """A narrative's country's name and other names, and its region."""
    country = countries_by_iso3().get(narrative.iso3)
    return [narrative.country, *(country.aliases if country else ()), narrative.region]


def read_units(narrative: Narrative) -> list[Unit]:
    """The headings, texts and place names of a narrative."""
    units = []
    for number, section in enumerate(narrative.sections):
        heading = stems_of(section.heading)
        units.append(Unit(narrative.id, number, "heading", frozenset(heading), heading))
        text = stems_of(section.text)
        units.append(Unit(narrative.id, number, "text", frozenset(text), text, frozenset(folded_words(section.text))))
    place = stems_of(" ".join(place_names(narrative)))  # one after another, as the index holds them
    units.append(Unit(narrative.id, None, "place", frozenset(place), place))
    return units


def holds_phrase(sequence: tuple[str, ...], stems: tuple[str, ...], near: int) -> bool:
    """Whether ``sequence`` holds ``stems`` in order, each at most ``near`` words after the one before."""
    at: dict[str, list[int]] = {stem: [] for stem in stems}
    for i, stem in enumerate(sequence):
        if stem in at:
            at[stem].append(i)
    reached = at[stems[0]]
    for stem in stems[1:]:
        reached = [i for i in at[stem] if any(0 < i - j <= near for j in reached)]
    return bool(reached)


# -- Countries ---------------------------------------------------------------------------------------------------


@cache
def countries_by_iso3() -> dict[str, Country]:
    """The countries table by ISO3 code."""
    return {country.iso3: country for country in all_countries()}


def abbreviation(name: str) -> bool:
    """A one-word name in capitals (``DPRK``, ``US``): never a name typed, never a name searched."""
    return name.isupper() and " " not in name


@cache
def country_names() -> dict[str, tuple[str, ...]]:
    """Each folded name of the countries table that stands for its country's names -> those names.

    As ``indexer/search/names.py`` chooses: abbreviations are no names; a name is searched unless it is a print
    form (brackets, turned around: ``Korea Republic of``), ambiguous (a name of several countries, or held as whole
    words in another country's name: ``Congo``, ``Sudan``) or holds another searched name of its country; a typed
    name that is ambiguous stands for nothing but its words.
    """
    owners: dict[str, set[str]] = {}
    plain: dict[str, dict[str, str]] = {}  # ISO3 -> folded name -> name, print forms aside
    for country in all_countries():
        for name in (country.name, *country.aliases):
            if not abbreviation(name) and fold(name):
                owners.setdefault(fold(name), set()).add(country.iso3)
                if "(" not in name and not fold(name).endswith((" of", " the")):
                    plain.setdefault(country.iso3, {}).setdefault(fold(name), name)

    def ambiguous(key: str) -> bool:
        others = (name for iso3, names in plain.items() if iso3 not in owners[key] for name in names)
        return len(owners[key]) > 1 or any(f" {key} " in f" {other} " for other in others)

    def searched(iso3: str) -> tuple[str, ...]:
        clear = [key for key in plain.get(iso3, {}) if not ambiguous(key)]
        return tuple(plain[iso3][k] for k in clear if not any(o != k and f" {o} " in f" {k} " for o in clear))

    return {key: searched(next(iter(iso3s))) for key, iso3s in owners.items() if not ambiguous(key)}


def phrase_of(stems: tuple[str, ...], near: int = 1) -> Node:
    """A phrase of ``stems``, N of ``~N`` read from 1 to 20; a phrase of one word is that word."""
    return Word(stems[0]) if len(stems) == 1 else Phrase(stems, min(max(near, 1), 20))


def country_node(names: tuple[str, ...]) -> Node:
    """A country's names, each as a phrase."""
    return AnyOf(tuple(dict.fromkeys(phrase_of(stems_of(name)) for name in names if stems_of(name))))


# -- Queries as trees --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """A word: held where a word has its stem."""

    stem: str


@dataclass(frozen=True)
class Exact:
    """``exact:word``: held where a section's text has the word as folded."""

    word: str


@dataclass(frozen=True)
class Phrase:
    """A phrase, ``near`` the N of ``~N`` (1: side by side): held in one heading or one section's text."""

    stems: tuple[str, ...]
    near: int = 1


@dataclass(frozen=True)
class Prefix:
    """``prefix*``: the most frequent whole words starting with ``prefix``, each as a word."""

    prefix: str


@dataclass(frozen=True)
class Not:
    """``NOT part``, ``-part``."""

    part: Node


@dataclass(frozen=True)
class AllOf:
    """``a AND b``, and parts side by side within parentheses."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    """``a OR b``, and a country's names."""

    parts: tuple[Node, ...]


Node = Word | Exact | Phrase | Prefix | Not | AllOf | AnyOf


def joined(kind: type[AllOf] | type[AnyOf], left: Node | None, right: Node | None) -> Node | None:
    """``left`` and ``right`` joined by an operator; an operator with nothing on one side is dropped."""
    if left is None or right is None:
        return left if right is None else right
    return kind((left, right))


# -- Parsing: text -> tokens -> parts ----------------------------------------------------------------------------


_TOKENS = re.compile(r'-?"[^"]*"(?:~\d+)?|-?\(|\)|[^\s()"]+|"')  # a phrase, a parenthesis, any other run
_PREFIX = re.compile(r"\+?([^\W\d_]{3,})\*")


@dataclass(frozen=True)
class Typed:
    """A word typed as a word (not in quotes, not after ``exact:``), folded, and its stem (None for a stopword)."""

    folded: str
    stem: str | None


Token = str | Typed | Node  # an operator or a parenthesis, a typed word, or a phrase, exact word or prefix


def phrase_token(text: str) -> list[Token]:
    """``"a phrase"~N``, maybe signed: a phrase; for stopwords alone, a part that is nothing (as a stopword is)."""
    sign, text = (["NOT"], text[1:]) if text.startswith("-") else ([], text)
    inner, _, near = text[1:].partition('"')
    stems = stems_of(inner)
    return [*sign, phrase_of(stems, int(near[1:]) if near else 1) if stems else Typed(inner, None)]


def word_token(text: str, operators: bool = True) -> list[Token]:
    """A run of characters without spaces, parentheses or quotes: an operator, a signed part, exact words, a
    prefix, or words (each as if typed apart)."""
    if operators and text in OPERATORS:
        return [text]
    if text.startswith("-") and len(text) > 1:
        return ["NOT", "(", *word_token(text[1:], operators=False), ")"]
    if text.startswith("exact:"):
        return ["(", *(Exact(word) for word in folded_words(text[len("exact:") :])), ")"]
    prefix = _PREFIX.fullmatch(text)
    if prefix:
        return [Prefix(fold_word(prefix[1]))]
    return [Typed(folded, stem) for folded, stem, _, _ in word_tokens(text)]


def typed_words(text: str) -> bool:
    """Whether a run of characters is words as typed: not an operator, a phrase, a parenthesis, an exact word or a
    prefix."""
    return text not in OPERATORS and text[0] not in '"()' and not text.startswith("exact:") and not text.endswith("*")


def name_at(typed: list[str], start: int) -> tuple[int, tuple[str, ...]]:
    """How many runs of characters from ``start`` make the longest country name there (a minus sign before its
    first word only), and its country's names; (0, ()) for none."""
    names = country_names()
    words: list[str] = []
    longest: tuple[int, tuple[str, ...]] = (0, ())
    for end in range(start, len(typed)):
        if not typed_words(typed[end]) or (end > start and typed[end].startswith("-")):
            break
        words += fold(typed[end]).split()
        if names.get(" ".join(words)):
            longest = (end + 1 - start, names[" ".join(words)])
    return longest


def tokens(text: str) -> list[Token]:
    """The tokens of a query's text (its filters taken out), each country name typed as words replaced by all
    its country's names, the longest name first: ``-Ivory Coast`` is ``NOT ("Ivory Coast" OR "Côte d'Ivoire")``."""
    typed = [run for run in _TOKENS.findall(text) if run != '"']  # a quote that closes nothing is no syntax
    found: list[Token] = []
    at = 0
    while at < len(typed):
        length, names = name_at(typed, at)
        if length:
            found += ["NOT"] * typed[at].startswith("-") + [country_node(names)]
        elif typed[at].lstrip("-").startswith('"'):
            found += phrase_token(typed[at])
        elif typed[at] in ("(", "-(", ")"):
            found += ["NOT", "("] if typed[at] == "-(" else [typed[at]]
        else:
            found += word_token(typed[at])
        at += max(length, 1)
    return found


class Parser:
    """Recursive descent from the loosest binding: parts side by side, ``OR``, ``AND``, ``NOT`` and ``-``,
    parentheses. A stopword, an empty group and an operator with nothing on one side are nothing; ``NOT NOT x`` is
    ``x``."""

    def __init__(self, found: list[Token]) -> None:
        self.tokens = found
        self.at = 0

    def peek(self) -> Token | None:
        """The next token, None at the end."""
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def parts(self, top: bool) -> list[Node]:
        """Parts side by side, up to the closing parenthesis (at the top, past any that closes nothing)."""
        found = []
        while self.peek() is not None and (top or self.peek() != ")"):
            if self.peek() == ")":
                self.at += 1
                continue
            part = self.either()
            if part is not None:
                found.append(part)
        return found

    def either(self) -> Node | None:
        """Parts joined by ``OR``."""
        left = self.every()
        while self.peek() == "OR":
            self.at += 1
            left = joined(AnyOf, left, self.every())
        return left

    def every(self) -> Node | None:
        """Parts joined by ``AND``."""
        left = self.unary()
        while self.peek() == "AND":
            self.at += 1
            left = joined(AllOf, left, self.unary())
        return left

    def unary(self) -> Node | None:
        """A part negated, a group in parentheses, or a word, phrase, exact word, prefix or country name."""
        token = self.peek()
        if token is None or token in (")", "AND", "OR"):
            return None
        self.at += 1
        if token == "NOT":
            part = self.unary()
            return part.part if isinstance(part, Not) else None if part is None else Not(part)
        if token == "(":
            inner = self.parts(top=False)
            self.at += self.peek() == ")"
            return None if not inner else inner[0] if len(inner) == 1 else AllOf(tuple(inner))
        if isinstance(token, Typed):
            return Word(token.stem) if token.stem else None
        assert not isinstance(token, str)
        return token


def parse(text: str) -> list[Node]:
    """The parts side by side of a query's text (its filters taken out), each once. A query of stopwords only
    searches its words as exact words."""
    parts = list(dict.fromkeys(Parser(tokens(text)).parts(top=True)))
    if parts:
        return parts
    words = folded_words(re.sub(r"(?<!\S)(?:AND|OR|NOT)(?!\S)", " ", text))
    return [Exact(word) for word in dict.fromkeys(words) if word in STOPWORDS]


# -- Filters -----------------------------------------------------------------------------------------------------


TYPED_FILTER = re.compile(rf"(?<!\S)({'|'.join(FILTER_NAMES)}):(\[[^\][]*\]|\"[^\"]*\"|\S+)", re.I)
_YEARS = re.compile(r"(\d{4})(?:\s*(?:-|\.\.|to)\s*(\d{4}))?", re.I)
_SECTION_NUMBER = re.compile(r"(?:section[\s-]*)?(\d+)\.?\s*-?([a-z])?\.?", re.I)
_HEADING_NUMBER = re.compile(r"^\s*(?:section\s+\d+\s*\.?\s*)?(?:[a-z]\s*\.\s+)?", re.I)

Filters = dict[str, tuple[str, ...]]


def split_filters(q: str, filters: Filters) -> tuple[str, Filters]:
    """The query's text without the filters typed in it, and every filter's values: a filter given as a
    parameter replaces the values typed for it."""
    typed: dict[str, list[str]] = {}
    for name, value in TYPED_FILTER.findall(q):
        typed.setdefault(name.lower(), []).append(value.strip('"[]'))
    merged = {name: filters.get(name) or tuple(typed.get(name, ())) for name in FILTER_NAMES}
    return TYPED_FILTER.sub(" ", q), {name: tuple(v.strip() for v in merged[name] if v.strip()) for name in merged}


def year_range(value: str) -> range:
    """The years of a year filter's value: ``2019``, ``2016-2019``, ``2016..2019``, ``[2016 TO 2019]``."""
    match = _YEARS.fullmatch(value.strip("[] "))
    if not match or int(match[2] or match[1]) < int(match[1]):
        raise Refused(f"year {value!r}")
    return range(int(match[1]), int(match[2] or match[1]) + 1)


def country_value(value: str) -> str:
    """The ISO3 code of any name the countries table knows, or of an ISO3 code."""
    for country in all_countries():
        if fold(value) in {fold(name) for name in (country.name, country.iso3, *country.aliases)}:
            return country.iso3
    raise Refused(f"country {value!r}")


def region_value(value: str) -> str:
    """A region by its name or a common other name."""
    regions = {fold(c.region): c.region for c in all_countries()} | REGION_NAMES
    if fold(value) not in regions:
        raise Refused(f"region {value!r}")
    return regions[fold(value)]


def narrative_value(name: str, value: str) -> str:
    """A report or tier filter's value as narratives hold it."""
    known = {"report": {r: r for r in REPORTS}, "tier": TIERS}[name]
    if value.lower() not in known:
        raise Refused(f"{name} {value!r}")
    return known[value.lower()]


def heading_name(heading: str) -> str:
    """A heading as a section filter names it: its number (``Section 1.f.``, ``a.``) left out, as a key."""
    return slug(_HEADING_NUMBER.sub("", heading))


# -- The corpus and its searches ---------------------------------------------------------------------------------


@dataclass
class Result:
    """What a search gives: the narratives it matches, how many hold every part (None without two parts side by
    side that are not exclusions), and each facet's values with their counts (those above 0)."""

    matched: frozenset[str]
    all_words: int | None
    facets: dict[str, dict[str, int]]

    @property
    def total(self) -> int:
        """How many narratives match."""
        return len(self.matched)


@dataclass(frozen=True)
class Family:
    """The scopes a query is tested on: ``universe`` every scope (a narrative, or a narrative's sections of one
    key); ``scopes`` those a unit (by number) is in; ``narrative`` the narrative of a scope."""

    universe: frozenset[Hashable]
    scopes: Callable[[int], Iterable[Hashable]]
    narrative: Callable[[Hashable], str]


Chosen = frozenset[tuple[str, int]]  # sections, as (narrative id, section number)


class Corpus:
    """The narratives an index was built from, searched by brute force."""

    KEPT = 10_000  # atoms whose units are kept for the next searches

    def __init__(self, narratives: list[Narrative]) -> None:
        self.narratives = narratives
        self.by_id = {n.id: n for n in narratives}
        self.units = [unit for narrative in narratives for unit in read_units(narrative)]
        self.sections = [(n.id, i, s) for n in narratives for i, s in enumerate(n.sections)]
        self.keys = frozenset((n, key) for n, _, s in self.sections for key in s.keys)  # (narrative id, key)
        self._holding: dict[Node, tuple[int, ...]] = {}
        self._prefixes: dict[str, tuple[str, ...]] = {}

    @classmethod
    def from_files(cls, paths: list[Path], settings: Settings, cache_dir: Path | None = None) -> Corpus:
        """The narratives of the files under ``paths`` as a build indexes them: pages before PDFs, a PDF's country
        narrative a page already gave left out, other repeated ids numbered, files that fail passed over."""
        files, _ = find_files(paths)
        files.sort(key=is_pdf)
        seen: set[str] = set()
        narratives = []
        for path in files:
            try:
                narratives += unique_ids(extract_file(path, settings, cache_dir), seen, is_pdf(path))
            except ExtractionError:
                continue
        return cls(narratives)

    def section(self, unit: Unit) -> Section:
        """The section of a heading's or a text's unit."""
        assert unit.section is not None
        return self.by_id[unit.narrative].sections[unit.section]

    # Words

    def prefix_words(self, prefix: str) -> tuple[str, ...]:
        """The whole words starting with ``prefix`` that the most sections' texts hold, ties by their bytes."""
        if prefix not in self._prefixes:
            held = Counter(word for unit in self.units for word in unit.exact if word.startswith(prefix))
            self._prefixes[prefix] = tuple(sorted(held, key=lambda w: (-held[w], w.encode()))[:PREFIX_WORDS])
        return self._prefixes[prefix]

    def holding(self, atom: Word | Exact | Phrase | Prefix) -> tuple[int, ...]:
        """The units (by number) holding a word, an exact word, a phrase or a prefix."""
        if atom not in self._holding:
            if len(self._holding) > self.KEPT:
                self._holding.clear()
            test = self.test(atom)
            self._holding[atom] = tuple(i for i, unit in enumerate(self.units) if test(unit))
        return self._holding[atom]

    def test(self, atom: Word | Exact | Phrase | Prefix) -> Callable[[Unit], bool]:
        """Whether a unit holds ``atom``: a word's stem anywhere, an exact word in a text, a phrase in a heading or a
        text, a prefix's words anywhere."""
        if isinstance(atom, Word):
            return lambda unit: atom.stem in unit.stems
        if isinstance(atom, Exact):
            return lambda unit: atom.word in unit.exact
        if isinstance(atom, Phrase):
            return lambda unit: unit.stems.issuperset(atom.stems) and holds_phrase(unit.sequence, atom.stems, atom.near)
        stems = frozenset(stem_word(word) for word in self.prefix_words(atom.prefix) if word not in STOPWORDS)
        return lambda unit: not stems.isdisjoint(unit.stems)

    def held(self, node: Node, family: Family) -> frozenset[Hashable]:
        """The scopes of ``family`` that hold ``node``."""
        if isinstance(node, Not):
            return family.universe - self.held(node.part, family)
        if isinstance(node, AllOf):
            return frozenset.intersection(*(self.held(part, family) for part in node.parts))
        if isinstance(node, AnyOf):
            return frozenset().union(*(self.held(part, family) for part in node.parts))
        return frozenset(scope for i in self.holding(node) for scope in family.scopes(i)) & family.universe

    # Scopes

    def whole(self) -> Family:
        """Each narrative whole: every heading, every text, the place names."""
        return Family(frozenset(self.by_id), lambda i: (self.units[i].narrative,), lambda n: n)

    def chosen(self, sections: Chosen) -> Family:
        """Each narrative's chosen sections, headings and texts; a narrative with none of them is not searched."""

        def scopes(i: int) -> Iterable[str]:
            unit = self.units[i]
            return (unit.narrative,) if (unit.narrative, unit.section) in sections else ()

        return Family(frozenset(n for n, _ in sections), scopes, lambda n: n)

    def keyed(self) -> Family:
        """Each narrative's sections of one key, for every key they have: the scope (narrative id, key)."""

        def scopes(i: int) -> Iterable[tuple[str, str]]:
            unit = self.units[i]
            return () if unit.section is None else ((unit.narrative, key) for key in self.section(unit).keys)

        return Family(self.keys, scopes, lambda scope: scope[0])

    # Filters

    def sections_named(self, value: str) -> Chosen:
        """The sections a section filter's value names: by number (``1.f``, ``Section 1.f``, ``section-1f``); else by
        key or by heading, numbering aside; else by the words of the one heading holding them all. Refused for none.
        """
        number = _SECTION_NUMBER.fullmatch(value.strip())
        if number:
            key = f"section-{number[1]}{(number[2] or '').lower()}"
            found = frozenset((n, i) for n, i, s in self.sections if key in s.keys)
        else:
            found = self.sections_called(heading_name(value)) or self.sections_called(self.heading_holding(value))
        if not found:
            raise Refused(f"section {value!r} names no heading")
        return found

    def sections_called(self, name: str) -> Chosen:
        """The sections with the key ``name``, or with the key of a section whose heading, numbering aside, is
        ``name`` (a heading's own key is its section's last: ``RECOMMENDATIONS FOR HAITI`` is ``recommendations``)."""
        keys = {s.keys[-1] for _, _, s in self.sections if heading_name(s.heading) == name} | {name}
        return frozenset((n, i) for n, i, s in self.sections if name and not keys.isdisjoint(s.keys))

    def heading_holding(self, value: str) -> str:
        """The key of the headings (numbering aside) holding every word of ``value``, when they have one key; ""
        when none or several do."""
        words = set(heading_name(value).split("-"))
        holding = {s.keys[-1] for _, _, s in self.sections if words <= set(heading_name(s.heading).split("-"))}
        return holding.pop() if len(holding) == 1 else ""

    def passing(self, name: str, values: tuple[str, ...]) -> frozenset[str]:
        """The narratives passing a filter other than section: all of them when it has no value."""
        if not values:
            return frozenset(self.by_id)
        if name == "year":
            years = [year_range(value) for value in values]
            return frozenset(n.id for n in self.narratives if any(n.year in r for r in years))
        if name in ("country", "region"):
            wanted = {(country_value if name == "country" else region_value)(value) for value in values}
        else:
            wanted = {narrative_value(name, value) for value in values}
        return frozenset(n.id for n in self.narratives if getattr(n, "iso3" if name == "country" else name) in wanted)

    # Searches

    def search(self, q: str, filters: Filters | None = None, match: str = "all") -> Result:
        """The narratives a search matches, its all-words count and its facets, as the documentation defines them."""
        text, given = split_filters(q, filters or {})
        parts = parse(text)
        if not parts and not any(given.values()):
            raise Refused("nothing to search for")
        passing = {name: self.passing(name, given[name]) for name in FILTER_NAMES if name != "section"}
        selected = frozenset.intersection(*passing.values())
        family = self.whole()
        if given["section"]:
            family = self.chosen(frozenset().union(*(self.sections_named(value) for value in given["section"])))
        every, some = self.readings(parts, family)
        holding_every = {family.narrative(scope) for scope in every} & selected
        side_by_side = sum(not isinstance(part, Not) for part in parts) > 1  # two readings, not one
        reading = "some" if match == "any" or (side_by_side and not holding_every) else "all"
        held = every if reading == "all" else some
        facets = {
            name: self.counts(name, held, family, frozenset.intersection(*(p for n, p in passing.items() if n != name)))
            for name in FACET_NAMES
            if name != "section"
        }
        keyed = self.keyed()
        every_key, some_key = self.readings(parts, keyed)
        facets["section"] = self.counts("section", every_key if reading == "all" else some_key, keyed, selected)
        matched = frozenset({family.narrative(scope) for scope in held} & selected)
        return Result(matched, len(holding_every) if side_by_side else None, facets)

    def readings(self, parts: list[Node], family: Family) -> tuple[frozenset, frozenset]:
        """The scopes holding every part, and those holding some of them and none of the parts excluded (with parts
        excluded only, those holding every part)."""
        if not parts:
            return family.universe, family.universe
        held = [self.held(part, family) for part in parts]
        if len(parts) == 1:
            return held[0], held[0]
        every = frozenset.intersection(*held)
        kept = [h for part, h in zip(parts, held, strict=True) if not isinstance(part, Not)]
        if not kept:  # nothing to hold some of: the exclusions alone
            return every, every
        excluded = [h for part, h in zip(parts, held, strict=True) if isinstance(part, Not)]
        return every, frozenset().union(*kept).intersection(*excluded)

    def counts(self, name: str, held: frozenset, family: Family, among: frozenset[str]) -> dict[str, int]:
        """A facet: its values among the narratives of the scopes ``held`` that are ``among`` those given, counted."""
        counted: Counter[str] = Counter()
        for scope in held:
            narrative = self.by_id[family.narrative(scope)]
            if narrative.id in among:
                counted.update(facet_values(name, narrative, scope))
        return dict(counted)


def facet_values(name: str, narrative: Narrative, scope: Hashable) -> list[str]:
    """The values a matching scope counts under in a facet: its narrative's, or for sections the scope's key."""
    if name == "section":
        assert isinstance(scope, tuple)
        return [scope[1]]
    value = {"country": narrative.iso3, "year": str(narrative.year or "")}.get(name, getattr(narrative, name))
    return [value] if value else []


# -- Searches to check the engine with ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One search: the query's text, the filters given as parameters and the reading asked for."""

    q: str
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (filter name, its values), for the filters given
    match: str = "all"

    def given(self) -> Filters:
        """The filters given, by name."""
        return dict(self.filters)

    def __str__(self) -> str:
        """The search as a command line would give it."""
        shown = " ".join(f"--{name} {value!r}" for name, values in self.filters for value in values)
        return " ".join(part for part in (repr(self.q), shown, "--any" if self.match == "any" else "") if part)


_PLAIN_PHRASE = re.compile(r"[^\W_]+(?:[ ,'’-]+[^\W_]+){1,4}")  # a phrase typed without any syntax in it
_PLAIN_NAME = re.compile(r"[^\W\d_][\w .'’-]*")
MOST_WORDS = 2_000  # rare words, phrases, section values... kept for the generator


def spread(items: Iterable[str], most: int = MOST_WORDS) -> list[str]:
    """``items`` in order, each once, at most ``most`` of them taken evenly."""
    unique = sorted(set(items))
    step = max(1, len(unique) // most)
    return unique[::step][:most]


def phrases_of(text: str, rng: random.Random, count: int = 2) -> list[str]:
    """A few runs of 2 or 3 consecutive words of ``text``, as printed."""
    spans = [(start, end) for _, _, start, end in word_tokens(text)]
    runs = []
    for _ in range(count if len(spans) > 3 else 0):
        first = rng.randrange(len(spans) - 3)
        runs.append(text[spans[first][0] : spans[first + rng.choice((1, 2))][1]])
    return [run for run in runs if _PLAIN_PHRASE.fullmatch(run)]


class Vocabulary:
    """What searches are made of: a corpus's words, common and rare, runs of its text, words with hyphens, country
    names, and every filter's values (sections by heading, subheading, words of a heading, number and key)."""

    def __init__(self, corpus: Corpus) -> None:
        held = Counter(word for unit in corpus.units for word in unit.exact)
        words = [w for w in held if w.isalpha() and len(w) > 2 and w not in STOPWORDS and w.upper() not in OPERATORS]
        rng = random.Random(0)  # which runs of text: the same every time
        texts = [unit for unit in corpus.units if unit.kind == "text"]
        self.common = sorted(sorted(words), key=lambda w: -held[w])[:300]
        self.rare = spread(w for w in words if held[w] <= 2)
        self.phrases = spread(p for unit in texts for p in phrases_of(corpus.section(unit).text, rng))
        self.hyphenated = spread(
            (h for _, _, s in corpus.sections for h in re.findall(r"\b[^\W\d_]{3,}-[^\W\d_]{3,}\b", s.text)), 300
        )
        self.countries = spread(
            name
            for country in all_countries()
            for name in (country.name, *country.aliases)
            if _PLAIN_NAME.fullmatch(name) and not abbreviation(name)
        )
        self.filters = filter_values(corpus)

    def __repr__(self) -> str:
        return f"<Vocabulary: {len(self.common)} common words, {len(self.rare)} rare, {len(self.phrases)} phrases>"


def filter_values(corpus: Corpus) -> dict[str, list[str]]:
    """Values of every filter that name something in ``corpus``, in the forms users type them."""
    narratives = corpus.narratives
    iso3s = sorted({n.iso3 for n in narratives if n.iso3})
    years = sorted({n.year for n in narratives if n.year})
    regions = sorted({n.region for n in narratives if n.region})
    return {
        "report": sorted({n.report for n in narratives if n.report in REPORTS}),
        "country": iso3s + [countries_by_iso3()[iso3].name for iso3 in iso3s] + [c.lower() for c in iso3s],
        "year": [str(y) for y in years] + [f"{a}-{b}" for a, b in zip(years, years[2:], strict=False)] + ["2000..2019"],
        "tier": sorted({n.tier for n in narratives if n.tier} | {"2wl"}),
        "region": regions + [name for name, region in REGION_NAMES.items() if region in regions],
        "section": section_values(corpus),
    }


def section_values(corpus: Corpus) -> list[str]:
    """Section filter values from the reports' narratives: headings as printed (numbering aside), the first words
    of a heading, numbers in their three forms, the TIP Report's sections."""
    sections = [s for n, _, s in corpus.sections if corpus.by_id[n].report in REPORTS]
    headings = {_HEADING_NUMBER.sub("", s.heading).strip() for s in sections}
    headings = {h for h in headings if len(h) <= 80 and (h.isalpha() or _PLAIN_PHRASE.fullmatch(h))}
    words = {" ".join(h.split()[:2]) for h in headings if len(h.split()) > 2}
    keys = {key for s in sections for key in s.keys}
    numbers = [key.removeprefix("section-") for key in keys if re.fullmatch(r"section-\d+[a-z]?", key)]
    forms = {f"{n[:-1]}.{n[-1]}" if n[-1].isalpha() else n for n in numbers}
    forms |= {f"Section {n}" for n in forms} | {f"section-{n}" for n in numbers}
    tip = {key for key in keys if key in ("prosecution", "protection", "prevention", "trafficking-profile")}
    return spread(headings) + spread(words, 200) + sorted(forms) + sorted(tip)


# Drawing searches

T = TypeVar("T")


class Choices:
    """How a generator chooses: by numbers from 0 to ``BOUND``, from a random number generator (the same choices for
    the same seed) or drawn by hypothesis (which shrinks them towards 0: each choice's first option)."""

    BOUND = 1 << 16

    def __init__(self, numbers: Callable[[], int]) -> None:
        self.numbers = numbers

    def one(self, options: Sequence[T], weights: Sequence[int] | None = None) -> T:
        """One of ``options``, each as likely as its weight."""
        weights = weights or [1] * len(options)
        return options[bisect_right(list(accumulate(weights)), self.numbers() % sum(weights))]

    def chance(self, percent: int) -> bool:
        """True ``percent`` times in a hundred."""
        return self.one((False, True), (100 - percent, percent))

    def number(self, low: int, high: int) -> int:
        """A number from ``low`` to ``high``."""
        return self.one(range(low, high + 1))


class Generator:
    """Draws searches from a vocabulary."""

    def __init__(self, vocabulary: Vocabulary, choices: Choices) -> None:
        self.vocabulary = vocabulary
        self.choose = choices

    def pick(self, weighted: dict[Callable[[], str], int]) -> str:
        """The text one of ``weighted``'s makers gives, chosen by weight."""
        return self.choose.one(list(weighted), list(weighted.values()))()

    def word(self) -> str:
        """A word of the text, common or rare, in lower case mostly."""
        return self.cased(self.text_word())

    def text_word(self) -> str:
        """A word of the text: one of the commonest mostly, else a rare one."""
        vocabulary = self.vocabulary
        return self.choose.one(vocabulary.rare if vocabulary.rare and self.choose.chance(40) else vocabulary.common)

    def cased(self, text: str) -> str:
        """``text`` as typed: in lower case mostly, capitalised or in capitals sometimes."""
        typed = self.choose.one((text.lower(), text.capitalize(), text.upper()), (6, 2, 1))
        return text if typed in OPERATORS else typed

    def phrase(self) -> str:
        """A run of words of the text in quotes, with ``~N`` sometimes."""
        near = f"~{self.choose.number(1, 8)}" if self.choose.chance(35) else ""
        return f'"{self.choose.one(self.vocabulary.phrases)}"{near}'

    def prefix(self) -> str:
        """The start of a word of the text (three letters or more) and ``*``."""
        word = self.text_word()
        while len(word) < 5:
            word = self.text_word()
        return word[: self.choose.number(3, len(word) - 1)] + "*"

    def exact(self) -> str:
        """``exact:`` and a word of the text."""
        return f"exact:{self.text_word()}"

    def atom(self) -> str:
        """A word, a phrase, a prefix, an exact word or a country's name."""
        return self.pick(
            {
                self.word: 40,
                self.phrase: 20,
                self.prefix: 8,
                self.exact: 8,
                lambda: self.cased(self.choose.one(self.vocabulary.countries)): 8,
            }
        )

    def part(self, depth: int = 0) -> str:
        """An atom, or (less often the deeper) parts joined by ``OR`` or ``AND``, negated, or in parentheses."""
        if depth > 2 or not self.choose.chance(40):
            return self.atom()
        inner = lambda: self.part(depth + 1)  # noqa: E731
        return self.pick(
            {
                lambda: f"{inner()} OR {inner()}": 10,
                lambda: f"{inner()} AND {inner()}": 8,
                lambda: f"NOT {inner()}": 6,
                lambda: f"-{self.atom()}": 6,
                lambda: f"({inner()} {inner()})": 4,
                lambda: f"({inner()} OR {inner()}) -{self.atom()}": 4,
            }
        )

    def query(self) -> str:
        """Parts side by side, a word with a hyphen sometimes; or stopwords alone."""
        if self.choose.chance(3):
            return " ".join(self.choose.one(sorted(STOPWORDS)) for _ in range(self.choose.number(1, 2)))
        parts = [self.part() for _ in range(self.choose.one((1, 2, 3), (5, 3, 2)))]
        if self.vocabulary.hyphenated and self.choose.chance(5):
            parts.append(self.choose.one(self.vocabulary.hyphenated))
        return " ".join(parts)

    def values(self, name: str) -> tuple[str, ...]:
        """One to three values of a filter."""
        count = self.choose.one((1, 2, 3), (7, 2, 1))
        return tuple(dict.fromkeys(self.choose.one(self.vocabulary.filters[name]) for _ in range(count)))

    def case(self) -> Case:
        """A search: a query (or none, with filters); filters with one or several values, given or typed in the
        query (or both: the given ones replace those typed); the reading asked for."""
        q = "" if self.choose.chance(8) else self.query()
        while not within_limits(q):
            q = self.query()
        given, in_query = [], []
        for name in FILTER_NAMES:
            if not self.vocabulary.filters[name] or not self.choose.chance(15 if name == "section" else 10):
                continue
            values = self.values(name)
            where = self.choose.one(("given", "typed", "both"), (6, 3, 1))
            if where != "given":
                in_query += [typed(name, value) for value in values]
            if where != "typed":
                given.append((name, self.values(name) if where == "both" else values))
        if not q and not given and not in_query:
            given.append(("year", self.values("year")))
        return Case(" ".join([q, *in_query]).strip(), tuple(given), "any" if self.choose.chance(25) else "all")


def within_limits(q: str) -> bool:
    """Whether a query stays within the default limits on prefixes (5) and phrases with ``~N`` (3)."""
    return len(re.findall(r"\w\*", q)) <= 5 and len(re.findall(r'"~\d', q)) <= 3


def typed(name: str, value: str) -> str:
    """A filter typed in the query: ``country:BGD``, ``section:"prison and detention"``, ``year:[2016 TO 2019]``."""
    years = re.fullmatch(r"(\d{4})-(\d{4})", value) if name == "year" else None
    if years:
        return f"year:[{years[1]} TO {years[2]}]"
    return f'{name}:"{value}"' if " " in value else f"{name}:{value}"


CHOICES = 200  # numbers drawn for one search (used again from the first when it needs more)


@st.composite
def cases(draw: st.DrawFn, vocabulary: Vocabulary) -> Case:
    """The searches :class:`Generator` draws, as a hypothesis strategy."""
    numbers = cycle(draw(st.lists(st.integers(0, Choices.BOUND - 1), min_size=CHOICES, max_size=CHOICES)))
    return Generator(vocabulary, Choices(lambda: next(numbers))).case()


def sample(vocabulary: Vocabulary, count: int, seed: int) -> list[Case]:
    """``count`` searches drawn from ``vocabulary``, the same for the same seed."""
    rng = random.Random(seed)
    generator = Generator(vocabulary, Choices(lambda: rng.randrange(Choices.BOUND)))
    return [generator.case() for _ in range(count)]
