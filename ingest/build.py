"""The build record: how an index was built, kept in the chunk collection's metadata.

Opening an index with other settings gives :class:`IndexMismatchError` and the rebuild
command, never a dimension error from deep inside Chroma."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ingest.vectors import HEADER_WEIGHT
from legalqa.settings import Settings

# Bump when loading, chunking or tokenization changes what an index holds:
# older indexes then ask to be rebuilt instead of silently answering from stale text.
FORMAT_VERSION = 8  # 8: cleaning rejoins words split by text extraction (ingest/repair.py)


class BuildInfo(BaseModel):
    """Every setting and constant that changes what the index holds, or its vectors."""

    model_config = ConfigDict(extra="forbid")

    format_version: int = FORMAT_VERSION
    embedding_model: str
    dimension: int
    chunk_tokens: int
    chunk_overlap_tokens: int
    # Records written before this field existed were all built with 0.4: they read as 0.4,
    # so they keep opening while HEADER_WEIGHT stays 0.4, and ask for a rebuild if it changes.
    header_weight: float = 0.4

    @classmethod
    def from_settings(cls, settings: Settings, dimension: int) -> BuildInfo:
        return cls(
            embedding_model=settings.embedding_model,
            dimension=dimension,
            chunk_tokens=settings.ingest.chunk_tokens,
            chunk_overlap_tokens=settings.ingest.chunk_overlap_tokens,
            header_weight=HEADER_WEIGHT,
        )

    def differences(self, other: BuildInfo) -> list[str]:
        mine, theirs = self.model_dump(), other.model_dump()
        return [f"{k}: index has {theirs[k]!r}, settings say {mine[k]!r}" for k in mine if mine[k] != theirs[k]]
