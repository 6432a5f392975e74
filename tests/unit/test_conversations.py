"""Scoring a conversation turn: what the rewrite carried, and whether that was right."""

import json

import pytest

from chatbot.followup import NameIndex
from chatbot.types import Answer, Citation
from eval.conversations import Turn, conversation_metrics, is_dialogue_file, read_dialogues, score_turn
from tests.unit.test_followup import DOCS

NAMES = NameIndex.of(DOCS)


def answer(question, *sources, rewritten=None, abstained=False):
    citations = [Citation(n=n, source=s, title=s, page=1, quote="q", chunk_id=f"{s}:{n}")
                 for n, s in enumerate(sources, start=1)]
    return Answer(question=question, answer="Meta won summary judgment.", abstained=abstained,
                  citations=citations, rewritten_query=rewritten)


def test_a_named_turn_that_inherits_another_case_is_counted():
    turn = Turn(question="What about Meta?", kind="named", sources=["kadrey.md"], key_facts=[["summary judgment"]])
    right = score_turn(turn, answer(turn.question, "kadrey.md", rewritten="What about Meta? (Kadrey v. Meta)"), NAMES)
    assert not right["wrong_inheritance"] and right["right_document"] and right["key_facts"] == 1.0
    wrong = score_turn(turn, answer(turn.question, "bartz.md", rewritten="What about Meta? (Bartz v. Anthropic)"), NAMES)
    assert wrong["wrong_inheritance"] and wrong["cites_other_case"] and not wrong["right_document"]


def test_metrics_per_kind():
    rows = [
        {"dialogue": "d", "kind": "first", "answerable": True, "right_document": True, "abstained": False,
         "wrong_inheritance": False, "carried_over": False, "cites_other_case": False},
        {"dialogue": "d", "kind": "elliptical", "answerable": True, "right_document": False, "abstained": False,
         "wrong_inheritance": False, "carried_over": True, "cites_other_case": False},
        {"dialogue": "d", "kind": "topic", "answerable": False, "right_document": False, "abstained": True,
         "wrong_inheritance": False, "carried_over": True, "cites_other_case": False},
    ]
    metrics = conversation_metrics(rows)
    assert metrics["followup_right_document"] == 0.0 and metrics["topic_carried_over"] == 1
    assert metrics["abstained_unanswerable"] == 1.0 and metrics["turns"] == 3


def test_a_bad_dialogue_line_names_the_file_and_line(tmp_path):
    path = tmp_path / "c.jsonl"
    good = {"id": "c1", "split": "dev", "turns": [{"question": "q", "kind": "first", "sources": []}]}
    path.write_text(json.dumps(good) + "\n" + json.dumps({"id": "c2", "turns": [{"question": "q", "kind": "odd"}]}) + "\n")
    assert is_dialogue_file(path)
    with pytest.raises(ValueError, match=r"c\.jsonl, line 2"):
        read_dialogues([path])
    path.write_text(json.dumps(good) + "\n")
    assert [d.id for d in read_dialogues([path], split="dev")] == ["c1"] and read_dialogues([path], split="test") == []
