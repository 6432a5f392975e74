"""Questions to answers: retrieval, answering, citations, the web chat and the CLI.

The names below are imported on first use: `legalqa ingest` and `legalqa --help` start from
this package too, and need none of the answering code."""

__all__ = ["Answer", "Citation", "Engine", "ask"]


def __getattr__(name: str):
    if name in ("Engine", "ask"):
        from chatbot import engine

        return getattr(engine, name)
    if name in ("Answer", "Citation"):
        from chatbot import types

        return getattr(types, name)
    raise AttributeError(f"module 'chatbot' has no attribute {name!r}")
