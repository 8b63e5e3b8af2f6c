"""Benchmark tipsearch on the HRR corpus, side by side with SQLite FTS5 and tantivy.

    python scripts/bench.py [--corpus ../shared/corpus/hrr] [--pdfs ../shared/corpus/pdf/real]
                            [--work DIR] [--repeat 3] [--clients 8] [--load-seconds 60] [--no-growth]
                            [--json bench-results.json] [--markdown bench-results.md]

What it measures (medians over ``--repeat`` runs for extraction and queries; the builds are
run once each, they take minutes):

- the index build with ``tipsearch index`` in a process of its own, over a copy of the corpus:
  from nothing (cold), and again with ``--force`` from the extraction cache (index only);
  seconds, MB/s of text, index size, the peak memory of its largest process; then
  ``tipsearch index`` over the unchanged folder (the time to decide that nothing changed);
  then with 5 pages corrected, the nightly case: the build made from a copy of the current
  one, and its validation. Run first, while this process is small;
- growth: the newest 1, 2 and 4 editions indexed from the extraction cache, with their build
  time, index size and search p50/p95, beside the same figures for all editions;
- ``tipsearch serve``: one client on ``/api/search``, then ``--clients`` concurrent clients for
  ``--load-seconds`` seconds, alternating ``/search`` and ``/api/search``: requests/s,
  p50/p95/p99, errors, the worker's memory;
- searches of the fixed query set (``scripts/bench_queries.tsv``: words, several words,
  phrases, boolean queries, filters; every tipsearch search also counts facets), top 10
  narratives with and without highlighted snippets: p50/p95/p99 ms;
- extraction: HTML pages/s and MB/s of text, in 2 worker processes; PDF pages/s of the PDFs
  in ``--pdfs``; and how many unchanged PDFs a second pass parses again (none, by the cache);
- the same extracted sections indexed and searched by SQLite FTS5 (``bm25()``, ``snippet()``)
  and tantivy (if installed: ``pip install -e '.[bench]'``), in processes of their own
  (``scripts/bench_engines.py``), top 10 sections, and the ratios tipsearch/FTS5 and tipsearch/tantivy;
- the targets, each with the measured figure and whether it was met (and by how much not).

It prints the Markdown report and writes it (``--markdown``) with the figures as JSON (``--json``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import pickle
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from indexer.extract import files as extract_files
from indexer.extract.files import extract_all, extract_file, find_files, is_pdf
from indexer.index.home import IndexHome
from indexer.reports.countries import all_countries, fold, lookup
from indexer.reports.narratives import slug
from indexer.reports.years import year_range
from indexer.search import engine as search_module
from indexer.search.engine import SearchRequest, search
from indexer.search.handle import open_build
from indexer.search.query import Filters
from indexer.settings import DEFAULTS
from indexer.update import validate

ROOT = Path(__file__).resolve().parent.parent
QUERIES_FILE = ROOT / "scripts" / "bench_queries.tsv"
TIPSEARCH = [sys.executable, "-c", "from webapp.cli import main; main()"]
# (figure, target, unit): a figure is met when it is at most its target (at least, for rates).
TARGETS = [
    ("query_snippets_p50", 20, "ms"),
    ("query_snippets_p95", 50, "ms"),
    ("api_one_client_p95", 60, "ms"),
    ("web_requests_per_s", 100, "requests/s"),
    ("web_search_p95", 150, "ms"),
    ("web_errors", 0, ""),
    ("build_index_only_s", 150, "s"),
    ("index_mb", 400, "MB"),
    ("build_index_only_peak_mb", 1024, "MB"),
    ("nightly_s", 15, "s"),
    ("unchanged_s", 10, "s"),
    ("pdf_pages_per_s", 12, "pages/s"),
    ("pdf_reparsed", 0, "files"),
]
CORRECTED_PAGES = 5  # pages corrected for the nightly figure
GROWTH = (1, 2, 4)  # editions indexed for the growth figures, besides all of them
RATES = {"pdf_pages_per_s", "web_requests_per_s"}


def load_queries(path: Path = QUERIES_FILE) -> list[tuple[str, dict[str, str]]]:
    """The fixed query set: (query text, filters by name)."""
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, _, filters = line.partition("\t")
            queries.append((text, dict(f.split("=", 1) for f in filters.split(";") if f)))
    return queries


def kind_of(text: str, filters: dict) -> str:
    """The kind of a query, for the per-kind figures."""
    if filters:
        return "filtered"
    if '"' in text:
        return "phrase"
    if any(op in text for op in (" AND ", " OR ", " NOT ", " -", "exact:", "*")):
        return "boolean"
    return "one word" if len(text.split()) == 1 else "several words"


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50, p95 and p99 of ``samples`` (milliseconds), rounded."""
    ordered = sorted(samples)
    pick = lambda p: ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]  # noqa: E731
    return {"p50": round(pick(50), 1), "p95": round(pick(95), 1), "p99": round(pick(99), 1)}


