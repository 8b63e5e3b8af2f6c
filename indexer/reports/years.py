"""Edition years as users type them: ``2019`` or a range ``2016-2019``."""

from __future__ import annotations

import re

_YEARS = re.compile(r"^\s*(\d{4})\s*(?:(?:-|–|\.\.|to)\s*(\d{4})\s*)?$", re.I)


def year_range(value: str) -> tuple[int, int]:
    """(first, last) year of ``value``; ValueError saying what is wrong otherwise."""
    match = _YEARS.match(value)
    if not match:
        raise ValueError(f"must be YYYY or YYYY-YYYY, not {value!r}")
    low, high = int(match.group(1)), int(match.group(2) or match.group(1))
    if low > high:
        raise ValueError(f"range {value!r} ends before it starts")
    return low, high
