"""Hybrid retrieval: dense (Chroma) and lexical (BM25) lists fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from chatbot.types import Evidence
from ingest.embeddings import Embedder
from ingest.lexical import LexicalIndex
from ingest.settings import RetrievalSettings
from ingest.store import ChunkStore

MODES = ("hybrid", "dense", "bm25")


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], rrf_k: int) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum over lists of 1 / (rrf_k + rank), rank from 1."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, cid in enumerate(ranking, start=1):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (rrf_k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


class HybridRetriever:
    def __init__(self, store: ChunkStore, lexical: LexicalIndex | None, embedder: Embedder, settings: RetrievalSettings):
        self.store = store
        self.lexical = lexical
        self.embedder = embedder
        self.settings = settings

    def embed_query(self, question: str) -> np.ndarray:
        return self.embedder.embed([question])[0]

    def retrieve(
        self, question: str, *, k: int | None = None, mode: str | None = None, query_vector: np.ndarray | None = None
    ) -> list[Evidence]:
        k = k or self.settings.k
        mode = mode or self.settings.mode
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode '{mode}' (choose from {', '.join(MODES)})")
        n = self.settings.candidates
        rankings: list[list[str]] = []
        similarity: dict[str, float] = {}
        chunks = {}
        if mode in ("hybrid", "dense"):
            vector = self.embed_query(question) if query_vector is None else query_vector
            dense = self.store.dense_search(vector, max(n, k))
            rankings.append([c.chunk_id for c, _ in dense])
            for chunk, sim in dense:
                similarity[chunk.chunk_id] = sim
                chunks[chunk.chunk_id] = chunk
        if mode in ("hybrid", "bm25") and self.lexical is not None:
            rankings.append([cid for cid, _ in self.lexical.search(question, max(n, k))])
        fused = reciprocal_rank_fusion(rankings, self.settings.rrf_k)[:k]
        missing = [cid for cid, _ in fused if cid not in chunks]
        for chunk in self.store.get_chunks(missing):
            chunks[chunk.chunk_id] = chunk
        return [
            Evidence(chunk=chunks[cid], score=score, similarity=similarity.get(cid))
            for cid, score in fused
            if cid in chunks
        ]
