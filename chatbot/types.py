"""What an answer is made of: evidence in, citations and an answer out."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ingest.types import Chunk


class Evidence(BaseModel):
    """A retrieved chunk with its fused score and its cosine similarity to the question."""

    model_config = ConfigDict(extra="forbid")

    chunk: Chunk
    score: float
    similarity: float | None = None


class Citation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    n: int
    source: str
    title: str
    page: int | None
    quote: str
    chunk_id: str

    def label(self) -> str:
        return f"{self.title}, p. {self.page}" if self.page is not None else self.title


class Retrieved(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    page: int | None
    chunk_id: str
    score: float


class Answer(BaseModel):
    """The JSON contract of `legalqa ask --json`, which evaluation and scripts rely on."""

    model_config = ConfigDict(extra="forbid")

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = Field(default_factory=list)
    retrieved: list[Retrieved] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)

    def sources_text(self) -> str:
        return "\n".join(f"[{c.n}] {c.label()}" for c in self.citations)

    def render_text(self) -> str:
        """The answer as a person reads it: quotes with [n] markers, then the numbered sources."""
        if not self.citations:
            return self.answer
        return f"{self.answer}\n\nSources:\n{self.sources_text()}"


ABSTAIN_MESSAGE = "The indexed documents do not answer this."
