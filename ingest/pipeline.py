"""From paths to an up-to-date index: discover, hash, load, chunk, embed, store.

Incremental: a file whose sha256 is already indexed is skipped before anything
is parsed or embedded, and the embedding model is not even loaded when nothing
changed.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunking import chunk_document
from ingest.embeddings import Embedder, load_embedder
from ingest.lexical import LexicalIndex
from ingest.loaders import IngestError, load_file
from ingest.settings import Settings
from ingest.store import BuildInfo, ChunkStore
from ingest.types import Chunk

Progress = Callable[[str], None]


@dataclass
class Skipped:
    source: str
    reason: str


@dataclass
class IngestReport:
    files: int = 0
    indexed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    pages: int = 0
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.files} files: {len(self.indexed)} indexed, {len(self.unchanged)} unchanged, "
            f"{len(self.skipped)} skipped; {self.pages} pages, {self.chunks} chunks "
            f"({self.embedded} embedded) in {self.seconds:.1f} s"
        )


def discover(paths: Iterable[Path]) -> Iterable[tuple[Path, str]]:
    """Yield (file, source key) pairs; the key is relative to the path given. Symlink loops are not followed twice."""
    for root in paths:
        root = Path(root)
        if root.is_file():
            yield root, root.name
            continue
        if not root.is_dir():
            raise IngestError(root, "no such file or folder")
        seen_dirs: set[tuple[int, int]] = set()
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            st = os.stat(dirpath)
            if (st.st_dev, st.st_ino) in seen_dirs:
                dirnames[:] = []
                continue
            seen_dirs.add((st.st_dev, st.st_ino))
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = Path(dirpath) / name
                yield path, path.relative_to(root).as_posix()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def lexical_dir(settings: Settings) -> Path:
    return Path(settings.index_dir) / "bm25"


def embedding_text(chunk: Chunk) -> str:
    """What is embedded and BM25-indexed: the chunk under its document's title and docket,
    so a question naming the case or its number finds the right document."""
    return f"{chunk.header}\n{chunk.text}"


def ingest_paths(
    paths: Iterable[Path],
    *,
    settings: Settings,
    store: ChunkStore | None = None,
    embedder: Embedder | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    report = IngestReport()
    store = store or ChunkStore(settings)

    _embedder: list[Embedder] = [embedder] if embedder else []

    def get_embedder() -> Embedder:
        if not _embedder:
            say(f"loading embedding model {settings.embedding_model}")
            _embedder.append(load_embedder(settings.embedding_model))
        return _embedder[0]

    existing = None if rebuild else store.build_info()
    if existing is not None and existing.embedding_model == settings.embedding_model:
        # Same model: its dimension is on record, and the model need not be loaded
        # unless a file changed.
        expected = BuildInfo.from_settings(settings, existing.dimension)
    else:
        expected = BuildInfo.from_settings(settings, get_embedder().dimension)
    if rebuild:
        store.drop()
    store.open(expected, create=True)

    changed = store.remove_unfinished() > 0
    known = store.document_hashes()
    for path, source in discover(paths):
        report.files += 1
        try:
            sha = file_sha256(path)
        except OSError as exc:
            report.skipped.append(Skipped(source, f"cannot read the file ({exc.strerror or exc})"))
            continue
        if known.get(source) == sha:
            report.unchanged.append(source)
            continue
        try:
            loaded = load_file(path, source, max_bytes=int(settings.ingest.max_file_mb * 1e6))
        except IngestError as exc:
            report.skipped.append(Skipped(source, exc.reason))
            say(f"skipped {source}: {exc.reason}")
            continue
        model = get_embedder()
        chunks = chunk_document(
            loaded,
            model.count_tokens,
            max_tokens=min(settings.ingest.chunk_tokens, model.max_tokens - 32),
            overlap_tokens=settings.ingest.chunk_overlap_tokens,
        )
        if not chunks:
            report.skipped.append(Skipped(source, "no text could be extracted"))
            continue
        vectors = model.embed(
            [embedding_text(c) for c in chunks], batch_size=settings.ingest.embed_batch_size
        )
        store.replace_document(loaded.document, chunks, vectors)
        changed = True
        report.indexed.append(source)
        report.pages += len(loaded.pages)
        report.chunks += len(chunks)
        report.embedded += len(chunks)
        say(f"indexed {source}: {len(loaded.pages)} pages, {len(chunks)} chunks")

    if changed or _lexical_stale(settings, store):
        rebuild_lexical(settings, store)
    report.seconds = time.perf_counter() - started
    return report


def rebuild_lexical(settings: Settings, store: ChunkStore) -> LexicalIndex:
    ids, texts, sources = [], [], []
    for chunk in store.iter_chunks():
        ids.append(chunk.chunk_id)
        texts.append(embedding_text(chunk))
        sources.append(chunk.source)
    index = LexicalIndex.build(ids, texts, sources)
    index.save(lexical_dir(settings))
    return index


def _lexical_stale(settings: Settings, store: ChunkStore) -> bool:
    index = LexicalIndex.load(lexical_dir(settings))
    return index is None or index.n_chunks != store.count()


def remove_sources(sources: Iterable[str], *, settings: Settings, store: ChunkStore | None = None) -> list[str]:
    store = store or ChunkStore(settings)
    existing = store.build_info()
    if existing is None:
        return []
    store.open(existing)
    removed = [s for s in sources if store.remove_document(s)]
    if removed:
        rebuild_lexical(settings, store)
    return removed
