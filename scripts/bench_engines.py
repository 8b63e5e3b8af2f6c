"""The other engines of the benchmark: SQLite FTS5 and tantivy over the same sections.

    python scripts/bench_engines.py fts5|tantivy SECTIONS.pickle QUERIES.json WORKDIR REPEAT OUT.json

Run by ``scripts/bench.py`` in a process of its own, so that its peak memory is its own.
``SECTIONS.pickle`` holds the sections tipsearch extracted (one row per section, with the
narrative's report, year, country, region and section keys); ``QUERIES.json`` the query set
with filters already resolved (ISO3 codes, year bounds, section keys). Each engine indexes the
sections, then runs every query ``REPEAT`` times (after a warm-up round) for its top 10
sections, with and without highlighted snippets; OUT.json gets build seconds, index MB,
latencies in milliseconds and the process's peak memory.
"""

from __future__ import annotations

import json
import pickle
import re
import resource
import shutil
import sqlite3
import sys
import time
from pathlib import Path

# A query's pieces: "phrases", parentheses, operators, -word, exact:word, word*, words.
_PIECE = re.compile(r'"[^"]*"|[()]|\bAND\b|\bOR\b|\bNOT\b|-?(?:exact:)?[^\s()"]+')


def pieces(text: str) -> list[str]:
    """The query's phrases, words and operators, in order."""
    return _PIECE.findall(text)


def _fts5_operand(piece: str) -> str:
    word = piece.removeprefix("exact:")
    if word.startswith('"'):
        return word
    prefix = word.endswith("*")
    word = word.rstrip("*").replace('"', "")
    return f'"{word}"' + (" *" if prefix else "")


def fts5_expression(text: str) -> str:
    """The query in FTS5 syntax: words OR-ed (FTS5 would AND them), operators kept, -word as NOT."""
    out: list[str] = []
    for piece in pieces(text):
        operand = piece not in ("AND", "OR", "NOT", ")") and not piece.startswith("-")
        if out and out[-1] not in ("AND", "OR", "NOT", "(") and (operand or piece.startswith("-")):
            out.append("NOT" if piece.startswith("-") else "OR")
        elif piece.startswith("-"):
            out.append("NOT")
        out.append(_fts5_operand(piece.lstrip("-")) if piece not in ("AND", "OR", "NOT", "(", ")") else piece)
    return " ".join(out)


def tantivy_syntax(text: str) -> str:
    """The query in tantivy's syntax: ``NOT x`` as ``-x``, ``exact:`` dropped."""
    return re.sub(r"\bNOT\s+", "-", text).replace("exact:", "")


def _fts5_filters(filters: dict) -> tuple[str, list]:
    clauses, values = [], []
    if "report" in filters:
        clauses.append("report = ?")
        values.append(filters["report"])
    if "iso3" in filters:
        clauses.append("iso3 = ?")
        values.append(filters["iso3"])
    if "years" in filters:
        clauses.append("year BETWEEN ? AND ?")
        values += filters["years"]
    if "region" in filters:
        clauses.append("region = ?")
        values.append(filters["region"])
    if "section" in filters:
        clauses.append("(' ' || section || ' ') LIKE ?")
        values.append(f"% {filters['section']} %")
    return "".join(f" AND {c}" for c in clauses), values


