"""Questions to answers: retrieval, answering, citations, the web chat and the CLI."""

from chatbot.engine import Engine, ask
from chatbot.types import Answer, Citation

__all__ = ["Answer", "Citation", "Engine", "ask"]
