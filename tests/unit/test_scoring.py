"""eval/scoring.py: one answer scored against its gold question, a run summarized, and the
metric registry that both go through (with the report table and the history line)."""

import json

import pytest

from chatbot.types import Answer, Citation, Retrieved
from eval.gold import GoldQuestion
from eval.history import append_history
from eval.report import metrics_table
from eval.scoring import METRICS, Metric, register, score, summarize, unregister


def answer(text: str, *, retrieved=(), cited=(), abstained=False, total_ms=10.0) -> Answer:
    return Answer(
        question="?", answer=text, abstained=abstained,
        retrieved=[Retrieved(source=s, page=p, chunk_id=f"{s}-{p}", score=1.0) for s, p in retrieved],
        citations=[Citation(n=n, source=s, title=s, page=1, quote="q", chunk_id=f"{s}-1")
                   for n, s in enumerate(cited, start=1)],
        timings_ms={"total": total_ms},
    )


Q1 = GoldQuestion(id="1", question="?", gold_sources=["a"], gold_pages=[3], key_facts=[["alpha"], ["beta"]])
Q2 = GoldQuestion(id="2", question="?", answerable=False)
A1 = answer("alpha only", retrieved=[("b", 1), ("a", 3)], cited=["a", "b"], total_ms=10.0)
A2 = answer("…", cited=["b"], total_ms=30.0)


def test_score_and_summarize_known_values():
    rows = [score(Q1, A1), score(Q2, A2, quotes_ok=False)]
    report = summarize(rows)
    assert report["questions"] == 2 and report["answerable"] == 1
    assert report["hit@1"] == 0.0 and report["hit@3"] == 1.0 and report["mrr"] == 0.5
    assert report["page_hit@5"] == 1.0
    assert report["key_fact_recall"] == 0.5
    assert report["citation_precision"] == 0.5 and report["citation_recall"] == 1.0
    assert report["abstention_accuracy"] == 0.5  # q2 should have abstained
    assert report["abstention_recall"] == 0.0 and report["abstention_precision"] is None
    assert rows[0]["label"] == "incomplete"  # beta is missing, and it cites b, which is off target
    assert rows[1]["label"] == "hallucinated"  # its quote is not in the page it cites
    assert report["hallucinated"] == 0.5 and report["incomplete"] == 0.5
    assert report["total_ms_p50"] == 10.0 and report["total_ms_p95"] == 30.0
    assert report["retrieve_ms_p50"] is None  # no answer timed its retrieval
    assert "judged" not in report  # no judge ran


def test_a_citation_to_another_decision_in_the_same_case_is_on_target():
    both = answer("alpha beta", retrieved=[("b", 1), ("a", 3)], cited=["a", "b"])
    assert score(Q1, both)["label"] == "incomplete"
    assert score(Q1, both, case_of={"a": "X v. Y", "b": "X v. Y"})["label"] == "accurate"


def test_unanswerable_questions_get_no_retrieval_scores():
    row = score(Q2, answer("", abstained=True))
    assert "hit@1" not in row and "key_fact_recall" not in row
    assert row["abstention_correct"] is True and row["label"] == "accurate"
    assert row["timings_ms"] == {"total": 10.0}


def test_an_abstention_states_no_key_fact_and_cites_nothing():
    row = score(Q1, answer("The indexed documents do not answer this.", abstained=True))
    assert row["key_fact_recall"] == 0.0 and row["citation_recall"] == 0.0 and row["citation_precision"] is None
    assert row["label"] == "incomplete"


@pytest.fixture
def answer_length():
    """A toy metric, registered for one test: the length of the answer in characters."""
    metric = register(Metric("answer_chars", "answer length (chars)", lambda q, a, context: len(a.answer),
                             headline=True))
    yield metric
    unregister("answer_chars")


def test_one_registry_entry_adds_a_metric_to_the_summary_the_table_and_the_history(answer_length, tmp_path):
    rows = [score(Q1, A1), score(Q2, A2)]
    assert [r["answer_chars"] for r in rows] == [10, 1]
    summary = summarize(rows)
    assert summary["answer_chars"] == 5.5
    assert "| answer length (chars) | 5.500 | 5.500 |" in metrics_table({"hybrid": summary, "naive": summary})
    line = append_history({"hybrid": summary}, tmp_path / "history.jsonl")
    assert line["configs"]["hybrid"]["answer_chars"] == 5.5
    assert json.loads((tmp_path / "history.jsonl").read_text()) == line


def test_unregistering_removes_the_metric_everywhere(tmp_path):
    register(Metric("answer_chars", "answer length (chars)", lambda q, a, context: len(a.answer), headline=True))
    unregister("answer_chars")
    summary = summarize([score(Q1, A1)])
    assert "answer_chars" not in summary and "answer_chars" not in score(Q1, A1)
    assert not any("answer length" in line for line in metrics_table({"hybrid": summary}))
    assert "answer_chars" not in append_history({"hybrid": summary}, tmp_path / "h.jsonl")["configs"]["hybrid"]


def test_a_metric_name_is_registered_once(answer_length):
    with pytest.raises(ValueError, match="'answer_chars' is already registered"):
        register(answer_length)
    with pytest.raises(ValueError, match="'hit@5' is already registered"):
        register(Metric("hit@5", None, lambda q, a, context: 0))


def test_the_registry_keeps_report_json_and_history_in_their_established_order():
    summary = summarize([score(Q1, A1), score(Q2, A2)])
    assert list(summary) == [
        "questions", "answerable", "hit@1", "hit@3", "hit@5", "recall@1", "recall@3", "recall@5", "recall@10", "mrr",
        "ndcg@10", "page_hit@1", "page_hit@5", "key_fact_recall", "passage_key_facts", "key_facts_of_available",
        "citation_precision", "citation_recall", "quotes_verbatim", "abstention_accuracy", "abstention_precision",
        "abstention_recall", "abstained_answerable", "abstained_unanswerable", "accurate", "incomplete",
        "hallucinated", "retrieve_ms_p50", "retrieve_ms_p95", "answer_ms_p50", "answer_ms_p95", "total_ms_p50",
        "total_ms_p95", "answer_words_p50", "answer_words_p90",
    ]
    assert [m.name for m in METRICS if m.headline] == [
        "hit@5", "key_fact_recall", "quotes_verbatim", "abstention_accuracy", "hallucinated", "total_ms_p50"]
