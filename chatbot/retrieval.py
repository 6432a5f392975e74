"""Hybrid retrieval: dense (Chroma) and lexical (BM25) lists fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from chatbot.types import Evidence
from ingest.embeddings import Embedder
from ingest.lexical import LexicalIndex
from ingest.tokenization import tokenize
from legalqa.settings import RetrievalSettings
from ingest.store import ChunkStore

from legalqa.errors import LegalqaError


class RetrievalModeError(LegalqaError, ValueError):
    """A retrieval mode other than hybrid, dense or bm25."""

MODES = ("hybrid", "dense", "bm25")
_NARROW_FILTER = 20  # documents; up to this many, Chroma filters the dense search itself
_PHRASE_CHECKED = 1000  # chunks read to find an exact phrase, best BM25 match first


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
        reranker=None, *, get_chunks=None,
    ):
        self.store = store
        # How chunks are read: the index's reader, which attaches each chunk's document.
        self.get_chunks = get_chunks or store.get_chunks
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
            raise RetrievalModeError(f"unknown retrieval mode '{mode}' (choose from {', '.join(MODES)})")
        if sources is not None and not sources:
            return []
        n = max(self.settings.candidates, k * 3)
        rankings: list[list[str]] = []
        similarity: dict[str, float] = {}
        if mode in ("hybrid", "dense"):
            vector = self.embed_query(question) if query_vector is None else query_vector
            dense = self._dense(vector, n, sources)
            rankings.append([cid for cid, _ in dense])
            similarity.update(dense)
        if mode in ("hybrid", "bm25") and self.lexical is not None:
            rankings.append([cid for cid, _ in self.lexical.search(question, n, sources=sources)])
        ranked = reciprocal_rank_fusion(rankings, self.settings.rrf_k)
        chunks: dict = {}
        if self.reranker is not None:
            ranked = self._rerank(question, ranked[: max(3 * k, 20)], chunks)
        fused = diversify(ranked, self._sources_of([cid for cid, _ in ranked], chunks), k, per_document)
        self._fetch([cid for cid, _ in fused], chunks)
        return [
            Evidence(chunk=chunks[cid], score=score, similarity=similarity.get(cid))
            for cid, score in fused
            if cid in chunks
        ]

    def _dense(self, vector: np.ndarray, n: int, sources: set[str] | None) -> list[tuple[str, float]]:
        """Dense candidates as (id, similarity), only from ``sources`` when given.

        Chroma filters by metadata slowly when many documents are allowed (a survey over
        every decision), so a wide filter is applied here to a larger unfiltered list, and
        Chroma's own filter is kept for narrow ones (one case) or when the list runs short."""
        if sources is None or self.lexical is None or len(sources) <= _NARROW_FILTER:
            return self.store.dense_ids(vector, n, sources)
        kept = [(cid, sim) for cid, sim in self.store.dense_ids(vector, 4 * n) if self.lexical.source_of(cid) in sources]
        return kept[:n] if len(kept) >= n else self.store.dense_ids(vector, n, sources)

    def _sources_of(self, ids: list[str], chunks: dict) -> dict[str, str]:
        if self.lexical is not None:
            return {cid: self.lexical.source_of(cid) or (chunks[cid].source if cid in chunks else cid) for cid in ids}
        self._fetch(ids, chunks)
        return {cid: chunks[cid].source for cid in ids if cid in chunks}

    def _fetch(self, ids: list[str], chunks: dict) -> None:
        """Read the texts and metadata of the chunks in ``ids`` not yet in ``chunks``."""
        for chunk in self.get_chunks([cid for cid in ids if cid not in chunks]):
            chunks[chunk.chunk_id] = chunk

    def _rerank(self, question: str, ranked: list[tuple[str, float]], chunks: dict) -> list[tuple[str, float]]:
        """Reorder the fused candidates by the cross-encoder's score of (question, passage)."""
        self._fetch([cid for cid, _ in ranked], chunks)
        candidates = [cid for cid, _ in ranked if cid in chunks]
        scores = self.reranker([(question, chunks[cid].text) for cid in candidates])
        return sorted(zip(candidates, map(float, scores)), key=lambda item: -item[1])

    def retrieve_per_document(
        self, question: str, sources: set[str], *, k: int, query_vector: np.ndarray | None = None, per_source: int = 2
    ) -> list[Evidence]:
        """The best chunks of each of the ``k`` documents in ``sources`` that match best,
        documents ranked by their best chunk.

        For survey questions ("which courts have held X?"): a global top-k lets the two
        most-discussed opinions take every slot. Here a wide pool of candidates from both
        lists is grouped by document, and each document keeps its own best few.
        """
        vector = self.embed_query(question) if query_vector is None else query_vector
        pool = max(10 * k * per_source, self.settings.candidates)
        dense = self._dense(vector, pool, sources)
        lexical = self.lexical.search(question, pool, sources=sources) if self.lexical else []
        source_of = self._sources_of([cid for cid, _ in dense] + [cid for cid, _ in lexical], {})
        # Both lists come best first, so documents appear in each in the order of their best chunk.
        dense_by: dict[str, list[str]] = {}
        lexical_by: dict[str, list[str]] = {}
        for cid, _ in dense:
            dense_by.setdefault(source_of[cid], []).append(cid)
        for cid, _ in lexical:
            lexical_by.setdefault(source_of[cid], []).append(cid)
        # Documents ranked as chunks are: the dense and BM25 orders, fused by reciprocal rank.
        ranked = [source for source, _ in reciprocal_rank_fusion([list(dense_by), list(lexical_by)], self.settings.rrf_k)][:k]
        similarity = dict(dense)
        picked: list[tuple[str, float]] = []
        more: list[tuple[str, float]] = []
        for source in ranked:
            fused = reciprocal_rank_fusion(
                [dense_by.get(source, [])[:per_source], lexical_by.get(source, [])[:per_source]], self.settings.rrf_k
            )
            picked += fused[:per_source]
            more += fused[per_source:]  # the best of each list: a ruling's holding is often the words, not the meaning
        picked += more  # after every document's best, so the first passages still span the documents
        chunks: dict = {}
        self._fetch([cid for cid, _ in picked], chunks)
        return [Evidence(chunk=chunks[cid], score=score, similarity=similarity.get(cid)) for cid, score in picked if cid in chunks]


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