def run_fts5(sections: list[dict], queries: list[dict], work: Path, repeat: int) -> dict:
    path = work / "fts5.db"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    started = time.perf_counter()
    db.execute(
        "CREATE VIRTUAL TABLE s USING fts5(heading, body, narrative UNINDEXED, report UNINDEXED, "
        "year UNINDEXED, iso3 UNINDEXED, region UNINDEXED, section UNINDEXED, "
        "tokenize='porter unicode61')"
    )
    db.executemany(
        "INSERT INTO s VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (s["heading"], s["body"], s["narrative"], s["report"], s["year"], s["iso3"], s["region"], s["section"])
            for s in sections
        ],
    )
    db.commit()
    build = time.perf_counter() - started

    def query(q: dict, snippets: bool) -> list:
        where, values = _fts5_filters(q["filters"])
        shown = "narrative, snippet(s, 1, '<mark>', '</mark>', '…', 24)" if snippets else "narrative"
        if q["text"]:
            sql = f"SELECT {shown} FROM s WHERE s MATCH ?{where} ORDER BY bm25(s) LIMIT 10"
            return db.execute(sql, [fts5_expression(q["text"]), *values]).fetchall()
        return db.execute(f"SELECT narrative FROM s WHERE 1{where} LIMIT 10", values).fetchall()

    return {"build_seconds": build, "index_mb": path.stat().st_size / 1e6, **_latencies(query, queries, repeat)}


def run_tantivy(sections: list[dict], queries: list[dict], work: Path, repeat: int) -> dict:
    import tantivy

    folder = work / "tantivy"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("heading", tokenizer_name="en_stem")
    builder.add_text_field("body", stored=True, tokenizer_name="en_stem")
    for name in ("narrative", "report", "iso3", "region"):
        builder.add_text_field(name, stored=name == "narrative", tokenizer_name="raw")
    builder.add_text_field("section", tokenizer_name="whitespace")
    builder.add_integer_field("year", indexed=True, fast=True)
    schema = builder.build()
    index = tantivy.Index(schema, path=str(folder))
    started = time.perf_counter()
    writer = index.writer(heap_size=256_000_000, num_threads=2)
    for s in sections:
        writer.add_document(tantivy.Document(**{k: [v] for k, v in s.items()}))
    writer.commit()
    writer.wait_merging_threads()
    build = time.perf_counter() - started
    index.reload()
    searcher = index.searcher()

    def query(q: dict, snippets: bool) -> list:
        must = [
            tantivy.Query.term_query(schema, name, q["filters"][name])
            for name in ("report", "iso3", "region", "section")
            if name in q["filters"]
        ]
        if "years" in q["filters"]:
            low, high = q["filters"]["years"]
            must.append(tantivy.Query.range_query(schema, "year", tantivy.FieldType.Integer, low, high))
        text = (
            index.parse_query_lenient(tantivy_syntax(q["text"]), ["heading", "body"])[0]
            if q["text"]
            else tantivy.Query.all_query()
        )
        full = tantivy.Query.boolean_query([(tantivy.Occur.Must, part) for part in (text, *must)])
        hits = searcher.search(full, 10).hits
        docs = [searcher.doc(address) for _, address in hits]
        if snippets and q["text"]:
            generator = tantivy.SnippetGenerator.create(searcher, full, schema, "body")
            return [generator.snippet_from_doc(doc).to_html() for doc in docs]
        return [doc["narrative"] for doc in docs]

    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
    return {"build_seconds": build, "index_mb": size, **_latencies(query, queries, repeat)}


def _latencies(query, queries: list[dict], repeat: int) -> dict:
    figures = {}
    for snippets in (True, False):
        samples = []
        for round_number in range(repeat + 1):
            for q in queries:
                started = time.perf_counter()
                query(q, snippets)
                if round_number:
                    samples.append((time.perf_counter() - started) * 1000)
        figures["query_ms_snippets" if snippets else "query_ms"] = samples
    return figures


def peak_mb() -> float:
    """This process's peak resident memory since it started (Linux; ``ru_maxrss`` would count the
    parent's memory at the fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    engine, sections_file, queries_file, work, repeat, out = sys.argv[1:7]
    sections = pickle.loads(Path(sections_file).read_bytes())
    queries = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    run = {"fts5": run_fts5, "tantivy": run_tantivy}[engine]
    figures = run(sections, queries, Path(work), int(repeat))
    figures["peak_mb"] = peak_mb()
    Path(out).write_text(json.dumps(figures), encoding="utf-8")


if __name__ == "__main__":
    main()