def _mb(paths) -> float:
    return sum(p.stat().st_size for p in paths if p.is_file()) / 1e6


def text_mb(narratives) -> float:
    return sum(len(s.text.encode()) for n in narratives for s in n.sections) / 1e6


# 1. Extraction


def bench_extraction(corpus: Path, pdf_folder: Path, repeat: int, work: Path) -> tuple[dict, list]:
    files, _ = find_files([corpus])
    html = [f for f in files if not is_pdf(f)]
    runs, narratives = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        extracted = list(extract_all(html, DEFAULTS))
        runs.append(time.perf_counter() - started)
        narratives = [n for _, found, _ in extracted for n in found or []]
    seconds = statistics.median(runs)
    figures = {
        "html_pages": len(html),
        "narratives": len(narratives),
        "html_on_disk_mb": round(_mb(html), 1),
        "text_mb": round(text_mb(narratives), 1),
        "html_seconds": round(seconds, 1),
        "html_pages_per_s": round(len(html) / seconds, 1),
        "html_text_mb_per_s": round(text_mb(narratives) / seconds, 2),
    }
    pdfs, _ = find_files([pdf_folder]) if pdf_folder.is_dir() else ([], [])
    if pdfs:
        figures.update(bench_pdfs(pdfs, repeat, work))
    return figures, narratives


def _pdf_pages(path: Path) -> int:
    from pdfminer.pdfpage import PDFPage

    with path.open("rb") as file:
        return sum(1 for _ in PDFPage.get_pages(file))


def bench_pdfs(pdfs: list[Path], repeat: int, work: Path) -> dict:
    pages = sum(_pdf_pages(p) for p in pdfs)
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        list(extract_all(pdfs, DEFAULTS))
        runs.append(time.perf_counter() - started)
    cache = work / "pdf.cache"
    for pdf in pdfs:
        extract_file(pdf, DEFAULTS, cache)  # fills the cache
    parsed = []
    real_parse = extract_files._parse
    extract_files._parse = lambda path, *args: parsed.append(path) or real_parse(path, *args)
    try:
        for pdf in pdfs:
            extract_file(pdf, DEFAULTS, cache)  # unchanged: must come from the cache
    finally:
        extract_files._parse = real_parse
    seconds = statistics.median(runs)
    return {
        "pdf_files": len(pdfs),
        "pdf_pages": pages,
        "pdf_seconds": round(seconds, 1),
        "pdf_pages_per_s": round(pages / seconds, 1),
        "pdf_reparsed": len(parsed),
    }


# 2. Builds


def run_measured(command: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Run ``command``: (wall seconds, peak MB of its largest process, output)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, **(env or {})}
    )
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command[3:])} failed:\n{output}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024, output


def _correct_pages(folder: Path, count: int) -> None:
    """Change the text of ``count`` pages of ``folder`` (gzip or plain HTML) as a corrected page would."""
    for page in sorted(folder.rglob("*.htm*"))[:count]:
        opener = gzip.open if page.suffix == ".gz" else open
        with opener(page, "rb") as file:
            html = file.read()
        with opener(page, "wb") as file:
            file.write(html.replace(b"</p>", b" (corrected)</p>", 1))


