"""Run in a fresh process after a kill -9: open the index, ask, re-ingest, list the chunk ids.

`python -m tests.reliability.after_crash INDEX_DIR CORPUS QUESTION` prints one JSON object.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(index_dir: str, corpus: str, question: str) -> None:
    from chatbot.engine import Engine
    from ingest.pipeline import ingest_paths
    from ingest.settings import Settings
    from ingest.store import ChunkStore, IndexUnavailableError
    from tests.conftest import FakeEmbedder

    embedder = FakeEmbedder()
    settings = Settings(index_dir=Path(index_dir))
    result: dict = {"answer": None, "documents": []}
    try:
        engine = Engine(settings, embedder=embedder)
        result["documents"] = sorted(engine.documents)
        result["answer"] = engine.ask(question).model_dump()
    except IndexUnavailableError as exc:  # killed before the index existed
        result["unavailable"] = str(exc)
    report = ingest_paths([Path(corpus)], settings=settings, embedder=embedder)
    result["recovered"] = report.recovered
    result["reingested"] = len(report.indexed)
    store = ChunkStore(settings)
    store.open(store.build_info())
    result["ids"] = sorted(c.chunk_id for c in store.iter_chunks())
    print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:4])
