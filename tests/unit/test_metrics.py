"""Each metric on hand-made results with known values."""

import math

import pytest

from eval.metrics import (
    abstention_precision_recall,
    citation_precision,
    citation_recall,
    hit_at_k,
    key_fact_recall,
    magesh_label,
    mean,
    ndcg_at_k,
    page_hit_at_k,
    percentile,
    recall_at_k,
    reciprocal_rank,
    source_matches,
)
from eval.runner import GoldQuestion, score, summarize


def test_source_matching_tolerates_a_longer_root():
    assert source_matches("corpus-real/court/a.pdf", "court/a.pdf")
    assert not source_matches("court/ab.pdf", "court/a.pdf")


def test_hit_recall_mrr_ndcg():
    retrieved = ["x", "x", "court/a.pdf", "y", "b"]  # chunk sources; documents are x, a, y, b
    assert not hit_at_k(retrieved, ["court/a.pdf"], 2) and hit_at_k(retrieved, ["court/a.pdf"], 3)
    assert recall_at_k(retrieved, ["court/a.pdf", "b"], 1) == 0.0
    assert recall_at_k(retrieved, ["court/a.pdf", "b"], 2) == 0.5  # a is the 2nd distinct document
    assert recall_at_k(retrieved, ["court/a.pdf", "b"], 4) == 1.0
    assert reciprocal_rank(retrieved, ["court/a.pdf"]) == 0.5
    assert reciprocal_rank(retrieved, ["zzz"]) == 0.0
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(retrieved, ["court/a.pdf", "b"], 10) == pytest.approx(expected)


def test_page_hit():
    assert page_hit_at_k([("a", 1), ("a", 9)], [("a", 9)], 2)
    assert not page_hit_at_k([("a", 1), ("a", 9)], [("a", 9)], 1)


def test_key_fact_recall_counts_any_alternative_case_insensitively():
    facts = [["Fair Use", "fair-use"], ["transformative"], ["pirated"]]
    assert key_fact_recall("It was a FAIR USE and highly transformative.", facts) == pytest.approx(2 / 3)
    assert key_fact_recall("anything", []) is None


def test_citation_precision_and_recall():
    assert citation_precision(["a", "a", "b"], ["a"]) == pytest.approx(2 / 3)
    assert citation_precision([], ["a"]) is None
    assert citation_recall(["a"], ["a", "c"]) == 0.5


def test_magesh_labels():
    kw = dict(quotes_ok=True, citations_on_target=True)
    assert magesh_label(answerable=True, abstained=False, key_fact_recall=1.0, **kw) == "accurate"
    assert magesh_label(answerable=True, abstained=False, key_fact_recall=0.5, **kw) == "incomplete"
    assert magesh_label(answerable=True, abstained=True, key_fact_recall=0.0, **kw) == "incomplete"
    assert magesh_label(answerable=True, abstained=False, key_fact_recall=1.0, quotes_ok=True,
                        citations_on_target=False) == "incomplete"
    assert magesh_label(answerable=True, abstained=False, key_fact_recall=1.0, quotes_ok=False,
                        citations_on_target=True) == "hallucinated"
    assert magesh_label(answerable=False, abstained=True, key_fact_recall=None, **kw) == "accurate"
    assert magesh_label(answerable=False, abstained=False, key_fact_recall=None, **kw) == "incomplete"
    assert magesh_label(answerable=False, abstained=False, key_fact_recall=None, quotes_ok=False,
                        citations_on_target=True) == "hallucinated"


def test_percentile_and_abstention():
    assert percentile([5, 1, 4, 2, 3], 50) == 3 and percentile([5, 1, 4, 2, 3], 95) == 5
    assert percentile([], 50) is None
    # (answerable, abstained): one right abstention, one wrong, one unanswerable answered.
    precision, recall = abstention_precision_recall([(False, True), (True, True), (False, False), (True, False)])
    assert precision == 0.5 and recall == 0.5


def test_score_and_summarize_known_values():
    q1 = GoldQuestion(id="1", question="?", gold_sources=["a"], gold_pages=[3], key_facts=[["alpha"], ["beta"]])
    q2 = GoldQuestion(id="2", question="?", answerable=False)
    a1 = {"answer": "alpha only", "abstained": False,
          "retrieved": [{"source": "b", "page": 1}, {"source": "a", "page": 3}],
          "citations": [{"source": "a"}, {"source": "b"}], "timings_ms": {"total": 10.0}}
    a2 = {"answer": "…", "abstained": False, "retrieved": [], "citations": [{"source": "b"}], "timings_ms": {"total": 30.0}}
    rows = [score(q1, a1), score(q2, a2, quotes_ok=False)]
    report = summarize(rows)
    assert report["hit@1"] == 0.0 and report["hit@3"] == 1.0 and report["mrr"] == 0.5
    assert report["page_hit@5"] == 1.0
    assert report["key_fact_recall"] == 0.5
    assert report["citation_precision"] == 0.5 and report["citation_recall"] == 1.0
    assert report["abstention_accuracy"] == 0.5  # q2 should have abstained
    assert report["abstention_recall"] == 0.0 and report["abstention_precision"] is None
    assert rows[0]["label"] == "incomplete"  # beta is missing, and it cites b, which is off target
    assert rows[1]["label"] == "hallucinated"  # its quote is not in the page it cites
    assert report["hallucinated"] == 0.5 and report["incomplete"] == 0.5
    same_case = score(q1, {**a1, "answer": "alpha beta"}, case_of={"a": "X v. Y", "b": "X v. Y"})
    assert same_case["label"] == "accurate"  # b is another decision in the same case
    assert report["total_ms_p50"] == 10.0 and report["total_ms_p95"] == 30.0
    assert mean([None, 1.0, 0.0]) == 0.5


def test_legalbench_span_mapping_and_scores():
    from eval.legalbench import char_scores, raw_span

    raw = "Title\n\nSection 1.  The term of this\nAgreement is five (5) years.\n\nSection 2. Governing law: Delaware."
    chunk = "Section 1. The term of this Agreement is five (5) years."
    start, end = raw_span(raw, chunk)
    assert raw[start:end] == "Section 1.  The term of this\nAgreement is five (5) years."
    assert raw_span(raw, "nothing like this") is None
    gold = [{"file_path": "a.txt", "span": [10, 20]}]
    assert char_scores(gold, [{"file_path": "a.txt", "span": [15, 25]}]) == (0.5, 0.5)
    assert char_scores(gold, [{"file_path": "b.txt", "span": [10, 20]}]) == (0.0, 0.0)


def test_compare_plots_the_trend_from_history(tmp_path):
    import json as _json

    from eval.report import plot_trend

    history = tmp_path / "history.jsonl"
    history.write_text("\n".join(_json.dumps({
        "time": f"2026-11-2{i}T10:00:00", "version": "0.1.0", "commit": f"c{i}",
        "configs": {"hybrid": {"hit@5": 0.9 + i / 100, "key_fact_recall": 0.2 + i / 10, "quotes_verbatim": 1.0,
                               "abstention_accuracy": 0.9, "hallucinated": 0.0}},
    }) for i in range(3)))
    out = plot_trend(history, tmp_path / "trend.png")
    assert out.stat().st_size > 5000
    with pytest.raises(ValueError, match="no run of configuration 'naive'"):
        plot_trend(history, tmp_path / "x.png", config="naive")
