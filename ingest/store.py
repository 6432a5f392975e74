"""The index: the only module that talks to Chroma.

Two collections: ``legalqa_chunks`` (one vector per chunk) and
``legalqa_documents`` (one record per file, written after its chunks, so a
document without a record is unfinished and is cleaned up by the next ingest).
The collection metadata records how the index was built; opening it with other
settings raises :class:`IndexMismatchError` instead of a dimension error.

Generations: ``--rebuild`` writes a new pair of collections (``legalqa_chunks_g1``...)
beside the live one and then switches ``generation.json`` in the index folder to it, so
a server keeps answering from the old pair until the switch. Generation 0 is the
collections' plain names (indexes built before generations open unchanged). The same
scheme serves a Chroma server: generations are collections there, never folders.

One process writes at a time: writers hold :func:`writer_lock` (``writer.lock`` in the
index folder); readers take no lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from legalqa.settings import Settings
from ingest.types import Chunk, SourceDocument

# Bump when loading, chunking or tokenization changes what an index holds:
# older indexes then ask to be rebuilt instead of silently answering from stale text.
FORMAT_VERSION = 7
CHUNKS = "legalqa_chunks"
DOCUMENTS = "legalqa_documents"
_BUILD_KEY = "legalqa_build"
_PAGE_SIZE = 5000
_GENERATION_FILE = "generation.json"
_LOCK_FILE = "writer.lock"
WRITER_WAIT = 120.0  # seconds a writer waits for another one before giving up
_T = TypeVar("_T")


class IndexMismatchError(Exception):
    """The index on disk was built with other settings than the ones in force."""


class IndexUnavailableError(Exception):
    """The index cannot be opened (no server at the configured host, unreadable folder)."""


class IndexBusyError(IndexUnavailableError):
    """Another process (or thread) is writing to the index and did not finish in time."""


class StaleIndexError(IndexUnavailableError):
    """The generation being read was replaced and removed by a rebuild; refresh and ask again."""


def live_generation(settings: Settings) -> int:
    """The generation readers should use: the last one a rebuild completed (0 before any)."""
    try:
        return int(json.loads((Path(settings.index_dir) / _GENERATION_FILE).read_text())["generation"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def collection_names(generation: int) -> tuple[str, str]:
    """The (chunks, documents) collections of a generation; generation 0 keeps the original names."""
    if generation == 0:
        return CHUNKS, DOCUMENTS
    return f"{CHUNKS}_g{generation}", f"{DOCUMENTS}_g{generation}"


def _generation_of(name: str) -> int | None:
    for base in (CHUNKS, DOCUMENTS):
        if name == base:
            return 0
        if name.startswith(base + "_g") and name[len(base) + 2 :].isdigit():
            return int(name[len(base) + 2 :])
    return None


class _Holder:
    def __init__(self):
        self.rlock = threading.RLock()
        self.depth = 0
        self.fd: int | None = None


_holders: dict[str, _Holder] = {}
_holders_guard = threading.Lock()


@contextmanager
def writer_lock(settings: Settings, timeout: float = WRITER_WAIT) -> Iterator[None]:
    """Hold the index's writer lock: one writing process (and thread) at a time.

    An ``flock`` on ``writer.lock`` in the index folder, so the kernel drops it when a writer
    dies, even by kill -9. Re-entrant within a thread (a rebuild indexes the uploads inside
    its own lock). Waits up to ``timeout`` seconds, then raises :class:`IndexBusyError`.
    """
    path = Path(settings.index_dir) / _LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with _holders_guard:
        holder = _holders.setdefault(str(path.resolve()), _Holder())
    deadline = time.monotonic() + timeout
    if not holder.rlock.acquire(timeout=max(timeout, 0.0)):
        raise IndexBusyError(_busy_message(settings, path))
    try:
        if holder.depth == 0:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        os.close(fd)
                        raise IndexBusyError(_busy_message(settings, path)) from None
                    time.sleep(0.05)
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            holder.fd = fd
        holder.depth += 1
        try:
            yield
        finally:
            holder.depth -= 1
            if holder.depth == 0 and holder.fd is not None:
                fcntl.flock(holder.fd, fcntl.LOCK_UN)
                os.close(holder.fd)
                holder.fd = None
    finally:
        holder.rlock.release()


def _busy_message(settings: Settings, path: Path) -> str:
    try:
        pid = path.read_text().strip()
    except OSError:
        pid = ""
    who = f" (process {pid})" if pid.isdigit() and int(pid) != os.getpid() else ""
    return (f"another ingest is running on {settings.index_dir}{who}; try again when it has finished")


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
                    from chromadb.api.shared_system_client import SharedSystemClient

                    # Chroma shares one in-memory system per folder; drop it from the cache, not stop
                    # it, so that queries in other threads finish on it.
                    SharedSystemClient._identifier_to_system.pop(self._client._identifier, None)
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
        from chromadb.errors import NotFoundError

        try:
            return read()
        except NotFoundError:
            pass
        try:
            self.reload()
            return read()
        except (NotFoundError, IndexUnavailableError):
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
        if found is not None and found != expected:
            raise IndexMismatchError(
                "the index was built with other settings ("
                + "; ".join(expected.differences(found))
                + "). Rebuild it with: legalqa ingest --rebuild PATH..."
            )
        if found is None and not create:
            raise IndexUnavailableError("there is no index yet. Build one with: legalqa ingest PATH...")
        chunks_name, documents_name = collection_names(self.generation)
        meta = {"hnsw:space": "cosine", _BUILD_KEY: expected.model_dump_json()}
        if create:
            chunks = self._client.get_or_create_collection(chunks_name, metadata=meta, embedding_function=None)
            documents = self._client.get_or_create_collection(
                documents_name, metadata={"hnsw:space": "cosine"}, embedding_function=None
            )
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
        found = set()
        for col in self._client.list_collections():
            gen = _generation_of(col if isinstance(col, str) else col.name)
            if gen is not None:
                found.add(gen)
        return found

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
        self.repair_vectors()  # as every ingest does at its start: a rebuild's last chance
        path = Path(self.settings.index_dir) / _GENERATION_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("w") as fh:
            fh.write(json.dumps({"generation": self.generation}))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)  # the switch: readers see the old generation or the new, never neither
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
            try:
                self._client.delete_collection(name)
            except Exception:
                pass
        self._journal_file(generation).unlink(missing_ok=True)

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
        """Repair what an earlier process left (see :meth:`repair`). True if there was anything."""
        return bool(self.repair())

    def repair(self) -> list[str]:
        """Repair what an earlier process left, one line per repair: finish or undo the documents
        an interrupted ingest was writing, put back vectors Chroma lost, delete chunks no registry
        record accounts for, and delete generations a rebuild left unfinished.

        Hold the writer lock: to a sweep, a document another writer is storing right now looks
        exactly like one a killed writer left behind."""
        lines = []
        dropped = self.drop_other_generations()
        if dropped:
            lines.append(f"deleted {len(dropped)} unfinished or replaced index generation(s): {dropped}")
        journal = self._finish_journal()
        if journal:
            lines.append("finished or undid the documents an interrupted ingest was writing: "
                         + ", ".join(sorted({e["source"] for e in journal})))
        lost = self.repair_vectors()
        if lost:
            lines.append(f"put back {lost} vector(s) Chroma had lost")
        for source, n in sorted(self.remove_orphan_chunks().items()):
            lines.append(f"deleted {n} chunk(s) of {source}, which no document record accounts for")
        return lines

    def orphan_chunks(self) -> dict[str, list[str]]:
        """Ids of chunks whose document has no registry record, or a record of another version,
        by source: left by a writer killed between its chunks and its record."""
        hashes = self.document_hashes()
        orphans: dict[str, list[str]] = {}
        for got in self._pages(["metadatas"]):
            for cid, meta in zip(got["ids"], got["metadatas"]):
                source = (meta or {}).get("source", "")
                if hashes.get(source) is None or hashes[source] != (meta or {}).get("doc_sha256"):
                    orphans.setdefault(source, []).append(cid)
        return orphans

    def remove_orphan_chunks(self) -> Counter:
        """Delete :meth:`orphan_chunks` (hold the writer lock). Returns how many, by source."""
        removed: Counter = Counter()
        for source, ids in self.orphan_chunks().items():
            for i in range(0, len(ids), _PAGE_SIZE):
                self.chunks.delete(ids=ids[i : i + _PAGE_SIZE])
            removed[source] = len(ids)
        return removed

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

    def _finish_journal(self) -> list[dict]:
        """Finish or undo the documents an interrupted ingest was writing; returns its entries."""
        entries = self._read_journal()
        if not entries:
            return []
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
        return entries

    def remove_document(self, source: str) -> bool:
        existed = bool(self._documents.get(ids=[source])["ids"])
        self._documents.delete(ids=[source])
        self._delete_chunks(source)
        return existed

    def _delete_other_versions(self, source: str, sha: str) -> None:
        self.chunks.delete(where={"$and": [{"source": source}, {"doc_sha256": {"$ne": sha}}]})

    @property
    def _journal_path(self) -> Path:
        return self._journal_file(self.generation)

    def _journal_file(self, generation: int) -> Path:
        name = "ingest-journal.json" if generation == 0 else f"ingest-journal-g{generation}.json"
        return Path(self.settings.index_dir) / name

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
        return self._read(lambda: self.chunks.count())

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
        by_id = {cid: _chunk_from(cid, t, m) for cid, t, m in zip(got["ids"], got["documents"], got["metadatas"])}
        return [by_id[i] for i in ids if i in by_id]

    def dense_ids(self, vector: np.ndarray, k: int, sources: set[str] | None = None) -> list[tuple[str, float]]:
        """Ids of the nearest chunks with their cosine similarity, best first.

        Ids only: fetching texts and metadata is most of a query's cost, so callers fetch
        just the chunks they keep (:meth:`get_chunks`)."""
        def query():
            try:
                return self.chunks.query(
                    query_embeddings=[np.asarray(vector, dtype=np.float32)],
                    n_results=k,
                    where={"source": {"$in": sorted(sources)}} if sources is not None else None,
                    include=["distances"],
                )
            except Exception as exc:
                if _is_missing(exc) or self.chunks.count() != 0:
                    raise
                return None  # an empty collection cannot be queried

        got = self._read(query)
        if got is None:
            return []
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(got["ids"][0], got["distances"][0])]

    def dense_search(self, vector: np.ndarray, k: int, sources: set[str] | None = None) -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine similarity, best first; only from ``sources`` when given."""
        n = self.count()
        if n == 0:
            return []
        got = self._read(lambda: self.chunks.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=min(k, n),
            where={"source": {"$in": sorted(sources)}} if sources is not None else None,
            include=["documents", "metadatas", "distances"],
        ))
        # A vector whose record is gone (deleted by another process since this client
        # loaded) comes back without metadata: it is no longer in the index.
        return [
            (_chunk_from(cid, text, meta), 1.0 - float(dist))
            for cid, text, meta, dist in zip(
                got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0]
            )
            if meta is not None and text is not None
        ]


def _is_missing(exc: Exception) -> bool:
    from chromadb.errors import NotFoundError

    return isinstance(exc, NotFoundError)


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
