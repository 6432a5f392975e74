"""The index: the only module that talks to Chroma.

Two collections: ``legalqa_chunks`` (one vector per chunk) and
``legalqa_documents`` (one record per file, written after its chunks, so a
document without a record is unfinished and is cleaned up by the next ingest).
The collection metadata records how the index was built (ingest/build.py); opening it with
other settings raises :class:`IndexMismatchError` instead of a dimension error. Each rebuild
writes a new generation of collections beside the live one (ingest/layout.py), on disk or on
a Chroma server alike. Writers hold :func:`ingest.locking.writer_lock`; readers take no lock.
"""

from __future__ import annotations

import threading
from contextlib import suppress
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from ingest.build import FORMAT_VERSION, BuildInfo
from ingest.errors import IndexBusyError, IndexMismatchError, IndexUnavailableError, StaleIndexError
from ingest.errors import mismatch_error, no_index_error
from ingest.layout import CHUNKS, DOCUMENTS, collection_names, generation_of, live_generation, switch_live_generation
from ingest.locking import WRITER_WAIT, writer_lock
from ingest.journal import Journal
from ingest.records import chunk_from_record, chunk_record
from ingest.types import Chunk, SourceDocument
from ingest.vectorcheck import WrittenChunks, finish
from legalqa.settings import Settings

__all__ = ["CHUNKS", "DOCUMENTS", "FORMAT_VERSION", "WRITER_WAIT", "BuildInfo", "ChunkStore", "IndexBusyError",
           "IndexMismatchError", "IndexUnavailableError", "StaleIndexError", "collection_names", "live_generation",
           "no_index_error", "writer_lock"]  # the index's vocabulary, importable from here as before

