"""eval/runner.py: configurations side by side, each answer recorded with its chunks' text."""

import json

import pytest

from chatbot.engine import Engine
from eval.runner import run_eval
from ingest.pipeline import ingest_paths

QUESTIONS = [
    {"id": "a", "question": "Was training the language model on the novels a fair use?",
     "gold_sources": ["opinions/smith-v-acme_2024-01-02_order.txt"], "key_facts": [["fair use"]]},
    {"id": "b", "question": "What is the capital of Mongolia?", "answerable": False},
]


@pytest.fixture
def engine(small_corpus, settings, fake_embedder):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    return Engine(settings, embedder=fake_embedder)


@pytest.fixture
def questions(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(q) for q in QUESTIONS) + "\n")
    return path


def test_each_configuration_is_scored_and_recorded_with_chunk_text(engine, questions, tmp_path):
    out = tmp_path / "out"
    report = run_eval(questions, out, engine=engine, configs=("hybrid", "naive"), history=tmp_path / "h.jsonl")
    assert set(report) == {"hybrid", "naive"} and report["naive"]["questions"] == 2
    assert json.loads((out / "report.json").read_text()) == report
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [(line["config"], line["id"]) for line in lines] == [("hybrid", "a"), ("hybrid", "b"), ("naive", "a"),
                                                                ("naive", "b")]
    for line in lines:
        assert line["retrieved"] and all({"text", "start", "end"} <= set(r) for r in line["retrieved"])
        assert "abstention_correct" in line["score"] and "label" in line["score"]
    assert "| document hit@1 |" in (out / "report.md").read_text()
    history = json.loads((tmp_path / "h.jsonl").read_text())
    assert set(history["configs"]) == {"hybrid", "naive"}


def test_the_default_pipeline_runs_without_the_reranker_and_gets_it_back(engine, questions, tmp_path):
    calls = []

    def reranker(pairs):
        calls.append(len(pairs))
        return [0.0] * len(pairs)

    engine.set_reranker(reranker)
    run_eval(questions, tmp_path / "out", engine=engine)
    assert calls == [] and engine.reranker is reranker


def test_an_unknown_configuration_is_named(engine, questions, tmp_path):
    with pytest.raises(ValueError, match=r"unknown configuration\(s\) fancy"):
        run_eval(questions, tmp_path / "out", engine=engine, configs=("fancy",))
