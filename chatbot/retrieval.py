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
    def __init__(
        self, store: ChunkStore, lexical: LexicalIndex | None, embedder: Embedder, settings: RetrievalSettings,
        reranker=None,
    ):
        self.store = store
        self.lexical = lexical
        self.embedder = embedder
        self.settings = settings
        self.reranker = reranker  # scores (question, passage) pairs; see load_reranker

    def embed_query(self, question: str) -> np.ndarray:
        return self.embedder.embed([question])[0]

    def retrieve(
        self,
        question: str,
        *,
        k: int | None = None,
        mode: str | None = None,
        query_vector: np.ndarray | None = None,
        sources: set[str] | None = None,
        per_document: int | None = None,
    ) -> list[Evidence]:
        """The k best chunks for ``question``, from the documents in ``sources`` when given,
        with at most ``per_document`` chunks from any one document (diversity)."""
        k = k or self.settings.k
        mode = mode or self.settings.mode
        per_document = per_document or self.settings.per_document
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode '{mode}' (choose from {', '.join(MODES)})")
        if sources is not None and not sources:
            return []
        n = max(self.settings.candidates, k * 3)
        rankings: list[list[str]] = []
        similarity: dict[str, float] = {}
        chunks = {}
        source_of: dict[str, str] = {}
        if mode in ("hybrid", "dense"):
            vector = self.embed_query(question) if query_vector is None else query_vector
            dense = self.store.dense_search(vector, n, sources=sources)
            rankings.append([c.chunk_id for c, _ in dense])
            for chunk, sim in dense:
                similarity[chunk.chunk_id] = sim
                chunks[chunk.chunk_id] = chunk
                source_of[chunk.chunk_id] = chunk.source
        if mode in ("hybrid", "bm25") and self.lexical is not None:
            hits = self.lexical.search(question, n, sources=sources)
            rankings.append([cid for cid, _ in hits])
            source_of.update((cid, self.lexical.source_of(cid)) for cid, _ in hits)
        ranked = reciprocal_rank_fusion(rankings, self.settings.rrf_k)
        if self.reranker is not None:
            ranked = self._rerank(question, ranked[: max(3 * k, 20)], chunks)
        fused = diversify(ranked, source_of, k, per_document)
        missing = [cid for cid, _ in fused if cid not in chunks]
        for chunk in self.store.get_chunks(missing):
            chunks[chunk.chunk_id] = chunk
        return [
            Evidence(chunk=chunks[cid], score=score, similarity=similarity.get(cid))
            for cid, score in fused
            if cid in chunks
        ]


    def _rerank(self, question: str, ranked: list[tuple[str, float]], chunks: dict) -> list[tuple[str, float]]:
        """Reorder the fused candidates by the cross-encoder's score of (question, passage)."""
        for chunk in self.store.get_chunks([cid for cid, _ in ranked if cid not in chunks]):
            chunks[chunk.chunk_id] = chunk
        candidates = [cid for cid, _ in ranked if cid in chunks]
        scores = self.reranker([(question, chunks[cid].text) for cid in candidates])
        return sorted(zip(candidates, map(float, scores)), key=lambda item: -item[1])

    def retrieve_per_document(
        self, question: str, sources: set[str], *, k: int, query_vector: np.ndarray | None = None, per_source: int = 2
    ) -> list[Evidence]:
        """The best chunks of each document in ``sources``, documents ranked by their best chunk.

        For survey questions ("which courts have held X?"): a global top-k lets the two
        most-discussed opinions take every slot; asking each document separately does not.
        """
        vector = self.embed_query(question) if query_vector is None else query_vector
        found: dict[str, list[Evidence]] = {}
        dense_best: dict[str, float] = {}
        lexical_best: dict[str, float] = {}
        for source in sorted(sources):
            dense = self.store.dense_search(vector, per_source, sources={source})
            lexical = self.lexical.search(question, per_source, sources={source}) if self.lexical else []
            fused = reciprocal_rank_fusion([[c.chunk_id for c, _ in dense], [cid for cid, _ in lexical]], self.settings.rrf_k)
            chunks = {c.chunk_id: (c, sim) for c, sim in dense}
            missing = [cid for cid, _ in fused if cid not in chunks]
            for c in self.store.get_chunks(missing):
                chunks[c.chunk_id] = (c, None)
            evidence = [Evidence(chunk=chunks[cid][0], score=score, similarity=chunks[cid][1]) for cid, score in fused if cid in chunks]
            if evidence:
                found[source] = evidence
                dense_best[source] = max((sim for _, sim in dense), default=0.0)
                lexical_best[source] = max((score for _, score in lexical), default=0.0)
        # Documents ranked as chunks are: the dense and BM25 orders, fused by reciprocal rank.
        rankings = [sorted(found, key=lambda s: -dense_best[s]), sorted(found, key=lambda s: -lexical_best[s])]
        ranked = [source for source, _ in reciprocal_rank_fusion(rankings, self.settings.rrf_k)][:k]
        return [e for source in ranked for e in found[source]]


def diversify(ranked: list[tuple[str, float]], source_of: dict[str, str], k: int, per_document: int) -> list[tuple[str, float]]:
    """Keep the ranking, but take at most ``per_document`` chunks from one document until k are
    chosen; a question about "courts" then sees several courts, not five pages of one opinion.
    If the cap leaves fewer than k, the best of the rest fill up."""
    chosen, held, counts = [], [], {}
    for cid, score in ranked:
        source = source_of.get(cid, cid)
        if counts.get(source, 0) < per_document:
            chosen.append((cid, score))
            counts[source] = counts.get(source, 0) + 1
        else:
            held.append((cid, score))
        if len(chosen) == k:
            return chosen
    picked = chosen + held[: k - len(chosen)]
    order = {cid: i for i, (cid, _) in enumerate(ranked)}
    return sorted(picked, key=lambda item: order[item[0]])


def load_reranker(path: str):
    """A local cross-encoder as a function from (question, passage) pairs to scores."""
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(path, device="cpu")
    return lambda pairs: model.predict(pairs, show_progress_bar=False)
