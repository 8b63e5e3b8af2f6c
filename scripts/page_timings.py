"""Server time of the web pages a researcher moves through, against the page target (150 ms); with
``--hostile``, of the worst requests a client can send to an index holding hostile pages, against 1 s.

    python scripts/page_timings.py --index DIR [--pages ../shared/corpus/hrr/2023] [--repeat 7]
                                   [--hostile] [--markdown page-timings.md]

Indexes ``--pages`` (and, with ``--hostile``, the pages of ``HOSTILE_PAGES`` beside them) into
``--index`` when it holds no index yet, then asks each route of the Flask app in this process
(server time: no network, no browser) once to warm up and ``--repeat`` times more, and prints the
median and slowest time of each as Markdown. A hostile route may give a new path at every asking
(words the index has not been asked for before), so that no cache answers it.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from indexer.index.analysis import STOPWORDS
from indexer.index.home import IndexHome
from indexer.index.writer import build_index
from indexer.search.handle import open_build
from indexer.settings import Settings
from webapp import create_app

TARGET_MS = 150
WORST_TARGET_MS = 1000
ROUTES: tuple[tuple[str, str | Callable[[], str]], ...] = (
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
ENDLESS = "forced labor government police report. " * 9000  # one sentence: no full stop before a capital
HOSTILE_PAGES = {
    "endless-sentence.html": f"<title>Endless</title><main><h1>Endless</h1><p>{ENDLESS}</p></main>",
    "endless-initials.html": "<title>Initials</title><main><p>" + "A. " * 1_600_000 + "The police report.</p></main>",
    "many-headings.html": "<title>Headings</title><main>"
    + "".join(f"<h2>Heading {n}</h2><p>Police report {n}.</p>" for n in range(45_000))
    + "</main>",
}


def _q(path: str, q: str, **more: str) -> str:
    return f"{path}?{urllib.parse.urlencode({'q': q, **more})}"


def worst_routes(index: Path) -> list[tuple[str, str | Callable[[], str]]]:
    """The costliest requests a client can send, from the words the index holds most."""
    with open_build(Settings(index=index), index) as build:
        frequent = sorted(
            ((w.decode(), i.doc_frequency()) for w, i in build.searcher.reader().iter_field("exact")),
            key=lambda entry: -entry[1],
        )
    common = [w for w, _ in frequent if w.isalpha() and len(w) > 3 and w not in STOPWORDS]
    prefixes = sorted({w[:3] for w in common[:400]})
    fresh = itertools.cycle([prefixes[i : i + 5] for i in range(0, len(prefixes) - 5, 5)])
    paired = " ".join(f'"{a} {b}"' for a, b in zip(common[100:150], common[150:200], strict=True))
    pairs = list(zip(common[0:130:2], common[1:130:2], strict=True))
    return [
        ("every common word", _q("/api/search", " ".join(common[:99]))),
        ("every common word, the page", _q("/search", " ".join(common[:99]))),
        ("every common word, CSV", _q("/api/export.csv", " ".join(common[:99]))),
        ("every common word, feed", _q("/search.atom", " ".join(common[:99]))),
        ("124 nonsense words as one phrase", _q("/api/search", '"' + " ".join(f"qz{n}xv" for n in range(124)) + '"')),
        ("the 5 commonest prefixes", _q("/api/search", "pro* con* dis* com* tra*")),
        ("5 prefixes not asked before", lambda: _q("/api/search", " ".join(f"{p}*" for p in next(fresh)))),
        ("50 phrases of two common words", _q("/api/search", paired)),
        ("65 proximity phrases (refused)", _q("/api/search", " ".join(f'"{a} {b}"~20' for a, b in pairs[:65]))),
        ("3 proximity phrases of common words", _q("/api/search", " ".join(f'"{a} {b}"~20' for a, b in pairs[:3]))),
        ("the longest page, by country", _q("/api/search", "forced labor", limit="200", sort="country")),
        ("the endless page's words", _q("/search", "forced labor government police report")),
        ("the endless page's words, CSV", _q("/api/export.csv", "forced labor government police report")),
        ("the endless page's words, feed", _q("/search.atom", "police report")),
        ("the endless page, its words marked", _q("/doc/other-undated-endless-sentence-html", '"forced labor" police')),
        ("a phrase every hostile page holds", _q("/search", '"police report"')),
        ("an unclosed range, trend", _q("/trend", " year:[" * 37_000)),
        ("an unclosed range, document", _q("/doc/hrr-2023-bgd", " year:[" * 37_000)),
        ("a word that folds 18-fold", _q("/api/search", "\ufdfa" * 440)),
    ]


def measure(index: Path, repeat: int, routes=ROUTES) -> list[dict]:
    """For each route: its status, and the median and slowest server time in ms over ``repeat`` requests."""
    client = create_app(Settings(index=index, rate_limit=0)).test_client()
    rows = []
    for name, route in routes:
        path = route if isinstance(route, str) else route()
        status = client.get(path).status_code
        times = []
        for _ in range(repeat):
            path = route if isinstance(route, str) else route()
            start = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        shown = path if len(path) <= 80 else path[:77] + "..."
        rows.append(
            {"page": name, "path": shown, "status": status, "median_ms": statistics.median(times), "max_ms": max(times)}
        )
    return rows


def markdown(rows: list[dict], target: float = TARGET_MS, measure: str = "median_ms") -> str:
    """The timings as a Markdown table, each against the target (by its median, or its slowest time)."""
    lines = ["| page | path | status | median | slowest | met |", "| --- | --- | --- | --- | --- | --- |"]
    lines += [
        f"| {r['page']} | `{r['path']}` | {r['status']} | {r['median_ms']:.0f} ms | {r['max_ms']:.0f} ms "
        f"| {'yes' if r[measure] <= target else 'no'} |"
        for r in rows
    ]
    return "\n".join(lines)


def write_hostile_pages(folder: Path) -> Path:
    """``HOSTILE_PAGES`` written into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in HOSTILE_PAGES.items():
        (folder / name).write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--pages", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpus/hrr/2023")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--hostile", action="store_true", help="time the worst requests, hostile pages indexed")
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    settings = Settings(index=args.index)
    home = IndexHome.of(settings, args.index)
    if home.current() is None:
        pages = [args.pages]
        if args.hostile:
            pages.append(write_hostile_pages(args.index.with_name(args.index.name + ".hostile-pages")))
        with home.lock():
            build_index(pages, home, settings)
    if args.hostile:
        report = markdown(measure(args.index, args.repeat, worst_routes(args.index)), WORST_TARGET_MS, "max_ms")
    else:
        report = markdown(measure(args.index, args.repeat))
    print(report)
    if args.markdown:
        args.markdown.write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
