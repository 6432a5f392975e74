"""`legalqa` with the fake embedder, for tests that need real processes (kill -9, servers, peak RSS)
but not the real model's minutes: `python -m tests.fake_cli ingest PATH`.

LEGALQA_FAKE_EMBED_DELAY (seconds per batch) slows the fake down, so that a test can kill a
process in the middle of an ingest."""

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

    embedder = SlowFake() if delay else FakeEmbedder()
    # Whatever model the environment names, the fake answers for it (indexes built here open
    # with plain Settings() in the tests' own processes).
    for name in {"fake", Settings().embedding_model}:
        register_embedder(name, lambda: embedder)
    cli_main()


if __name__ == "__main__":
    main()
