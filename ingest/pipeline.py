"""From paths to an up-to-date index: discover, hash, load, chunk, embed, store.

Incremental: a file whose sha256 is already indexed is skipped before anything
is parsed or embedded, and the embedding model is not even loaded when nothing
changed.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.chunking import chunk_document, embedding_header
from ingest.citations import citation_token
from ingest.metadata import is_metadata_file, read_sidecar
from ingest.embeddings import Embedder, load_embedder
from ingest.lexical import LexicalIndex
from ingest.loaders import IngestError, load_file
from ingest.settings import Settings
from ingest.store import BuildInfo, ChunkStore
from ingest.types import Chunk, SourceDocument

Progress = Callable[[str], None]


class Ticker:
    """Progress of an ingest: how many files and chunks are done. The CLI draws bars from it."""

    def start(self, files: int) -> None: ...
    def file_done(self, source: str) -> None: ...
    def chunks_embedded(self, n: int, total: int) -> None: ...


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
    warnings: list[Skipped] = field(default_factory=list)
    pages: int = 0
    chunks: int = 0
    embedded: int = 0
    recovered: bool = False
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.files} files: {len(self.indexed)} indexed, {len(self.unchanged)} unchanged, "
            f"{len(self.skipped)} skipped; {self.pages} pages, {self.chunks} chunks "
            f"({self.embedded} embedded) in {self.seconds:.1f} s"
        )


@dataclass
class Found:
    path: Path
    source: str
    root: Path
    problem: str | None = None


def discover(paths: Iterable[Path], prefix: str = "") -> list[Found]:
    """Every file under ``paths``, keyed by its path relative to the path given.

    Hidden files and metadata sidecars are passed over; a symlink loop is named, not followed.
    """
    found: list[Found] = []
    for root in paths:
        root = Path(root)
        if root.is_file():
            if not is_metadata_file(root):
                found.append(Found(root, prefix + root.name, root.parent))
            continue
        if not root.is_dir():
            raise IngestError(root, "no such file or folder")
        seen_dirs: set[tuple[int, int]] = set()
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            here = Path(dirpath)
            st = os.stat(here)
            if (st.st_dev, st.st_ino) in seen_dirs:
                dirnames[:] = []
                found.append(Found(here, prefix + here.relative_to(root).as_posix(), root,
                                   "symlink loop: folder already visited, not followed"))
                continue
            seen_dirs.add((st.st_dev, st.st_ino))
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                path = here / name
                if name.startswith(".") or is_metadata_file(path):
                    continue
                source = prefix + path.relative_to(root).as_posix()
                if not path.exists():
                    found.append(Found(path, source, root, "broken symlink"))
                    continue
                found.append(Found(path, source, root))
    return found


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def lexical_dir(settings: Settings) -> Path:
    return Path(settings.index_dir) / "bm25"


def embedding_text(chunk: Chunk, document: SourceDocument) -> str:
    """What is embedded for a chunk: its text. The document's header (title, court, date) is
    embedded once per document and mixed into every chunk's vector (see embed_documents), so a
    question naming the case finds the right document without a header in every chunk."""
    return chunk.text


HEADER_WEIGHT = 0.4  # share of the document header's vector in each chunk's
EMBED_BUFFER = 256  # chunks embedded and written together (several small files at once)


def embed_documents(model: Embedder, documents: list[tuple[SourceDocument, list[Chunk]]], batch_size: int,
                    on_batch=None) -> list[np.ndarray]:
    """Unit vectors of each document's chunks: each chunk's text vector plus HEADER_WEIGHT of
    its document's header vector. All chunks are embedded in one call, so that batches of
    similar length form across files."""
    texts = [embedding_text(c, d) for d, chunks in documents for c in chunks]
    vectors = model.embed(texts, batch_size=batch_size, on_batch=on_batch)
    headers = model.embed([embedding_header(d) for d, _ in documents], batch_size=batch_size)
    out, start = [], 0
    for (_, chunks), header in zip(documents, headers):
        mixed = vectors[start : start + len(chunks)] + HEADER_WEIGHT * header
        out.append((mixed / np.linalg.norm(mixed, axis=1, keepdims=True)).astype(np.float32))
        start += len(chunks)
    return out


def lexical_text(chunk: Chunk) -> str:
    """What BM25 indexes: the chunk under its full header (title, docket, court, judge),
    plus one whole token per citation it contains."""
    return f"{chunk.header}\n{chunk.text}" + "".join(f" {citation_token(c)}" for c in chunk.citations)


def ingest_paths(
    paths: Iterable[Path],
    *,
    settings: Settings,
    store: ChunkStore | None = None,
    embedder: Embedder | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
    ticker: Ticker | None = None,
    prefix: str = "",
) -> IngestReport:
    """Bring the index up to date with the files under ``paths``.

    Sources are paths relative to each path given, after ``prefix`` ("uploads/").
    Unchanged files are skipped by content hash before anything is parsed; a changed
    file replaces its old chunks; a file that cannot be read is reported and the rest
    of the batch goes on. Nothing indexed before is lost.
    """
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    tick = ticker or Ticker()
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

    report.recovered = store.recover()
    if report.recovered:
        say("repaired what an earlier ingest left unfinished")
    changed = report.recovered
    known = store.document_hashes()
    found = discover(paths, prefix)
    tick.start(len(found))
    model_lock = threading.Lock()

    def prepare(item: Found):
        """Everything before embedding (hash, parse, clean, chunk): None if the file is unchanged."""
        if item.problem:
            raise IngestError(item.source, item.problem)
        if known.get(item.source) == file_sha256(item.path):
            return None
        try:
            sidecar = read_sidecar(item.path, item.root)
        except ValueError as exc:
            raise IngestError(item.source, f"bad metadata: {exc}") from None
        loaded = load_file(item.path, item.source, max_bytes=int(settings.ingest.max_file_mb * 1e6), sidecar=sidecar)
        with model_lock:
            model = get_embedder()
        return loaded, *_chunk(loaded, model, settings)

    # The next file is parsed and chunked while this one is embedded: the model holds the
    # cores in native code, and the parsing is most of what ingestion adds to it.
    pending: list[tuple[SourceDocument, list[Chunk], object]] = []

    def flush() -> None:
        """Embed the pending documents together (batches of similar length across files) and
        write them in one batch; then report them."""
        nonlocal changed
        if not pending:
            return
        total = sum(len(chunks) for _, chunks, _ in pending)
        vectors = embed_documents(get_embedder(), [(d, c) for d, c, _ in pending], settings.ingest.embed_batch_size,
                                  on_batch=lambda done: tick.chunks_embedded(done, total))
        store.replace_documents([(d, c, v) for (d, c, _), v in zip(pending, vectors)])
        changed = True
        for document, chunks, loaded in pending:
            for warning in loaded.warnings:
                report.warnings.append(Skipped(document.source, warning))
            report.indexed.append(document.source)
            report.pages += len(loaded.pages)
            report.chunks += len(chunks)
            report.embedded += len(chunks)
            say(f"indexed {document.source}: {len(loaded.pages)} pages, {len(chunks)} chunks")
        pending.clear()

    # The next file is parsed and chunked while this one is embedded: the model holds the
    # cores in native code, and the parsing is most of what ingestion adds to it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = [pool.submit(prepare, item) for item in found[:1]]
        for i, item in enumerate(found):
            if i + 1 < len(found):
                ahead.append(pool.submit(prepare, found[i + 1]))
            report.files += 1
            source = item.source
            try:
                prepared = ahead[i].result()
                ahead[i] = None  # let the parsed document go once it is written
                if prepared is None:
                    report.unchanged.append(source)
                    continue
                loaded, document, chunks = prepared
                pending.append((document, chunks, loaded))
                if sum(len(c) for _, c, _ in pending) >= EMBED_BUFFER:
                    flush()
            except IngestError as exc:
                report.skipped.append(Skipped(source, exc.reason))
                say(f"skipped {source}: {exc.reason}")
                continue
            except OSError as exc:
                report.skipped.append(Skipped(source, f"cannot read the file ({exc.strerror or exc})"))
                continue
            finally:
                tick.file_done(source)
        flush()

    if changed or _lexical_stale(settings, store):
        rebuild_lexical(settings, store)
    report.seconds = time.perf_counter() - started
    return report


def _chunk(loaded, model: Embedder, settings: Settings) -> tuple[SourceDocument, list[Chunk]]:
    chunks = chunk_document(
        loaded,
        model.count_tokens,
        max_tokens=min(settings.ingest.chunk_tokens, model.max_tokens - 48),
        overlap_tokens=settings.ingest.chunk_overlap_tokens,
    )
    if not chunks:
        raise IngestError(loaded.document.source, "no text could be extracted")
    document = loaded.document.model_copy(
        update={"citations": list(dict.fromkeys(c for chunk in chunks for c in chunk.citations))}
    )
    return document, chunks


def rebuild_lexical(settings: Settings, store: ChunkStore) -> LexicalIndex:
    ids, texts, sources = [], [], []
    for chunk in store.iter_chunks():
        ids.append(chunk.chunk_id)
        texts.append(lexical_text(chunk))
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
