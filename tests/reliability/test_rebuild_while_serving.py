"""`legalqa ingest --rebuild` in another process while an engine answers questions in four threads:
no question fails, the old index answers until the switch, and the new one after it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import ROOT
from tests.reliability.figures import record_figures
from tests.reliability.test_crash_loop import write_filing

STABLE = ("The zebra licence was held to be a fair use of the striped works.\n",
          "Was the zebra licence a fair use of the striped works?")
ADDED = ("The giraffe tariff was struck down as an unlawful tax on tall animals.\n",
         "Was the giraffe tariff struck down as an unlawful tax on tall animals?")


def serve_during(index_dir: Path, data_dir: Path, corpus: Path, threads: int = 4) -> dict:
    """Answer the stable question in ``threads`` threads while a subprocess rebuilds the index;
    returns the counts and the failures seen."""
    from chatbot.engine import Engine
    from legalqa.settings import Settings
    from tests.conftest import FakeEmbedder

    engine = Engine(Settings(index_dir=index_dir, data_dir=data_dir), embedder=FakeEmbedder())
    stop = threading.Event()
    results: list[tuple[float, int, str]] = []  # (when, generation, "ok" | "abstained" | the error)
    lock = threading.Lock()

    def ask_loop() -> None:
        while not stop.is_set():
            try:
                answer = engine.ask(STABLE[1])
                generation = engine.store.generation  # the index that answered
                outcome = "abstained" if answer.abstained else "ok"
            except Exception as exc:  # noqa: BLE001 - counting what a user would have seen as "Error"
                generation, outcome = -1, f"{type(exc).__name__}: {exc}"
            with lock:
                results.append((time.perf_counter(), generation, outcome))

    workers = [threading.Thread(target=ask_loop) for _ in range(threads)]
    for w in workers:
        w.start()
    time.sleep(0.5)
    env = {**os.environ, "LEGALQA_INDEX_DIR": str(index_dir), "LEGALQA_DATA_DIR": str(data_dir)}
    began = time.perf_counter()
    rebuild = subprocess.run([sys.executable, "-m", "tests.fake_cli", "ingest", "--rebuild", str(corpus)],
                             env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    ended = time.perf_counter()
    time.sleep(0.5)
    stop.set()
    for w in workers:
        w.join(timeout=60)
    during = [o for t, _, o in results if began <= t <= ended]
    after = engine.ask(ADDED[1])
    return {
        "rebuild_rc": rebuild.returncode, "rebuild_stderr": rebuild.stderr[-2000:],
        "rebuild_seconds": round(ended - began, 1), "questions": len(results), "during_rebuild": len(during),
        "failed": [o for _, _, o in results if o not in ("ok", "abstained")],
        "abstained_old_index": sum(o == "abstained" for _, g, o in results if g == 0),
        "abstained_new_index": sum(o == "abstained" for _, g, o in results if g > 0),
        "after_cites": sorted({c.source for c in after.citations}),
    }


def build_corpus(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A 13-file corpus indexed in this process; then a file only the rebuild will see."""
    from ingest.pipeline import ingest_paths
    from legalqa.settings import Settings
    from tests.conftest import FakeEmbedder

    corpus, index_dir, data_dir = tmp_path / "corpus", tmp_path / "index", tmp_path / "data"
    corpus.mkdir()
    for n in range(12):
        write_filing(corpus / f"filing-{n:02d}.txt", n, 0)
    (corpus / "zebra.txt").write_text(STABLE[0])
    ingest_paths([corpus], settings=Settings(index_dir=index_dir, data_dir=data_dir), embedder=FakeEmbedder())
    (corpus / "giraffe.txt").write_text(ADDED[0])
    return corpus, index_dir, data_dir


def test_no_question_fails_while_another_process_rebuilds(tmp_path):
    corpus, index_dir, data_dir = build_corpus(tmp_path)
    seen = serve_during(index_dir, data_dir, corpus)
    assert seen["rebuild_rc"] == 0, seen["rebuild_stderr"]
    assert seen["during_rebuild"] > 0, seen
    assert seen["failed"] == [], seen["failed"][:5]
    assert seen["abstained_old_index"] == 0  # the old index answered in full until the switch
    assert "giraffe.txt" in seen["after_cites"]  # the new index answers after the switch
    # Not asserted: now and then embedded Chroma, opening the new collections in this process,
    # misses one vector (the "lost vectors" of ingest/store.py), and the stable question then
    # abstains from the new index until the next ingest repairs it. Counted, for the record.
    record_figures("rebuild_while_serving", {k: v for k, v in seen.items() if k not in ("rebuild_stderr", "failed")}
                   | {"failed": len(seen["failed"])})
