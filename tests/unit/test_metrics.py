import pytest

from eval.metrics import hit_at_k, key_fact_recall, mean, page_hit_at_k, source_matches
from eval.runner import GoldQuestion, score, summarize


def test_source_matching_tolerates_a_longer_root():
    assert source_matches("corpus-real/court/a.pdf", "court/a.pdf")
    assert not source_matches("court/ab.pdf", "court/a.pdf")


def test_hit_at_k():
    retrieved = ["x", "y", "court/a.pdf"]
    assert not hit_at_k(retrieved, ["court/a.pdf"], 2)
    assert hit_at_k(retrieved, ["court/a.pdf"], 3)


def test_page_hit():
    assert page_hit_at_k([("a", 1), ("a", 9)], [("a", 9)], 2)
    assert not page_hit_at_k([("a", 1), ("a", 9)], [("a", 9)], 1)


def test_key_fact_recall_counts_any_alternative_case_insensitively():
    facts = [["Fair Use", "fair-use"], ["transformative"], ["pirated"]]
    assert key_fact_recall("It was a FAIR USE and highly transformative.", facts) == pytest.approx(2 / 3)
    assert key_fact_recall("anything", []) is None


def test_score_and_summarize_known_values():
    q1 = GoldQuestion(id="1", question="?", gold_sources=["a"], gold_pages=[3], key_facts=[["alpha"], ["beta"]])
    q2 = GoldQuestion(id="2", question="?", answerable=False)
    a1 = {"answer": "alpha only", "abstained": False, "retrieved": [{"source": "b", "page": 1}, {"source": "a", "page": 3}]}
    a2 = {"answer": "…", "abstained": False, "retrieved": []}
    rows = [score(q1, a1), score(q2, a2)]
    for row in rows:
        row["quotes_verbatim"] = True
    report = summarize(rows)
    assert report["hit@1"] == 0.0 and report["hit@3"] == 1.0
    assert report["page_hit@5"] == 1.0
    assert report["key_fact_recall"] == 0.5
    assert report["abstention_accuracy"] == 0.5  # q2 should have abstained
    assert mean([None, 1.0, 0.0]) == 0.5
