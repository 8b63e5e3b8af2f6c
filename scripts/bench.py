"""Benchmark: index build time and size, and search latency with and without snippets.

    python scripts/bench.py [--corpus ../shared/corpus/hrr] [--index DIR] [--reuse] [--repeat 3]

Builds the index of ``--corpus`` (or, with ``--reuse``, uses the one at ``--index``),
then runs a fixed set of varied queries (words, natural-language questions,
phrases, filters) ``--repeat`` times and prints a Markdown table; ``--json FILE``
also writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

from indexer import search as search_module
from indexer.build import build_index
from indexer.query import Filters
from indexer.search import SearchRequest, search
from indexer.store import open_searcher

ROOT = Path(__file__).resolve().parent.parent
QUERIES: list[tuple[str, dict]] = [
    ("torture", {}), ("journalists", {}), ("Rohingya", {}), ("corruption", {}), ("asylum", {}),
    ("trafficking", {}), ("disappearance", {}), ("prisons", {}), ("LGBTQI", {}), ("censorship", {}),
    ("forced labor in fishing", {}), ("Rohingya refugees in Cox's Bazar", {}),
    ("police abuse of detainees", {}), ("child soldiers recruitment", {}),
    ("freedom of religion for minorities", {}), ("election fraud and opposition arrests", {}),
    ("domestic workers passports confiscated", {}), ("internet shutdowns during protests", {}),
    ("female genital mutilation", {}), ("trafficking victims shelters", {}),
    ('"domestic violence"', {}), ('"forced labor"', {}), ('"sex trafficking"', {}),
    ('"freedom of expression"', {}), ('"human rights defenders"', {}), ('"child marriage"', {}),
    ('"rule of law" judiciary', {}), ('"security forces" killings', {}),
    ("torture NOT prison", {}), ("refugees AND camps", {}),
    ("forced labor", {"year": "2023"}), ("journalists", {"year": "2016-2019"}),
    ("child labor", {"region": "Africa"}), ("trafficking", {"country": "Burma"}),
    ("migrant workers", {"section": "section-7"}), ("prison conditions", {"country": "Russia"}),
    ("asylum seekers", {"year": "2020", "region": "Europe and Eurasia"}),
    ("exact:labour", {}), ("Cox's Bazar", {}), ("Côte d’Ivoire elections", {}),
]


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50, p95 and p99 of ``samples`` in milliseconds, rounded."""
    ordered = sorted(samples)
    pick = lambda p: ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]  # noqa: E731
    return {"p50": round(pick(50), 1), "p95": round(pick(95), 1), "p99": round(pick(99), 1)}


def time_queries(searcher, repeat: int) -> list[float]:
    """Milliseconds of each search, over ``repeat`` rounds of QUERIES (after one warm-up round)."""
    samples = []
    for round_number in range(repeat + 1):
        for text, filters in QUERIES:
            started = time.perf_counter()
            search(searcher, SearchRequest(q=text, filters=Filters(**filters)))
            if round_number:
                samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "hrr")
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="Use the existing index at --index.")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    index = args.index or Path(tempfile.mkdtemp(prefix="tipsearch-bench-")) / "index"
    figures: dict[str, object] = {"machine": f"{platform.machine()}, {platform.python_version()}",
                                  "queries": len(QUERIES), "repeat": args.repeat}
    if not args.reuse:
        report = build_index([args.corpus], index)
        disk_mb = sum(p.stat().st_size for p in args.corpus.rglob("*") if p.is_file()) / 1e6
        figures.update(build_seconds=round(report.seconds, 1), narratives=report.narratives,
                       sections=report.sections, failures=len(report.failures),
                       corpus_mb_on_disk=round(disk_mb, 1))
    figures["index_mb"] = round(sum(p.stat().st_size for p in index.rglob("*") if p.is_file()) / 1e6, 1)
    searcher = open_searcher(index)
    figures["search_with_snippets_ms"] = percentiles(time_queries(searcher, args.repeat))
    real_snippet = search_module.snippet
    search_module.snippet = lambda text, terms, sentences: ("", 0)
    try:
        figures["search_without_snippets_ms"] = percentiles(time_queries(searcher, args.repeat))
    finally:
        search_module.snippet = real_snippet
    print("| figure | value |\n| --- | --- |")
    for name, value in figures.items():
        print(f"| {name} | {value} |")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
