"""The index: the only module that talks to Chroma.

Two collections: ``legalqa_chunks`` (one vector per chunk) and
``legalqa_documents`` (one record per file, written after its chunks, so a
document without a record is unfinished and is cleaned up by the next ingest).
The collection metadata records how the index was built; opening it with other
settings raises :class:`IndexMismatchError` instead of a dimension error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from ingest.settings import Settings
from ingest.types import Chunk, SourceDocument

# Bump when loading, chunking or tokenization changes what an index holds:
# older indexes then ask to be rebuilt instead of silently answering from stale text.
FORMAT_VERSION = 7
CHUNKS = "legalqa_chunks"
DOCUMENTS = "legalqa_documents"
_BUILD_KEY = "legalqa_build"
_PAGE_SIZE = 5000


class IndexMismatchError(Exception):
    """The index on disk was built with other settings than the ones in force."""


class IndexUnavailableError(Exception):
    """The index cannot be opened (no server at the configured host, unreadable folder)."""


class BuildInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: int = FORMAT_VERSION
    embedding_model: str
    dimension: int
    chunk_tokens: int
    chunk_overlap_tokens: int

    @classmethod
    def from_settings(cls, settings: Settings, dimension: int) -> BuildInfo:
        return cls(
            embedding_model=settings.embedding_model,
            dimension=dimension,
            chunk_tokens=settings.ingest.chunk_tokens,
            chunk_overlap_tokens=settings.ingest.chunk_overlap_tokens,
        )

    def differences(self, other: BuildInfo) -> list[str]:
        mine, theirs = self.model_dump(), other.model_dump()
        return [f"{k}: index has {theirs[k]!r}, settings say {mine[k]!r}" for k in mine if mine[k] != theirs[k]]


class ChunkStore:
    """Chunks, their vectors and the document registry, in Chroma."""

    def __init__(self, settings: Settings):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.settings = settings
        self._chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if settings.chroma_host:
                self._client = chromadb.HttpClient(
                    host=settings.chroma_host, port=settings.chroma_port, settings=self._chroma_settings
                )
                self._client.heartbeat()
            else:
                self._client = self._embedded_client()
        except Exception as exc:
            where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else str(settings.index_dir)
            raise IndexUnavailableError(f"cannot open the index at {where}: {exc}") from None
        self._chunks = None
        self._documents = None
        self._expected: BuildInfo | None = None

    def _embedded_client(self):
        import chromadb

        path = Path(self.settings.index_dir) / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=self._chroma_settings)

    def reload(self) -> None:
        """See what another process wrote to an embedded index.

        Embedded Chroma keeps its vector index in memory and never rereads it, so a
        long-running server would search vectors another process has since deleted
        (and miss new ones). A fresh client reads the folder again; the old one is
        left to the queries still using it. A Chroma server needs none of this.
        """
        if self.settings.chroma_host:
            return
        from chromadb.api.shared_system_client import SharedSystemClient

        # Chroma shares one in-memory system per folder; drop it from the cache, not stop
        # it, so that queries in other threads finish on it.
        SharedSystemClient._identifier_to_system.pop(self._client._identifier, None)
        self._client = self._embedded_client()
        if self._expected is not None:
            self.open(self._expected)

    # -- build record -------------------------------------------------------

    def build_info(self) -> BuildInfo | None:
        """How the existing index was built, or None when there is no index yet."""
        try:
            col = self._client.get_collection(CHUNKS)
        except Exception:
            return None
        raw = (col.metadata or {}).get(_BUILD_KEY)
        return BuildInfo.model_validate_json(raw) if raw else None

    def open(self, expected: BuildInfo, *, create: bool = False) -> None:
        """Open the collections, checking that the index was built as ``expected`` says."""
        found = self.build_info()
        if found is not None and found != expected:
            raise IndexMismatchError(
                "the index was built with other settings ("
                + "; ".join(expected.differences(found))
                + "). Rebuild it with: legalqa ingest --rebuild PATH..."
            )
        if found is None and not create:
            raise IndexUnavailableError("there is no index yet. Build one with: legalqa ingest PATH...")
        self._expected = expected
        meta = {"hnsw:space": "cosine", _BUILD_KEY: expected.model_dump_json()}
        self._chunks = self._client.get_or_create_collection(CHUNKS, metadata=meta, embedding_function=None)
        self._documents = self._client.get_or_create_collection(
            DOCUMENTS, metadata={"hnsw:space": "cosine"}, embedding_function=None
        )

    def drop(self) -> None:
        """Delete everything (for --rebuild)."""
        for name in (CHUNKS, DOCUMENTS):
            try:
                self._client.delete_collection(name)
            except Exception:
                pass
        self._chunks = self._documents = None

    @property
    def chunks(self):
        if self._chunks is None:
            raise IndexUnavailableError("the index is not open")
        return self._chunks

    # -- documents ----------------------------------------------------------

    def document_hashes(self) -> dict[str, str]:
        got = self._documents.get(include=["metadatas"])
        return {i: m["sha256"] for i, m in zip(got["ids"], got["metadatas"])}

    def documents(self) -> list[SourceDocument]:
        got = self._documents.get(include=["metadatas"])
        docs = [SourceDocument.model_validate_json(m["document"]) for m in got["metadatas"]]
        return sorted(docs, key=lambda d: d.source)

    def replace_document(self, document: SourceDocument, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Swap a document's chunks for new ones without a moment where it is missing."""
        self.replace_documents([(document, chunks, vectors)])

    def replace_documents(self, batch: Sequence[tuple[SourceDocument, Sequence[Chunk], np.ndarray]]) -> None:
        """Swap the chunks of several documents at once (Chroma writes far faster in large batches).

        New chunks first, then the registry records (which mark the documents complete),
        then the old chunks go. A journal names the documents in flight, so that after a
        crash :meth:`recover` finishes or undoes exactly those documents.
        """
        if not batch:
            return
        self._write_journal([{"source": d.source, "sha256": d.sha256} for d, _, _ in batch])
        chunks = [c for _, cs, _ in batch for c in cs]
        metas = [_chunk_meta(c, d) for d, cs, _ in batch for c in cs]
        vectors = np.vstack([np.asarray(v, dtype=np.float32) for _, _, v in batch])
        for i in range(0, len(chunks), _PAGE_SIZE):
            part = chunks[i : i + _PAGE_SIZE]
            self.chunks.upsert(
                ids=[c.chunk_id for c in part],
                embeddings=vectors[i : i + _PAGE_SIZE],
                documents=[c.text for c in part],
                metadatas=metas[i : i + _PAGE_SIZE],
            )
        centroids = []
        for _, _, v in batch:
            centroid = np.asarray(v, dtype=np.float32).mean(axis=0)
            centroids.append(centroid / (float(np.linalg.norm(centroid)) or 1.0))
        self._documents.upsert(
            ids=[d.source for d, _, _ in batch],
            embeddings=centroids,
            metadatas=[{"sha256": d.sha256, "document": d.model_dump_json()} for d, _, _ in batch],
        )
        for document, _, _ in batch:
            self._delete_other_versions(document.source, document.sha256)
        self._write_journal(None)

    def recover(self) -> bool:
        """Repair what an earlier process left: finish or undo the document an interrupted ingest
        was writing, and put back vectors Chroma lost. True if there was anything to repair."""
        repaired = self.repair_vectors()
        return self._finish_journal() or repaired > 0

    def lost_vectors(self) -> list[str]:
        """Chunks whose vector the nearest-neighbour index cannot find.

        Chroma writes each record durably, but its HNSW file is saved in batches, and now and
        then a chunk whose record is stored is one no dense search returns: after a kill -9, and
        (rarely, in the crash loop) after an ingest that ended normally. Each chunk's own vector
        must find it among its nearest neighbours."""
        return [cid for cid, *_ in self._lost()]

    def repair_vectors(self) -> int:
        """Add back every lost vector from the copy Chroma keeps with the record. Returns how many."""
        lost = list(self._lost())
        for i in range(0, len(lost), _PAGE_SIZE):
            part = lost[i : i + _PAGE_SIZE]
            self.chunks.upsert(ids=[r[0] for r in part], embeddings=[r[1] for r in part],
                               documents=[r[2] for r in part], metadatas=[r[3] for r in part])
        return len(lost)

    def _lost(self) -> Iterator[tuple]:
        """(id, embedding, text, metadata) of each chunk its own vector does not find."""
        total = self.count()
        offset = 0
        while offset < total:
            got = self.chunks.get(include=["embeddings", "documents", "metadatas"], limit=1000, offset=offset)
            if not got["ids"]:
                return
            found = self.chunks.query(query_embeddings=got["embeddings"], n_results=min(8, total), include=[])
            for i, (cid, hits) in enumerate(zip(got["ids"], found["ids"])):
                if cid not in hits:
                    yield cid, got["embeddings"][i], got["documents"][i], got["metadatas"][i]
            offset += len(got["ids"])

    def _finish_journal(self) -> bool:
        """Finish or undo the documents an interrupted ingest was writing."""
        entries = self._read_journal()
        if not entries:
            return False
        if isinstance(entries, dict):  # journals written before batches
            entries = [entries]
        hashes = self.document_hashes()
        for entry in entries:
            source, sha = entry["source"], entry["sha256"]
            if hashes.get(source) == sha:
                self._delete_other_versions(source, sha)  # the new version was complete
            else:
                self.chunks.delete(where={"$and": [{"source": source}, {"doc_sha256": sha}]})  # it was not
        self._write_journal(None)
        return True

    def remove_document(self, source: str) -> bool:
        existed = bool(self._documents.get(ids=[source])["ids"])
        self._documents.delete(ids=[source])
        self._delete_chunks(source)
        return existed

    def _delete_other_versions(self, source: str, sha: str) -> None:
        self.chunks.delete(where={"$and": [{"source": source}, {"doc_sha256": {"$ne": sha}}]})

    @property
    def _journal_path(self) -> Path:
        return Path(self.settings.index_dir) / "ingest-journal.json"

    def _read_journal(self) -> list | dict | None:
        try:
            return json.loads(self._journal_path.read_text())
        except (OSError, ValueError):
            return None

    def _write_journal(self, entry: list | None) -> None:
        path = self._journal_path
        if entry is None:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(entry))
        os.replace(tmp, path)

    def _delete_chunks(self, source: str) -> None:
        self.chunks.delete(where={"source": source})

    # -- chunks -------------------------------------------------------------

    def count(self) -> int:
        return self.chunks.count()

    def iter_chunks(self) -> Iterator[Chunk]:
        for got in self._pages(["documents", "metadatas"]):
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"]):
                yield _chunk_from(cid, text, meta)

    def iter_vectors(self) -> Iterator[tuple[Chunk, np.ndarray]]:
        """Every chunk with its stored vector (for benchmarks and exports)."""
        for got in self._pages(["documents", "metadatas", "embeddings"]):
            for cid, text, meta, vector in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"]):
                yield _chunk_from(cid, text, meta), np.asarray(vector, dtype=np.float32)

    def _pages(self, include: list[str]) -> Iterator[dict]:
        """The chunk collection, _PAGE_SIZE records at a time."""
        offset = 0
        while True:
            got = self.chunks.get(include=include, limit=_PAGE_SIZE, offset=offset)
            if not got["ids"]:
                return
            yield got
            offset += len(got["ids"])

    def get_chunks(self, ids: Sequence[str]) -> list[Chunk]:
        """Chunks in the order of ``ids``; unknown ids are left out."""
        if not ids:
            return []
        got = self.chunks.get(ids=list(dict.fromkeys(ids)), include=["documents", "metadatas"])
        by_id = {cid: _chunk_from(cid, t, m) for cid, t, m in zip(got["ids"], got["documents"], got["metadatas"])}
        return [by_id[i] for i in ids if i in by_id]

    def dense_ids(self, vector: np.ndarray, k: int, sources: set[str] | None = None) -> list[tuple[str, float]]:
        """Ids of the nearest chunks with their cosine similarity, best first.

        Ids only: fetching texts and metadata is most of a query's cost, so callers fetch
        just the chunks they keep (:meth:`get_chunks`)."""
        try:
            got = self.chunks.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=k,
                where={"source": {"$in": sorted(sources)}} if sources is not None else None,
                include=["distances"],
            )
        except Exception:
            if self.count() == 0:
                return []
            raise
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(got["ids"][0], got["distances"][0])]

    def dense_search(self, vector: np.ndarray, k: int, sources: set[str] | None = None) -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine similarity, best first; only from ``sources`` when given."""
        n = self.count()
        if n == 0:
            return []
        got = self.chunks.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=min(k, n),
            where={"source": {"$in": sorted(sources)}} if sources is not None else None,
            include=["documents", "metadatas", "distances"],
        )
        # A vector whose record is gone (deleted by another process since this client
        # loaded) comes back without metadata: it is no longer in the index.
        return [
            (_chunk_from(cid, text, meta), 1.0 - float(dist))
            for cid, text, meta, dist in zip(
                got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0]
            )
            if meta is not None and text is not None
        ]


def _chunk_meta(chunk: Chunk, document: SourceDocument) -> dict:
    meta = chunk.model_dump(exclude={"chunk_id", "text", "citations"})
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
    return meta


def _chunk_from(chunk_id: str, text: str, meta: dict) -> Chunk:
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
    )
