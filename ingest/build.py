"""The build record: how an index was built, kept in the chunk collection's metadata.

Opening an index with other settings gives :class:`IndexMismatchError` and the rebuild
command, never a dimension error from deep inside Chroma."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ingest.vectors import HEADER_WEIGHT
from legalqa.settings import Settings

# Bump when loading, chunking or tokenization changes what an index holds:
# older indexes then ask to be rebuilt instead of silently answering from stale text.
FORMAT_VERSION = 9  # 8: cleaning rejoins words split by text extraction (ingest/repair.py); 9: tokens lose accents


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
    # How the documents were encoded ("torch-bf16", "torch-fp32", …; "" before it was recorded,
    # which was float32). On record only: vectors of every path agree to 0.9999 cosine, so an
    # index built on one path is queried from another, and this never asks for a rebuild.
    encoder: str = ""

    @classmethod
    def from_settings(cls, settings: Settings, dimension: int, encoder: str = "") -> BuildInfo:
        return cls(
            embedding_model=settings.embedding_model,
            dimension=dimension,
            chunk_tokens=settings.ingest.chunk_tokens,
            chunk_overlap_tokens=settings.ingest.chunk_overlap_tokens,
            header_weight=HEADER_WEIGHT,
            encoder=encoder,
        )

    def differences(self, other: BuildInfo) -> list[str]:
        """What would make the index answer differently from these settings (the encoder does not)."""
        mine, theirs = self.model_dump(exclude={"encoder"}), other.model_dump(exclude={"encoder"})
        return [f"{k}: index has {theirs[k]!r}, settings say {mine[k]!r}" for k in mine if mine[k] != theirs[k]]
