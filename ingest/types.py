"""Domain types that travel from files to the index."""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict, Field


class SourceDocument(BaseModel):
    """One indexed file and what we know about it."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="Path relative to the folder given to `ingest`; the document's key.")
    title: str
    kind: str = "other"
    sha256: str
    docket: str | None = Field(None, description="Case number from the ECF stamp, e.g. '3:23-cv-03417-VC'.")
    n_pages: int = 0
    paged: bool = Field(False, description="True when page numbers come from the file itself.")


class Page(BaseModel):
    """The text of one page, whitespace-normalised. ``number`` is None for unpaged files."""

    model_config = ConfigDict(extra="forbid")

    number: int | None
    text: str


class LoadedDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: SourceDocument
    pages: list[Page]


class Chunk(BaseModel):
    """A span of one page that is embedded and retrieved as a unit.

    ``start``/``end`` are character offsets into the page text, so any scorer
    can recompute overlap and any quote can be checked against the page.
    """

    model_config = ConfigDict(extra="forbid")

    chunk_id: str
    source: str
    title: str
    page: int | None
    start: int
    end: int
    text: str
    doc_sha256: str
    header: str = Field("", description="The document's title and docket, embedded and indexed with the text.")

    @staticmethod
    def make_id(doc_sha256: str, page: int | None, start: int, end: int) -> str:
        """Stable across re-ingests: the same content and span give the same id."""
        key = f"{doc_sha256}:{page}:{start}:{end}".encode()
        return hashlib.sha256(key).hexdigest()[:24]


def normalize_whitespace(text: str) -> str:
    return " ".join(text.split())
