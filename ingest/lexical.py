"""The BM25 index (bm25s), kept beside Chroma: rebuilt from it, or updated by a small delta.

Each generation of the index has its own BM25 folder (ingest/layout.py); ``chunk_ids.json``
is written into it last, so its modification time tells a reader that BM25 changed.

Rebuilding re-tokenizes every chunk: at 100k chunks that was 40 s of a 44 s ingest of one
changed file. So an ingest that changed a few documents (:func:`update_lexical`) leaves the
bm25s index as it is, marks the rows of those documents removed, and keeps their new chunks'
term counts in ``chunk_ids.json`` as a delta, scored with the same BM25 formula (Lucene IDF,
k1 1.5, b 0.75) against the whole index's statistics. When the delta and the removed rows
pass :data:`DELTA_SHARE` of the index, the next change rebuilds it.

Chunks of owned uploads (``Chunk.owner``) are kept apart, as ``private`` term counts: they are
neither bm25s rows nor in its statistics. Otherwise one user's upload would change the weights of
another user's question, and whether a question about a word is answered would tell that some
hidden document holds it. Searching and the statistics take the sources a user may see, and
count the private chunks of those only."""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ingest.citations import citation_token, find_citations
from ingest.layout import LEXICAL_IDS_FILE as _IDS_FILE
from ingest.layout import lexical_dir
from ingest.tokenization import tokenize
from ingest.types import Chunk
from legalqa.settings import Settings

K1, B = 1.5, 0.75  # bm25s' defaults, which build() uses
DELTA_SHARE = 0.05  # a delta (plus removed rows) past this share of the index is folded in by a rebuild


