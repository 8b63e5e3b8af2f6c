"""Facet counts and sort orders over the narratives a search matched.

What each narrative is (report, year, country, region, tier, sections) is read once per
searcher from the narrative documents, so counting the facets of any set of matches, or
sorting it by year or country, needs no further reads of the index.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

import numpy as np
from whoosh.searching import Searcher

from indexer.errors import QueryRejected
from indexer.reports.narratives import REPORT_LABELS
from indexer.reports.tiers import TIER_LABELS
from indexer.search.handle import OpenBuild

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


def narrative_facts(build: OpenBuild) -> dict[str, NarrativeFacts]:
    """Narrative id -> its facts, read once per build."""
    return build.table(
        "facts",
        lambda searcher: {
            f["narrative"]: NarrativeFacts(
                f["report"],
                f["year"] or 0,
                f["iso3"],
                f["country"],
                f["region"],
                f["tier"],
                tuple(f["section"].split()),
            )
            for f in searcher.documents(kind="narrative")
        },
    )


_SECTION_NUMBER = re.compile(r"^Section (\d+)\.\s*(?:([a-z])\.\s*)?", re.I)
_DANGLING = re.compile(r",?\s+including:?$", re.I)
# The TIP Report's sections, named one way whatever each edition prints ("RECOMMENDATIONS FOR HAITI:").
TIP_SECTION_LABELS = {
    "summary": "Summary",
    "recommendations": "Recommendations",
    "prioritized-recommendations": "Prioritized recommendations",
    "prosecution": "Prosecution",
    "protection": "Protection",
    "prevention": "Prevention",
    "trafficking-profile": "Trafficking profile",
    "executive-summary": "Executive summary",
}


def section_label(heading: str) -> str:
    """A section heading as a facet label: ``Section 1.c. Torture`` -> ``1.c Torture``; no capitals shouted,
    no dangling ``Including:``."""
    label = _SECTION_NUMBER.sub(lambda m: f"{m.group(1)}.{m.group(2) or ''} ", heading)
    label = _DANGLING.sub("", label)
    return label.capitalize() if label.isupper() else label


# The Human Rights Report's numbered sections whose text sits in their lettered or titled parts.
NUMBERED_SECTIONS = {
    "section-2": "2. Respect for Civil Liberties",
    "section-6": "6. Discrimination and Societal Abuses",
    "section-7": "7. Worker Rights",
}


def section_labels(build: OpenBuild) -> dict[str, str]:
    """Section key -> the heading most narratives give that section, as a label; read once per build.

    A numbered section whose text all sits in its lettered parts has no heading of its own:
    ``section-7`` reads "7. Worker Rights" (``NUMBERED_SECTIONS``).
    """
    return build.table("section labels", _read_section_labels)


def _read_section_labels(searcher: Searcher) -> dict[str, str]:
    headings: dict[str, Counter] = {}
    for fields in searcher.documents(kind="narrative"):
        for key in fields["section"].split():
            headings.setdefault(key, Counter())
        for key, heading in (fields.get("section_headings") or {}).items():
            if _SECTION_NUMBER.match(heading) or not key.startswith("section-"):  # not a subheading's
                headings[key][heading] += 1
    return {
        key: TIP_SECTION_LABELS.get(key) or (_heading_label(c) if c else NUMBERED_SECTIONS.get(key, _plain(key)))
        for key, c in headings.items()
    }


def _heading_label(headings: Counter) -> str:
    """The label of the headings a key stands for, the most frequent; numbered only when every edition numbers it
    alike (a heading that moved, such as privacy from 1.f to 1.h, shows none)."""
    numbers = {number[0].strip() if (number := _SECTION_NUMBER.match(heading)) else "" for heading in headings}
    heading = headings.most_common(1)[0][0]
    return section_label(heading if len(numbers) == 1 else _SECTION_NUMBER.sub("", heading))


def _plain(key: str) -> str:
    return key.replace("-", " ").capitalize()


def _values(facts: NarrativeFacts, name: str) -> tuple[str, ...]:
    if name == "section":
        return facts.sections
    if name == "country":
        return (facts.iso3,) if facts.iso3 else ()
    value = str(getattr(facts, name) or "")
    return (value,) if value and value != "0" else ()


def facet_values(build: OpenBuild) -> dict[str, dict[str, tuple[str, ...]]]:
    """Facet name -> narrative id -> the narrative's values of that facet, read once per build."""
    facts = narrative_facts(build)
    return build.table(
        "facet values", lambda searcher: {name: {n: _values(f, name) for n, f in facts.items()} for name in FACET_NAMES}
    )


