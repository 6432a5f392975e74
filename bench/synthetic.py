"""A seeded synthetic corpus for scale tests, grown from a real index.

Each synthetic filing takes a "theme" of a few real chunks. Its chunks are new
sequences of those chunks' sentences, so term statistics (what BM25 sees) follow
the real documents' vocabulary, and its vectors are noisy mixtures of the theme
chunks' real vectors, so they sit where real chunks sit and compete with them
(what HNSW sees). No text is embedded: a 300k-chunk corpus is built in minutes.
The real chunks stay in the index, so the gold questions still have answers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ingest.chunking import document_header, sentence_spans
from ingest.pipeline import rebuild_lexical
from legalqa.settings import Settings
from ingest.store import ChunkStore
from ingest.types import Chunk, SourceDocument

CHUNKS_PER_DOCUMENT = (20, 80)  # real filings here have 5 to 200 chunks, about 50 on average
THEME_SIZE = 3
NOISE = 0.35
WRITE_BATCH = 2000  # chunks per Chroma write  # norm of the noise added to a unit mixture vector


@dataclass
class _Base:
    sentences: list[list[str]]  # per real chunk
    vectors: np.ndarray  # per real chunk, unit length
    documents: list[SourceDocument]


def read_base(store: ChunkStore) -> _Base:
    sentences, vectors = [], []
    for chunk, vector in store.iter_vectors():
        spans = sentence_spans(chunk.text)
        sentences.append([chunk.text[s:e] for s, e in spans] or [chunk.text])
        vectors.append(vector)
    return _Base(sentences, np.vstack(vectors), store.documents())


def grow(
    store: ChunkStore,
    settings: Settings,
    target_chunks: int,
    *,
    seed: int = 7,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add synthetic filings to the open index at ``store`` until it holds ``target_chunks``
    chunks, through the same write path as ingestion; then rebuild BM25. Returns chunks added."""
    base = read_base(store)
    rng = np.random.default_rng(seed)
    have = store.count()
    added = 0
    n_doc = 0
    batch: list = []
    while have + added < target_chunks:
        size = min(int(rng.integers(*CHUNKS_PER_DOCUMENT)), target_chunks - have - added)
        batch.append(synthetic_document(base, rng, n_doc, size, seed))
        added += size
        n_doc += 1
        if sum(len(c) for _, c, _ in batch) >= WRITE_BATCH or have + added >= target_chunks:
            store.replace_documents(batch)
            batch = []
            if progress:
                progress(have + added)
    rebuild_lexical(settings, store)
    return added


def synthetic_document(base: _Base, rng: np.random.Generator, n: int, size: int, seed: int):
    like = base.documents[int(rng.integers(len(base.documents)))]
    sha = hashlib.sha256(f"synthetic:{seed}:{n}".encode()).hexdigest()
    document = SourceDocument(
        source=f"synthetic/{seed}/{n:06d}.txt",
        title=f"Synthetic filing {n} ({like.kind})",
        kind=like.kind,
        case_name=f"Synthetic Plaintiff {n} v. Example AI Co." if like.case_name else None,
        court=like.court,
        docket=f"9:{n % 100:02d}-cv-{n:05d}" if like.docket else None,
        date=like.date,
        sha256=sha,
        n_pages=max(1, size // 3),
        paged=True,
    )
    header = document_header(document)
    theme = rng.choice(len(base.sentences), size=THEME_SIZE, replace=False)
    chunks, vectors = [], []
    for i in range(size):
        weights = rng.dirichlet(np.ones(THEME_SIZE))
        parts = []
        while sum(len(p) for p in parts) < 900:
            source_chunk = base.sentences[int(rng.choice(theme, p=weights))]
            parts.append(source_chunk[int(rng.integers(len(source_chunk)))])
        text = " ".join(parts)
        page = i // 3 + 1
        start = (i % 3) * 1000
        chunks.append(Chunk(
            chunk_id=Chunk.make_id(sha, page, start, start + len(text)), source=document.source,
            title=document.title, page=page, start=start, end=start + len(text), text=text,
            doc_sha256=sha, header=header,
        ))
        vector = weights @ base.vectors[theme] + rng.normal(0, NOISE / np.sqrt(base.vectors.shape[1]), base.vectors.shape[1])
        vectors.append(vector / np.linalg.norm(vector))
    return document, chunks, np.asarray(vectors, dtype=np.float32)
