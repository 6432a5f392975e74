"""eval/report.py: the metrics table from the registry, and the trend plot from history lines."""

import json

import pytest

from eval.report import bar_metrics, metrics_table, plot_trend


def test_the_table_has_a_line_per_labelled_metric_and_a_column_per_configuration():
    lines = metrics_table({"hybrid": {"hit@1": 0.9, "mrr": 0.95, "total_ms_p50": 47.0}, "naive": {"hit@1": 0.5}})
    assert lines[:2] == ["| metric | hybrid | naive |", "| --- | --- | --- |"]
    assert "| document hit@1 | 0.900 | 0.500 |" in lines and "| MRR | 0.950 | – |" in lines
    assert "| total p50 (ms) | 47 | – |" in lines
    labels = [line.split(" | ")[0].removeprefix("| ") for line in lines[2:]]
    assert labels == [
        "document hit@1", "document hit@5", "recall@1", "recall@3", "recall@5", "recall@10", "MRR", "nDCG@10",
        "page hit@1", "page hit@5", "key-fact recall", "key facts in top-8 passages",
        "key facts stated of those in top-8", "citation precision", "citation recall", "quote fidelity",
        "abstention precision", "abstention recall", "abstained on answerable", "accurate (Magesh)", "incomplete",
        "hallucinated", "retrieve p50 (ms)", "retrieve p95 (ms)", "total p50 (ms)", "total p95 (ms)",
        "answer words p50", "answer words p90",
    ]


def test_the_bar_chart_compares_scores():
    assert bar_metrics() == ["hit@5", "recall@5", "mrr", "key_fact_recall", "citation_precision", "quotes_verbatim",
                             "accurate"]


def test_compare_plots_the_trend_from_history(tmp_path):
    history = tmp_path / "history.jsonl"
    history.write_text("\n".join(json.dumps({
        "time": f"2026-11-2{i}T10:00:00", "version": "0.1.0", "commit": f"c{i}",
        "configs": {"hybrid": {"hit@5": 0.9 + i / 100, "key_fact_recall": 0.2 + i / 10, "quotes_verbatim": 1.0,
                               "abstention_accuracy": 0.9, "hallucinated": 0.0}},
    }) for i in range(3)))
    out = plot_trend(history, tmp_path / "trend.png")
    assert out.stat().st_size > 5000
    with pytest.raises(ValueError, match="no run of configuration 'naive'"):
        plot_trend(history, tmp_path / "x.png", config="naive")
