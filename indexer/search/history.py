"""A country's narratives across editions: its tier history and its neighbouring editions."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.errors import QueryRejected
from indexer.reports.countries import Country, lookup
from indexer.search.facets import narrative_facts
from indexer.search.handle import OpenBuild

# Tiers from best to worst; Special Case is outside the order.
TIER_RANK = {"1": 0, "2": 1, "2WL": 2, "3": 3}


@dataclass
class Edition:
    """One edition's narrative of a country: its year, id and tier."""

    year: int
    id: str
    tier: str
    tier_label: str
    change: str = ""  # "upgraded", "downgraded", or "" (first, unchanged, or not comparable)
    watch_list_years: int = 0  # consecutive editions on the Tier 2 Watch List, this one included


def mark_changes(editions: list[Edition]) -> list[Edition]:
    """Mark upgrades and downgrades between consecutive editions and count Watch List years."""
    previous: Edition | None = None
    for edition in sorted(editions, key=lambda e: e.year):
        if previous and edition.tier in TIER_RANK and previous.tier in TIER_RANK:
            step = TIER_RANK[edition.tier] - TIER_RANK[previous.tier]
            edition.change = "downgraded" if step > 0 else "upgraded" if step < 0 else ""
        if edition.tier == "2WL":
            consecutive = previous is not None and previous.tier == "2WL" and previous.year == edition.year - 1
            edition.watch_list_years = previous.watch_list_years + 1 if previous and consecutive else 1
        previous = edition
    return sorted(editions, key=lambda e: e.year)


def editions(build: OpenBuild, report: str, iso3: str) -> list[Edition]:
    """The country's narratives in every indexed edition of ``report``, oldest first."""
    found = [
        Edition(f["year"], f["narrative"], f["tier"], f["tier_label"])
        for f in build.searcher.documents(kind="narrative", report=report, iso3=iso3)
    ]
    return mark_changes(found)


def tier_history(build: OpenBuild, country: str) -> tuple[Country, list[Edition]]:
    """A country's Trafficking in Persons Report tier in each indexed edition."""
    found = lookup(country)
    if found is None:
        raise QueryRejected(f"unknown country {country!r}")
    return found, [e for e in editions(build, "tip", found.iso3) if e.tier]


COMPANIONS = {"tip": "hrr", "hrr": "tip"}  # the report that covers the same country in the same year


def companion(build: OpenBuild, report: str, year: int | None, iso3: str) -> str | None:
    """The id of the same country's narrative of the same year in the other report (the Human Rights
    Report for a Trafficking in Persons Report narrative, and the reverse), when it is indexed."""
    other = COMPANIONS.get(report)
    if not (other and year and iso3):
        return None
    wanted = (other, year, iso3)
    return next((n for n, f in narrative_facts(build).items() if (f.report, f.year, f.iso3) == wanted), None)