class LexicalIndex:
    """BM25 over chunks. ``ids[i]`` is the chunk id of row i and ``sources[i]`` its document."""

    def __init__(self, retriever, ids: list[str], sources: list[str], *, average_length: float | None = None,
                 removed: Sequence[int] = (), delta: Sequence[tuple[str, str, dict[str, int]]] = (),
                 private: Sequence[tuple[str, str, dict[str, int]]] = ()):
        self._retriever = retriever
        self.ids = ids  # the bm25s rows
        self.sources = sources
        self.average_length = average_length  # tokens per row when built (None: built before it was kept)
        self.removed = sorted(set(removed))  # rows whose chunk is gone (their document changed or went)
        self.delta = list(delta)  # (chunk id, source, term counts) of chunks added since the build
        self.private = list(private)  # (chunk id, source, term counts) of owned uploads' chunks
        self._doc_freq: dict[str, int] | None = None
        self._source_by_id: dict[str, str] | None = None
        self._codes: np.ndarray | None = None  # row -> document number, for fast filters
        self._code_of: dict[str, int] = {}
        self._delta_scores: dict[str, list[tuple[int, float]]] | None = None

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str], sources: Sequence[str],
              private: Sequence[tuple[str, str, dict[str, int]]] = ()) -> LexicalIndex:
        import bm25s

        retriever = bm25s.BM25(k1=K1, b=B)
        # bm25s cannot index an empty corpus, nor one with no words: a placeholder row keeps it
        # valid (no id maps to it, so it is never returned) after the last document is removed.
        corpus = [tokenize(t) for t in texts] or [["\x00empty"]]
        retriever.index(corpus, show_progress=False)
        average = sum(map(len, corpus)) / len(corpus)
        return cls(retriever, list(ids), list(sources), average_length=average, private=private)

    def save(self, directory: Path) -> None:
        """Write to a temporary folder and swap it in, so a reader never sees half an index."""
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self._retriever.save(str(tmp), show_progress=False)
        (tmp / _IDS_FILE).write_text(json.dumps(self._rows()))
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            directory.rename(old)
        tmp.rename(directory)
        shutil.rmtree(old, ignore_errors=True)

    def save_rows(self, directory: Path) -> None:
        """Write only ``chunk_ids.json`` (removed rows and delta included), atomically: the bm25s
        files are unchanged, and readers see the new rows or the old."""
        tmp = directory / (_IDS_FILE + ".tmp")
        tmp.write_text(json.dumps(self._rows()))
        tmp.replace(directory / _IDS_FILE)

    def _rows(self) -> dict:
        return {"ids": self.ids, "sources": self.sources, "average_length": self.average_length,
                "removed": self.removed, "delta": [list(entry) for entry in self.delta],
                "private": [list(entry) for entry in self.private]}

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex | None:
        import bm25s

        ids_file = directory / _IDS_FILE
        if not ids_file.exists():
            return None
        retriever = bm25s.BM25.load(str(directory), mmap=True, show_progress=False)
        rows = json.loads(ids_file.read_text())
        return cls(retriever, rows["ids"], rows["sources"], average_length=rows.get("average_length"),
                   removed=rows.get("removed", ()), delta=[tuple(e) for e in rows.get("delta", ())],
                   private=[tuple(e) for e in rows.get("private", ())])

    def search(self, query: str, k: int, sources: set[str] | None = None) -> list[tuple[str, float]]:
        """Best chunks by BM25, only from ``sources`` when given (private chunks of those only)."""
        tokens = tokenize(query) + [citation_token(c) for c in find_citations(query)]
        if not tokens or not self.n_chunks:
            return []
        found = self._search_delta(tokens, k, sources) + self._search_private(tokens, k, sources)
        mask = self.mask(sources) if sources is not None else None
        if self.removed:
            mask = np.ones(len(self.ids), dtype=np.float32) if mask is None else mask
            mask[self.removed] = 0.0
        if self.ids and (mask is None or mask.any()):
            docs, scores = self._retriever.retrieve([tokens], k=min(k, len(self.ids)), show_progress=False,
                                                    n_threads=1, weight_mask=mask)
            found += [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]
        return sorted(found, key=lambda hit: -hit[1])[:k] if self.delta or self.private else found

    def _search_delta(self, tokens: list[str], k: int, sources: set[str] | None) -> list[tuple[str, float]]:
        if not self.delta:
            return []
        if self._delta_scores is None:
            self._delta_scores = self._score_delta()
        totals: dict[int, float] = {}
        for token in tokens:
            for row, score in self._delta_scores.get(token, ()):
                totals[row] = totals.get(row, 0.0) + score
        hits = [(self.delta[row][0], score) for row, score in totals.items()
                if score > 0 and (sources is None or self.delta[row][1] in sources)]
        return sorted(hits, key=lambda hit: -hit[1])[:k]

    def _score_delta(self) -> dict[str, list[tuple[int, float]]]:
        """Each delta chunk's BM25 score per term, as bm25s scores its rows (Lucene IDF), with the
        shared statistics alone (no user's private chunks)."""
        n = self.chunk_count(set())
        average = self.average_length or 1.0
        out: dict[str, list[tuple[int, float]]] = {}
        for row, (_cid, _source, counts) in enumerate(self.delta):
            length = sum(counts.values())
            for token, tf in counts.items():
                idf = math.log(1 + (n - (df := self.document_frequency(token, set())) + 0.5) / (df + 0.5))
                out.setdefault(token, []).append((row, idf * tf / (K1 * (1 - B + B * length / average) + tf)))
        return out

    def _search_private(self, tokens: list[str], k: int, sources: set[str] | None) -> list[tuple[str, float]]:
        """Owned chunks of ``sources`` (every one when None), scored with the statistics of what
        ``sources`` holds: the shared index's and those chunks' own."""
        visible = [entry for entry in self.private if sources is None or entry[1] in sources]
        if not visible:
            return []
        n, average = self.chunk_count(sources), self.average_length or 1.0
        idf = {t: math.log(1 + (n - (df := self.document_frequency(t, sources)) + 0.5) / (df + 0.5)) for t in tokens}
        hits = []
        for cid, _source, counts in visible:
            length = sum(counts.values())
            score = sum(idf[t] * counts[t] / (K1 * (1 - B + B * length / average) + counts[t]) for t in tokens if t in counts)
            if score > 0:
                hits.append((cid, score))
        return sorted(hits, key=lambda hit: -hit[1])[:k]

    def mask(self, sources: set[str]) -> np.ndarray:
        """1.0 for the bm25s rows of chunks from ``sources``, else 0.0."""
        if self._codes is None:
            self._code_of = {s: i for i, s in enumerate(dict.fromkeys(self.sources))}
            self._codes = np.fromiter((self._code_of[s] for s in self.sources), dtype=np.int32, count=len(self.sources))
        wanted = [self._code_of[s] for s in sources if s in self._code_of]
        return np.isin(self._codes, wanted).astype(np.float32)

    def source_of(self, chunk_id: str) -> str:
        if self._source_by_id is None:
            gone = set(self.removed)
            self._source_by_id = {cid: s for row, (cid, s) in enumerate(zip(self.ids, self.sources)) if row not in gone}
            self._source_by_id.update((cid, s) for cid, s, _ in self.delta)
            self._source_by_id.update((cid, s) for cid, s, _ in self.private)
        return self._source_by_id.get(chunk_id, "")

    def document_frequency(self, token: str, sources: set[str] | None = None) -> int:
        """How many chunks a user who may see ``sources`` (everything when None) finds ``token`` in
        (0 when unseen): the basis of IDF weights. Shared rows removed since the build still count
        (the delta's own chunks are added); owned uploads' chunks count for their ``sources`` only."""
        if self._doc_freq is None:
            self._doc_freq = _doc_freqs(self._retriever)
            for _cid, _source, counts in self.delta:
                for token_ in counts:
                    self._doc_freq[token_] = self._doc_freq.get(token_, 0) + 1
        private = sum(1 for _cid, source, counts in self.private
                      if token in counts and (sources is None or source in sources))
        return self._doc_freq.get(token, 0) + private

    def chunk_ids(self, source: str) -> list[str]:
        """The ids of every chunk of ``source`` the index holds."""
        rows = np.flatnonzero(self.mask({source})) if self.ids else []
        gone = set(self.removed)
        return ([self.ids[int(r)] for r in rows if int(r) not in gone] +
                [cid for cid, s, _ in self.delta if s == source] + [cid for cid, s, _ in self.private if s == source])

    def shares(self, tokens: Iterable[str], sources: set[str]) -> dict[str, float]:
        """For each token, the share of the indexed chunks of ``sources`` that hold it (built rows
        only: a delta's and private chunks are left out). "lyrics" is in most chunks of the lyrics
        case. The sources' rows are found once for all the tokens."""
        mask = self.mask(sources)
        total = float(mask.sum())
        scores = self._retriever.scores
        out: dict[str, float] = {}
        for token in tokens:
            column = self._retriever.vocab_dict.get(token)
            if column is None or not total:
                out[token] = 0.0
                continue
            start, end = int(scores["indptr"][column]), int(scores["indptr"][column + 1])
            out[token] = float(mask[np.asarray(scores["indices"][start:end])].sum() / total)
        return out

    def chunk_count(self, sources: set[str] | None = None) -> int:
        """The chunks a user who may see ``sources`` searches (everything when None)."""
        private = sum(1 for _cid, source, _counts in self.private if sources is None or source in sources)
        return len(self.ids) - len(self.removed) + len(self.delta) + private

    @property
    def n_chunks(self) -> int:
        """Every chunk, shared and private: what the store holds."""
        return len(self.ids) - len(self.removed) + len(self.delta) + len(self.private)


