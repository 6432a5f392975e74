"""The sample corpus that `make run` indexes: the acceptance questions and the gold-set floors."""

from __future__ import annotations

import json
import tomllib

import pytest

from tests.conftest import ROOT, shared_index
from tests.integration.test_real_corpus import legalqa

SAMPLE = ROOT / "corpus" / "sample"


@pytest.fixture(scope="module")
def sample_index():
    """corpus/sample indexed with the real model (a few seconds: 19 short documents)."""
    index_dir, result = shared_index("test-sample-index", SAMPLE, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]  # nothing skipped: every file is a document
    return index_dir


@pytest.mark.parametrize("question, source", [
    ("What did the studios accuse ByteDance of?", "studios-v-bytedance-news-digest.md"),
    ("What are the four fair use factors?", None),
])
def test_acceptance_questions_cite_sample_documents(sample_index, question, source):
    result = legalqa(sample_index, "ask", "--json", question)
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout)
    assert not answer["abstained"]
    cited = {c["source"] for c in answer["citations"]}
    assert cited and all((SAMPLE / s).is_file() for s in cited)
    if source:
        assert source in cited


def test_sample_documents_are_listed_as_project_written(sample_index):
    listed = legalqa(sample_index, "docs", "--json")
    docs = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(docs) == 19
    assert {d["kind"] for d in docs} == {"summary"}
    assert sum(d["source"].endswith(".pdf") for d in docs) == 5


def test_sample_gold_set_meets_its_floors(sample_index, tmp_path):
    floors = tomllib.loads((ROOT / "eval" / "floors.toml").read_text())["sample"]
    out = tmp_path / "eval"
    result = legalqa(sample_index, "eval", "--questions", str(ROOT / "eval/gold/sample.jsonl"), "--out", str(out),
                     "--limit", str(floors["questions"]))
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((out / "report.json").read_text())
    assert report["questions"] == floors["questions"]
    assert report["hit@5"] >= floors["hit@5"], report
    assert report["key_fact_recall"] >= floors["key_fact_recall"], report
    assert report["abstention_accuracy"] >= floors["abstention_accuracy"], report
    assert report["quotes_verbatim"] >= floors["quotes_verbatim"], report
    assert report["hallucinated"] <= floors["hallucinated_max"], report
