"""Small charts drawn on the server as SVG shapes (no script, no inline style).

Positions are in the units of the chart's ``viewBox``; the templates draw the shapes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from indexer.reports.tiers import TIER_LABELS, TIERS
from indexer.search.history import Edition

# The trend chart: bars from PLOT_LEFT to PLOT_RIGHT, the y axis's labels to their left.
CHART_WIDTH, CHART_HEIGHT, PLOT_LEFT, PLOT_RIGHT, PLOT_TOP = 640, 200, 88, 608, 16
# Axis tops to choose from: the smallest that holds the tallest bar (shares of the narratives).
AXIS_TOPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0)
# The tier timeline: a row per tier, points from TIMELINE_LEFT to TIMELINE_RIGHT.
TIMELINE_WIDTH, TIMELINE_LEFT, TIMELINE_RIGHT, TIMELINE_TOP, TIMELINE_ROW = 640, 160, 620, 24, 40
# Room a year's label needs on the x axis, in viewBox units: at full size, and on a phone (larger type).
YEAR_LABEL_WIDTH, PHONE_YEAR_LABEL_WIDTH = 40, 80


@dataclass
class Bar:
    """One edition: its year, narratives matching, narratives indexed (0: not indexed), and its bar."""

    year: int
    value: int
    total: int
    x: float
    width: float
    height: float
    labelled: bool  # whether the x axis names its year
    phone_labelled: bool  # whether it does on a phone too

    @property
    def indexed(self) -> bool:
        """Whether the build holds any narrative of this edition."""
        return self.total > 0

    @property
    def share(self) -> str:
        """Matching narratives as a percentage of the edition's, to a tenth: ``12.5%``."""
        return percent(self.value / self.total) if self.total else ""


@dataclass
class Tick:
    """A labelled line across a chart at height ``y``."""

    label: str
    y: float


@dataclass
class BarChart:
    """Bars over every indexed edition and the y axis's ticks (percentages of the edition's narratives)."""

    bars: list[Bar]
    ticks: list[Tick]


@dataclass
class Point:
    """One edition on the tier timeline; ``joined``: a line comes to it from the previous edition's point."""

    edition: Edition
    x: float
    y: float
    joined: bool
    labelled: bool  # whether the x axis names its year


def percent(share: float) -> str:
    """``0.125`` -> ``12.5%``; ``0.5`` -> ``50%``."""
    return f"{round(share * 100, 1):g}%"


def _spaced(xs: list[float], room: float = YEAR_LABEL_WIDTH) -> list[bool]:
    """Which of the positions ``xs`` (ascending) get a year label: the last, and each other ``room``
    from the next one labelled."""
    labelled, following = [], math.inf
    for x in reversed(xs):
        labelled.append(following - x >= room)
        following = x if labelled[-1] else following
    return labelled[::-1]


def _axis_top(shares: list[float]) -> float:
    tallest = max(shares, default=0.0)
    return next((top for top in AXIS_TOPS if top >= tallest), 1.0)


def year_bars(counts: dict[int, int], totals: dict[int, int]) -> BarChart | None:
    """Bars for every year from the first to the last indexed edition (``totals``: year -> narratives):
    matches (``counts``) as a share of the edition's narratives; a year with no narrative is a gap.
    None when nothing matched."""
    if not counts:
        return None
    years = [y for y in {*counts, *totals} if y]
    span = range(min(years), max(years) + 1)
    shares = {y: counts.get(y, 0) / totals[y] for y in span if totals.get(y)}
    top, plot = _axis_top(list(shares.values())), CHART_HEIGHT - PLOT_TOP
    step = (PLOT_RIGHT - PLOT_LEFT) / len(span)
    xs = [PLOT_LEFT + i * step for i in range(len(span))]
    bars = [
        Bar(y, counts.get(y, 0), totals.get(y, 0), x, step, plot * shares.get(y, 0.0) / top, labelled, phone)
        for y, x, labelled, phone in zip(span, xs, _spaced(xs), _spaced(xs, PHONE_YEAR_LABEL_WIDTH), strict=True)
    ]
    ticks = [Tick(percent(top * f), CHART_HEIGHT - plot * f) for f in (0.0, 0.5, 1.0)]
    return BarChart(bars, ticks)


def tier_rows() -> list[Tick]:
    """The timeline's rows, Tier 1 on top and Special Case at the bottom, with the tiers' labels."""
    return [Tick(TIER_LABELS[tier], TIMELINE_TOP + TIMELINE_ROW * i) for i, tier in enumerate(TIERS)]


def timeline_height() -> int:
    """The height of the plot of the tier timeline: its rows, without the year labels below."""
    return TIMELINE_TOP * 2 + TIMELINE_ROW * (len(TIERS) - 1)


def tier_points(history: list[Edition]) -> list[Point]:
    """Each edition placed by year (x) and tier (y); the line breaks where a year between two
    editions has no narrative."""
    if not history:
        return []
    first, last = history[0].year, history[-1].year
    span = max(1, last - first)
    xs = [TIMELINE_LEFT + (TIMELINE_RIGHT - TIMELINE_LEFT) * (e.year - first) / span for e in history]
    rows = {tier: tick.y for tier, tick in zip(TIERS, tier_rows(), strict=True)}
    return [
        Point(e, x, rows.get(e.tier, rows["special"]), i > 0 and history[i - 1].year == e.year - 1, labelled)
        for i, (e, x, labelled) in enumerate(zip(history, xs, _spaced(xs), strict=True))
    ]
