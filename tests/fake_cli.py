"""`legalqa` with the fake embedder, for tests that need real processes (kill -9, servers, peak RSS)
but not the real model's minutes: `python -m tests.fake_cli ingest PATH`."""

from __future__ import annotations


def main() -> None:
    import chatbot.engine
    import ingest.pipeline
    from chatbot.cli import main as cli_main
    from tests.conftest import FakeEmbedder

    embedder = FakeEmbedder()
    ingest.pipeline.load_embedder = lambda name: embedder
    chatbot.engine.load_embedder = lambda name: embedder
    cli_main()


if __name__ == "__main__":
    main()
