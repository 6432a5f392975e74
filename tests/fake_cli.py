"""`legalqa` with the fake embedder, for tests that need real processes (kill -9, servers, peak RSS)
but not the real model's minutes: `python -m tests.fake_cli ingest PATH`.

LEGALQA_FAKE_EMBED_DELAY (seconds per batch) slows the fake down, so that a test can kill a
process in the middle of an ingest. LEGALQA_FAKE_STALL_RECORDS (seconds) holds every write of
document records back after their chunks are written: a kill -9 then lands in the one state
recovery exists for (chunks stored, no record)."""

from __future__ import annotations


def main() -> None:
    import os
    import time

    from chatbot.cli import main as cli_main
    from ingest.embeddings import register_embedder
    from legalqa.settings import Settings
    from tests.conftest import FakeEmbedder

    delay = float(os.environ.get("LEGALQA_FAKE_EMBED_DELAY", "0"))

    class SlowFake(FakeEmbedder):
        def embed_batch(self, texts):
            time.sleep(delay)
            return super().embed_batch(texts)

    stall = float(os.environ.get("LEGALQA_FAKE_STALL_RECORDS", "0"))
    if stall:
        _stall_record_writes(stall)
    embedder = SlowFake() if delay else FakeEmbedder()
    # Whatever model the environment names, the fake answers for it (indexes built here open
    # with plain Settings() in the tests' own processes).
    for name in {"fake", Settings().embedding_model}:
        register_embedder(name, lambda: embedder)
    cli_main()


def _stall_record_writes(seconds: float) -> None:
    import time

    from ingest.store import ChunkStore

    original = ChunkStore.replace_documents

    def stalled(self, batch):
        records = self._documents

        class Stalled:
            def __getattr__(self, name):
                return getattr(records, name)

            def upsert(self, **kwargs):
                time.sleep(seconds)
                return records.upsert(**kwargs)

        self._documents = Stalled()
        try:
            original(self, batch)
        finally:
            self._documents = records

    ChunkStore.replace_documents = stalled


if __name__ == "__main__":
    main()
