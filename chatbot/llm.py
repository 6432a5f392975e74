"""Optional answerers that write with a chat model (Ollama, any OpenAI-compatible server,
llama.cpp), always behind citation verification.

Chosen by ``LEGALQA_ANSWER__BACKEND``: ``ollama:MODEL``, ``openai:MODEL`` (with
``LEGALQA_ANSWER__LLM_BASE_URL`` for vLLM, llama.cpp's server or LM Studio) or
``llamacpp:/path/to/model.gguf``. These are the only parts of legalqa that may
connect anywhere, and only to the address the user configures.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from chatbot.answerers import AnswerContext, Answerer, AnswerRequest, UnknownBackend, register_answerer
from chatbot.prompts import (
    ANSWER_SYSTEM,
    ANSWER_USER,
    NOT_ANSWERED,
    REWRITE_SYSTEM,
    REWRITE_USER,
    format_passages,
)
from chatbot.types import ABSTAIN_MESSAGE, Answer, Draft, Evidence
from chatbot.verify import verify_citations
from legalqa.errors import LegalqaError
from legalqa.settings import AnswerSettings
from ingest.types import SourceDocument

LLM_BACKENDS = ("ollama", "openai", "llamacpp")


class BackendUnavailable(LegalqaError):
    """The configured LLM backend's package is not installed or its settings are incomplete."""


def make_chat_model(settings: AnswerSettings):
    """The LangChain chat model named by ``settings.backend``."""
    kind, _, name = settings.backend.partition(":")
    if not name:
        raise BackendUnavailable(f"answer backend '{settings.backend}' needs a model: e.g. ollama:llama3.1")
    try:
        if kind == "ollama":
            from langchain_ollama import ChatOllama

            return ChatOllama(model=name, base_url=settings.llm_base_url or "http://127.0.0.1:11434",
                              temperature=settings.temperature)
        if kind == "openai":
            from langchain_openai import ChatOpenAI

            return ChatOpenAI(model=name, base_url=settings.llm_base_url, api_key=settings.llm_api_key or "not-needed",
                              temperature=settings.temperature)
        if kind == "llamacpp":
            from langchain_community.chat_models import ChatLlamaCpp

            return ChatLlamaCpp(model_path=name, temperature=settings.temperature, n_ctx=8192, verbose=False)
    except ImportError as exc:
        extra = "llamacpp" if kind == "llamacpp" else "llm"
        raise BackendUnavailable(
            f"the {kind} backend needs an optional package ({exc.name}): pip install 'legalqa[{extra}]'"
        ) from None
    raise UnknownBackend(f"unknown answer backend '{settings.backend}' (choose extractive, ollama:, openai:, llamacpp:)")


class LLMAnswerer(Answerer):
    """Drafts an answer from numbered passages with a chat model, then verifies every sentence."""

    name = "llm"
    takes_model = True

    def __init__(self, context: AnswerContext, model: str = "", *, chat_model=None):
        super().__init__(context)
        self.chat_model = chat_model if chat_model is not None else make_chat_model(context.settings)
        self.embedder = context.embedder

    def messages(self, question: str, evidence: list[Evidence]):
        from langchain_core.messages import HumanMessage, SystemMessage

        passages = []
        for n, e in enumerate(evidence, start=1):
            doc = e.chunk.document
            label = doc.cite(e.chunk.page) if doc else e.chunk.title
            passages.append((n, label.replace('"', "'"), e.chunk.text))
        return [
            SystemMessage(ANSWER_SYSTEM),
            HumanMessage(ANSWER_USER.format(question=question, passages=format_passages(passages))),
        ]

    def answer(self, request: AnswerRequest) -> Draft:
        """The model reads every passage, so the hints that steer the extractive answerer's
        sentence selection (survey, boost_terms, focus) do not apply."""
        if not request.evidence:
            return Draft(ABSTAIN_MESSAGE, [], True)
        raw = _text(self.chat_model.invoke(self.messages(request.question, request.evidence)))
        return self.check(raw, request.evidence)

    def stream(self, request: AnswerRequest) -> Iterator[str | Draft]:
        """The model's draft as it is written (unverified), then the verified Draft that replaces it."""
        if not request.evidence:
            yield Draft(ABSTAIN_MESSAGE, [], True)
            return
        raw = ""
        for chunk in self.chat_model.stream(self.messages(request.question, request.evidence)):
            raw += _text(chunk)
            yield raw
        yield self.check(raw, request.evidence)

    def check(self, raw: str, evidence: list[Evidence]) -> Draft:
        if NOT_ANSWERED.lower() in raw.lower()[:60]:
            return Draft(ABSTAIN_MESSAGE, [], True)
        verified = verify_citations(raw, evidence, self.embedder, min_support=self.settings.min_support)
        notes = []
        if verified.removed:
            notes.append(
                f"{len(verified.removed)} sentence(s) of the model's draft were removed because their citations "
                "could not be verified: "
                + " ".join(f"“{s}” ({why})." for s, why in verified.removed)
            )
        if not verified.citations:
            return Draft(ABSTAIN_MESSAGE, [], True, notes)
        return Draft(verified.text, verified.citations, False, notes)

    def rewrite(self, question: str, history: Sequence[Answer], documents: dict[str, SourceDocument]) -> str:
        from langchain_core.messages import HumanMessage, SystemMessage

        lines = []
        for turn in history[-3:]:
            lines.append(f"User: {turn.question}")
            lines.append(f"Assistant: {turn.answer[:600]}")
        reply = _text(self.chat_model.invoke([
            SystemMessage(REWRITE_SYSTEM),
            HumanMessage(REWRITE_USER.format(history="\n".join(lines), question=question)),
        ])).strip()
        return reply.splitlines()[0].strip() if reply else question


for _prefix in LLM_BACKENDS:
    register_answerer(_prefix)(LLMAnswerer)


def _text(message) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, list):
        return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return str(content)
