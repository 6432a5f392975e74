"""What a chunk's vector is: its text's vector mixed with its document header's.

Everything here changes the vectors an index holds, so it is recorded in the build record
(:class:`ingest.build.BuildInfo`): an index built with other values asks to be rebuilt."""

from __future__ import annotations

import numpy as np

from ingest.chunking import embedding_header
from ingest.embeddings import Embedder
from ingest.types import Chunk, SourceDocument

HEADER_WEIGHT = 0.4  # share of the document header's vector in each chunk's


def embedding_text(chunk: Chunk) -> str:
    """What is embedded for a chunk: its text. The document's header (title, court, date) is
    embedded once per document and mixed into every chunk's vector (see embed_documents), so a
    question naming the case finds the right document without a header in every chunk."""
    return chunk.text


def embed_documents(model: Embedder, documents: list[tuple[SourceDocument, list[Chunk]]], batch_size: int,
                    on_batch=None) -> list[np.ndarray]:
    """Unit vectors of each document's chunks: each chunk's text vector plus HEADER_WEIGHT of
    its document's header vector. All chunks are embedded in one call, so that batches of
    similar length form across files."""
    texts = [embedding_text(c) for _, chunks in documents for c in chunks]
    vectors = model.embed(texts, batch_size=batch_size, on_batch=on_batch)
    headers = model.embed([embedding_header(d) for d, _ in documents], batch_size=batch_size)
    out, start = [], 0
    for (_, chunks), header in zip(documents, headers):
        mixed = vectors[start : start + len(chunks)] + HEADER_WEIGHT * header
        out.append((mixed / np.linalg.norm(mixed, axis=1, keepdims=True)).astype(np.float32))
        start += len(chunks)
    return out
