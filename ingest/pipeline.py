"""From paths to an up-to-date index: discover, hash, load, chunk, embed, store.

Incremental: a file whose sha256 is already indexed is skipped before anything
is parsed or embedded, and the embedding model is not even loaded when nothing
changed. Writers hold the index's writer lock; ``--rebuild`` builds a new generation
beside the live one and switches to it when complete (see ingest/store.py), re-indexing
the web uploads so a rebuild does not drop them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
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
from legalqa.settings import Settings
from ingest.store import WRITER_WAIT, BuildInfo, ChunkStore, IndexBusyError, live_generation, writer_lock
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
    repairs: list[str] = field(default_factory=list)
    uploads: list[str] = field(default_factory=list)  # web uploads a rebuild indexed again
    seconds: float = 0.0

    def summary(self) -> str:
        kept = f"; kept {len(self.uploads)} web upload(s) from {UPLOAD_PREFIX}" if self.uploads else ""
        return (
            f"{self.files} files: {len(self.indexed)} indexed, {len(self.unchanged)} unchanged, "
            f"{len(self.skipped)} skipped; {self.pages} pages, {self.chunks} chunks "
            f"({self.embedded} embedded){kept} in {self.seconds:.1f} s"
        )


@dataclass
class Found:
    path: Path
    source: str
    root: Path
    problem: str | None = None
    read_metadata: bool = True  # False: the file alone, no .meta.toml or manifest.toml (uploads)


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


UPLOAD_PREFIX = "uploads/"  # source prefix of the web chat's uploads


def uploads_dir(settings: Settings) -> Path:
    """Where the web chat keeps uploaded files; their sources are ``uploads/<name>``."""
    return Path(settings.data_dir) / "uploads"


def lexical_dir(settings: Settings, generation: int | None = None) -> Path:
    """The BM25 folder of ``generation`` (default: the live one); generation 0 is plain ``bm25``."""
    generation = live_generation(settings) if generation is None else generation
    return Path(settings.index_dir) / ("bm25" if generation == 0 else f"bm25-g{generation}")


def _drop_other_lexical(settings: Settings) -> None:
    """Delete the BM25 folders of generations that are not live (hold the writer lock)."""
    live = lexical_dir(settings).name
    for path in Path(settings.index_dir).glob("bm25*"):
        name = path.name
        if name != live and path.is_dir() and (name == "bm25" or (name.startswith("bm25-g") and name[6:].isdigit())):
            shutil.rmtree(path, ignore_errors=True)


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
    read_metadata: bool = True,
    keep_uploads: bool = True,
    lock_timeout: float = WRITER_WAIT,
) -> IngestReport:
    """Bring the index up to date with the files under ``paths``.

    Sources are paths relative to each path given, after ``prefix`` ("uploads/").
    Unchanged files are skipped by content hash before anything is parsed; a changed
    file replaces its old chunks; a file that cannot be read is reported and the rest
    of the batch goes on. Nothing indexed before is lost.

    ``read_metadata=False`` reads each file alone, never a ``.meta.toml`` or ``manifest.toml``
    (for uploads: a user's manifest must not relabel other files). ``rebuild`` builds a new
    index beside the live one and switches to it when complete; with ``keep_uploads`` it
    indexes the web uploads again, as uploads. Waits up to ``lock_timeout`` seconds for
    another writer, then raises :class:`IndexBusyError`.
    """
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

    with writer_lock(settings, lock_timeout):
        store.follow_live()  # a server's store may still be on a generation a rebuild replaced
        if rebuild:
            _rebuild(paths, settings, store, get_embedder, report, say, ticker, prefix, read_metadata, keep_uploads)
        else:
            existing = store.build_info()
            if existing is not None and existing.embedding_model == settings.embedding_model:
                # Same model: its dimension is on record, and the model need not be loaded
                # unless a file changed.
                expected = BuildInfo.from_settings(settings, existing.dimension)
            else:
                expected = BuildInfo.from_settings(settings, get_embedder().dimension)
            store.open(expected, create=True)
            report.repairs = store.repair()
            report.recovered = bool(report.repairs)
            for line in report.repairs:
                say(f"repaired: {line}")
            _drop_other_lexical(settings)
            found = discover(paths, prefix)
            if not read_metadata:
                for item in found:
                    item.read_metadata = False
            changed = _index(found, settings, store, get_embedder, report, say, ticker) or report.recovered
            if changed or _lexical_stale(settings, store):
                rebuild_lexical(settings, store)
    report.seconds = time.perf_counter() - started
    return report


def _rebuild(paths, settings, store, get_embedder, report, say, ticker, prefix, read_metadata, keep_uploads) -> None:
    """Build a new generation from ``paths`` (and the uploads), then make it the live one.

    Until the switch, readers answer from the old generation; if the build fails, the old
    one stays live and the new one is deleted (or, after a kill, by the next writer)."""
    expected = BuildInfo.from_settings(settings, get_embedder().dimension)
    found = discover(paths, prefix)
    if not read_metadata:
        for item in found:
            item.read_metadata = False
    uploads = uploads_dir(settings)
    if keep_uploads and uploads.is_dir():
        given = {item.path.resolve() for item in found}
        for item in discover([uploads], UPLOAD_PREFIX):
            if item.path.resolve() not in given:  # the uploads folder was among the paths given
                item.read_metadata = False
                found.append(item)
    store.drop_other_generations()  # what an earlier rebuild left unfinished
    store.begin_generation()
    try:
        store.open(expected, create=True)
        _index(found, settings, store, get_embedder, report, say, ticker)
        rebuild_lexical(settings, store)
        store.publish()
    except BaseException:
        try:
            store.abandon()
        except Exception:  # noqa: BLE001 - the next writer deletes it; report the first failure
            pass
        raise
    _drop_other_lexical(settings)
    report.uploads = [s for s in report.indexed if s.startswith(UPLOAD_PREFIX) and keep_uploads]
    if report.uploads:
        say(f"kept {len(report.uploads)} web upload(s) from {uploads}")


def _index(found: list[Found], settings: Settings, store: ChunkStore, get_embedder, report: IngestReport,
           say: Progress, ticker: Ticker | None) -> bool:
    """Index the files ``found`` into the open store; True if anything was written."""
    tick = ticker or Ticker()
    changed = False
    known = store.document_hashes()
    tick.start(len(found))
    model_lock = threading.Lock()

    def prepare(item: Found):
        """Everything before embedding (hash, parse, clean, chunk): None if the file is unchanged."""
        if item.problem:
            raise IngestError(item.source, item.problem)
        if known.get(item.source) == file_sha256(item.path):
            return None
        sidecar = None
        if item.read_metadata:
            try:
                sidecar = read_sidecar(item.path, item.root)
            except ValueError as exc:
                raise IngestError(item.source, f"bad metadata: {exc}") from None
        loaded = load_file(item.path, item.source, max_bytes=int(settings.ingest.max_file_mb * 1e6), sidecar=sidecar)
        with model_lock:
            model = get_embedder()
        return loaded, *_chunk(loaded, model, settings)

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
    return changed


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
    """Rebuild the BM25 index of the store's generation from its chunks."""
    ids, texts, sources = [], [], []
    for chunk in store.iter_chunks():
        ids.append(chunk.chunk_id)
        texts.append(lexical_text(chunk))
        sources.append(chunk.source)
    index = LexicalIndex.build(ids, texts, sources)
    index.save(lexical_dir(settings, store.generation))
    return index


def _lexical_stale(settings: Settings, store: ChunkStore) -> bool:
    index = LexicalIndex.load(lexical_dir(settings, store.generation))
    return index is None or index.n_chunks != store.count()


def remove_sources(sources: Iterable[str], *, settings: Settings, store: ChunkStore | None = None,
                   lock_timeout: float = WRITER_WAIT) -> list[str]:
    """Remove documents by source; returns those that were indexed."""
    store = store or ChunkStore(settings)
    with writer_lock(settings, lock_timeout):
        store.follow_live()
        existing = store.build_info()
        if existing is None:
            return []
        store.open(existing)
        removed = [s for s in sources if store.remove_document(s)]
        if removed:
            rebuild_lexical(settings, store)
    return removed


def recover_index(settings: Settings, store: ChunkStore | None = None, *, lock_timeout: float = 10.0) -> list[str]:
    """Repair what a killed process left, before serving: one line per repair ([] if none).

    Under the writer lock: finishes or undoes the journal's documents, puts back lost vectors,
    deletes chunks no document record accounts for (they could be cited but not listed),
    deletes unfinished rebuilds, rebuilds BM25 if it disagrees with Chroma, and deletes files
    in the uploads folder that are not indexed (an upload killed before its record). If
    another writer holds the lock past ``lock_timeout`` seconds, recovery is left to it
    (every ingest repairs first) and the one line says so. Never deletes an indexed document.
    """
    store = store or ChunkStore(settings)
    try:
        with writer_lock(settings, lock_timeout):
            store.follow_live()
            lines = []
            dropped = store.drop_other_generations()
            _drop_other_lexical(settings)
            if dropped:
                lines.append(f"deleted {len(dropped)} unfinished or replaced index generation(s): {dropped}")
            info = store.build_info()
            if info is None:
                return lines  # no index: the uploads stay, for the next rebuild to index
            store.open(info)
            repaired = store.repair()
            if repaired or _lexical_stale(settings, store):
                rebuild_lexical(settings, store)
                repaired.append("rebuilt the BM25 index from the repaired chunks")
            lines += repaired
            lines += remove_orphan_uploads(settings, store)
            return lines
    except IndexBusyError as exc:
        return [f"recovery left to the ingest running now: {exc}"]
    except OSError as exc:  # a read-only index folder: nothing can be written, so nothing to repair
        return [f"recovery skipped: cannot take the writer lock in {settings.index_dir} ({exc.strerror or exc})"]


def remove_orphan_uploads(settings: Settings, store: ChunkStore) -> list[str]:
    """Delete files in the uploads folder that no document record names (hold the writer lock)."""
    folder = uploads_dir(settings)
    if not folder.is_dir():
        return []
    indexed = set(store.document_hashes())
    lines = []
    for dirpath, _dirnames, filenames in os.walk(folder):
        for name in sorted(filenames):
            path = Path(dirpath) / name
            source = UPLOAD_PREFIX + path.relative_to(folder).as_posix()
            if source not in indexed:
                path.unlink(missing_ok=True)
                lines.append(f"deleted {source}: an upload that was never indexed")
    return lines


def index_uploads(files: Iterable[Path], *, settings: Settings, store: ChunkStore | None = None,
                  embedder: Embedder | None = None, lock_timeout: float = WRITER_WAIT) -> IngestReport:
    """Index files already copied into the uploads folder, as ``uploads/<name>``, reading no
    metadata files. A copy that is not indexed (skipped, or the ingest failed) is deleted, so
    the folder holds only indexed uploads."""
    files = [Path(f) for f in files]
    kept: set[str] = set()
    try:
        report = ingest_paths(files, settings=settings, store=store, embedder=embedder, prefix=UPLOAD_PREFIX,
                              read_metadata=False, lock_timeout=lock_timeout)
        kept = set(report.indexed) | set(report.unchanged)
        return report
    finally:
        for path in files:
            if UPLOAD_PREFIX + path.name not in kept:
                path.unlink(missing_ok=True)
