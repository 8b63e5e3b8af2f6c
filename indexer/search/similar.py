"""Narratives like a given one: other countries in the same edition, the same country in others.

A narrative's key terms (Whoosh's Bo1 model over its whole text, against the index's word
statistics) make a weighted query over the other narratives' whole text.
"""

from __future__ import annotations

from dataclasses import dataclass

from whoosh import query as wq

from indexer.errors import DocumentNotFound
from indexer.reports.tiers import TIER_LABELS
from indexer.search.handle import OpenBuild

KEY_TERMS = 30


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


def similar(build: OpenBuild, narrative_id: str, limit: int = 5) -> Similar:
    """The ``limit`` narratives most like ``narrative_id`` in its edition, and in its country's other editions."""
    sections = sorted(build.searcher.documents(narrative=narrative_id, kind="section"), key=lambda f: f["position"])
    if not sections:
        raise DocumentNotFound(f"no narrative with id {narrative_id!r}")
    first = sections[0]
    text = "\n\n".join(s["body"] for s in sections)
    terms = wq.Or(
        [
            wq.Term("fulltext", term, boost=weight)
            for term, weight in build.searcher.key_terms_from_text("fulltext", text, numterms=KEY_TERMS)
        ]
    )
    others = wq.And(
        [wq.Term("kind", "narrative"), wq.Term("report", first["report"]), wq.Not(wq.Term("narrative", narrative_id))]
    )
    same_edition = wq.And([others, wq.Term("year", first["year"]), wq.Not(wq.Term("iso3", first["iso3"]))])
    same_country = wq.And([others, wq.Term("iso3", first["iso3"])]) if first["iso3"] else None
    return Similar(
        _like(build, terms, same_edition, limit), _like(build, terms, same_country, limit) if same_country else []
    )