def section_key_sets(build: OpenBuild) -> tuple[list[tuple[str, ...]], np.ndarray]:
    """The distinct sets of section keys documents have, and docnum -> the number of its set; once per build."""
    return build.table("section key sets", _read_section_key_sets)


def _read_section_key_sets(searcher: Searcher) -> tuple[list[tuple[str, ...]], np.ndarray]:
    reader = searcher.reader()
    keys: list[tuple[str, ...]] = [()] * reader.doc_count_all()
    for key in reader.lexicon("section"):
        for docnum in reader.postings("section", key).all_ids():
            keys[docnum] += (key.decode(),)
    key_sets = sorted(set(keys))
    number = {key_set: i for i, key_set in enumerate(key_sets)}
    return key_sets, np.fromiter(map(number.__getitem__, keys), np.int64, len(keys))


def section_mask(build: OpenBuild, key: str) -> np.ndarray:
    """docnum -> whether that document is in the section ``key``; once per build for each key the build has."""
    reader = build.searcher.reader()
    if ("section", key) not in reader:
        return np.zeros(reader.doc_count_all(), bool)  # not kept: any text may be asked for

    def read(searcher: Searcher) -> np.ndarray:
        mask = np.zeros(reader.doc_count_all(), bool)
        mask[list(searcher.reader().postings("section", key).all_ids())] = True
        return mask

    return build.table(("section mask", key), read)


def count_facets(build: OpenBuild, narratives: Iterable[str]) -> dict[str, Counter]:
    """For each facet, how many of ``narratives`` have each of its values (a narrative counts under every section
    it has)."""
    values_by_facet = facet_values(build)
    known = [n for n in narratives if n in values_by_facet["report"]]
    return {
        name: Counter(chain.from_iterable(map(values_of_narrative.__getitem__, known)))
        for name, values_of_narrative in values_by_facet.items()
    }


def labelled(build: OpenBuild, counts: dict[str, Counter]) -> dict[str, list[FacetCount]]:
    """Facet counts with their values' labels: years newest first, other values most frequent first."""
    facts = narrative_facts(build)
    countries = build.table("country names", lambda _: {f.iso3: f.country for f in facts.values() if f.iso3})
    label_of = {
        "country": countries.get,
        "tier": TIER_LABELS.get,
        "report": REPORT_LABELS.get,
        "section": section_labels(build).get,
    }
    facets = {}
    for name, counted in counts.items():
        label = label_of.get(name, lambda v: None)
        values = [FacetCount(str(v), label(str(v)) or str(v), n) for v, n in counted.items() if n]
        if name == "year":
            facets[name] = sorted(values, key=lambda c: -int(c.value))
        else:
            facets[name] = sorted(values, key=lambda c: (-c.count, c.label))
    return facets


def sorted_matches(build: OpenBuild, ranked: list[str], sort: str) -> list[str]:
    """``ranked`` narrative ids (best first) in the order ``sort`` names (not ``relevance``): by year,
    or by country and then newest first, keeping the order of relevance among equals."""
    facts = narrative_facts(build)
    missing = NarrativeFacts("", 0, "", "", "", "", ())

    def key(narrative: str):
        f = facts.get(narrative, missing)
        return {
            "newest": (-f.year,),
            "oldest": (f.year,),
            "country": (f.country or "\uffff", -f.year),
        }[sort]

    return sorted(ranked, key=key)


def check_sort(sort: str) -> None:
    if sort not in SORTS:
        raise QueryRejected(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
