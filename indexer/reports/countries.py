"""Canonical country names, ISO 3166 alpha-3 codes and regions, from indexer/data/countries.csv.

Any form a report prints (``Burma``, ``KOREA, REPUBLIC OF``, ``Côte d’Ivoire``,
``Bahamas, The``, ``KOREA, NORTH``, ``Turkey (Türkiye)``) resolves to one :class:`Country`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from indexer.settings import SHIPPED

COUNTRIES_CSV = SHIPPED / "countries.csv"


@dataclass(frozen=True)
class Country:
    """A country or territory as the reports name it."""

    name: str
    iso3: str
    region: str
    aliases: tuple[str, ...] = ()


def fold(text: str) -> str:
    """Lower-case, strip accents, drop apostrophes and turn other punctuation into spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['’‘`]", "", text.lower())
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@lru_cache(maxsize=1)
def all_countries() -> tuple[Country, ...]:
    """Every country in indexer/data/countries.csv, in the file's order."""
    with io.StringIO(COUNTRIES_CSV.read_text(encoding="utf-8"), newline="") as f:
        return tuple(
            Country(row["name"], row["iso3"], row["region"], tuple(a for a in row["aliases"].split("|") if a))
            for row in csv.DictReader(f)
        )


@lru_cache(maxsize=1)
def _by_name() -> dict[str, Country]:
    """Folded name, alias or ISO3 code -> country."""
    return {
        fold(name): country for country in all_countries() for name in (country.name, country.iso3, *country.aliases)
    }


def lookup(name: str) -> Country | None:
    """Return the country a printed name or ISO3 code stands for, or None when it names none we know."""
    head, comma, tail = name.partition(",")
    keys = [fold(name), fold(f"{tail} {head}")] if comma else [fold(name)]  # "KOREA, NORTH"
    for key in keys:
        country = _by_name().get(key) or _by_name().get(re.sub(r"^the ", "", key))
        if country:
            return country
    return None