def bench_builds(corpus: Path, index: Path) -> dict:
    """Run first, while this process is small: a child's peak memory counts its parent's at the fork.

    The builds read a copy of the corpus, in which a few pages are then corrected for the
    nightly case: an update that starts from a copy of the current build.
    """
    pages = index.with_name("corpus")
    for leftover in (index, index.with_name(index.name + ".cache"), pages):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(corpus, pages)
    command = [*TIPSEARCH, "index", str(pages), "--index", str(index)]
    cold, cold_mb, _ = run_measured(command)
    warm, warm_mb, _ = run_measured([*command, "--force"])
    unchanged, _, said = run_measured(command)
    if "nothing changed" not in said:
        raise SystemExit(f"an unchanged folder was rebuilt:\n{said}")
    index_mb = round(_mb(IndexHome(index).searched().rglob("*")), 1)
    _correct_pages(pages, CORRECTED_PAGES)
    incremental, _, said = run_measured(command)
    if f"the {CORRECTED_PAGES} changed of" not in said:
        raise SystemExit(f"corrected pages were not indexed into a copy of the build:\n{said}")
    new, previous = IndexHome(index).builds()[-2:][::-1]
    started = time.perf_counter()
    if problems := validate(new, previous, DEFAULTS):
        raise SystemExit(f"the nightly build does not validate: {problems}")
    return {
        "build_cold_s": round(cold, 1),
        "build_cold_peak_mb": round(cold_mb),
        "build_index_only_s": round(warm, 1),
        "build_index_only_peak_mb": round(warm_mb),
        "index_mb": index_mb,
        "unchanged_s": round(unchanged, 2),
        "nightly_s": round(incremental + time.perf_counter() - started, 1),
    }


def bench_growth(corpus: Path, index: Path, queries, repeat: int) -> list[dict]:
    """Index the newest 1, 2 and 4 editions from the full build's extraction cache: build time, size, searches."""
    editions = sorted((folder for folder in corpus.iterdir() if folder.is_dir()), reverse=True)
    growth = []
    for count in GROWTH:
        if count >= len(editions):
            break
        home = index.with_name(f"growth-{count}")
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(home.with_name(home.name + ".cache"), ignore_errors=True)
        shutil.copytree(IndexHome(index).cache, IndexHome(home).cache, copy_function=os.link)
        seconds, _, said = run_measured([*TIPSEARCH, "index", *map(str, editions[:count]), "--index", str(home)])
        with open_build(DEFAULTS, home) as build:
            timed = _time_searches(build, queries, repeat)
            narratives = sum(1 for _ in build.searcher.documents(kind="narrative"))
        growth.append(
            {
                "editions": count,
                "narratives": narratives,
                "build_index_only_s": round(seconds, 1),
                "index_mb": round(_mb(IndexHome(home).searched().rglob("*")), 1),
                **percentiles([ms for samples in timed.values() for ms in samples]),
            }
        )
    return growth


# 3. Searches