def documents_containing(lexical: LexicalIndex | None, text: str, get_chunks, limit: int = 50) -> list[str]:
    """Sources of the documents with a passage holding every word of ``text`` (as BM25 stems
    them, stop words aside), those holding the exact phrase first, each group best BM25 match first.

    Each word is looked up alone, so a chunk is a candidate only if it has them all; no
    embedding is computed. ``get_chunks`` reads chunk texts, for the phrase check."""
    words = [w for w in text.replace('"', " ").split() if tokenize(w)]
    if lexical is None or not words or limit <= 0:
        return []
    having: set[str] | None = None
    for word in words:
        found = {cid for cid, _ in lexical.search(word, lexical.n_chunks)}
        having = found if having is None else having & found
        if not having:
            return []
    ranked = [cid for cid, _ in lexical.search(" ".join(words), lexical.n_chunks) if cid in having]
    phrase = " ".join(text.replace('"', " ").split()).lower()
    with_phrase = set()
    if len(words) > 1:
        for chunk in get_chunks(ranked[:_PHRASE_CHECKED]):
            if phrase in " ".join(chunk.text.split()).lower():
                with_phrase.add(chunk.chunk_id)
    order = sorted(range(len(ranked)), key=lambda i: (ranked[i] not in with_phrase, i))
    sources = dict.fromkeys(lexical.source_of(ranked[i]) for i in order)
    return [s for s in sources if s][:limit]


# Dev split, the best 0 to 8 passages followed: 3 gained key facts (0.632 to 0.637) and cost no conversation.
FOLLOWED = 3


def following_chunks(lexical: LexicalIndex | None, get_chunks, evidence: list[Evidence],
                     best: int = FOLLOWED) -> list[Evidence]:
    """The chunk after each of the ``best`` first passages in its document, when the evidence
    lacks it: a section's heading and opening are what a search finds, and its answer follows.
    (The index keeps a document's chunks in reading order.) ``get_chunks`` reads them."""
    if lexical is None:
        return []
    have = {e.chunk.chunk_id for e in evidence}
    ids = []
    for e in evidence[:best]:
        order = lexical.chunk_ids(e.chunk.source)
        at = order.index(e.chunk.chunk_id) if e.chunk.chunk_id in order else -1
        if 0 <= at < len(order) - 1 and order[at + 1] not in have:
            ids.append(order[at + 1])
            have.add(order[at + 1])
    return [Evidence(chunk=c, score=0.0) for c in get_chunks(ids)]
