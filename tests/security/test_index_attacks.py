"""The review's two index findings, replayed on a real server: kill -9 in the middle of an
upload, and `legalqa ingest --rebuild` while users are asking questions."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time

from tests.conftest import ROOT, start_service, stop_service
from tests.security.client import Raw
from tests.security.conftest import launch, still_answers

UNIQUE = "quokka"  # a word no document of the test corpus holds


def stored_chunks(index_dir) -> int:
    """Chunks Chroma has written, read from its SQLite file (read-only, beside the live server)."""
    total = 0
    for db in index_dir.rglob("chroma.sqlite3"):
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as con:
            total += con.execute("SELECT count(*) FROM embeddings").fetchone()[0]
    return total


def long_memo() -> bytes:
    sentences = [f"Paragraph {i}: the {UNIQUE} licence memo discusses training data, market harm and the "
                 f"striped archive in clause {i}, which the parties negotiated at length." for i in range(3000)]
    return " ".join(sentences).encode()


def test_kill_during_an_upload_leaves_nothing_behind(tmp_path):
    served = launch(tmp_path, auth=None, extra_env={"LEGALQA_UI__MAX_UPLOAD_MB": "2",
                                                    "LEGALQA_FAKE_STALL_RECORDS": "30"})
    index_dir = tmp_path / "index"
    try:
        raw = Raw(served.base)
        before = stored_chunks(index_dir)
        offered = raw.upload("quokka-memo.txt", long_memo())
        upload = raw.fn("upload", "upload")
        threading.Thread(target=lambda: raw.join(upload, [[offered], "", "Only me"], timeout=60), daemon=True).start()
        deadline = time.monotonic() + 60
        while stored_chunks(index_dir) <= before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stored_chunks(index_dir) > before, "the upload never wrote a chunk"
        served.proc.send_signal(signal.SIGKILL)  # mid-upload: chunks written, the document record not yet
        served.proc.wait(timeout=30)
        assert (served.uploads / "quokka-memo.txt").exists(), "the copy should be on disk when the kill lands"
    finally:
        if served.proc.poll() is None:
            served.proc.kill()

    # Restart: recovery runs before the port opens.
    env = {k: v for k, v in served.env.items() if k != "LEGALQA_FAKE_STALL_RECORDS"}
    proc = start_service([sys.executable, "-m", "tests.fake_cli", "serve", "--port", str(served.port)], served.port,
                         env=env, timeout=120, name="legalqa serve (after kill)")
    served.proc = proc
    try:
        assert stored_chunks(index_dir) == before, "chunks of the killed upload are still in the index"
        assert not (served.uploads / "quokka-memo.txt").exists(), "the orphan copy is still on disk"
        docs = subprocess.run([sys.executable, "-m", "tests.fake_cli", "docs", "--json"], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        assert "quokka" not in docs.stdout
        from gradio_client import Client

        answer = Client(served.base, verbose=False).predict(f"What does the {UNIQUE} licence memo discuss?",
                                                           api_name="/ask")
        assert not any("quokka" in c["source"] for c in answer["citations"])
        still_answers(served)
    finally:
        stop_service(proc)


def test_a_rebuild_while_serving_fails_no_question_and_keeps_uploads(tmp_path):
    served = launch(tmp_path, auth=None)
    try:
        raw = Raw(served.base)
        offered = raw.upload("quokka-notes.txt", f"The {UNIQUE} notes say the striped archive licence lapsed.".encode())
        assert "✓ uploads/quokka-notes.txt" in str(raw.join(raw.fn("upload", "upload"), [[offered], "", "Only me"])["output"])

        from gradio_client import Client

        results, stop = [], threading.Event()

        def ask_loop():
            client = Client(served.base, verbose=False)
            while not stop.is_set():
                try:
                    answer = client.predict("What are the four factors of fair use?", api_name="/ask")
                    results.append(bool(answer["citations"]))
                except Exception as exc:  # a failed question is what this test counts
                    results.append(repr(exc))

        askers = [threading.Thread(target=ask_loop) for _ in range(3)]
        for t in askers:
            t.start()
        time.sleep(1)
        rebuild = subprocess.run([sys.executable, "-m", "tests.fake_cli", "ingest", "--rebuild",
                                  str(tmp_path / "corpus")], env={**served.env, "LEGALQA_FAKE_EMBED_DELAY": "1.0"},
                                 cwd=ROOT, capture_output=True, text=True, timeout=300)
        time.sleep(1.5)
        stop.set()
        for t in askers:
            t.join(timeout=60)
        assert rebuild.returncode in (0, 3), rebuild.stderr[-2000:]
        failed = [r for r in results if r is not True]
        assert len(results) > 20 and not failed, f"{len(failed)} of {len(results)} questions failed: {failed[:3]}"

        # The upload survived the rebuild, and is still answered from.
        docs = subprocess.run([sys.executable, "-m", "tests.fake_cli", "docs", "--json"], env=served.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        assert "uploads/quokka-notes.txt" in [json.loads(line)["source"] for line in docs.stdout.splitlines()]
        answer = Client(served.base, verbose=False).predict(f"What do the {UNIQUE} notes say?", api_name="/ask")
        assert "uploads/quokka-notes.txt" in [c["source"] for c in answer["citations"]]
        still_answers(served)
    finally:
        stop_service(served.proc)
