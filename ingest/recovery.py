"""Repairing what a killed writer left: half-written documents, lost vectors, orphan chunks,
unfinished rebuilds, and uploads that were never indexed.

Every function here expects the writer lock: to a sweep, a document another writer is
storing right now looks exactly like one a killed writer left behind."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ingest import vectorcheck
from ingest.errors import IndexBusyError
from ingest.layout import UPLOAD_PREFIX, uploads_dir
from ingest.lexical import drop_other_lexical, lexical_stale, rebuild_lexical
from ingest.locking import writer_lock
from ingest.store import ChunkStore
from legalqa.settings import Settings


def repair(store: ChunkStore, *, full: bool = False) -> list[str]:
    """Repair the open store, one line per repair: finish or undo the documents an interrupted
    ingest was writing, delete chunks no registry record accounts for, put back vectors Chroma
    lost, and delete generations a rebuild left unfinished. Orphans and lost vectors are looked
    for among the chunks written since the last check, or among all after a writer died or with
    ``full`` (ingest/vectorcheck.py)."""
    lines = []
    dropped = store.drop_other_generations()
    if dropped:
        lines.append(f"deleted {len(dropped)} unfinished or replaced index generation(s): {dropped}")
    journal = finish_journal(store)
    if journal:
        lines.append("finished or undid the documents an interrupted ingest was writing: "
                     + ", ".join(sorted({e["source"] for e in journal})))
    scope = vectorcheck.to_check(store, full=full)
    for source, n in sorted(remove_orphan_chunks(store, scope.ids).items()):
        lines.append(f"deleted {n} chunk(s) of {source}, which no document record accounts for")
    lost = vectorcheck.check_vectors(store, scope)  # after the sweep: its record stays until then
    if lost:
        lines.append(f"put back {len(lost)} vector(s) Chroma had lost")
    return lines


def finish_journal(store: ChunkStore) -> list[dict]:
    """Finish or undo the documents an interrupted ingest was writing; returns the journal's entries."""
    entries = store.journal.read()
    if not entries:
        return []
    hashes = store.document_hashes()
    for entry in entries:
        source, sha = entry["source"], entry["sha256"]
        if hashes.get(source) == sha:
            store.delete_other_versions(source, sha)  # the new version was complete
        else:
            store.delete_version(source, sha)  # it was not
    store.journal.clear()
    return entries


def orphan_chunks(store: ChunkStore, ids: Sequence[str] | None = None) -> dict[str, list[str]]:
    """Ids of chunks (of ``ids``; default all) whose document has no registry record, or a record
    of another version, by source: left by a writer killed between its chunks and its record."""
    hashes = store.document_hashes()
    orphans: dict[str, list[str]] = {}
    for cid, source, sha in store.chunk_versions(ids):
        if hashes.get(source) is None or hashes[source] != sha:
            orphans.setdefault(source, []).append(cid)
    return orphans


def remove_orphan_chunks(store: ChunkStore, ids: Sequence[str] | None = None) -> Counter:
    """Delete :func:`orphan_chunks` (among ``ids``; default all). Returns how many, by source."""
    removed: Counter = Counter()
    for source, orphans in orphan_chunks(store, ids).items():
        store.delete_chunks(orphans)
        removed[source] = len(orphans)
    return removed


def recover_index(settings: Settings, store: ChunkStore | None = None, *, lock_timeout: float = 10.0,
                  full: bool = False) -> list[str]:
    """Repair what a killed process left, before serving: one line per repair ([] if none).

    Under the writer lock: finishes or undoes the journal's documents, puts back lost vectors,
    deletes chunks no document record accounts for (they could be cited but not listed),
    deletes unfinished rebuilds, rebuilds BM25 if it disagrees with Chroma, and deletes files
    in the uploads folder that are not indexed (an upload killed before its record). If
    another writer holds the lock past ``lock_timeout`` seconds, recovery is left to it
    (every ingest repairs first) and the one line says so. Never deletes an indexed document.
    Orphans and lost vectors are looked for among the chunks written since the last check (all
    after a writer died), or among every chunk with ``full``.
    """
    store = store or ChunkStore(settings)
    try:
        with writer_lock(settings, lock_timeout):
            store.follow_live()
            lines = []
            dropped = store.drop_other_generations()
            drop_other_lexical(settings)
            if dropped:
                lines.append(f"deleted {len(dropped)} unfinished or replaced index generation(s): {dropped}")
            info = store.build_info()
            if info is None:
                return lines  # no index: the uploads stay, for the next rebuild to index
            store.open(info)
            repaired = repair(store, full=full)
            if repaired or lexical_stale(settings, store):
                rebuild_lexical(settings, store)
                repaired.append("rebuilt the BM25 index from the repaired chunks")
            return lines + repaired + remove_orphan_uploads(settings, store)
    except IndexBusyError as exc:
        return [f"recovery left to the ingest running now: {exc}"]
    except OSError as exc:  # a read-only index folder: nothing can be written, so nothing to repair
        return [f"recovery skipped: cannot take the writer lock in {settings.index_dir} ({exc.strerror or exc})"]


def remove_orphan_uploads(settings: Settings, store: ChunkStore) -> list[str]:
    """Delete files in the uploads folder that no document record names."""
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
