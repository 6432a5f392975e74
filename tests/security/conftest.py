"""Real `legalqa serve` processes to attack: one open (no login), one with two users.

The fake embedder keeps start-up to seconds; what is tested is the server's doors, not the model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import ROOT, free_port, start_service, stop_service

ALICE, BOB = ("alice", "alice-pw-1"), ("bob", "bob-pw-2")
NORMAL_QUESTION = "What are the four factors of fair use?"


def launch(tmp: Path, *, auth: str | None, extra_env: dict | None = None) -> SimpleNamespace:
    from tests.corpus_fixture import write_corpus

    corpus = write_corpus(tmp / "corpus")
    env = {**os.environ, "LEGALQA_INDEX_DIR": str(tmp / "index"), "LEGALQA_DATA_DIR": str(tmp / "data"),
           "LEGALQA_UI__MAX_UPLOAD_MB": "0.2", **(extra_env or {})}
    env.pop("LEGALQA_UI__AUTH", None)
    if auth:
        env["LEGALQA_UI__AUTH"] = auth
    plain = {k: v for k, v in env.items() if not k.startswith("LEGALQA_FAKE_")}  # the set-up ingest runs at full speed
    subprocess.run([sys.executable, "-m", "tests.fake_cli", "ingest", str(corpus)], env=plain, cwd=ROOT, check=True,
                   capture_output=True, timeout=300)
    port = free_port()
    proc = start_service([sys.executable, "-m", "tests.fake_cli", "serve", "--port", str(port)], port, env=env,
                         timeout=120, name="legalqa serve (security)")
    return SimpleNamespace(base=f"http://127.0.0.1:{port}/", port=port, proc=proc, env=env, tmp=tmp,
                           uploads=tmp / "data" / "uploads", login=ALICE if auth else None,
                           # With a login, alice's uploads are hers: a folder and a source prefix of their own.
                           upload_prefix="uploads/u-alice/" if auth else "uploads/",
                           own_uploads=tmp / "data" / "uploads" / ("u-alice" if auth else ""))


@pytest.fixture(scope="module", params=["open", "login"])
def server(request, tmp_path_factory):
    """The same attacks against a server without a login and one with (as alice)."""
    auth = None if request.param == "open" else f"{ALICE[0]}:{ALICE[1]},{BOB[0]}:{BOB[1]}"
    served = launch(tmp_path_factory.mktemp(request.param), auth=auth)
    served.mode = request.param
    yield served
    stop_service(served.proc)


def still_answers(server) -> None:
    """After an attack, a normal question gets a cited answer within seconds."""
    from tests.security.client import Raw

    raw = Raw(server.base, login=server.login)
    result = raw.join(raw.fn("question", "submit"), [NORMAL_QUESTION, None, None, [], "", "", "", ""], timeout=30)
    assert result.get("success"), result["messages"][-1:]
    assert "source-card" in str(result["output"]), "the answer has no sources"
    assert server.proc.poll() is None, "the server died"
