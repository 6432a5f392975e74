"""Questions to answers: the one path shared by the CLI, the web chat and evaluation."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from chatbot.extractive import ExtractiveAnswerer
from chatbot.retrieval import HybridRetriever
from chatbot.types import ABSTAIN_MESSAGE, Answer, Citation, Evidence, Retrieved
from ingest.embeddings import Embedder, load_embedder
from ingest.lexical import LexicalIndex
from ingest.pipeline import lexical_dir
from ingest.settings import Settings
from ingest.store import BuildInfo, ChunkStore, IndexMismatchError, IndexUnavailableError
from ingest.types import normalize_whitespace

__all__ = ["Engine", "ask", "IndexMismatchError", "IndexUnavailableError"]


class Engine:
    """The store, BM25 index and model, opened once per process and kept warm."""

    def __init__(self, settings: Settings, *, store: ChunkStore | None = None, embedder: Embedder | None = None):
        self.settings = settings
        self.store = store or ChunkStore(settings)
        found = self.store.build_info()
        if found is None:
            raise IndexUnavailableError("there is no index yet. Build one with: legalqa ingest PATH...")
        # Compare settings with the record before loading anything heavy.
        self.store.open(BuildInfo.from_settings(settings, found.dimension))
        self.embedder = embedder or load_embedder(settings.embedding_model)
        if self.embedder.dimension != found.dimension:
            raise IndexMismatchError(
                f"the embedding model gives {self.embedder.dimension}-dimensional vectors but the index holds "
                f"{found.dimension}. Rebuild it with: legalqa ingest --rebuild PATH..."
            )
        self._lock = threading.Lock()
        self._lexical_dir = lexical_dir(settings)
        self._lexical_mtime: float | None = None
        self.lexical: LexicalIndex | None = None
        self._refresh_lexical()

    def _refresh_lexical(self) -> None:
        """Reload BM25 when an ingest (maybe in another process) replaced it."""
        ids_file = Path(self._lexical_dir) / "chunk_ids.json"
        mtime = ids_file.stat().st_mtime if ids_file.exists() else None
        if mtime != self._lexical_mtime:
            self.lexical = LexicalIndex.load(self._lexical_dir)
            self._lexical_mtime = mtime

    def retriever(self) -> HybridRetriever:
        return HybridRetriever(self.store, self.lexical, self.embedder, self.settings.retrieval)

    def answerer(self) -> ExtractiveAnswerer:
        backend = self.settings.answer.backend
        if backend != "extractive":
            raise ValueError(f"unknown answer backend '{backend}' (available: extractive)")
        return ExtractiveAnswerer(self.embedder, self.lexical, self.settings.answer)

    def ask(self, question: str, *, k: int | None = None, mode: str | None = None) -> Answer:
        started = time.perf_counter()
        question = normalize_whitespace(question)
        if not question:
            return Answer(question="", answer="Please type a question.", abstained=True, timings_ms={})
        with self._lock:
            self._refresh_lexical()
        retriever = self.retriever()
        query_vector = retriever.embed_query(question) if (mode or self.settings.retrieval.mode) != "bm25" else None
        evidence = retriever.retrieve(question, k=k, mode=mode, query_vector=query_vector)
        retrieved_at = time.perf_counter()
        result = self.answerer().answer(question, evidence, query_vector=query_vector)
        citations = verify_quotes(result.citations, evidence)
        abstained = result.abstained or not citations
        done = time.perf_counter()
        return Answer(
            question=question,
            answer=ABSTAIN_MESSAGE if abstained else result.text,
            abstained=abstained,
            citations=[] if abstained else citations,
            retrieved=[
                Retrieved(source=e.chunk.source, page=e.chunk.page, chunk_id=e.chunk.chunk_id, score=round(e.score, 6))
                for e in evidence
            ],
            timings_ms={
                "retrieve": round((retrieved_at - started) * 1000, 1),
                "answer": round((done - retrieved_at) * 1000, 1),
                "total": round((done - started) * 1000, 1),
            },
        )


def verify_quotes(citations: list[Citation], evidence: list[Evidence]) -> list[Citation]:
    """Keep only citations whose quote is verbatim (whitespace aside) in the chunk they name."""
    texts = {e.chunk.chunk_id: normalize_whitespace(e.chunk.text) for e in evidence}
    return [c for c in citations if normalize_whitespace(c.quote) in texts.get(c.chunk_id, "")]


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def get_engine(settings: Settings | None = None) -> Engine:
    """One engine per settings per process."""
    settings = settings or Settings()
    key = settings.model_dump_json()
    with _engines_lock:
        if key not in _engines:
            _engines[key] = Engine(settings)
        return _engines[key]


def ask(question: str, *, settings: Settings | None = None, engine: Engine | None = None, **options) -> Answer:
    """Answer one question from the index, with verified citations."""
    return (engine or get_engine(settings)).ask(question, **options)


def list_documents(settings: Settings | None = None, *, store: ChunkStore | None = None):
    """The indexed documents, without loading the embedding model."""
    settings = settings or Settings()
    store = store or ChunkStore(settings)
    found = store.build_info()
    if found is None:
        raise IndexUnavailableError("there is no index yet. Build one with: legalqa ingest PATH...")
    store.open(found)
    return store.documents()