def _time_searches(build, queries, repeat: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {}
    for round_number in range(repeat + 1):
        for text, filters in queries:
            started = time.perf_counter()
            search(build, SearchRequest(q=text, filters=Filters(**filters)))
            if round_number:
                samples.setdefault(kind_of(text, filters), []).append((time.perf_counter() - started) * 1000)
    return samples


def bench_searches(index: Path, queries, repeat: int) -> dict:
    with open_build(DEFAULTS, index) as build:
        with_snippets = _time_searches(build, queries, repeat)
        real_snippet = search_module.snippet
        search_module.snippet = lambda text, terms, sentences: ("", 0)
        try:
            without = _time_searches(build, queries, repeat)
        finally:
            search_module.snippet = real_snippet
    every = lambda by_kind: [ms for samples in by_kind.values() for ms in samples]  # noqa: E731
    return {
        "query_ms_snippets": every(with_snippets),
        "query_ms": every(without),
        "by_kind_snippets": {kind: percentiles(s) for kind, s in with_snippets.items()},
    }


# 4. The other engines


def _resolved(filters: dict[str, str]) -> dict:
    """Filters as the other engines take them: ISO3 code, year bounds, region name, section key."""
    resolved: dict = {}
    if "report" in filters:
        resolved["report"] = filters["report"]
    if "country" in filters:
        resolved["iso3"] = lookup(filters["country"]).iso3
    if "year" in filters:
        resolved["years"] = list(year_range(filters["year"]))
    if "region" in filters:
        resolved["region"] = next(c.region for c in all_countries() if fold(c.region) == fold(filters["region"]))
    if "section" in filters:
        resolved["section"] = slug(filters["section"])
    return resolved


def bench_engines(narratives, queries, repeat: int, work: Path) -> dict:
    sections = [
        {
            "heading": s.heading,
            "body": s.text,
            "narrative": n.id,
            "report": n.report,
            "year": n.year or 0,
            "iso3": n.iso3,
            "region": n.region,
            "section": " ".join(s.keys),
        }
        for n in narratives
        for s in n.sections
    ]
    (work / "sections.pickle").write_bytes(pickle.dumps(sections))
    (work / "queries.json").write_text(json.dumps([{"text": t, "filters": _resolved(f)} for t, f in queries]))
    results = {}
    for engine in ("fts5", "tantivy"):
        if engine == "tantivy" and not _installed("tantivy"):
            print("tantivy is not installed (pip install -e '.[bench]'): left out", file=sys.stderr)
            continue
        out = work / f"{engine}.json"
        run_measured(
            [
                sys.executable,
                str(ROOT / "scripts" / "bench_engines.py"),
                engine,
                str(work / "sections.pickle"),
                str(work / "queries.json"),
                str(work),
                str(repeat),
                str(out),
            ]
        )
        figures = json.loads(out.read_text())
        results[engine] = {
            "build_s": round(figures["build_seconds"], 1),
            "index_mb": round(figures["index_mb"], 1),
            "peak_mb": round(figures["peak_mb"]),
            "query_ms_snippets": figures["query_ms_snippets"],
            "query_ms": figures["query_ms"],
        }
    return results


def _installed(module: str) -> bool:
    try:
        __import__(module)
        return True
    except ImportError:
        return False


# 5. The web app under load


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _memory_mb(pid: int) -> dict[str, float]:
    """Resident and peak memory of the server's largest worker: its children (gunicorn), else itself."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    largest = {"rss": 0, "peak": 0}
    for worker in children or [str(pid)]:
        fields = dict(
            line.split(":", 1) for line in Path(f"/proc/{worker}/status").read_text().splitlines() if ":" in line
        )
        largest = max(
            largest,
            {
                "rss": round(int(fields["VmRSS"].split()[0]) / 1024),
                "peak": round(int(fields["VmHWM"].split()[0]) / 1024),
            },
            key=lambda m: m["rss"],
        )
    return {**largest, "workers": len(children) or 1}


def _load(base: str, queries, clients: int, seconds: float, paths: tuple[str, ...]) -> dict:
    """``clients`` threads asking the queries in turn for ``seconds``, alternating ``paths``."""
    samples: dict[str, list[float]] = {path: [] for path in paths}
    errors: list[str] = []
    deadline = time.perf_counter() + seconds

    def client(number: int) -> None:
        session = requests.Session()
        turn = number
        while time.perf_counter() < deadline:
            text, filters = queries[turn % len(queries)]
            path = paths[turn % len(paths)]
            turn += clients
            started = time.perf_counter()
            try:
                answer = session.get(base + path, params={"q": text, **filters}, timeout=30)
                if answer.status_code != 200:
                    errors.append(f"{answer.status_code} {path} {text!r}")
            except requests.RequestException as error:
                errors.append(f"{type(error).__name__} {path} {text!r}")
            samples[path].append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    total = sum(len(s) for s in samples.values())
    return {
        "clients": clients,
        "seconds": round(elapsed),
        "requests": total,
        "requests_per_s": round(total / elapsed, 1),
        "errors": len(errors),
        "first_errors": errors[:5],
        **{path: percentiles(s) for path, s in samples.items() if s},
    }


def bench_web(index: Path, queries, clients: int, seconds: float) -> dict:
    """``tipsearch serve``: one client on ``/api/search``, then ``clients`` on ``/search`` and ``/api/search``."""
    port = _free_port()
    server = subprocess.Popen(
        [*TIPSEARCH, "serve", "--index", str(index), "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "TIPSEARCH_RATE_LIMIT": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        _load(base, queries, clients, min(seconds, 10), ("/search", "/api/search"))  # every worker warmed up
        alone = _load(base, queries, 1, min(seconds, 30), ("/api/search",))
        figures = _load(base, queries, clients, seconds, ("/search", "/api/search"))
        memory = _memory_mb(server.pid)
    finally:
        server.terminate()
        server.wait()
    return {
        **figures,
        "one_client": alone["/api/search"],
        "errors": figures["errors"] + alone["errors"],
        "workers": memory["workers"],
        "worker_rss_mb": memory["rss"],
        "worker_peak_mb": memory["peak"],
    }


# 6. Report


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.1f}x" if theirs else "-"


def report(figures: dict) -> str:
    e, b, q, w = figures["extraction"], figures["build"], figures["search"], figures["web"]
    engines = figures["engines"]
    lines = [
        f"Machine: {figures['machine']}. Corpus: {e['html_pages']} pages ({e['html_on_disk_mb']} MB on disk, "
        f"{e['text_mb']} MB of text). Queries: {figures['queries']} ({figures['query_kinds']}), "
        f"{figures['repeat']} rounds after a warm-up.",
        "",
        "| extraction | value |",
        "| --- | --- |",
        f"| HTML, 2 processes | {e['html_pages_per_s']} pages/s, {e['html_text_mb_per_s']} MB/s of text "
        f"({e['html_seconds']} s) |",
    ]
    if "pdf_pages" in e:
        lines.append(
            f"| PDF ({e['pdf_files']} files, {e['pdf_pages']} pages) | {e['pdf_pages_per_s']} pages/s "
            f"({e['pdf_seconds']} s); unchanged PDFs parsed again: {e['pdf_reparsed']} |"
        )
    header = ["figure", "tipsearch", *[f"{name} | tipsearch/{name}" for name in engines]]
    lines += ["", "| " + " | ".join(header) + " |", "|" + " --- |" * (1 + len(header) + len(engines))]

    def row(label: str, ours, key: str | None, unit: str = "") -> None:
        cells = [label, f"{ours}{unit}"]
        for theirs in engines.values():
            value = theirs.get(key) if key else None
            cells += [
                f"{value}{unit}" if value is not None else "-",
                ratio(ours, value) if isinstance(value, (int, float)) else "-",
            ]
        lines.append("| " + " | ".join(cells) + " |")

    row("build, cold (extraction + index)", b["build_cold_s"], None, " s")
    row("build, index only (extraction cached)", b["build_index_only_s"], "build_s", " s")
    row("build peak memory, largest process", b["build_index_only_peak_mb"], "peak_mb", " MB")
    row("index size", b["index_mb"], "index_mb", " MB")
    row("unchanged folder recognised", b["unchanged_s"], None, " s")
    row(f"nightly build, {CORRECTED_PAGES} pages corrected (published and validated)", b["nightly_s"], None, " s")
    for snippets, label in ((True, "with snippets"), (False, "without snippets")):
        key = "query_ms_snippets" if snippets else "query_ms"
        ours = percentiles(q[key])
        theirs = {name: percentiles(engine[key]) for name, engine in engines.items()}
        for p in ("p50", "p95", "p99"):
            cells = [f"search {label}, {p}", f"{ours[p]} ms"]
            for name in engines:
                cells += [f"{theirs[name][p]} ms", ratio(ours[p], theirs[name][p])]
            lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| tipsearch search with snippets, by kind | p50 | p95 | p99 |", "| --- | --- | --- | --- |"]
    lines += [f"| {kind} | {p['p50']} | {p['p95']} | {p['p99']} |" for kind, p in q["by_kind_snippets"].items()]
    lines += [
        "",
        f"Web app ({w['workers']} worker processes), {w['clients']} clients for {w['seconds']} s: "
        f"{w['requests']} requests, {w['requests_per_s']} requests/s, {w['errors']} errors; the largest "
        f"worker's memory {w['worker_rss_mb']} MB after the run (peak {w['worker_peak_mb']} MB).",
        "",
        "| path | p50 | p95 | p99 |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {path} | {w[path]['p50']} ms | {w[path]['p95']} ms | {w[path]['p99']} ms |"
        for path in ("/search", "/api/search")
        if path in w
    ]
    one = w["one_client"]
    lines.append(f"| /api/search, one client | {one['p50']} ms | {one['p95']} ms | {one['p99']} ms |")
    lines += [
        "",
        "| editions | narratives | build, index only | index size | search with snippets p50 / p95 |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {g['editions']} | {g['narratives']} | {g['build_index_only_s']} s | {g['index_mb']} MB | "
        f"{g['p50']} / {g['p95']} ms |"
        for g in [*figures["growth"], {"editions": "all", **e, **b, **percentiles(q["query_ms_snippets"])}]
    ]
    lines += ["", "| target | goal | measured | met |", "| --- | --- | --- | --- |"]
    for name, goal, unit, value in figures["targets"]:
        met = value >= goal if name in RATES else value <= goal
        how = "yes" if met else (f"no ({ratio(value, goal)} the goal)" if goal else f"no ({value})")
        lines.append(f"| {name} | {goal} {unit} | {value} {unit} | {how} |")
    return "\n".join(lines) + "\n"


def targets(figures: dict) -> list:
    search_p = percentiles(figures["search"]["query_ms_snippets"])
    flat = {
        **figures["extraction"],
        **figures["build"],
        "query_snippets_p50": search_p["p50"],
        "query_snippets_p95": search_p["p95"],
        "web_search_p95": figures["web"]["/search"]["p95"],
        "web_requests_per_s": figures["web"]["requests_per_s"],
        "api_one_client_p95": figures["web"]["one_client"]["p95"],
        "web_errors": figures["web"]["errors"],
        "web_worker_mb": figures["web"]["worker_rss_mb"],
    }
    return [(name, goal, unit, flat[name]) for name, goal, unit in TARGETS if name in flat]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "hrr")
    parser.add_argument("--pdfs", type=Path, default=ROOT.parent / "shared" / "corpus" / "pdf" / "real")
    parser.add_argument("--work", type=Path, default=None, help="Folder for the indexes [default: a temporary one].")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--load-seconds", type=float, default=60)
    parser.add_argument("--no-growth", dest="growth", action="store_false", help="Skip the growth figures.")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--markdown", type=Path, default=None)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        parser.error(f"--corpus {args.corpus}: no such folder")
    work = args.work or Path(tempfile.mkdtemp(prefix="tipsearch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    queries = load_queries()
    kinds: dict[str, int] = {}
    for text, filters in queries:
        kinds[kind_of(text, filters)] = kinds.get(kind_of(text, filters), 0) + 1
    figures: dict = {
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        "queries": len(queries),
        "query_kinds": ", ".join(f"{n} {k}" for k, n in kinds.items()),
        "repeat": args.repeat,
    }
    print("building…", file=sys.stderr)
    figures["build"] = bench_builds(args.corpus, work / "index")
    print("web load…", file=sys.stderr)
    figures["web"] = bench_web(work / "index", queries, args.clients, args.load_seconds)
    print("searching…", file=sys.stderr)
    figures["search"] = bench_searches(work / "index", queries, args.repeat)
    print("growth…", file=sys.stderr)
    figures["growth"] = bench_growth(args.corpus, work / "index", queries, 1) if args.growth else []
    print("extracting…", file=sys.stderr)
    figures["extraction"], narratives = bench_extraction(args.corpus, args.pdfs, args.repeat, work)
    text = figures["extraction"]["text_mb"]
    for build in ("build_cold", "build_index_only"):
        figures["build"][f"{build}_mb_per_s"] = round(text / figures["build"][f"{build}_s"], 2)
    print("other engines…", file=sys.stderr)
    figures["engines"] = bench_engines(narratives, queries, args.repeat, work)
    figures["targets"] = targets(figures)
    markdown = report(figures)
    print(markdown)
    if args.markdown:
        args.markdown.write_text(markdown, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
