"""The conversation gold set's test split on corpus/sample, with the real model: follow-ups are
answered from the right document and no turn that names its own case inherits another."""

from __future__ import annotations

from pathlib import Path

from chatbot.engine import Engine
from eval.conversations import conversation_metrics, read_dialogues, run_dialogues
from legalqa.settings import Settings
from tests.conftest import ROOT
from tests.integration.test_sample_corpus import sample_index  # noqa: F401 - the fixture

GOLD = ROOT / "eval" / "gold" / "conversations-sample.jsonl"


def test_the_sample_conversations_test_split(sample_index, tmp_path):  # noqa: F811
    engine = Engine(Settings(index_dir=Path(sample_index), data_dir=tmp_path))
    metrics = conversation_metrics(run_dialogues(engine, read_dialogues([GOLD], split="test")))
    assert metrics["turns"] >= 40
    assert metrics["followup_right_document"] >= 0.9, metrics
    assert metrics["named_wrong_inheritance"] == 0, metrics
    assert metrics["abstained_answerable"] <= 0.05, metrics
