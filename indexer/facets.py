"""Facet counts and sort orders over the narratives a search matched.

What each narrative is (report, year, country, region, tier, sections) is read once per
searcher from the narrative documents, so counting the facets of any set of matches, or
sorting it by year or country, needs no further reads of the index.
"""

from __future__ import annotations

import weakref
from collections import Counter
from dataclasses import dataclass
from itertools import chain

from whoosh.searching import Searcher

from indexer.errors import QueryRejected
from indexer.tiers import TIER_LABELS

FACET_NAMES = ("report", "year", "country", "region", "tier", "section")
SORTS = ("relevance", "newest", "oldest", "country")


@dataclass(frozen=True)
class NarrativeFacts:
    """The facet values of one narrative."""

    report: str
    year: int
    iso3: str
    country: str
    region: str
    tier: str
    sections: tuple[str, ...]


@dataclass(frozen=True)
class FacetCount:
    """One value of a facet, its label as shown to users, and how many matches have it."""

    value: str
    label: str
    count: int


_FACTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def narrative_facts(searcher: Searcher) -> dict[str, NarrativeFacts]:
    """Narrative id -> its facts, read once per searcher."""
    if searcher not in _FACTS:
        _FACTS[searcher] = {
            f["narrative"]: NarrativeFacts(f["report"], f["year"] or 0, f["iso3"], f["country"], f["region"],
                                           f["tier"], tuple(f["section"].split()))
            for f in searcher.documents(kind="narrative")}
    return _FACTS[searcher]


def _values(facts: NarrativeFacts, name: str) -> tuple[str, ...]:
    if name == "section":
        return facts.sections
    if name == "country":
        return (facts.iso3,) if facts.iso3 else ()
    value = str(getattr(facts, name) or "")
    return (value,) if value and value != "0" else ()


_VALUES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _facet_values(searcher: Searcher) -> dict[str, dict[str, tuple[str, ...]]]:
    """Facet name -> narrative id -> the narrative's values of that facet, read once per searcher."""
    if searcher not in _VALUES:
        facts = narrative_facts(searcher)
        _VALUES[searcher] = {name: {n: _values(f, name) for n, f in facts.items()} for name in FACET_NAMES}
    return _VALUES[searcher]


def count_facets(searcher: Searcher, matched: set[str]) -> dict[str, list[FacetCount]]:
    """For each facet, its values among ``matched`` narratives with their counts.

    Years come newest first; other values most frequent first.
    """
    facts = narrative_facts(searcher)
    known = [n for n in matched if n in facts]
    facets = {}
    for name, values_of in _facet_values(searcher).items():
        counts = Counter(chain.from_iterable(map(values_of.__getitem__, known)))
        if name == "country":
            label = {facts[n].iso3: facts[n].country for n in known}.get
        else:
            label = TIER_LABELS.get if name == "tier" else lambda v: None
        values = [FacetCount(v, label(v) or v, n) for v, n in counts.items()]
        if name == "year":
            facets[name] = sorted(values, key=lambda c: -int(c.value))
        else:
            facets[name] = sorted(values, key=lambda c: (-c.count, c.label))
    return facets


def sorted_matches(searcher: Searcher, matched: set[str], sort: str) -> list[str]:
    """``matched`` narrative ids in the order ``sort`` names (not ``relevance``)."""
    facts = narrative_facts(searcher)
    missing = NarrativeFacts("", 0, "", "", "", "", ())

    def key(narrative: str):
        f = facts.get(narrative, missing)
        return {"newest": (-f.year, f.country, narrative), "oldest": (f.year, f.country, narrative),
                "country": (f.country or "\uffff", -f.year, narrative)}[sort]

    return sorted(matched, key=key)


def check_sort(sort: str) -> None:
    if sort not in SORTS:
        raise QueryRejected(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
