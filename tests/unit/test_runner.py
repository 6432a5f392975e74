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


def test_gold_documents_the_index_lacks_are_counted_warned_about_and_found_elsewhere(small_corpus, fake_embedder,
                                                                                      tmp_path):
    from legalqa.settings import Settings

    other = tmp_path / "other-corpus" / "court"
    other.mkdir(parents=True)
    (other / "elsewhere.txt").write_text("The court held that the elsewhere copies were not a fair use.")
    settings = Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data", embedding_model="fake")
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    ingest_paths([other.parent], settings=settings.model_copy(update={"index_dir": tmp_path / "other-index"}),
                 embedder=fake_embedder)
    gold = tmp_path / "q.jsonl"
    gold.write_text("\n".join(json.dumps(q) for q in [
        *QUESTIONS, {"id": "c", "question": "Were the elsewhere copies a fair use?", "gold_sources": ["court/elsewhere.txt"]},
    ]) + "\n")
    warnings = []
    report = run_eval(gold, tmp_path / "out", engine=Engine(settings, embedder=fake_embedder), warn=warnings.append)
    assert warnings == [
        f"1 of 2 questions with gold sources have none of them in the index {tmp_path / 'index'} (missing: "
        "court/elsewhere.txt); their documents cannot be found. Evaluate against the index built from the documents "
        f"this gold set was written for: {tmp_path / 'other-index'} holds 1 of these 1 sources "
        f"(--index-dir {tmp_path / 'other-index'})."
    ]
    assert report["gold_not_indexed"] == 1
    lines = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text().splitlines()]
    assert [line.get("gold_indexed") for line in lines] == [True, None, False]  # b has no gold sources


def test_no_warning_when_every_gold_document_is_indexed(engine, questions, tmp_path):
    warnings = []
    report = run_eval(questions, tmp_path / "out", engine=engine, warn=warnings.append)
    assert warnings == [] and report["gold_not_indexed"] == 0
