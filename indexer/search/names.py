"""A country's names in a query: a name typed as words stands for every name of its country.

``Turkey`` becomes ``("Turkey" OR "Türkiye")`` and ``forced labor Burma`` becomes
``forced labor ("Burma" OR "Myanmar")``, since narratives' texts use one name or the other. Names
come from indexer/data/countries.csv and are matched as folded words (``fold``: case, accents and
apostrophes do not count), the longest first: ``North Korea`` is one name, never ``North`` and a
``Korea``. Words in quotes, ``exact:`` words, prefixes (``Turk*``) and the operators are never
part of a name, and a name does not run across them (``Antigua AND Barbuda`` is no name).

The names a country is searched by, each as a phrase, the one typed first, then in the table's order:

- its name and aliases, one spelling per folded form (``Türkiye``, not also ``Turkiye``);
- not abbreviations, aliases of one word in capitals (``DPRK``, ``UAE``, ``CAR``, ``US``; ISO3
  codes are never names): the search folds case, so ``CAR`` and ``US`` would find every "car"
  and "us". Typed, they are left as typed;
- not print forms: names with brackets (``Turkey (Türkiye)``, ``Congo (Kinshasa)``) and names
  turned around, ending in "of" or "the" (``Korea Republic of`` for "KOREA, REPUBLIC OF");
- not an ambiguous name: one of several countries, or held as whole words in a name of another
  country (``Congo`` and ``Republic of the Congo`` in ``Democratic Republic of the Congo``,
  ``Republic of Korea`` in ``Democratic People's Republic of Korea``, ``Sudan`` in ``South
  Sudan``, ``Guinea`` in ``Equatorial Guinea``), whose phrase would find the other country's
  texts. Typed, an ambiguous name is left as typed: ``Congo`` finds both Congos;
- not a name holding another of them (``Kingdom of Eswatini`` holds ``Eswatini``,
  ``Bosnia and Herzegovina`` holds ``Bosnia``): the shorter name's phrase finds it.

Any other name of the table typed as words, print forms and longer names included, is replaced by
its country's names when they are two or more (``Kingdom of Eswatini`` is ``("Eswatini" OR
"Swaziland")``), and left as typed when there is one (``Chad``, ``Israel``, ``South Korea``):
there is nothing to add. Words that name no country alone (``Korea``) are left as typed, and so
are ordinary words that are the only name of their country (``Chad``, ``Jordan``, ``Georgia``).
"""

from __future__ import annotations

import re
from functools import cache

from indexer.reports.countries import all_countries, fold
from indexer.search.policy import OPERATORS

_TOKENS = re.compile(r'"[^"]*"(?:~\d+)?|[()]|[^\s()"]+')  # a phrase, a bracket or any other token


def with_other_names(text: str) -> str:
    """``text``, a sanitized query (``policy.sanitize``), with each country's name typed as words
    replaced by a parenthesised OR of all its names as phrases: ``NOT Turkey`` is
    ``NOT ("Turkey" OR "Türkiye")``; a name of several words is one phrase even alone (``("Burkina Faso")``)."""
    names, longest = _names(), _longest()
    tokens = list(_TOKENS.finditer(text))
    words = [_folded(token.group()) for token in tokens]
    kept, done, start = [], 0, 0
    while start < len(tokens):
        end, key = _name_at(words, start, names, longest)
        alternatives = names.get(key, ())
        if len(alternatives) > 1 or (alternatives and " " in key):  # a name of several words is one part
            kept += [text[done : tokens[start].start()], _alternatives(key, names[key])]
            done = tokens[end - 1].end()
        start = max(end, start + 1)
    return "".join([*kept, text[done:]])


def _folded(token: str) -> str:
    """A word token's folded words; "" for a phrase, a bracket, an operator, an ``exact:`` word or a prefix."""
    if token in OPERATORS or token[0] in '"()' or token.startswith("exact:") or token.endswith("*"):
        return ""
    return fold(token)


def _name_at(words: list[str], start: int, names: dict[str, tuple[str, ...]], longest: int) -> tuple[int, str]:
    """The end and the folded form of the longest name made of the tokens from ``start``; (start, "") for none."""
    found = (start, "")
    run: list[str] = []
    for end in range(start, min(len(words), start + longest)):
        if not words[end]:
            break
        run.append(words[end])
        if " ".join(run) in names:
            found = (end + 1, " ".join(run))
    return found


def _alternatives(key: str, names: tuple[str, ...]) -> str:
    """The OR of ``names`` as phrases, the one folded as ``key`` first."""
    ordered = sorted(names, key=lambda name: fold(name) != key)
    return "(" + " OR ".join(f'"{name}"' for name in ordered) + ")"


def _abbreviation(name: str) -> bool:
    return name.isupper() and " " not in name


def _print_form(name: str, key: str) -> bool:
    return "(" in name or key.endswith((" of", " the"))


def _holds(longer: str, key: str) -> bool:
    """Whether the folded name ``longer`` holds ``key`` as whole words."""
    return longer != key and f" {key} " in f" {longer} "


@cache
def _names() -> dict[str, tuple[str, ...]]:
    """Each folded name that may be typed -> the names its country is searched by; none for an ambiguous name."""
    owners: dict[str, set[str]] = {}  # folded name -> ISO3 codes of the countries it names
    plain: dict[str, dict[str, str]] = {}  # ISO3 code -> its folded names, not print forms -> as written
    for country in all_countries():
        written = plain.setdefault(country.iso3, {})
        for name in (country.name, *country.aliases):
            key = fold(name)
            if key and not _abbreviation(name):
                owners.setdefault(key, set()).add(country.iso3)
                if not _print_form(name, key):
                    written.setdefault(key, name)

    def ambiguous(key: str) -> bool:
        return len(owners[key]) > 1 or any(
            _holds(other, key) for iso3, names in plain.items() if iso3 not in owners[key] for other in names
        )

    searched = {}
    for iso3, written in plain.items():
        clear = [key for key in written if not ambiguous(key)]
        searched[iso3] = tuple(written[key] for key in clear if not any(_holds(key, other) for other in clear))
    return {key: () if ambiguous(key) else searched[next(iter(iso3s))] for key, iso3s in owners.items()}


@cache
def _longest() -> int:
    """The most words a name has."""
    return max(len(key.split()) for key in _names())
