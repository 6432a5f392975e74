"""eval/metrics.py: each pure metric on hand-made results with known values."""

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
    # The benchmark's latencies interpolate between ranks, as numpy does.
    assert percentile([5, 1, 4, 2, 3], 50, method="linear") == 3.0
    assert percentile([5, 1, 4, 2, 3], 95, method="linear") == pytest.approx(4.8)
    assert percentile([1, 2], 50, method="linear") == 1.5 and percentile([], 50, method="linear") is None
    with pytest.raises(ValueError, match="unknown percentile method 'median'"):
        percentile([1], 50, method="median")
    # (answerable, abstained): one right abstention, one wrong, one unanswerable answered.
    precision, recall = abstention_precision_recall([(False, True), (True, True), (False, False), (True, False)])
    assert precision == 0.5 and recall == 0.5


def test_mean_skips_missing_values():
    assert mean([None, 1.0, 0.0]) == 0.5
    assert mean([None]) is None and mean([]) is None
