"""Files to stored chunks: hash, load, chunk, embed and write, one file ahead of the model.

A file whose sha256 is already indexed is skipped before anything is parsed; the others are
chunked while the previous ones are embedded, and written in batches of EMBED_BUFFER chunks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ingest.chunking import chunk_document
from ingest.discovery import Found, file_sha256
from ingest.embeddings import Embedder
from ingest.layout import UPLOAD_PREFIX
from ingest.loaders import IngestError, load_file
from ingest.metadata import read_sidecar
from ingest.owners import read_owners, with_owner
from ingest.store import ChunkStore
from ingest.types import Chunk, LoadedDocument, SourceDocument
from ingest.vectors import embed_documents
from legalqa.settings import Settings

Progress = Callable[[str], None]
EMBED_BUFFER = 256  # chunks embedded and written together (several small files at once)


def counted(n: int, noun: str) -> str:
    """'1 file', '2 files'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


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
            f"{counted(self.files, 'file')}: {len(self.indexed)} indexed, {len(self.unchanged)} unchanged, "
            f"{len(self.skipped)} skipped; {counted(self.pages, 'page')}, {counted(self.chunks, 'chunk')} "
            f"({self.embedded} embedded){kept} in {self.seconds:.1f} s"
        )


def index_files(found: list[Found], settings: Settings, store: ChunkStore, get_embedder: Callable[[], Embedder],
                report: IngestReport, say: Progress, ticker: Ticker | None) -> bool:
    """Index the files ``found`` into the open store; True if anything was written."""
    tick = ticker or Ticker()
    prepare = _Preparer(settings, store.document_hashes(), get_embedder, {d.source: d for d in store.documents()},
                        present={item.source for item in found}, owners=read_owners(settings))
    pending = _Pending(settings, store, get_embedder, report, say, tick)
    tick.start(len(found))
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
                pending.add(*prepared)
            except IngestError as exc:
                report.skipped.append(Skipped(source, exc.reason))
                say(f"skipped {source}: {exc.reason}")
                continue
            except OSError as exc:
                report.skipped.append(Skipped(source, f"cannot read the file ({exc.strerror or exc})"))
                say(f"skipped {source}: {report.skipped[-1].reason}")
                continue
            finally:
                tick.file_done(source)
        pending.flush()
    return pending.changed


class _Preparer:
    """Everything before embedding (hash, parse, clean, chunk); runs one file ahead, in a worker."""

    def __init__(self, settings: Settings, known: dict[str, str], get_embedder: Callable[[], Embedder],
                 documents: dict[str, SourceDocument] | None = None, present: set[str] | None = None,
                 owners: dict[str, dict] | None = None):
        self.settings, self.known, self.get_embedder = settings, known, get_embedder
        self.documents = documents or {}
        self.present = present or set()
        self.owners = owners or {}  # web uploads' owners (ingest/owners.py)
        # Content already indexed under another name: the same bytes make the same chunk ids, so
        # a copy is refused rather than taking the other document's passages over.
        # An owned upload is left out: its chunk ids are its own (SourceDocument.chunk_key).
        self.by_content = {sha: source for source, sha in known.items()
                           if source not in self.owners and getattr(self.documents.get(source), "owner", None) is None}
        self.model_lock = threading.Lock()

    def __call__(self, item: Found) -> tuple[LoadedDocument, SourceDocument, list[Chunk]] | None:
        """The loaded file, its document and chunks; None if the file and its metadata are unchanged."""
        if item.problem:
            raise IngestError(item.source, item.problem)
        sha256 = file_sha256(item.path)
        sidecar = None
        if item.read_metadata:
            try:
                sidecar = read_sidecar(item.path, item.root)
            except ValueError as exc:
                raise IngestError(item.source, f"bad metadata: {exc}") from None
        if self.known.get(item.source) == sha256 and not _metadata_changed(self.documents.get(item.source), sidecar):
            return None
        # An owned upload's chunk ids include its source (SourceDocument.chunk_key): a copy of a
        # file another user uploaded is its own document, and the refusal would name theirs.
        owned = item.source in self.owners
        twin = item.source if owned else self.by_content.setdefault(sha256, item.source)
        if twin != item.source:
            moved = "" if twin in self.present else f" (if it was moved, `legalqa remove {twin}` first)"
            raise IngestError(item.source, f"the same content as {twin}, which is indexed: not indexed twice{moved}")
        # The hash taken to see whether the file changed is the document's: it is not taken twice.
        loaded = load_file(item.path, item.source, max_bytes=int(self.settings.ingest.max_file_mb * 1e6),
                           sidecar=sidecar, sha256=sha256)
        if owned:
            loaded = loaded.model_copy(update={"document": with_owner(loaded.document, self.owners)})
        with self.model_lock:
            model = self.get_embedder()
        return loaded, *chunk_loaded(loaded, model, self.settings)


def _metadata_changed(document: SourceDocument | None, sidecar: dict | None) -> bool:
    """Does the user's metadata (a manifest entry or .meta.toml) now say something the index does not?"""
    if document is None or not sidecar:
        return False
    return any(str(getattr(document, key, None)) != str(value) for key, value in sidecar.items())


def chunk_loaded(loaded: LoadedDocument, model: Embedder, settings: Settings) -> tuple[SourceDocument, list[Chunk]]:
    """The chunks of a loaded file, sized for ``model``, and its document with the citations they hold."""
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


class _Pending:
    """Chunked documents waiting to be embedded together (batches of similar length form across
    files) and written in one batch."""

    def __init__(self, settings: Settings, store: ChunkStore, get_embedder: Callable[[], Embedder],
                 report: IngestReport, say: Progress, tick: Ticker):
        self.settings, self.store, self.get_embedder = settings, store, get_embedder
        self.report, self.say, self.tick = report, say, tick
        self.items: list[tuple[SourceDocument, list[Chunk], LoadedDocument]] = []
        self.changed = False

    def add(self, loaded: LoadedDocument, document: SourceDocument, chunks: list[Chunk]) -> None:
        self.items.append((document, chunks, loaded))
        if sum(len(c) for _, c, _ in self.items) >= EMBED_BUFFER:
            self.flush()

    def flush(self) -> None:
        """Embed and write the pending documents, then report them."""
        if not self.items:
            return
        total = sum(len(chunks) for _, chunks, _ in self.items)
        vectors = embed_documents(self.get_embedder(), [(d, c) for d, c, _ in self.items],
                                  self.settings.ingest.embed_batch_size,
                                  on_batch=lambda done: self.tick.chunks_embedded(done, total))
        self.store.replace_documents([(d, c, v) for (d, c, _), v in zip(self.items, vectors)])
        self.changed = True
        for document, chunks, loaded in self.items:
            for warning in loaded.warnings:
                self.report.warnings.append(Skipped(document.source, warning))
            self.report.indexed.append(document.source)
            self.report.pages += len(loaded.pages)
            self.report.chunks += len(chunks)
            self.report.embedded += len(chunks)
            self.say(f"indexed {document.source}: {counted(len(loaded.pages), 'page')}, {counted(len(chunks), 'chunk')}")
        self.items.clear()
