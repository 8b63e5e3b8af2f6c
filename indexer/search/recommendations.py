"""A TIP narrative's recommendations matched with the same country's in the report's other editions.

Editions reword their recommendations ("Increase efforts to investigate ..." becomes "Vigorously
investigate ..."), merge two into one and split one into two. Two recommendations match when
the words of the shorter are mostly in the longer: the weighted share of its word stems the
other holds (stopwords, numbers and list markers aside), each stem weighted by how rare it is
among the build's sections (``traffick`` and ``victim`` count little, ``psychosocial`` much).
``MATCH`` is the share that makes a match; a different action shares only common words and
stays below it. A recommendation that keeps the action and changes only whom it is for
("train judges" for "train labor inspectors" to identify forced labor) can still match.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from whoosh import query as wq

from indexer.index.analysis import word_tokens
from indexer.reports.narratives import RECOMMENDATION_KEYS
from indexer.search.handle import OpenBuild

MATCH = 0.6  # weighted share of the shorter recommendation's stems the other holds
MIN_SHARED = 2  # stems two recommendations must share at least
_MARKER = re.compile(r"^(?:\(?(?:\d{1,2}|[ivx]{1,4}|[a-z])\)|\d{1,2}\.)\s+")  # "(2) ", "iii) ", "4. "


@dataclass
class Recommendation:
    """One recommendation of a narrative, and the editions of the report holding one that matches it."""

    text: str
    year: int
    narrative: str
    section: str  # the id of its section
    number: int  # its place in its section, from 0
    weights: dict[str, float] = field(default_factory=dict)  # its stems, each with its weight
    editions: list[int] = field(default_factory=list)

    @property
    def first_seen(self) -> int:
        """The earliest edition holding a recommendation that matches this one."""
        return min(self.editions)

    def as_json(self) -> dict:
        return {"text": self.text, "first_seen": self.first_seen, "editions": self.editions}


def _stems(text: str) -> frozenset[str]:
    """The stems a recommendation is compared by: no stopwords, numbers or markers (``(2)``, ``iii``)."""
    return frozenset(stem for _, stem, _, _ in word_tokens(text) if stem and stem.isalpha() and len(stem) > 1)


def stem_weights(build: OpenBuild) -> Callable[[str], dict[str, float]]:
    """text -> its stems, each weighted by how rare it is among the build's sections; each stem's frequency
    looked up once per call of this function."""
    reader = build.searcher.reader()
    documents = reader.doc_count() + 1

    @cache
    def weight(stem: str) -> float:
        return math.log(documents / (reader.doc_frequency("body", stem) + 0.5))

    return lambda text: {stem: weight(stem) for stem in sorted(_stems(text))}


def similarity(a: dict[str, float], b: dict[str, float]) -> float:
    """The weighted share of the smaller recommendation's stems (``stem_weights``) that the other holds (0
    when they share fewer than ``MIN_SHARED``). Sums run in sorted order: the same float on every run."""
    shared = sorted(a.keys() & b.keys())
    if len(shared) < MIN_SHARED:
        return 0.0
    smaller = min(sum(a.values()), sum(b.values()))
    return sum(a[s] for s in shared) / smaller if smaller else 0.0


def country_recommendations(build: OpenBuild, report: str, iso3: str) -> dict[int, list[Recommendation]]:
    """Edition year -> the country's recommendations in that edition of ``report``, in order; once per build."""

    def read(searcher) -> dict[int, list[Recommendation]]:
        found = searcher.search(
            wq.And(
                [
                    wq.Term("kind", "section"),
                    wq.Term("report", report),
                    wq.Term("iso3", iso3),
                    wq.Or([wq.Term("section", key) for key in RECOMMENDATION_KEYS]),
                ]
            ),
            limit=None,
        )
        by_year: dict[int, list[Recommendation]] = {}
        weighted = stem_weights(build)
        for fields in sorted((hit.fields() for hit in found), key=lambda f: (f["year"], f["position"])):
            by_year.setdefault(fields["year"], []).extend(
                Recommendation(item, fields["year"], fields["narrative"], fields["id"], number, weighted(item))
                for number, item in enumerate(_MARKER.sub("", text) for text in fields["body"].split("\n\n"))
                if item.strip()
            )
        return _matched(by_year)

    return build.table(("recommendations", report, iso3), read)


def _matched(by_year: dict[int, list[Recommendation]]) -> dict[int, list[Recommendation]]:
    """Each recommendation with the editions holding one that matches it (its own included)."""
    for year, items in by_year.items():
        for item in items:
            item.editions = sorted(
                other_year
                for other_year, others in by_year.items()
                if other_year == year or any(similarity(item.weights, o.weights) >= MATCH for o in others)
            )
    return by_year


def recommendations_of(build: OpenBuild, report: str, iso3: str, year: int | None) -> list[Recommendation]:
    """A narrative's recommendations, each with the editions holding one like it."""
    return country_recommendations(build, report, iso3).get(year or 0, []) if iso3 else []


@dataclass
class HistoryRow:
    """One distinct recommendation across editions: its latest wording, and where each edition has it."""

    text: str
    found: dict[int, Recommendation] = field(default_factory=dict)  # edition -> the matching recommendation


def recommendation_history(build: OpenBuild, report: str, iso3: str) -> tuple[list[int], list[HistoryRow]]:
    """The editions with recommendations (oldest first) and a row per distinct recommendation, newest wording
    first. Going back from the newest edition, a recommendation joins every row whose newest wording it
    matches (a merged one marks the rows of its parts), else starts one."""
    by_year = country_recommendations(build, report, iso3)
    rows: list[HistoryRow] = []
    for year in sorted(by_year, reverse=True):
        for item in by_year[year]:
            joined = [r for r in rows if year not in r.found and _joins(item, r)] or [HistoryRow(item.text)]
            rows += [r for r in joined if not r.found]
            for row in joined:
                row.found[year] = item
    return sorted(by_year), rows


def _joins(item: Recommendation, row: HistoryRow) -> bool:
    newest = row.found[max(row.found)]
    return similarity(item.weights, newest.weights) >= MATCH
