"""One contract for every answer backend, and one factory that picks it by name.

An :class:`Answerer` turns a question and its evidence into a :class:`Draft` (text,
citations, abstained). The engine only orchestrates: it retrieves, hands the evidence to
whichever answerer the settings name, and verifies the quotes of the draft it gets back.

A backend is one class registered under the prefix of ``LEGALQA_ANSWER__BACKEND``::

    @register_answerer("toy")
    class ToyAnswerer(Answerer):
        def answer(self, request): ...

after which ``backend="toy"`` (or ``"toy:anything"``) selects it; nothing else changes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from chatbot.followup import rewrite_followup
from chatbot.types import Answer, Draft, Evidence
from ingest.embeddings import Embedder
from ingest.lexical import LexicalIndex
from ingest.types import SourceDocument
from legalqa.errors import LegalqaError
from legalqa.settings import AnswerSettings


class UnknownBackend(LegalqaError):
    """``LEGALQA_ANSWER__BACKEND`` names no registered answerer."""


@dataclass
class AnswerRequest:
    """What an answerer is given: the stand-alone question, its evidence, and hints about it."""

    question: str
    evidence: list[Evidence]
    query_vector: np.ndarray | None = None
    survey: bool = False  # "which courts have ruled on X?": one quote per document
    boost_terms: tuple[str, ...] = ()  # words a good sentence names (a judge's surname)
    focus: set[str] = field(default_factory=set)  # documents of the case the question names
    # The courts those documents come from ("N.D. Cal."), or the evidence's when no case is named.
    focus_courts: frozenset[str] = frozenset()
    # The documents the user may see (None: all). Word weights count only what these hold, so
    # another user's private upload never changes whether or how a question is answered.
    visible: set[str] | None = None


@dataclass
class AnswerContext:
    """What a backend may need from the engine: the model, and the current BM25 index
    (a function, since an ingest can replace the index while the answerer lives on)."""

    settings: AnswerSettings
    embedder: Embedder
    lexical: Callable[[], LexicalIndex | None]


class Answerer(ABC):
    """An answer backend. Only :meth:`answer` is required."""

    name = "answerer"

    def __init__(self, context: AnswerContext):
        self.context = context
        self.settings = context.settings

    @abstractmethod
    def answer(self, request: AnswerRequest) -> Draft:
        """A finished draft for ``request`` (abstained when the evidence does not answer it)."""

    def stream(self, request: AnswerRequest) -> Iterator[str | Draft]:
        """The text as it grows, then the finished Draft. By default the finished answer is
        shown line by line; a backend that writes as it goes (an LLM) overrides this."""
        draft = self.answer(request)
        shown = ""
        for line in draft.text.splitlines(keepends=True):
            shown += line
            yield shown
        yield draft

    def rewrite(self, question: str, history: Sequence[Answer], documents: dict[str, SourceDocument]) -> str:
        """A follow-up question made to stand alone (by default, by carrying the case over)."""
        return rewrite_followup(question, history, documents)


_REGISTRY: dict[str, Callable[[AnswerContext, str], Answerer]] = {}


def register_answerer(prefix: str):
    """Class decorator: make ``LEGALQA_ANSWER__BACKEND=prefix[:model]`` choose this class.

    The class is built as ``cls(context)``, or ``cls(context, model)`` if it takes a model name."""

    def register(cls):
        _REGISTRY[prefix] = cls
        return cls

    return register


def unregister_answerer(prefix: str) -> None:
    _REGISTRY.pop(prefix, None)


def backends() -> list[str]:
    return sorted(_REGISTRY)


def make_answerer(context: AnswerContext) -> Answerer:
    """The answerer ``context.settings.backend`` names: ``extractive`` or ``prefix:model``."""
    import chatbot.extractive  # noqa: F401  (registers "extractive")
    import chatbot.llm  # noqa: F401  (registers the LLM backends; their packages load only when used)

    backend = context.settings.backend
    prefix, _, model = backend.partition(":")
    cls = _REGISTRY.get(prefix)
    if cls is None:
        raise UnknownBackend(
            f"unknown answer backend '{backend}': set LEGALQA_ANSWER__BACKEND to one of "
            + ", ".join(p if p == "extractive" else f"{p}:MODEL" for p in backends())
        )
    return cls(context, model) if getattr(cls, "takes_model", False) else cls(context)
