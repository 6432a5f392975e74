"""eval/gold.py and eval/runner.py for a gold set with dev/test splits, question kinds and
follow-ups: newer fields ignored with one note, a split filter, history asked first."""

import json

import pytest
from click.testing import CliRunner

from chatbot.engine import Engine
from chatbot.types import Answer
from eval.gold import load_gold, load_questions, read_gold
from eval.runner import Configuration, ask_in_conversation, run_eval
from ingest.pipeline import ingest_paths

FAIR_USE = "Was training the language model on the novels a fair use?"
ORDER = "opinions/smith-v-acme_2024-01-02_order.txt"


def write(path, *lines):
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


@pytest.fixture
def split_gold(tmp_path):
    return write(tmp_path / "gold.jsonl",
                 {"id": "d1", "question": FAIR_USE, "gold_sources": [ORDER], "key_facts": [["fair use"]],
                  "split": "dev", "kind": "holding", "difficulty": 2, "annotator": "kc"},
                 {"id": "t1", "question": "What is the capital of Mongolia?", "answerable": False, "split": "test",
                  "kind": "unanswerable", "difficulty": 1},
                 {"id": "n1", "question": "Who is the judge?", "gold_sources": [ORDER]})


def test_unknown_fields_are_ignored_with_one_note_for_the_file(split_gold):
    gold = read_gold(split_gold)
    assert [q.id for q in gold.questions] == ["d1", "t1", "n1"]
    assert gold.questions[0].kind == "holding" and gold.questions[0].split == "dev"
    assert gold.notes == [f"{split_gold}: ignored unknown field(s) annotator, difficulty (on 2 of 3 questions)"]
    assert read_gold(write(split_gold.parent / "plain.jsonl", {"id": "x", "question": "?"})).notes == []


def test_a_malformed_line_names_the_file_and_the_line(tmp_path):
    bad_json = write(tmp_path / "a.jsonl", {"id": "x", "question": "?"}, "{not json")
    with pytest.raises(ValueError, match=rf"{bad_json}, line 2: not a valid question"):
        read_gold(bad_json)
    bad_split = write(tmp_path / "b.jsonl", {"id": "x", "question": "?", "split": "train"})
    with pytest.raises(ValueError, match=r"b.jsonl, line 1: not a valid question \(split: Input should be 'dev' or 'test'"):
        read_gold(bad_split)
    not_object = write(tmp_path / "c.jsonl", '["id", "question"]')
    with pytest.raises(ValueError, match=r"c.jsonl, line 1: .*a JSON object is expected, not list"):
        read_gold(not_object)
    missing = write(tmp_path / "d.jsonl", {"id": "x", "kind": "number"})
    with pytest.raises(ValueError, match=r"d.jsonl, line 1: not a valid question \(question: Field required\)"):
        read_gold(missing)


def test_a_split_keeps_only_its_questions(split_gold):
    assert [q.id for q in load_questions(split_gold)] == ["d1", "t1", "n1"]
    assert [q.id for q in load_questions(split_gold, split="dev")] == ["d1"]
    assert [q.id for q in load_questions(split_gold, split="test")] == ["t1"]
    plain = write(split_gold.parent / "plain.jsonl", {"id": "x", "question": "?"})
    with pytest.raises(ValueError, match="no question in .*plain.jsonl belongs to the dev split"):
        load_gold(plain, split="dev")
    with pytest.raises(ValueError, match="unknown split 'train'"):
        load_gold(plain, split="train")


def test_several_files_are_read_together_and_ids_stay_unique(split_gold):
    other = write(split_gold.parent / "other.jsonl", {"id": "o1", "question": "?", "split": "dev", "extra": 1})
    gold = load_gold([split_gold, other], split="dev")
    assert [q.id for q in gold.questions] == ["d1", "o1"] and len(gold.notes) == 2
    clash = write(split_gold.parent / "clash.jsonl", {"id": "t1", "question": "?"})
    with pytest.raises(ValueError, match=rf"clash.jsonl: question id 't1' is already used in {split_gold}"):
        load_gold([split_gold, clash])


