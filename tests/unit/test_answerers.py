"""The answerer contract: a backend is one class and a name in settings."""

from __future__ import annotations

import subprocess
import sys

import pytest

from chatbot.answerers import Answerer, UnknownBackend, register_answerer, unregister_answerer
from chatbot.engine import Engine
from chatbot.types import Citation, Draft
from ingest.pipeline import ingest_paths
from tests.conftest import ROOT


@pytest.fixture
def toy_backend():
    @register_answerer("toy")
    class ToyAnswerer(Answerer):
        """Quotes the first sentence of the best passage, whatever was asked."""

        def answer(self, request):
            best = request.evidence[0].chunk
            quote = best.text.split(". ")[0]
            return Draft(f"{quote} [1]", [Citation.of(1, best, quote)], False)

    yield ToyAnswerer
    unregister_answerer("toy")


def test_a_toy_backend_is_one_class_and_a_name_in_settings(toy_backend, small_corpus, settings, fake_embedder):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    toy = settings.model_copy(update={"answer": settings.answer.model_copy(update={"backend": "toy"})})
    engine = Engine(toy, embedder=fake_embedder)
    assert isinstance(engine.answerer(), toy_backend)
    answer = engine.ask("What are the four factors of fair use?")
    assert not answer.abstained and answer.answer.endswith("[1]")
    assert answer.citations[0].quote in answer.answer
    assert answer.citations[0].cite, "the chunk knows its document, so the citation is whole"
    # Streaming comes with the base class: the growing text, then the same verified answer.
    parts = list(engine.ask_stream("What are the four factors of fair use?"))
    assert parts[-1].answer == answer.answer and isinstance(parts[0], str)


def test_an_unknown_backend_is_named(small_corpus, settings, fake_embedder):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    bogus = settings.model_copy(update={"answer": settings.answer.model_copy(update={"backend": "bogus"})})
    with pytest.raises(UnknownBackend, match="unknown answer backend 'bogus'.*extractive.*ollama:MODEL"):
        Engine(bogus, embedder=fake_embedder).ask("What are the four factors?")


def test_the_cli_says_the_backend_is_unknown(small_corpus, tmp_path):
    env = {"LEGALQA_INDEX_DIR": str(tmp_path / "index"), "LEGALQA_ANSWER__BACKEND": "bogus"}
    import os

    env = {**os.environ, **env}
    subprocess.run([sys.executable, "-m", "tests.fake_cli", "ingest", str(small_corpus)], env=env, cwd=ROOT,
                   check=True, capture_output=True, timeout=120)
    done = subprocess.run([sys.executable, "-m", "tests.fake_cli", "ask", "What are the four factors?"], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "unknown answer backend 'bogus'" in done.stderr and "Traceback" not in done.stderr
