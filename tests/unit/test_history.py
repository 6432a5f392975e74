"""eval/history.py: the line each run appends, and the commit lookup the benchmark shares."""

import json
import subprocess

from eval.history import append_history, git_commit
from tests.conftest import ROOT


def test_git_commit_is_the_short_hash_of_head_or_empty_outside_a_checkout(tmp_path):
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    assert git_commit() == head and git_commit(ROOT / "bench") == head
    assert git_commit(tmp_path) == ""


def test_a_history_line_holds_each_configurations_headline(tmp_path):
    path = tmp_path / "history.jsonl"
    summary = {"hit@5": 1.0, "hit@1": 0.9, "key_fact_recall": 0.8, "quotes_verbatim": 1.0, "abstention_accuracy": 0.975,
               "hallucinated": 0.0, "total_ms_p50": 47.0}
    append_history({"hybrid": summary}, path)
    append_history({"hybrid": summary, "naive": {"hit@5": 0.5}}, path)
    first, second = [json.loads(line) for line in path.read_text().splitlines()]
    assert list(first) == ["time", "version", "commit", "configs"]
    assert first["configs"] == {"hybrid": {"hit@5": 1.0, "key_fact_recall": 0.8, "quotes_verbatim": 1.0,
                                           "abstention_accuracy": 0.975, "hallucinated": 0.0, "total_ms_p50": 47.0}}
    assert second["configs"]["naive"] == {"hit@5": 0.5, "key_fact_recall": None, "quotes_verbatim": None,
                                          "abstention_accuracy": None, "hallucinated": None, "total_ms_p50": None}


def test_runs_go_to_the_data_folder_unless_a_file_is_named(tmp_path, monkeypatch):
    from eval.history import RECORDED_HISTORY, default_history

    monkeypatch.delenv("LEGALQA_EVAL_HISTORY", raising=False)
    assert default_history(tmp_path / "data") == tmp_path / "data" / "eval-history.jsonl"
    assert default_history(ROOT / ".legalqa") != RECORDED_HISTORY
    monkeypatch.setenv("LEGALQA_EVAL_HISTORY", str(tmp_path / "mine.jsonl"))
    assert default_history(tmp_path / "data") == tmp_path / "mine.jsonl"


def test_the_default_history_file_is_ignored_by_git_and_the_record_is_tracked():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".legalqa/eval-history.jsonl"], cwd=ROOT)
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", "eval/history.jsonl"], cwd=ROOT, capture_output=True)
    assert ignored.returncode == 0 and tracked.returncode == 0
