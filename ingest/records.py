"""A chunk as the vector store keeps it: a flat metadata record beside its text and vector."""

from __future__ import annotations

from ingest.types import Chunk, SourceDocument


def chunk_record(chunk: Chunk, document: SourceDocument) -> dict:
    """The chunk's metadata as flat scalars (what Chroma accepts)."""
    meta = chunk.model_dump(exclude={"chunk_id", "text", "citations", "owner"})
    if meta["page"] is None:
        meta["page"] = -1  # Chroma drops None values; -1 reads back as "no page"
    meta["citations"] = "|".join(chunk.citations)
    # The document's fields ride along on every chunk, so retrieval can filter on them.
    meta.update(
        kind=document.kind,
        case_name=document.case_name or "",
        court=document.court or "",
        date=document.date or "",
    )
    if document.owner is not None:  # a web upload's owner: stored with each of its chunks
        meta.update(owner=document.owner, matter=document.matter or "")
    return meta


def chunk_from_record(chunk_id: str, text: str, meta: dict) -> Chunk:
    """The chunk that :func:`chunk_record` stored."""
    page = meta.get("page", -1)
    return Chunk(
        chunk_id=chunk_id,
        source=meta["source"],
        title=meta["title"],
        page=None if page is None or page < 0 else int(page),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=text,
        doc_sha256=meta["doc_sha256"],
        header=meta.get("header", ""),
        heading=meta.get("heading", ""),
        citations=[c for c in meta.get("citations", "").split("|") if c],
        owner=meta.get("owner") or None,
    )
