"""Ranking quality on judged queries, through the search function the command line and web app use.

    python scripts/eval_ir.py --judged ../shared/ir/hrr-topics-dev --pages ../shared/corpus/hrr/2023
    python scripts/eval_ir.py --collection ../shared/ir/cisi

``--judged`` with ``--pages``: queries judged on real report pages (``queries.tsv``:
query-id, query; ``qrels.tsv``: query-id, slug, grade 0-3, where the slug is the page's file
name without its suffixes). The pages are indexed as ``tipsearch index`` does (into
``--index`` if given and absent, reused if present) and each query's top 10 narratives are
scored: nDCG@10 (gain 2^grade - 1), P@10 (grades 2-3), MRR (first grade 2-3) and how many
of the top 10 nobody judged (counted as not relevant).

``--collection``: a judged collection in BEIR layout (``corpus.jsonl`` {"_id", "title",
"text"}, ``queries.jsonl`` {"_id", "text"}, ``qrels.tsv`` query-id, corpus-id, score; a header
line). Each document becomes a narrative with one section (its title the heading, its text
the body); prints nDCG@10, Recall@100, MAP@100.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.index.documents import documents
from indexer.index.home import IndexHome
from indexer.index.schema import make_schema
from indexer.index.writer import build_index
from indexer.reports.narratives import Narrative, Section
from indexer.search.engine import SearchRequest, search
from indexer.search.handle import open_build
from indexer.settings import DEFAULTS

DEPTH = 100


def read_judged(folder: Path) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    """(query text by id, grade by query id and page slug, zero grades kept) of a judged set."""

    def rows(name: str) -> list[list[str]]:
        with (folder / name).open(encoding="utf-8", newline="") as lines:
            return [row for row in csv.reader(lines, delimiter="\t")][1:]

    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for query_id, slug, grade in rows("qrels.tsv"):
        qrels[query_id][slug] = int(grade)
    return {query_id: text for query_id, text in rows("queries.tsv")}, qrels


def page_slug(source: str) -> str:
    """The judged name of a narrative's page: its file name (or last URL segment) without suffixes."""
    return source.rstrip("/").rsplit("/", 1)[-1].split(".")[0]


def evaluate_pages(
    judged: Path, pages: Path, index: Path, match: str = "all"
) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """Index ``pages`` into ``index`` unless it holds an index, then score each judged query's top 10 (``match``
    "any": of the narratives holding some of the words, not all of them).

    Returns (measures by query id, query text by id).
    """
    home = IndexHome(index)
    if not whoosh_index.exists_in(str(home.searched())):
        with home.lock():
            build_index([pages], home, DEFAULTS)
    queries, qrels = read_judged(judged)
    measures = {}
    with open_build(DEFAULTS, index) as build:
        for query_id, text in queries.items():
            grades = qrels.get(query_id, {})
            request = SearchRequest(q=text, limit=10, match=match)
            ranked = [page_slug(hit.source) for hit in search(build, request).hits]
            relevant = [i for i, slug in enumerate(ranked) if grades.get(slug, 0) >= 2]
            measures[query_id] = {
                "nDCG@10": ndcg(ranked, {s: g for s, g in grades.items() if g}, 10),
                "P@10": len(relevant) / 10,
                "MRR": 1 / (relevant[0] + 1) if relevant else 0.0,
                "unjudged": sum(slug not in grades for slug in ranked),
            }
    return measures, queries


def read_collection(folder: Path) -> tuple[dict[str, dict], dict[str, str], dict[str, dict[str, int]]]:
    """(corpus by id, query text by id, relevance grades by query id and document id)."""
    with (folder / "corpus.jsonl").open(encoding="utf-8") as lines:
        corpus = {str(d["_id"]): d for d in map(json.loads, lines)}
    with (folder / "queries.jsonl").open(encoding="utf-8") as lines:
        queries = {str(q["_id"]): q["text"] for q in map(json.loads, lines)}
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    with (folder / "qrels.tsv").open(encoding="utf-8", newline="") as rows:
        for row in csv.reader(rows, delimiter="\t"):
            if len(row) < 3 or not row[2].strip().lstrip("-").isdigit():
                continue  # the header line, or a blank one
            query_id, doc_id, grade = row[0], row[1], int(row[2])
            if grade > 0:
                qrels[query_id][doc_id] = grade
    return corpus, queries, qrels


def build_collection(corpus: dict[str, dict], index_dir: Path) -> None:
    """Index every document as a one-section narrative whose id is the document's id."""
    ix = whoosh_index.create_in(str(index_dir), make_schema())
    with ix.writer(limitmb=256) as writer:
        for doc_id, doc in corpus.items():
            title = doc.get("title") or ""
            narrative = Narrative(
                id=doc_id,
                report="other",
                year=None,
                country="",
                iso3="",
                region="",
                title=title,
                sections=[Section(title, ["text"], doc.get("text") or "")],
            )
            for document in documents(narrative):
                writer.add_document(**document)


