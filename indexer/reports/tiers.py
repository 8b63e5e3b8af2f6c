"""Tier placements as the Trafficking in Persons Report prints them.

Canonical values: ``1``, ``2``, ``2WL`` (Tier 2 Watch List), ``3`` and ``special``
(Special Case). Country headings come in every era's form: ``North Korea (Tier 3)``,
``HAITI (TIER 2 - WATCH LIST)``, ``AFGHANISTAN: Tier 2 Watch List``,
``KOREA, REPUBLIC OF: Tier 1``.
"""

from __future__ import annotations

import re

from indexer.reports.countries import Country, lookup

TIERS = ("1", "2", "2WL", "3", "special")
TIER_LABELS = {"1": "Tier 1", "2": "Tier 2", "2WL": "Tier 2 Watch List", "3": "Tier 3", "special": "Special Case"}
_NUMBERS = {"1": "1", "one": "1", "i": "1", "2": "2", "two": "2", "ii": "2", "3": "3", "three": "3", "iii": "3"}
_TIER = r"tier\s*(?P<num>[123]|one|two|three|iii|ii|i)\b(?P<wl>\s*[-–—]?\s*watch\s*list)?|(?P<special>special\s+cases?)"
_HEADING = re.compile(rf"^(?P<name>.+?)\s*(?::\s*|[-–—]\s+|\(\s*)(?P<tier>{_TIER})\s*\)?\s*$", re.I)
_SUMMARY = re.compile(
    rf"\b(?:remained|remains|placed|upgraded|downgraded|was|is)\s+(?:on|to|at|in)\s+(?:{_TIER})", re.I
)
_FILTER = re.compile(rf"^\s*(?:{_TIER}|(?P<bare>[123]|2\s*wl|wl|special))\s*$", re.I)


def _canonical(match: re.Match) -> str:
    if match.group("special"):
        return "special"
    tier = _NUMBERS[match.group("num").lower()]
    return "2WL" if tier == "2" and match.group("wl") else tier


def parse_country_heading(text: str) -> tuple[Country, str, str] | None:
    """(country, canonical tier, label as printed) for a TIP country heading, else None."""
    match = _HEADING.match(" ".join(text.split()))
    if not match:
        return None
    country = lookup(match.group("name"))
    if country is None:
        return None
    return country, _canonical(match), match.group("tier")


def tier_from_summary(text: str) -> str | None:
    """The tier a narrative's summary says the country is on ("... therefore X remained on Tier 2").

    The conclusion counts: the placement after "therefore", else the last one mentioned.
    """
    matches = list(_SUMMARY.finditer(text))
    concluding = [m for m in matches if "therefore" in text[text.rfind(". ", 0, m.start()) + 1 : m.start()].lower()]
    chosen = concluding[0] if concluding else matches[-1] if matches else None
    return _canonical(chosen) if chosen else None


def normalize_tier(value: str) -> str | None:
    """Canonical tier for what a user types: ``3``, ``tier 2 watch list``, ``2wl``, ``special``."""
    match = _FILTER.match(value)
    if not match:
        return None
    bare = match.group("bare")
    if bare:
        bare = bare.lower()
        return "special" if bare == "special" else "2WL" if "w" in bare else bare
    return _canonical(match)