def _doc_freqs(retriever) -> dict[str, int]:
    scores = retriever.scores
    indptr = np.asarray(scores["indptr"])
    # Stored column-major (one column per token): column length = document frequency.
    counts = np.diff(indptr)
    return {token: int(counts[i]) for token, i in retriever.vocab_dict.items() if i < len(counts)}


def _counted(chunk: Chunk) -> tuple[str, str, dict[str, int]]:
    """A chunk kept as term counts (a delta or private entry)."""
    return chunk.chunk_id, chunk.source, dict(Counter(tokenize(lexical_text(chunk))))


def lexical_text(chunk: Chunk) -> str:
    """What BM25 indexes: the chunk under its full header (title, docket, court, judge),
    plus one whole token per citation it contains."""
    return f"{chunk.header}\n{chunk.text}" + "".join(f" {citation_token(c)}" for c in chunk.citations)


def rebuild_lexical(settings: Settings, store) -> LexicalIndex:
    """Rebuild the BM25 index of the store's generation from its chunks (hold the writer lock)."""
    ids, texts, sources, private = [], [], [], []
    for chunk in store.iter_chunks():
        if chunk.owner is not None:
            private.append(_counted(chunk))
            continue
        ids.append(chunk.chunk_id)
        texts.append(lexical_text(chunk))
        sources.append(chunk.source)
    index = LexicalIndex.build(ids, texts, sources, private)
    index.save(lexical_dir(settings, store.generation))
    return index


def update_lexical(settings: Settings, store, written: Sequence[str], removed_sources: Sequence[str] = ()) -> LexicalIndex:
    """After an ingest that wrote the chunks ``written`` (and deleted its documents' older chunks)
    or removed the documents ``removed_sources``: mark those documents' rows removed and add the
    chunks as a delta, reading and tokenizing only them. Rebuilds instead when there is no index
    to update, when the delta would pass :data:`DELTA_SHARE`, or when the result does not count
    the store's chunks (hold the writer lock)."""
    directory = lexical_dir(settings, store.generation)
    index = LexicalIndex.load(directory)
    if index is None or index.average_length is None:
        return rebuild_lexical(settings, store)
    chunks = store.get_chunks(list(written))
    touched = {c.source for c in chunks} | set(removed_sources)
    removed = set(index.removed) | {row for row, source in enumerate(index.sources) if source in touched}
    delta = [entry for entry in index.delta if entry[1] not in touched]
    delta += [_counted(c) for c in chunks if c.owner is None]
    private = [entry for entry in index.private if entry[1] not in touched]
    private += [_counted(c) for c in chunks if c.owner is not None]
    if len(removed) + len(delta) > DELTA_SHARE * max(len(index.ids), 1):
        return rebuild_lexical(settings, store)
    updated = LexicalIndex(index._retriever, index.ids, index.sources, average_length=index.average_length,
                           removed=sorted(removed), delta=delta, private=private)
    if updated.n_chunks != store.count():
        return rebuild_lexical(settings, store)
    updated.save_rows(directory)
    return updated


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
