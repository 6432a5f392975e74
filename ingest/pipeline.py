"""From paths to an up-to-date index: discover, hash, load, chunk, embed, store.

Incremental: a file whose sha256 is already indexed is skipped before anything
is parsed or embedded, and the embedding model is not even loaded when nothing
changed. Writers hold the index's writer lock; ``--rebuild`` builds a new generation
beside the live one and switches to it when complete (see ingest/layout.py), re-indexing
the web uploads so a rebuild does not drop them. The steps live in ingest/discovery.py,
ingest/indexing.py, ingest/vectors.py and ingest/recovery.py; this module runs them.
"""

from __future__ import annotations

import time
from functools import partial
from collections.abc import Callable, Iterable
from pathlib import Path

from ingest.build import BuildInfo
from ingest.discovery import Found, discover, file_sha256
from ingest.embeddings import Embedder, load_embedder
from ingest.indexing import EMBED_BUFFER, IngestReport, Progress, Skipped, Ticker, index_files
from ingest.layout import UPLOAD_PREFIX, lexical_dir, uploads_dir
from ingest.lexical import drop_other_lexical, lexical_stale, lexical_text, rebuild_lexical, update_lexical
from ingest.locking import WRITER_WAIT, writer_lock
from ingest.owners import forget_owners
from ingest.recovery import recover_index, remove_orphan_uploads, repair
from ingest.store import ChunkStore
from ingest import vectorcheck
from ingest.vectors import HEADER_WEIGHT, embed_documents, embedding_text
from legalqa.settings import Settings

