"""Canonical country names, ISO 3166 alpha-3 codes and regions, from data/countries.csv.

Any form a report prints (``Burma``, ``KOREA, REPUBLIC OF``, ``Côte d’Ivoire``,
``Bahamas, The``, ``Turkey (Türkiye)``) resolves to one :class:`Country`.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from indexer.settings import DATA_DIR

COUNTRIES_CSV = DATA_DIR / "countries.csv"


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
def _table() -> tuple[dict[str, Country], dict[str, Country]]:
    by_key: dict[str, Country] = {}
    by_iso3: dict[str, Country] = {}
    with COUNTRIES_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            aliases = tuple(a for a in row["aliases"].split("|") if a)
            country = Country(row["name"], row["iso3"], row["region"], aliases)
            by_iso3[country.iso3] = country
            names = [row["name"], row["iso3"], *aliases]
            for name in names:
                by_key[fold(name)] = country
    return by_key, by_iso3


def lookup(name: str) -> Country | None:
    """Return the country a printed name stands for, or None when it names none we know."""
    by_key, by_iso3 = _table()
    key = fold(name)
    if key in by_key:
        return by_key[key]
    if name.strip().upper() in by_iso3:
        return by_iso3[name.strip().upper()]
    without_article = re.sub(r"^the ", "", key)
    return by_key.get(without_article)


def by_iso3(code: str) -> Country | None:
    """Return the country with this ISO 3166 alpha-3 code."""
    return _table()[1].get(code.upper())


def all_countries() -> list[Country]:
    """Every country in the table, sorted by name."""
    return sorted(_table()[1].values(), key=lambda c: c.name)
