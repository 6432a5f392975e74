"""The BM25 index (bm25s), kept beside Chroma and rebuilt from it after each change.

Each generation of the index has its own BM25 folder (ingest/layout.py); ``chunk_ids.json``
is written into it last, so its modification time tells a reader that BM25 changed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ingest.citations import citation_token, find_citations
from ingest.layout import LEXICAL_IDS_FILE as _IDS_FILE
from ingest.layout import lexical_dir
from ingest.tokenization import tokenize
from ingest.types import Chunk
from legalqa.settings import Settings


class LexicalIndex:
    """BM25 over chunks. ``ids[i]`` is the chunk id of row i and ``sources[i]`` its document."""

    def __init__(self, retriever, ids: list[str], sources: list[str]):
        self._retriever = retriever
        self.ids = ids
        self.sources = sources
        self._doc_freq: dict[str, int] | None = None
        self._source_by_id: dict[str, str] | None = None
        self._codes: np.ndarray | None = None  # row -> document number, for fast filters
        self._code_of: dict[str, int] = {}

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str], sources: Sequence[str]) -> LexicalIndex:
        import bm25s

        retriever = bm25s.BM25()
        # bm25s cannot index an empty corpus, nor one with no words: a placeholder row keeps it
        # valid (no id maps to it, so it is never returned) after the last document is removed.
        corpus = [tokenize(t) for t in texts] or [["\x00empty"]]
        retriever.index(corpus, show_progress=False)
        return cls(retriever, list(ids), list(sources))

    def save(self, directory: Path) -> None:
        """Write to a temporary folder and swap it in, so a reader never sees half an index."""
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self._retriever.save(str(tmp), show_progress=False)
        (tmp / _IDS_FILE).write_text(json.dumps({"ids": self.ids, "sources": self.sources}))
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
        rows = json.loads(ids_file.read_text())
        return cls(retriever, rows["ids"], rows["sources"])

    def search(self, query: str, k: int, sources: set[str] | None = None) -> list[tuple[str, float]]:
        """Best chunks by BM25, only from ``sources`` when given."""
        tokens = tokenize(query) + [citation_token(c) for c in find_citations(query)]
        if not tokens or not self.ids:
            return []
        mask = None
        if sources is not None:
            mask = self.mask(sources)
            if not mask.any():
                return []
        k = min(k, len(self.ids))
        docs, scores = self._retriever.retrieve([tokens], k=k, show_progress=False, n_threads=1, weight_mask=mask)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def mask(self, sources: set[str]) -> np.ndarray:
        """1.0 for the rows of chunks from ``sources``, else 0.0."""
        if self._codes is None:
            self._code_of = {s: i for i, s in enumerate(dict.fromkeys(self.sources))}
            self._codes = np.fromiter((self._code_of[s] for s in self.sources), dtype=np.int32, count=len(self.sources))
        wanted = [self._code_of[s] for s in sources if s in self._code_of]
        return np.isin(self._codes, wanted).astype(np.float32)

    def source_of(self, chunk_id: str) -> str:
        if self._source_by_id is None:
            self._source_by_id = dict(zip(self.ids, self.sources))
        return self._source_by_id.get(chunk_id, "")

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


def lexical_text(chunk: Chunk) -> str:
    """What BM25 indexes: the chunk under its full header (title, docket, court, judge),
    plus one whole token per citation it contains."""
    return f"{chunk.header}\n{chunk.text}" + "".join(f" {citation_token(c)}" for c in chunk.citations)


def rebuild_lexical(settings: Settings, store) -> LexicalIndex:
    """Rebuild the BM25 index of the store's generation from its chunks (hold the writer lock)."""
    ids, texts, sources = [], [], []
    for chunk in store.iter_chunks():
        ids.append(chunk.chunk_id)
        texts.append(lexical_text(chunk))
        sources.append(chunk.source)
    index = LexicalIndex.build(ids, texts, sources)
    index.save(lexical_dir(settings, store.generation))
    return index


def lexical_stale(settings: Settings, store) -> bool:
    """True when the store's generation has no BM25 index, or one that disagrees with its chunks."""
    index = LexicalIndex.load(lexical_dir(settings, store.generation))
    return index is None or index.n_chunks != store.count()


def lexical_version(settings: Settings, generation: int) -> float | None:
    """When the BM25 index of ``generation`` last changed (None: it has none)."""
    ids_file = lexical_dir(settings, generation) / _IDS_FILE
    return ids_file.stat().st_mtime if ids_file.exists() else None


def drop_other_lexical(settings: Settings) -> None:
    """Delete the BM25 folders of generations that are not live (hold the writer lock)."""
    live = lexical_dir(settings).name
    for path in Path(settings.index_dir).glob("bm25*"):
        name = path.name
        if name != live and path.is_dir() and (name == "bm25" or (name.startswith("bm25-g") and name[6:].isdigit())):
            shutil.rmtree(path, ignore_errors=True)
