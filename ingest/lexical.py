"""The BM25 index (bm25s), kept beside Chroma and rebuilt from it after each change."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ingest.tokenization import tokenize

_IDS_FILE = "chunk_ids.json"


class LexicalIndex:
    def __init__(self, retriever, ids: list[str]):
        self._retriever = retriever
        self.ids = ids
        self._doc_freq: dict[str, int] | None = None

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> LexicalIndex:
        import bm25s

        retriever = bm25s.BM25()
        # bm25s cannot index an empty corpus; an empty document keeps it valid.
        corpus = [tokenize(t) for t in texts] or [[]]
        retriever.index(corpus, show_progress=False)
        return cls(retriever, list(ids))

    def save(self, directory: Path) -> None:
        """Write to a temporary folder and swap it in, so a reader never sees half an index."""
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self._retriever.save(str(tmp), show_progress=False)
        (tmp / _IDS_FILE).write_text(json.dumps(self.ids))
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            directory.rename(old)
        tmp.rename(directory)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex | None:
        import bm25s

        ids_file = directory / _IDS_FILE
        if not ids_file.exists():
            return None
        retriever = bm25s.BM25.load(str(directory), mmap=True, show_progress=False)
        return cls(retriever, json.loads(ids_file.read_text()))

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        tokens = tokenize(query)
        if not tokens or not self.ids:
            return []
        k = min(k, len(self.ids))
        docs, scores = self._retriever.retrieve([tokens], k=k, show_progress=False, n_threads=1)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def document_frequency(self, token: str) -> int:
        """How many chunks contain ``token`` (0 when unseen): the basis of IDF weights."""
        if self._doc_freq is None:
            self._doc_freq = _doc_freqs(self._retriever)
        return self._doc_freq.get(token, 0)

    @property
    def n_chunks(self) -> int:
        return len(self.ids)


def _doc_freqs(retriever) -> dict[str, int]:
    scores = retriever.scores
    indptr = np.asarray(scores["indptr"])
    # Stored column-major (one column per token): column length = document frequency.
    counts = np.diff(indptr)
    return {token: int(counts[i]) for token, i in retriever.vocab_dict.items() if i < len(counts)}
