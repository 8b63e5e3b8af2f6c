"""Small charts drawn on the server as SVG shapes (no script, no inline style)."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.search.history import TIER_RANK, Edition


@dataclass
class Bar:
    """One bar: its label (a year), value, share of the tallest and position."""

    label: str
    value: int
    total: int
    x: float
    height: float


@dataclass
class Point:
    """One edition on the tier timeline."""

    edition: Edition
    x: float
    y: float


CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 640, 160, 4
TIMELINE_ROWS = ("1", "2", "2WL", "3", "special")


def year_bars(counts: dict[int, int], totals: dict[int, int]) -> list[Bar]:
    """Bars for every year from the first to the last with matches: matches as a share of that year's narratives."""
    if not counts:
        return []
    years = list(range(min(counts), max(counts) + 1))
    shares = {y: counts.get(y, 0) / totals[y] if totals.get(y) else 0.0 for y in years}
    tallest = max(shares.values()) or 1.0
    width = CHART_WIDTH / len(years)
    return [
        Bar(str(y), counts.get(y, 0), totals.get(y, 0), i * width, CHART_HEIGHT * shares[y] / tallest)
        for i, y in enumerate(years)
    ]


def tier_points(history: list[Edition]) -> list[Point]:
    """Each edition placed by year (x) and tier (y: Tier 1 on top, Special Case at the bottom)."""
    if not history:
        return []
    first, last = history[0].year, history[-1].year
    span = max(1, last - first)
    row = CHART_HEIGHT / (len(TIMELINE_ROWS) - 1)
    return [
        Point(
            e,
            90 + (CHART_WIDTH - 120) * (e.year - first) / span,
            20 + row * TIMELINE_ROWS.index(e.tier if e.tier in TIER_RANK else "special") * 0.8,
        )
        for e in history
    ]
