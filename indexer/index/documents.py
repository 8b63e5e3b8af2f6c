"""The Whoosh documents of a narrative: one for the narrative, one per section, one per paragraph."""

from __future__ import annotations

from collections.abc import Iterator

from indexer.index.acronyms import find_acronyms
from indexer.index.updates import text_digest
from indexer.reports.countries import lookup
from indexer.reports.narratives import Narrative, Section
from indexer.reports.paragraphs import BOILERPLATE_WEIGHT, is_boilerplate, paragraphs


def documents(narrative: Narrative) -> Iterator[dict]:
    """The Whoosh documents of one narrative: the narrative's own, then each section's and its paragraphs'."""
    country = lookup(narrative.iso3) if narrative.iso3 else None
    place = " ".join([narrative.country, *(country.aliases if country else ()), narrative.region])
    shared = {
        "narrative": narrative.id,
        "report": narrative.report,
        "year": narrative.year or 0,
        "iso3": narrative.iso3,
        "country": narrative.country,
        "region": narrative.region,
        "tier": narrative.tier,
        "tier_label": narrative.tier_label,
        "title": narrative.title,
        "place": place,
        "source": narrative.source,
        "content_hash": narrative.content_hash,
    }
    yield {
        **shared,
        "id": narrative.id,
        "kind": "narrative",
        "section": " ".join(sorted({k for s in narrative.sections for k in s.keys})),
        "section_headings": _headings(narrative),
        "acronyms": {a: words for s in narrative.sections for a, words in find_acronyms(s.text).items()},
        "text_digest": text_digest(narrative),
        "fulltext": "\n\n".join(f"{s.heading}\n\n{s.text}" for s in narrative.sections),
    }
    for position, section in enumerate(narrative.sections):
        yield {
            **shared,
            "id": f"{narrative.id}/{position}",
            "kind": "section",
            "section": " ".join(section.keys),
            "position": position,
            "heading": section.heading,
            "body": section.text,
            "exact": section.text,
            "body_pairs": section.text,
            "heading_pairs": section.heading,
            "pages": section.pages,
        }
        filters = {name: shared[name] for name in ("narrative", "report", "year", "iso3", "region", "tier")}
        yield from _paragraphs(filters, f"{narrative.id}/{position}", position, section)


def _headings(narrative: Narrative) -> dict[str, str]:
    """Each key of a narrative's sections -> the heading of the first section it is the own key of: its heading's
    key (the last), and for a numbered section its number's (``section-1c``: "Section 1.c. Torture...")."""
    headings: dict[str, str] = {}
    for section in narrative.sections:
        numbers = [key for key in section.keys if key.startswith("section-")]
        for key in {section.keys[-1], *numbers[-1:]}:
            headings.setdefault(key, section.heading)
    return headings


def _paragraphs(filters: dict, section_id: str, position: int, section: Section) -> Iterator[dict]:
    """The paragraph documents of one section, with the narrative's ``filters``; a heading opens the first."""
    for number, paragraph in enumerate(paragraphs(section.text)):
        if paragraph.strip():
            passage = f"{section.heading}\n\n{paragraph}" if number == 0 else paragraph
            weight = {"_boost": BOILERPLATE_WEIGHT} if is_boilerplate(paragraph) else {}
            yield {
                **filters,
                "id": f"{section_id}/{number}",
                "kind": "paragraph",
                "section": " ".join(section.keys),
                "position": position,
                "passage": passage,
                "passage_exact": passage,
                **weight,
            }


def unique_ids(narratives: list[Narrative], seen: set[str], from_pdf: bool) -> list[Narrative]:
    """The narratives to index, each with an id not yet taken in this build.

    A country narrative from a PDF whose id a page already gave is left out: the whole-report
    PDF repeats the edition's country pages. Other repeats get a numbered id.
    """
    kept = []
    for narrative in narratives:
        if from_pdf and narrative.iso3 and narrative.id in seen:
            continue
        base, n = narrative.id, 2
        while narrative.id in seen:
            narrative.id, n = f"{base}-{n}", n + 1
        seen.add(narrative.id)
        kept.append(narrative)
    return kept