_BUILD_KEY = "legalqa_build"
_PAGE_SIZE = 5000
_T = TypeVar("_T")


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
        self.generation = live_generation(settings)
        self._reload_lock = threading.Lock()

    def _embedded_client(self):
        import chromadb

        path = Path(self.settings.index_dir) / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=self._chroma_settings)

    def reload(self) -> None:
        """See what another process wrote to the index, in the generation now live.

        Embedded Chroma keeps its vector index in memory and never rereads it, so a
        long-running server would search vectors another process has since deleted
        (and miss new ones). A fresh client reads the folder again; the old one is
        left to the queries still using it. A Chroma server needs only the switch of
        generation.
        """
        with self._reload_lock:
            for attempt in range(3):
                self.generation = live_generation(self.settings)
                if not self.settings.chroma_host:
                    _forget_shared_system(self._client)
                    self._client = self._embedded_client()
                if self._expected is None:
                    return
                try:
                    self.open(self._expected)
                    return
                except IndexUnavailableError:
                    # A second rebuild replaced the generation just read: read the pointer again.
                    if attempt == 2 or live_generation(self.settings) == self.generation:
                        raise

    def follow_live(self) -> bool:
        """Switch to the live generation if a rebuild replaced the one open. True if it did."""
        if live_generation(self.settings) == self.generation:
            return False
        self.reload()
        return True

    def _read(self, read: Callable[[], _T]) -> _T:
        """Run a read; if its generation was removed by a rebuild meanwhile, follow the
        rebuild once and run it again."""
        from chromadb.errors import InternalError, NotFoundError

        try:
            return read()
        except (NotFoundError, InternalError) as exc:  # InternalError: "Missing metadata segment" mid-delete
            if isinstance(exc, InternalError) and "segment" not in str(exc).lower():
                raise
        try:
            self.reload()
            return read()
        except (NotFoundError, InternalError, IndexUnavailableError):
            raise StaleIndexError("the index was rebuilt while it was being read; ask again") from None

    # -- build record -------------------------------------------------------

    def build_info(self) -> BuildInfo | None:
        """How the existing index was built, or None when there is no index yet."""
        try:
            col = self._client.get_collection(collection_names(self.generation)[0])
        except Exception:
            return None
        raw = (col.metadata or {}).get(_BUILD_KEY)
        return BuildInfo.model_validate_json(raw) if raw else None

    def open(self, expected: BuildInfo, *, create: bool = False) -> None:
        """Open the collections, checking that the index was built as ``expected`` says."""
        found = self.build_info()
        if found is not None and expected.differences(found):
            raise mismatch_error(expected.differences(found))
        if found is None and not create:
            raise no_index_error()
        chunks_name, documents_name = collection_names(self.generation)
        meta = {"hnsw:space": "cosine", _BUILD_KEY: expected.model_dump_json()}
        if create:
            chunks = self._client.get_or_create_collection(chunks_name, metadata=meta, embedding_function=None)
            documents = self._client.get_or_create_collection(documents_name, metadata={"hnsw:space": "cosine"},
                                                               embedding_function=None)
        else:
            # Never create here: a reader must not bring back a generation a rebuild removed.
            try:
                chunks = self._client.get_collection(chunks_name, embedding_function=None)
                documents = self._client.get_collection(documents_name, embedding_function=None)
            except Exception:
                raise IndexUnavailableError("the index was removed while it was being opened") from None
        self._expected = expected
        self._chunks, self._documents = chunks, documents

    def drop(self) -> None:
        """Delete the open generation's collections."""
        self._drop_generation(self.generation)
        self._chunks = self._documents = None

    # -- generations (for --rebuild) -----------------------------------------

    def generations(self) -> set[int]:
        """Every generation with a collection in the index (live, abandoned or being built)."""
        names = (col if isinstance(col, str) else col.name for col in self._client.list_collections())
        return {gen for gen in map(generation_of, names) if gen is not None}

    def begin_generation(self) -> int:
        """Point this store at a new, empty generation beside the live one (hold the writer lock).
        Readers keep the live generation until :meth:`publish`."""
        new = max({live_generation(self.settings)} | self.generations()) + 1
        self._drop_generation(new)
        self.generation = new
        self._chunks = self._documents = None
        return new

    def publish(self) -> list[int]:
        """Make this store's generation the live one, then delete every other generation.
        Returns the generations deleted."""
        finish(self)  # check the vectors it wrote, as every ingest does: a rebuild's last chance
        switch_live_generation(self.settings, self.generation)
        return self.drop_other_generations()

    def abandon(self) -> None:
        """Give up the generation being built (a failed rebuild) and go back to the live one."""
        if self.generation != live_generation(self.settings):
            self._drop_generation(self.generation)
        self.reload()

    def drop_other_generations(self) -> list[int]:
        """Delete every generation but the live one: older ones, and rebuilds that died before
        switching. Only under the writer lock: a rebuild in progress is such a generation."""
        live = live_generation(self.settings)
        dropped = sorted(g for g in self.generations() if g != live)
        for gen in dropped:
            self._drop_generation(gen)
        return dropped

    def _drop_generation(self, generation: int) -> None:
        for name in collection_names(generation):
            with suppress(Exception):  # already gone
                self._client.delete_collection(name)
        Journal(self.settings, generation).clear()
        WrittenChunks(self.settings, generation).clear()

    @property
    def chunks(self):
        if self._chunks is None:
            raise IndexUnavailableError("the index is not open")
        return self._chunks

    # -- documents ----------------------------------------------------------

    def document_hashes(self) -> dict[str, str]:
        got = self._read(lambda: self._documents.get(include=["metadatas"]))
        return {i: m["sha256"] for i, m in zip(got["ids"], got["metadatas"])}

    def documents(self) -> list[SourceDocument]:
        got = self._read(lambda: self._documents.get(include=["metadatas"]))
        docs = [SourceDocument.model_validate_json(m["document"]) for m in got["metadatas"]]
        return sorted(docs, key=lambda d: d.source)

    def replace_document(self, document: SourceDocument, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Swap a document's chunks for new ones without a moment where it is missing."""
        self.replace_documents([(document, chunks, vectors)])

    def replace_documents(self, batch: Sequence[tuple[SourceDocument, Sequence[Chunk], np.ndarray]]) -> None:
        """Swap the chunks of several documents at once (Chroma writes far faster in large batches).

        New chunks first, then the registry records (which mark the documents complete),
        then the old chunks go. A journal names the documents in flight, so that after a
        crash recovery finishes or undoes exactly those documents (ingest/recovery.py).
        """
        if not batch:
            return
        self.journal.write([{"source": d.source, "sha256": d.sha256} for d, _, _ in batch])
        chunks = [c for _, cs, _ in batch for c in cs]
        WrittenChunks(self.settings, self.generation).add([c.chunk_id for c in chunks])  # to check (vectorcheck.py)
        metas = [chunk_record(c, d) for d, cs, _ in batch for c in cs]
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
            self.delete_other_versions(document.source, document.sha256)
        self.journal.clear()

    @property
    def journal(self) -> Journal:
        """The documents an ingest into the open generation is writing (see replace_documents)."""
        return Journal(self.settings, self.generation)

    def chunk_versions(self, ids: Sequence[str] | None = None) -> Iterator[tuple[str, str, str]]:
        """(chunk id, source, document sha256) of every chunk (or of ``ids``), for recovery's sweeps."""
        for got in self._pages(["metadatas"], ids):
            for cid, meta in zip(got["ids"], got["metadatas"]):
                yield cid, (meta or {}).get("source", ""), (meta or {}).get("doc_sha256")

    def delete_chunks(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), _PAGE_SIZE):
            self.chunks.delete(ids=list(ids[i : i + _PAGE_SIZE]))

    def lost_vectors(self, ids: Sequence[str] | None = None) -> list[str]:
        """Chunks (of ``ids``; default all) their own vector does not find among its nearest neighbours:
        HNSW lost them though their record is stored, as after a kill -9 (see ingest/vectorcheck.py)."""
        return [cid for cid, *_ in self._lost(ids)]

    def repair_vectors(self, ids: Sequence[str] | None = None) -> list[str]:
        """Add back the lost vectors (of ``ids``; default all) from the copy beside each record; returns their ids."""
        lost = list(self._lost(ids))
        for i in range(0, len(lost), _PAGE_SIZE):
            cids, vectors, texts, metas = zip(*lost[i : i + _PAGE_SIZE])
            self.chunks.upsert(ids=list(cids), embeddings=list(vectors), documents=list(texts), metadatas=list(metas))
        return [r[0] for r in lost]

    def _lost(self, ids: Sequence[str] | None) -> Iterator[tuple]:
        """(id, embedding, text, metadata) of each chunk its own vector does not find."""
        total = self.count()
        for got in self._pages(["embeddings", "documents", "metadatas"], ids):
            found = self.chunks.query(query_embeddings=got["embeddings"], n_results=min(8, total), include=[])
            for i, (cid, hits) in enumerate(zip(got["ids"], found["ids"])):
                if cid not in hits:
                    yield cid, got["embeddings"][i], got["documents"][i], got["metadatas"][i]

    def remove_document(self, source: str) -> bool:
        existed = bool(self._documents.get(ids=[source])["ids"])
        self._documents.delete(ids=[source])
        self.chunks.delete(where={"source": source})
        return existed

    def delete_version(self, source: str, sha: str) -> None:
        """Delete the chunks of one version of a document (one an interrupted ingest left half-written)."""
        self.chunks.delete(where={"$and": [{"source": source}, {"doc_sha256": sha}]})

    def delete_other_versions(self, source: str, sha: str) -> None:
        """Delete the chunks of every version of a document but ``sha``."""
        self.chunks.delete(where={"$and": [{"source": source}, {"doc_sha256": {"$ne": sha}}]})

    # -- chunks -------------------------------------------------------------

    def count(self) -> int:
        return self._read(lambda: self.chunks.count())

    def iter_chunks(self) -> Iterator[Chunk]:
        for got in self._pages(["documents", "metadatas"]):
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"]):
                yield chunk_from_record(cid, text, meta)

    def iter_vectors(self) -> Iterator[tuple[Chunk, np.ndarray]]:
        """Every chunk with its stored vector (for benchmarks and exports)."""
        for got in self._pages(["documents", "metadatas", "embeddings"]):
            for cid, text, meta, vector in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"]):
                yield chunk_from_record(cid, text, meta), np.asarray(vector, dtype=np.float32)

    def _pages(self, include: list[str], ids: Sequence[str] | None = None) -> Iterator[dict]:
        """The chunk collection (or its chunks of ``ids``, the unknown left out), _PAGE_SIZE records
        at a time; never an empty page."""
        if ids is not None:
            for i in range(0, len(ids), _PAGE_SIZE):
                got = self._read(lambda: self.chunks.get(ids=list(ids[i : i + _PAGE_SIZE]), include=include))
                if got["ids"]:
                    yield got
            return
        offset = 0
        while True:
            got = self._read(lambda: self.chunks.get(include=include, limit=_PAGE_SIZE, offset=offset))
            if not got["ids"]:
                return
            yield got
            offset += len(got["ids"])

    def get_chunks(self, ids: Sequence[str]) -> list[Chunk]:
        """Chunks in the order of ``ids``; unknown ids are left out."""
        if not ids:
            return []
        got = self._read(lambda: self.chunks.get(ids=list(dict.fromkeys(ids)), include=["documents", "metadatas"]))
        by_id = {cid: chunk_from_record(cid, t, m) for cid, t, m in zip(got["ids"], got["documents"], got["metadatas"])}
        return [by_id[i] for i in ids if i in by_id]

    def dense_ids(self, vector: np.ndarray, k: int, sources: set[str] | None = None) -> list[tuple[str, float]]:
        """Ids of the nearest chunks with their cosine similarity, best first.

        Ids only: fetching texts and metadata is most of a query's cost, so callers fetch
        just the chunks they keep (:meth:`get_chunks`)."""
        from chromadb.errors import NotFoundError

        def query():
            try:
                return self.chunks.query(
                    query_embeddings=[np.asarray(vector, dtype=np.float32)],
                    n_results=k,
                    where={"source": {"$in": sorted(sources)}} if sources is not None else None,
                    include=["distances"],
                )
            except Exception as exc:
                if isinstance(exc, NotFoundError) or self.chunks.count() != 0:
                    raise
                return None  # an empty collection cannot be queried

        got = self._read(query)
        if got is None:
            return []
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(got["ids"][0], got["distances"][0])]

    def dense_search(self, vector: np.ndarray, k: int, sources: set[str] | None = None) -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine similarity, best first; only from ``sources`` when given.
        A vector whose record is gone (deleted by another process since this client loaded)
        is left out: it is no longer in the index."""
        hits = self.dense_ids(vector, k, sources)
        chunks = {c.chunk_id: c for c in self.get_chunks([cid for cid, _ in hits])}
        return [(chunks[cid], score) for cid, score in hits if cid in chunks]


def _forget_shared_system(client) -> None:
    """Make the next embedded client of this folder read it afresh, leaving the current one running.

    Chroma shares one in-memory system per folder among its clients and never rereads the
    folder. Its public ways out do not fit a server answering questions: ``client.close()``
    stops the shared system under queries still running in other threads, and
    ``SharedSystemClient.clear_system_cache()`` forgets every folder's system and every
    reference count at once. So this drops this folder's entry from Chroma's private cache
    (``SharedSystemClient._identifier_to_system``, chromadb 1.5.9) and nothing else."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(client._identifier, None)