def ndcg(ranked: list[str], grades: dict[str, int], k: int) -> float:
    gain = sum((2 ** grades.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(sorted(grades.values(), reverse=True)[:k]))
    return gain / ideal if ideal else 0.0


def average_precision(ranked: list[str], grades: dict[str, int], k: int) -> float:
    found, total = 0, 0.0
    for i, doc_id in enumerate(ranked[:k], 1):
        if doc_id in grades:
            found += 1
            total += found / i
    return total / min(len(grades), k)


def recall(ranked: list[str], grades: dict[str, int], k: int) -> float:
    return len(set(ranked[:k]) & set(grades)) / len(grades)


def evaluate(folder: Path) -> dict[str, float]:
    """Build, run the judged queries and return the mean of each measure."""
    corpus, queries, qrels = read_collection(folder)
    longest = max(len(q) for q in queries.values()) + 1  # judged queries may be whole paragraphs
    settings = replace(DEFAULTS, max_query_length=longest, max_clauses=longest, max_limit=DEPTH)
    scores = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        build_collection(corpus, Path(tmp))
        built = time.perf_counter() - started
        started = time.perf_counter()
        with open_build(settings, Path(tmp)) as build:
            for query_id, grades in qrels.items():
                if query_id not in queries:
                    continue
                # Requests in sentences: the order of every document holding some of their words is what is measured.
                hits = search(build, SearchRequest(q=queries[query_id], limit=DEPTH, match="any")).hits
                ranked = [hit.id for hit in hits]
                scores["nDCG@10"].append(ndcg(ranked, grades, 10))
                scores["Recall@100"].append(recall(ranked, grades, DEPTH))
                scores["MAP@100"].append(average_precision(ranked, grades, DEPTH))
        searched = time.perf_counter() - started
    means = {name: sum(values) / len(values) for name, values in scores.items()}
    return {
        **means,
        "queries": len(scores["nDCG@10"]),
        "documents": len(corpus),
        "build_s": built,
        "search_s": searched,
    }


def report_pages(judged: Path, pages: Path, index: Path, match: str = "all") -> None:
    """Print each judged query's measures and their means."""
    measures, queries = evaluate_pages(judged, pages, index, match)
    names = ("nDCG@10", "P@10", "MRR", "unjudged")
    print(f"{'query':<6} " + " ".join(f"{n:>8}" for n in names) + "  text")
    for query_id, values in measures.items():
        print(f"{query_id:<6} " + " ".join(f"{values[n]:>8.3f}" for n in names) + f"  {queries[query_id]}")
    means = {n: sum(v[n] for v in measures.values()) / len(measures) for n in names}
    print(f"{'mean':<6} " + " ".join(f"{means[n]:>8.3f}" for n in names) + f"  ({len(measures)} queries)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--collection", type=Path, help="folder in BEIR layout")
    parser.add_argument("--judged", type=Path, help="folder of queries.tsv and qrels.tsv judged on report pages")
    parser.add_argument("--pages", type=Path, help="the report pages the --judged set was judged on")
    parser.add_argument("--index", type=Path, help="index of --pages (built there if absent; default: temporary)")
    parser.add_argument(
        "--match",
        choices=("all", "any"),
        default="all",
        help="with --judged: rank the narratives holding all the words (as the search page), or some of them",
    )
    args = parser.parse_args()
    if args.judged:
        for name in ("queries.tsv", "qrels.tsv"):
            if not (args.judged / name).is_file():
                parser.error(f"--judged {args.judged}: no {name}")
        if not args.pages or not args.pages.is_dir():
            parser.error(f"--pages {args.pages}: not a folder of report pages")
        if args.index:
            report_pages(args.judged, args.pages, args.index, args.match)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                report_pages(args.judged, args.pages, Path(tmp) / "index", args.match)
        return
    if not args.collection:
        parser.error("give --judged and --pages, or --collection")
    for name in ("corpus.jsonl", "queries.jsonl", "qrels.tsv"):
        if not (args.collection / name).is_file():
            parser.error(f"--collection {args.collection}: no {name}")
    result = evaluate(args.collection)
    print(
        f"{args.collection}: {result['documents']} documents, {result['queries']} judged queries "
        f"(build {result['build_s']:.1f} s, search {result['search_s']:.1f} s)"
    )
    for name in ("nDCG@10", "Recall@100", "MAP@100"):
        print(f"{name:>11} {result[name]:.4f}")


if __name__ == "__main__":
    main()
