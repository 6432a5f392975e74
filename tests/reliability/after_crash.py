"""Run in a fresh process after a kill -9: open the index, ask, re-ingest, ask again, list the
chunk ids and count the chunks dense search cannot find, before and after.

`python -m tests.reliability.after_crash INDEX_DIR CORPUS QUESTION` prints one JSON object.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(index_dir: str, corpus: str, question: str) -> None:
    from chatbot.engine import Engine
    from ingest.pipeline import ingest_paths
    from legalqa.settings import Settings
    from ingest.store import ChunkStore, IndexUnavailableError
    from tests.conftest import FakeEmbedder

    embedder = FakeEmbedder()
    settings = Settings(index_dir=Path(index_dir))
    result: dict = {"answer": None, "documents": []}
    try:
        engine = Engine(settings, embedder=embedder)
        result["documents"] = sorted(engine.documents)
        result["answer"] = engine.ask(question).model_dump()
        # What each retriever saw, to tell a failure's cause from the test's report.
        vector = engine.embedder.embed([question])[0]
        result["dense"] = [c.source for c, _ in engine.store.dense_search(vector, 3)]
        result["bm25"] = [cid for cid, _ in engine.lexical.search(question, 3)] if engine.lexical else None
        result["lost_before"] = len(engine.store.lost_vectors())
    except IndexUnavailableError as exc:  # killed before the index existed
        result["unavailable"] = str(exc)
    report = ingest_paths([Path(corpus)], settings=settings, embedder=embedder)
    result["recovered"] = report.recovered
    result["reingested"] = len(report.indexed)
    store = ChunkStore(settings)
    store.open(store.build_info())
    result["ids"] = sorted(c.chunk_id for c in store.iter_chunks())
    lost = store.lost_vectors()
    result["lost_after"] = len(lost)
    if lost:  # lost for good, or only missed by an approximate search among many deleted vectors?
        got = store.chunks.get(ids=lost, include=["embeddings"])
        every = store.chunks.query(query_embeddings=got["embeddings"], n_results=store.count(), include=[])
        result["lost_found_by_full_search"] = [cid in hits for cid, hits in zip(got["ids"], every["ids"])]
    result["answer_after"] = Engine(settings, store=store, embedder=embedder).ask(question).model_dump()
    print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:4])
