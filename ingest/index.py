"""The index as a reader sees it: one object for the Chroma store, the BM25 index and the
document registry of the live generation, kept in step with writers in other processes.

Writes go through ingest/pipeline.py (ingest_paths, index_uploads, remove_sources), which
take this index's ``store``; :meth:`Index.refresh` then picks up what they changed."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from ingest.build import BuildInfo
from ingest.embeddings import Embedder
from ingest.errors import REBUILD_COMMAND, IndexMismatchError, no_index_error
from ingest.layout import lexical_dir, live_generation
from ingest.lexical import LexicalIndex, lexical_version
from ingest.store import ChunkStore
from ingest.types import Chunk, SourceDocument
from legalqa.settings import Settings


class Index:
    """An existing index, opened for reading: ``store``, ``lexical`` (None until BM25 exists)
    and ``documents`` (source -> SourceDocument) of the generation in ``generation``."""

    def __init__(self, settings: Settings, *, store: ChunkStore | None = None, as_built: bool = False):
        """Open the index in ``settings.index_dir`` (or at the configured Chroma server).

        Raises the no-index error if nothing was ingested yet, and :class:`IndexMismatchError`
        if it was built with other settings, before anything heavy is loaded. ``as_built``
        opens it however it was built (to list documents without the embedding model)."""
        self.settings = settings
        self.store = store or ChunkStore(settings)
        found = self.store.build_info()
        if found is None:
            raise no_index_error()
        self.build = found
        self.store.open(found if as_built else BuildInfo.from_settings(settings, found.dimension))
        self.lexical: LexicalIndex | None = None
        self.documents: dict[str, SourceDocument] = {}
        self._key: tuple[int, float | None] | None = None  # (generation, when its BM25 last changed)
        self._lock = threading.Lock()
        self._refresh()

    @property
    def generation(self) -> int:
        """The generation being read (the live one, as of the last refresh)."""
        return self.store.generation

    def check_embedder(self, embedder: Embedder) -> None:
        """Raise :class:`IndexMismatchError` unless ``embedder`` gives vectors of the index's dimension."""
        if embedder.dimension != self.build.dimension:
            raise IndexMismatchError(
                f"the embedding model gives {embedder.dimension}-dimensional vectors but the index holds "
                f"{self.build.dimension}. Rebuild it with: {REBUILD_COMMAND}"
            )

    def refresh(self, *, force: bool = False) -> None:
        """Pick up what another ingest (an upload, another process, a rebuild) changed: follow a
        rebuild to the generation it made live, and reload Chroma, BM25 and the document registry
        when an ingest changed them (always, with ``force``)."""
        with self._lock:
            self._refresh(force=force)

    def _refresh(self, *, force: bool = False) -> None:
        generation = live_generation(self.settings)
        key = (generation, lexical_version(self.settings, generation))
        if key == self._key and self.documents and not force:
            return
        if self._key is not None or generation != self.store.generation or force:
            self.store.reload()  # an ingest wrote to the index since it was opened
        try:
            lexical = LexicalIndex.load(lexical_dir(self.settings, self.store.generation))
        except OSError:  # removed by a second rebuild meanwhile: the next refresh follows it
            lexical, key = self.lexical, None
        self.lexical = lexical
        self.documents = {d.source: d for d in self.store.documents()}
        self._key = key

    def get_chunks(self, ids: Sequence[str]) -> list[Chunk]:
        """Chunks by id, in the order given, each knowing its document; unknown ids are left out."""
        documents = self.documents
        return [chunk.model_copy(update={"document": documents.get(chunk.source)})
                for chunk in self.store.get_chunks(ids)]

    def document(self, source: str) -> SourceDocument | None:
        """The indexed document with this source, if any."""
        return self.documents.get(source)

    def document_by_key(self, key: str) -> SourceDocument | None:
        """The indexed document with this opaque key (what /document/{key} names), if any."""
        self.refresh()
        return next((d for d in self.documents.values() if d.key == key), None)
