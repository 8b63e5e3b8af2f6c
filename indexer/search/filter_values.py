"""Filter values checked against what a build holds.

A country, region or section filter is resolved to the value the index stores (``Burma`` ->
``MMR``, ``Section 7.b`` -> ``section-7b``, ``middle east`` -> ``Near East``); one that names
nothing indexed is refused with the indexed values close to it (``Korea``: North Korea, South
Korea), so that a page can offer them instead of an empty result.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace

from indexer.errors import FilterRejected, QueryRejected
from indexer.reports.countries import all_countries, fold, lookup
from indexer.reports.narratives import heading_key, slug
from indexer.reports.years import year_range
from indexer.search.facets import FacetCount, count_facets, labelled, narrative_facts
from indexer.search.handle import OpenBuild
from indexer.search.query import FILTER_NAMES, Filters, report_value, tier_value

CHOSEN_FILTERS = ("country", "region", "section")  # filters chosen from what the index holds
MAX_FILTER_VALUES = 20  # values of one filter: each is a query of the filter, and a year range walks the narratives
MAX_FILTER_LENGTH = 200  # characters of a filter value (the longest heading has some 140): longer names nothing
REGION_NAMES = {"middle east": "Near East", "mena": "Near East", "americas": "Western Hemisphere"}
_SECTION_NUMBER = re.compile(r"(?:section-)?(\d+)-?([a-z]?)")


def filter_choices(build: OpenBuild) -> dict[str, list[FacetCount]]:
    """Every value of each facet in the build, with its label and narrative count; once per build."""
    return build.table("filter choices", lambda _: labelled(build, count_facets(build, narrative_facts(build))))


def checked_filters(build: OpenBuild, filters: Filters) -> Filters:
    """``filters`` with every value as the index stores it (a country's code, a section's key, a year range as
    ``2016-2019``); FilterRejected for a value that names nothing indexed, QueryRejected for one that is
    malformed or too long to name anything."""
    for name in FILTER_NAMES:
        if len(getattr(filters, name)) > MAX_FILTER_VALUES:
            given = len(getattr(filters, name))
            raise QueryRejected(f"{name} has {given} values; at most {MAX_FILTER_VALUES} are searched")
    for name, value in filters.given():
        if len(value) > MAX_FILTER_LENGTH:
            raise QueryRejected(f"{name} is longer than {MAX_FILTER_LENGTH} characters")
    choices = filter_choices(build)
    resolved = {
        name: tuple(_canonical(build, name, value, choices[name]) for value in getattr(filters, name))
        for name in FILTER_NAMES
    }
    return replace(filters, **resolved)


def _canonical(build: OpenBuild, name: str, value: str, choices: list[FacetCount]) -> str:
    if name in CHOSEN_FILTERS:
        return _resolve(build, name, value, choices)
    if name == "year":
        try:
            return "-".join(map(str, year_range(value)))
        except ValueError as exc:
            raise QueryRejected(f"year {exc}") from None
    return {"report": report_value, "tier": tier_value}[name](value)


def _resolve(build: OpenBuild, name: str, value: str, choices: list[FacetCount]) -> str:
    labels = {c.value: c.label for c in choices}
    found = _known(build, name, value, labels)
    if found in labels:
        return found
    country = lookup(value) if name == "country" else None
    problem = f"no narrative of {country.name if country else found} is indexed" if found else ""
    raise FilterRejected(problem or f"unknown {name} {value!r}", name, _close(value, labels))


def _known(build: OpenBuild, name: str, value: str, labels: dict[str, str]) -> str:
    """The stored value ``value`` stands for (indexed or not), or "" when it names nothing."""
    wanted = fold(value)
    if name == "country":
        country = lookup(value)
        return country.iso3 if country else ""
    if name == "region":
        regions = {fold(country.region): country.region for country in all_countries()}
        return regions.get(wanted) or REGION_NAMES.get(wanted, "")
    match = _SECTION_NUMBER.fullmatch(slug(value))
    key = f"section-{match[1]}{match[2]}" if match else slug(value)
    if key in labels:
        return key
    by_label = _by_label(labels)
    if wanted in by_label:
        return by_label[wanted]
    # The key of the headings (numbering aside) holding every word typed, when they have one.
    holding = {k for heading, keys in heading_keys(build).items() if set(key.split("-")) <= set(heading) for k in keys}
    return holding.pop() if len(holding) == 1 and key else ""


def heading_keys(build: OpenBuild) -> dict[tuple[str, ...], set[str]]:
    """Each section heading of the build, numbering aside, as its words -> the keys it is the own heading of
    (``RECOMMENDATIONS FOR HAITI``: recommendations); once per build."""

    def read(searcher) -> dict[tuple[str, ...], set[str]]:
        found: dict[tuple[str, ...], set[str]] = {}
        for fields in searcher.documents(kind="narrative"):
            for key, heading in (fields.get("section_headings") or {}).items():
                if not key.startswith("section-"):
                    found.setdefault(tuple(heading_key(heading).split("-")), set()).add(key)
        return found

    return build.table("heading keys", read)


def _by_label(labels: dict[str, str]) -> dict[str, str]:
    """Folded label -> its value; of a section's number and heading of one label, the heading's key: it holds
    the heading wherever an edition numbers it."""
    numbers_first = sorted(labels.items(), key=lambda item: not item[0].startswith("section-"))
    return {fold(label): v for v, label in numbers_first}


def _close(value: str, labels: dict[str, str]) -> list[tuple[str, str]]:
    """(value, label) of the indexed values whose labels hold every word of ``value``; failing that, a
    word beginning alike (``Children``: Child Labor), or a spelling like it."""
    wanted = fold(value)
    words = set(wanted.split())
    folded = _by_label(labels)
    tests = (
        lambda text: bool(words) and words <= set(text.split()),
        lambda text: {w[:5] for w in words if len(w) >= 5} & {w[:5] for w in text.split()},
    )
    for test in tests:
        close = [v for text, v in folded.items() if test(text)]
        if close:
            break
    else:
        close = [folded[text] for text in difflib.get_close_matches(wanted, list(folded), n=5, cutoff=0.6)]
    return [(v, labels[v]) for v in close[:8]]
