"""Shared fixtures: a fake embedder for the unit tier, a real index for the integration tier."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ingest.embeddings import Embedder
from legalqa.settings import Settings
from ingest.tokenization import tokenize

ROOT = Path(__file__).resolve().parent.parent
REAL_CORPUS = ROOT.parent / "shared" / "corpus-real"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def pytest_addoption(parser):
    parser.addoption(
        "--full", action="store_true", default=False,
        help="Run the reliability loops at full size: 20 kill -9 crashes, a 60 s soak with 20 clients, "
        "the heavy hostile files with the real model.",
    )


@pytest.fixture(scope="session")
def full(request) -> bool:
    return request.config.getoption("--full")


class FakeEmbedder(Embedder):
    """Hashed bag of words: texts sharing words are similar. Deterministic and instant."""

    name = "fake"
    max_tokens = 256

    def __init__(self, dimension: int = 64):
        self.dimension = dimension
        self.calls = 0
        self.embedded = 0

    def embed_batch(self, texts):
        self.calls += 1
        self.embedded += len(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in tokenize(text):
                h = int.from_bytes(hashlib.md5(token.encode()).digest()[:4], "little")
                out[row, h % self.dimension] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else np.eye(1, self.dimension, 0, dtype=np.float32)[0]
        return out

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path, monkeypatch):
    """Every test gets its own index folder, whatever the environment says."""
    monkeypatch.setenv("LEGALQA_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.delenv("LEGALQA_CHROMA_HOST", raising=False)
    monkeypatch.setenv("LEGALQA_EVAL_HISTORY", str(tmp_path / "history.jsonl"))


@pytest.fixture
def fake_embedder():
    return FakeEmbedder()


@pytest.fixture
def settings(tmp_path):
    return Settings(index_dir=tmp_path / "index", embedding_model="fake")


@pytest.fixture(scope="session")
def real_corpus():
    if not REAL_CORPUS.is_dir():
        pytest.skip(f"{REAL_CORPUS} is absent (it ships only with the development workspace)")
    return REAL_CORPUS


@contextlib.contextmanager
def one_worker_at_a_time(name: str):
    """Held while a test worker builds or writes something every worker shares (``make test``
    runs two): the others wait, then find it built."""
    lock = ROOT / ".legalqa" / f"{name}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        yield


def shared_index(name: str, corpus: Path, timeout: float) -> tuple[Path, subprocess.CompletedProcess]:
    """``corpus`` indexed with the real model in .legalqa/``name``, which every worker and a second
    `make test` reuse (then only hashes are checked). The ingest runs in a subprocess, as a user
    would run it, by one worker at a time; an index built by an older version of the code is
    disposable and rebuilt."""
    index_dir = ROOT / ".legalqa" / name
    env = {**os.environ, "LEGALQA_INDEX_DIR": str(index_dir)}
    command = [sys.executable, "-m", "chatbot.cli", "ingest", str(corpus)]
    with one_worker_at_a_time(name):
        result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT, timeout=timeout)
        if result.returncode == 4:
            result = subprocess.run(command + ["--rebuild"], env=env, capture_output=True, text=True, cwd=ROOT,
                                    timeout=timeout)
    return index_dir, result


@pytest.fixture(scope="session")
def real_index(real_corpus):
    """The real corpus indexed with the real model (:func:`shared_index`)."""
    index_dir, result = shared_index("test-index", real_corpus, timeout=1800)
    assert result.returncode in (0, 3), result.stderr[-2000:]
    return index_dir


@pytest.fixture
def fake_model(fake_embedder):
    """Make every load of the configured embedding model return the fake (for CLI-level unit
    tests, whose settings come from the environment): registered under the model's name."""
    from ingest.embeddings import register_embedder, unregister_embedder

    # Engines are cached by settings, and each test's settings name its own index folder, so no
    # engine of another test (or its embedder) is reused.
    names = {"fake", Settings().embedding_model}
    for name in names:
        register_embedder(name, lambda: fake_embedder)
    yield fake_embedder
    for name in names:
        unregister_embedder(name)


@pytest.fixture
def small_corpus(tmp_path):
    from tests.corpus_fixture import write_corpus

    return write_corpus(tmp_path / "corpus")


class ScriptedChatModel:
    """Stands in for a LangChain chat model: replies are queued with ``enqueue`` and may be
    functions of the prompt; every prompt is kept in ``history``."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.history = []

    def enqueue(self, *replies):
        self.replies.extend(replies)

    def _reply(self, messages) -> str:
        self.history.append(messages)
        reply = self.replies.pop(0)
        return reply(messages) if callable(reply) else reply

    def invoke(self, messages, **_):
        from langchain_core.messages import AIMessage

        return AIMessage(content=self._reply(messages))

    def stream(self, messages, **_):
        from langchain_core.messages import AIMessageChunk

        text = self._reply(messages)
        for i in range(0, len(text), 7):
            yield AIMessageChunk(content=text[i : i + 7])


@pytest.fixture
def scripted_model():
    return ScriptedChatModel()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_service(command: list[str], port: int, *, env: dict, timeout: float, name: str):
    """Start a server process and wait until its loopback port accepts connections."""
    import socket
    import time

    import tempfile

    # A log file, not a pipe: nobody reads a pipe while the tests run, and a full pipe blocks the server.
    log = tempfile.NamedTemporaryFile(prefix=f"{name.replace(' ', '-')}-", suffix=".log", delete=False)
    proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{name} exited: {Path(log.name).read_text(errors='replace')[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    pytest.fail(f"{name} did not start within {timeout:.0f} s")


def stop_service(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def submit_question(page, question: str, *, wait_s: float = 20) -> None:
    """Type ``question`` into the chat and send it. A question sent while a freshly opened page is
    still starting its app can be dropped, so it is sent again if it has not reached the chat."""
    box = page.locator("#question textarea")
    for _ in range(3):
        box.fill(question)
        box.press("Enter")
        try:
            page.wait_for_function("q => document.querySelector('#chat').innerText.includes(q)", arg=question,
                                   timeout=wait_s * 1000)
            return
        except Exception:  # not shown yet: the page was not ready for it
            continue
