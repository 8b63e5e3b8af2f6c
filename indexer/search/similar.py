"""Narratives like a given one: other countries in the same edition, the same country in others.

A narrative's key terms (Whoosh's Bo1 model over its text, against the index's word statistics)
make a weighted query over the other narratives' whole text.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.classify import Bo1Model
from whoosh.reading import IndexReader

from indexer.errors import DocumentNotFound
from indexer.reports.tiers import TIER_LABELS
from indexer.search.handle import OpenBuild

KEY_TERMS = 30
FIELD = "fulltext"
MOST_CHARACTERS = 400_000  # of a narrative's text weighed for its key terms (the longest real ones: about 220,000)
MOST_LOOKUPS = 2_000  # of its terms looked up in the index (a real narrative's key terms need at most about 300)


@dataclass
class SimilarNarrative:
    """A narrative like another one, and how alike (the similarity query's score)."""

    id: str
    title: str
    year: int | None
    country: str
    tier_label: str
    score: float


@dataclass
class Similar:
    """The narratives most like one: in the same edition, and the same country's in other editions."""

    same_edition: list[SimilarNarrative]
    other_editions: list[SimilarNarrative]

    def as_json(self) -> dict:
        return {
            "same_edition": [vars(s) for s in self.same_edition],
            "other_editions": [vars(s) for s in self.other_editions],
        }


def _like(build: OpenBuild, terms: wq.Query, where: wq.Query, limit: int) -> list[SimilarNarrative]:
    found = build.searcher.search(wq.Require(terms, where), limit=limit, optimize=False)
    return [
        SimilarNarrative(
            f["narrative"],
            f["title"],
            f["year"] or None,
            f["country"],
            TIER_LABELS.get(f["tier"], f["tier_label"]),
            round(score, 3),
        )
        for f, score in ((build.searcher.stored_fields(d), s) for d, s in found.items())
    ]


def key_terms(reader: IndexReader, text: str) -> list[tuple[str, float]]:
    """The ``KEY_TERMS`` terms of ``text`` (its first ``MOST_CHARACTERS``) with their weights, as Whoosh's
    ``key_terms_from_text`` gives them, looking up only the terms that could be among them.

    Terms are weighed commonest in the text first. A term the text holds ``t`` times is in the index at
    least ``t`` times (the narrative is), so Bo1 weighs it at most ``t log2(1 + N / t)`` plus the most
    any collection frequency adds; once that is below the weight of the last key term found, no term
    after it can be one. Past ``MOST_LOOKUPS`` terms the rest are not weighed: a page of thousands of
    distinct words, each as likely a key term as the next, costs the lookups of those it holds most.
    """
    model = Bo1Model(reader.doc_count_all(), reader.field_length(FIELD))
    counts = sorted(
        ((weight, word) for word, _, weight, _ in reader.schema[FIELD].index(text[:MOST_CHARACTERS])), reverse=True
    )
    total = sum(weight for weight, _ in counts)
    most_from_collection = math.log2(1 + model.collection_total / model.N)
    best: list[float] = []  # the highest weights so far, a heap of at most KEY_TERMS
    weighed = []
    for count, word in counts[:MOST_LOOKUPS]:
        if len(best) == KEY_TERMS and count * math.log2(1 + model.N / count) + most_from_collection < best[0]:
            break
        in_collection = reader.frequency(FIELD, word)  # 0: not in the index
        if in_collection:
            weight = model.score(count, in_collection, total)
            weighed.append((weight, word.decode()))
            (heapq.heappushpop if len(best) == KEY_TERMS else heapq.heappush)(best, weight)
    if not weighed:
        return []
    norm = model.normalizer(max(weighed)[0], total) or 1.0
    weighed.sort(key=lambda entry: (-entry[0], entry[1]))
    return [(word, weight / norm) for weight, word in weighed[:KEY_TERMS]]


def similar(build: OpenBuild, narrative_id: str, limit: int = 5) -> Similar:
    """The ``limit`` narratives most like ``narrative_id`` in its edition, and in its country's other editions."""
    sections = sorted(build.searcher.documents(narrative=narrative_id, kind="section"), key=lambda f: f["position"])
    if not sections:
        raise DocumentNotFound(f"no narrative with id {narrative_id!r}")
    first = sections[0]
    text = "\n\n".join(s["body"] for s in sections)
    terms = wq.Or([wq.Term(FIELD, term, boost=weight) for term, weight in key_terms(build.searcher.reader(), text)])
    others = wq.And(
        [wq.Term("kind", "narrative"), wq.Term("report", first["report"]), wq.Not(wq.Term("narrative", narrative_id))]
    )
    same_edition = wq.And([others, wq.Term("year", first["year"]), wq.Not(wq.Term("iso3", first["iso3"]))])
    same_country = wq.And([others, wq.Term("iso3", first["iso3"])]) if first["iso3"] else None
    return Similar(
        _like(build, terms, same_edition, limit), _like(build, terms, same_country, limit) if same_country else []
    )