def reply(question: str, text: str = "an answer") -> Answer:
    return Answer(question=question, answer=text, abstained=False)


def test_the_history_is_asked_first_in_one_conversation():
    calls = []

    def ask(question, history):
        calls.append((question, [a.question for a in history]))
        return reply(question, f"answer to {question}")

    from eval.gold import GoldQuestion

    q = GoldQuestion(id="f", question="And the judge?", history=["Who sued Acme?", "What did the court hold?"])
    answer = ask_in_conversation(Configuration("fake", ask, lambda ids: []), q)
    assert calls == [("Who sued Acme?", []), ("What did the court hold?", ["Who sued Acme?"]),
                     ("And the judge?", ["Who sued Acme?", "What did the court hold?"])]
    assert answer.answer == "answer to And the judge?"


@pytest.fixture
def engine(small_corpus, settings, fake_embedder):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    return Engine(settings, embedder=fake_embedder)


def test_run_eval_scores_only_the_last_answer_of_a_follow_up(engine, tmp_path, monkeypatch):
    asked = []
    real_ask = engine.ask

    def recording_ask(question, **options):
        asked.append((question, [a.question for a in options.get("history") or []]))
        return real_ask(question, **options)

    monkeypatch.setattr(engine, "ask", recording_ask)
    gold = write(tmp_path / "q.jsonl", {"id": "f", "question": FAIR_USE, "gold_sources": [ORDER],
                                        "key_facts": [["fair use"]], "history": ["Who sued Acme Robotics?"]})
    report = run_eval(gold, tmp_path / "out", engine=engine)
    assert asked == [("Who sued Acme Robotics?", []), (FAIR_USE, ["Who sued Acme Robotics?"])]
    assert report["questions"] == 1
    (line,) = [json.loads(x) for x in (tmp_path / "out" / "results.jsonl").read_text().splitlines()]
    assert line["question"] == FAIR_USE and line["history"] == ["Who sued Acme Robotics?"]
    assert line["score"]["passage_key_facts"] == 1.0  # the order's page 2 says "was a fair use"


def test_eval_split_runs_only_that_split_and_notes_the_ignored_fields(engine, split_gold, tmp_path):
    notes = []
    report = run_eval(split_gold, tmp_path / "out", engine=engine, split="test", notify=notes.append)
    ids = [json.loads(x)["id"] for x in (tmp_path / "out" / "results.jsonl").read_text().splitlines()]
    assert ids == ["t1"] and report["questions"] == 1 and report["answerable"] == 0
    assert notes == [f"{split_gold}: ignored unknown field(s) annotator, difficulty (on 2 of 3 questions)"]
    assert report["by_kind"] == {"unanswerable": {"questions": 1, "accurate": report["accurate"],
                                                  "key_fact_recall": None}}


def test_the_cli_passes_split_and_several_files(small_corpus, fake_model, split_gold, tmp_path):
    from chatbot.cli import _load_plugins, cli

    _load_plugins()
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(small_corpus)]).exit_code == 0
    other = write(tmp_path / "other.jsonl", {"id": "o1", "question": FAIR_USE, "split": "dev"})
    result = runner.invoke(cli, ["eval", "--questions", str(split_gold), "--questions", str(other), "--split", "dev",
                                 "--out", str(tmp_path / "out"), "--history", str(tmp_path / "h.jsonl")])
    assert result.exit_code == 0, result.output
    assert "note: " in result.stderr and "annotator, difficulty" in result.stderr
    ids = [json.loads(x)["id"] for x in (tmp_path / "out" / "results.jsonl").read_text().splitlines()]
    assert ids == ["d1", "o1"]
    bad = runner.invoke(cli, ["eval", "--questions", str(split_gold), "--split", "train", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "'train' is not one of 'dev', 'test'" in bad.output
