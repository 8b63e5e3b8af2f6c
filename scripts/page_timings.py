"""Server time of the web pages a researcher moves through, against the page target (150 ms).

    python scripts/page_timings.py --index DIR [--pages ../shared/corpus/hrr/2023] [--repeat 7]
                                   [--markdown page-timings.md]

Indexes ``--pages`` into ``--index`` when it holds no index yet, then asks each route of
``ROUTES`` of the Flask app in this process (server time: no network, no browser) once to warm
up and ``--repeat`` times more, and prints the median and slowest time of each as Markdown.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from indexer.index.home import IndexHome
from indexer.index.writer import build_index
from indexer.settings import Settings
from webapp import create_app

TARGET_MS = 150
ROUTES = (
    ("home: what is indexed", "/"),
    ("results", "/search?q=child+marriage"),
    ("results, a region", "/search?q=forced+labor&region=Africa"),
    ("results, newest first", "/search?q=forced+labor&sort=newest"),
    ("a bad filter value", "/search?q=forced+labor&country=Korea"),
    ("document with a query", "/doc/hrr-2023-bgd?q=Rohingya"),
    ("document, a long one with a query", "/doc/hrr-2023-ind?q=forced+labor"),
    ("countries", "/countries"),
    ("a country", "/country/BGD"),
    ("a phrase through the years", "/trend?q=%22forced+labor%22"),
    ("export, CSV", "/api/export.csv?q=forced+labor"),
    ("export, JSON", "/api/export.json?q=forced+labor"),
)


def measure(index: Path, repeat: int) -> list[dict]:
    """For each route: its status, and the median and slowest server time in ms over ``repeat`` requests."""
    client = create_app(Settings(index=index, rate_limit=0)).test_client()
    rows = []
    for name, path in ROUTES:
        status = client.get(path).status_code
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        rows.append(
            {"page": name, "path": path, "status": status, "median_ms": statistics.median(times), "max_ms": max(times)}
        )
    return rows


def markdown(rows: list[dict]) -> str:
    """The timings as a Markdown table, each against the target."""
    lines = ["| page | path | status | median | slowest | met |", "| --- | --- | --- | --- | --- | --- |"]
    lines += [
        f"| {r['page']} | `{r['path']}` | {r['status']} | {r['median_ms']:.0f} ms | {r['max_ms']:.0f} ms "
        f"| {'yes' if r['median_ms'] <= TARGET_MS else 'no'} |"
        for r in rows
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--pages", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpus/hrr/2023")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    settings = Settings(index=args.index)
    home = IndexHome.of(settings, args.index)
    if home.current() is None:
        with home.lock():
            build_index([args.pages], home, settings)
    report = markdown(measure(args.index, args.repeat))
    print(report)
    if args.markdown:
        args.markdown.write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
