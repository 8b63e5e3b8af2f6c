"""scripts/eval_ir.py: the measures, and the ranking quality they show on CISI."""

import json

import pytest

from tests.conftest import SHARED, load_script, shared_path

eval_ir = load_script("eval_ir")


def test_measures_on_a_known_ranking():
    grades = {"a": 1, "b": 1}
    assert eval_ir.ndcg(["a", "b", "c"], grades, 10) == pytest.approx(1.0)
    assert eval_ir.ndcg(["c", "a"], grades, 10) == pytest.approx((1 / 1.585) / (1 + 1 / 1.585), rel=1e-3)
    assert eval_ir.recall(["a", "c"], grades, 100) == 0.5
    assert eval_ir.average_precision(["c", "a", "b"], grades, 100) == pytest.approx((1 / 2 + 2 / 3) / 2)


def test_a_small_collection_in_beir_layout(tmp_path):
    docs = [
        {"_id": "1", "title": "Debt bondage", "text": "Brick kiln workers held in debt bondage."},
        {"_id": "2", "title": "Fishing", "text": "Forced labor on distant water fishing vessels."},
        {"_id": "3", "title": "Elections", "text": "The election commission counted the votes."},
    ]
    (tmp_path / "corpus.jsonl").write_text("\n".join(map(json.dumps, docs)))
    (tmp_path / "queries.jsonl").write_text(
        '{"_id": "q1", "text": "fishing vessels"}\n{"_id": "q2", "text": "bonded brick kiln labour"}'
    )
    (tmp_path / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\nq1\t2\t1\nq2\t1\t1\n")
    result = eval_ir.evaluate(tmp_path)
    assert result["queries"] == 2 and result["nDCG@10"] == pytest.approx(1.0)


def test_cisi_ranks_better_than_stock_bm25_engines():
    result = eval_ir.evaluate(shared_path(SHARED / "ir" / "cisi"))
    assert result["queries"] == 76
    assert result["nDCG@10"] >= 0.40  # Whoosh default 0.286, SQLite FTS5 0.378, bm25s 0.396


def test_topical_queries_judged_on_the_real_reports_rank_above_the_best_anchor(hrr_2023):
    judged = shared_path(SHARED / "ir" / "hrr-topics-dev")
    measures, queries = eval_ir.evaluate_pages(judged, SHARED / "corpus" / "hrr" / "2023", hrr_2023[0])
    assert len(measures) == len(queries) == 20
    mean = sum(m["nDCG@10"] for m in measures.values()) / len(measures)
    assert mean >= 0.88  # FTS5 over paragraphs, best 5 summed: 0.848; whole narratives: 0.725


def test_page_slugs_are_the_judged_names():
    assert eval_ir.page_slug("/x/2023/cote-divoire.html.gz") == "cote-divoire"
    assert eval_ir.page_slug("https://www.state.gov/reports/2023-country-reports/burma/") == "burma"
