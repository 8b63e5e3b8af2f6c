"""Ranking quality on a judged collection in BEIR layout: nDCG@10, Recall@100, MAP@100.

    python scripts/eval_ir.py --collection ../shared/ir/cisi

Builds a temporary index with tipsearch's own schema, analyzer and scoring (each document
becomes a narrative with one section: its title as the heading, its text as the body) and
runs every judged query through the same search function the command line and web app use.
A collection is a folder with ``corpus.jsonl`` ({"_id", "title", "text"}), ``queries.jsonl``
({"_id", "text"}) and ``qrels.tsv`` (query-id, corpus-id, score; a header line).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.build import documents  # noqa: E402
from indexer.narratives import Narrative, Section  # noqa: E402
from indexer.schema import make_schema  # noqa: E402
from indexer.search import SearchRequest, search  # noqa: E402
from indexer.store import open_searcher  # noqa: E402

DEPTH = 100


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


def build(corpus: dict[str, dict], index_dir: Path) -> None:
    """Index every document as a one-section narrative whose id is the document's id."""
    ix = whoosh_index.create_in(str(index_dir), make_schema())
    with ix.writer(limitmb=256) as writer:
        for doc_id, doc in corpus.items():
            title = doc.get("title") or ""
            narrative = Narrative(id=doc_id, report="other", year=None, country="", iso3="", region="",
                                  title=title, sections=[Section(title, ["text"], doc.get("text") or "")])
            for document in documents(narrative):
                writer.add_document(**document)


@contextmanager
def _environment(values: dict[str, str]):
    """Set environment variables for the duration, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def ndcg(ranked: list[str], grades: dict[str, int], k: int) -> float:
    gain = sum((2 ** grades.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(sorted(grades.values(), reverse=True)[:k]))
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
    limits = {"TIPSEARCH_MAX_QUERY_LENGTH": str(longest), "TIPSEARCH_MAX_CLAUSES": str(longest),
              "TIPSEARCH_MAX_LIMIT": str(DEPTH)}
    scores = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp, _environment(limits):
        started = time.perf_counter()
        build(corpus, Path(tmp))
        built = time.perf_counter() - started
        started = time.perf_counter()
        with open_searcher(Path(tmp)) as searcher:
            for query_id, grades in qrels.items():
                if query_id not in queries:
                    continue
                hits = search(searcher, SearchRequest(q=queries[query_id], limit=DEPTH)).hits
                ranked = [hit.id for hit in hits]
                scores["nDCG@10"].append(ndcg(ranked, grades, 10))
                scores["Recall@100"].append(recall(ranked, grades, DEPTH))
                scores["MAP@100"].append(average_precision(ranked, grades, DEPTH))
        searched = time.perf_counter() - started
    means = {name: sum(values) / len(values) for name, values in scores.items()}
    return {**means, "queries": len(scores["nDCG@10"]), "documents": len(corpus),
            "build_s": built, "search_s": searched}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--collection", type=Path, required=True, help="folder in BEIR layout")
    args = parser.parse_args()
    for name in ("corpus.jsonl", "queries.jsonl", "qrels.tsv"):
        if not (args.collection / name).is_file():
            parser.error(f"--collection {args.collection}: no {name}")
    result = evaluate(args.collection)
    print(f"{args.collection}: {result['documents']} documents, {result['queries']} judged queries "
          f"(build {result['build_s']:.1f} s, search {result['search_s']:.1f} s)")
    for name in ("nDCG@10", "Recall@100", "MAP@100"):
        print(f"{name:>11} {result[name]:.4f}")


if __name__ == "__main__":
    main()