__all__ = [  # what callers imported from here before the steps moved out
    "EMBED_BUFFER", "HEADER_WEIGHT", "UPLOAD_PREFIX", "Found", "IngestReport", "Progress", "Skipped", "Ticker",
    "discover", "embed_documents", "embedding_text", "file_sha256", "index_uploads", "ingest_paths", "lexical_dir",
    "lexical_text", "rebuild_lexical", "recover_index", "remove_orphan_uploads", "remove_sources", "uploads_dir",
]


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
    full_check: bool = False,
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
    another writer, then raises :class:`IndexBusyError`. Lost vectors and orphan chunks are looked
    for among the chunks written since the last check (ingest/vectorcheck.py), or among every
    chunk with ``full_check``.
    """
    started = time.perf_counter()
    run = _Run(settings, store or ChunkStore(settings), embedder, progress or (lambda _msg: None), ticker)
    with writer_lock(settings, lock_timeout):
        run.store.follow_live()  # a server's store may still be on a generation a rebuild replaced
        find = partial(_found, paths, prefix, read_metadata)  # each step finds the files in its turn
        if rebuild:
            _rebuild(run, find, keep_uploads)
        else:
            _update(run, find, full_check)
    run.report.seconds = time.perf_counter() - started
    return run.report


class _Run:
    """What one ingest works with: the store, the model (loaded on first need) and the report."""

    def __init__(self, settings: Settings, store: ChunkStore, embedder: Embedder | None, say: Progress,
                 ticker: Ticker | None):
        self.settings, self.store, self.say, self.ticker = settings, store, say, ticker
        self._embedder = embedder
        self.report = IngestReport()

    def embedder(self) -> Embedder:
        if self._embedder is None:
            self.say(f"loading embedding model {self.settings.embedding_model}")
            self._embedder = load_embedder(self.settings.embedding_model, self.settings.embedding_encoder)
        return self._embedder

    def index(self, found: list[Found]) -> bool:
        return index_files(found, self.settings, self.store, self.embedder, self.report, self.say, self.ticker)


def _found(paths: Iterable[Path], prefix: str, read_metadata: bool) -> list[Found]:
    found = discover(paths, prefix)
    if not read_metadata:
        for item in found:
            item.read_metadata = False
    return found


def _update(run: _Run, find: Callable[[], list[Found]], full_check: bool = False) -> None:
    """An incremental ingest into the live generation: repair first, then index what changed."""
    settings, store, report = run.settings, run.store, run.report
    existing = store.build_info()
    if existing is not None and existing.embedding_model == settings.embedding_model:
        # Same model: its dimension is on record, and the model need not be loaded unless a file changed.
        expected = BuildInfo.from_settings(settings, existing.dimension)
    else:
        expected = BuildInfo.from_settings(settings, run.embedder().dimension, run.embedder().encoder)
    store.open(expected, create=True)
    report.repairs = repair(store, full=full_check)
    report.recovered = bool(report.repairs)
    for line in report.repairs:
        run.say(f"repaired: {line}")
    drop_other_lexical(settings)
    vectorcheck.begin(store)
    changed = run.index(find())
    if changed and not report.recovered:  # only the chunks this ingest wrote are read and tokenized
        update_lexical(settings, store, vectorcheck.written_since_begun(store))
    elif report.recovered or lexical_stale(settings, store):
        rebuild_lexical(settings, store)
    lost = vectorcheck.finish(store)  # the vectors this ingest wrote; then its end is marked
    if lost:
        report.repairs.append(f"put back {len(lost)} vector(s) Chroma lost while this ingest wrote them")
        run.say(f"repaired: {report.repairs[-1]}")


def _rebuild(run: _Run, find: Callable[[], list[Found]], keep_uploads: bool) -> None:
    """Build a new generation from the files ``find`` gives (and the uploads), then make it the live one.

    Until the switch, readers answer from the old generation; if the build fails, the old
    one stays live and the new one is deleted (or, after a kill, by the next writer)."""
    settings, store = run.settings, run.store
    expected = BuildInfo.from_settings(settings, run.embedder().dimension, run.embedder().encoder)
    found = find()
    uploads = uploads_dir(settings)
    if keep_uploads and uploads.is_dir():
        given = {item.path.resolve() for item in found}
        for item in discover([uploads], UPLOAD_PREFIX, notes=True):
            if item.path.resolve() not in given:  # the uploads folder was among the paths given
                item.read_metadata = False
                found.append(item)
    store.drop_other_generations()  # what an earlier rebuild left unfinished
    store.begin_generation()
    try:
        store.open(expected, create=True)
        run.index(found)
        rebuild_lexical(settings, store)
        store.publish()
    except BaseException:
        try:
            store.abandon()
        except Exception:  # noqa: BLE001 - the next writer deletes it; report the first failure
            pass
        raise
    drop_other_lexical(settings)
    run.report.uploads = [s for s in run.report.indexed if s.startswith(UPLOAD_PREFIX) and keep_uploads]
    if run.report.uploads:
        run.say(f"kept {len(run.report.uploads)} web upload(s) from {uploads}")


def remove_sources(sources: Iterable[str], *, settings: Settings, store: ChunkStore | None = None,
                   lock_timeout: float = WRITER_WAIT) -> list[str]:
    """Remove documents by source: their record, chunks and BM25 rows, and for a web upload its
    stored file and owner too. Returns those that were indexed."""
    store = store or ChunkStore(settings)
    with writer_lock(settings, lock_timeout):
        store.follow_live()
        existing = store.build_info()
        if existing is None:
            return []
        store.open(existing)
        vectorcheck.begin(store)  # killed between a record and its chunks: the next writer sweeps all
        removed = [s for s in sources if store.remove_document(s)]
        if removed:
            update_lexical(settings, store, [], removed_sources=removed)
        vectorcheck.finish(store)
        uploads = [s for s in removed if s.startswith(UPLOAD_PREFIX)]
        folder = uploads_dir(settings).resolve()
        for source in uploads:  # the file goes once nothing indexed points at it
            path = (folder / source.removeprefix(UPLOAD_PREFIX)).resolve()
            if folder in path.parents:
                path.unlink(missing_ok=True)
        forget_owners(settings, uploads)
    return removed


def index_uploads(files: Iterable[Path], *, settings: Settings, store: ChunkStore | None = None,
                  embedder: Embedder | None = None, lock_timeout: float = WRITER_WAIT,
                  prefix: str = UPLOAD_PREFIX) -> IngestReport:
    """Index files already copied into one folder of the uploads folder, as ``prefix`` and their
    name (``uploads/<name>``, or ``uploads/u-alice/<name>`` for a user's own), reading no metadata
    files. A copy that is not indexed (skipped, or the ingest failed) is deleted, so the folder
    holds only indexed uploads."""
    files = [Path(f) for f in files]
    kept: set[str] = set()
    try:
        report = ingest_paths(files, settings=settings, store=store, embedder=embedder, prefix=prefix,
                              read_metadata=False, lock_timeout=lock_timeout)
        kept = set(report.indexed) | set(report.unchanged)
        return report
    finally:
        gone = [path for path in files if prefix + path.name not in kept]
        for path in gone:
            path.unlink(missing_ok=True)
        forget_owners(settings, [prefix + path.name for path in gone])
