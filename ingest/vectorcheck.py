"""Which chunks a writer checks when it starts, so that an ingest checks what changed, not the index.

Chroma stores each chunk's record durably, but saves its HNSW index (what dense search walks)
in batches: after a kill -9, and now and then after a normal exit, a chunk whose record is
stored is one no dense search finds (ChunkStore.lost_vectors); and a writer killed between a
document's chunks and its registry record leaves orphan chunks. Looking for either among every
chunk costs O(index) at every ingest: at 100k chunks, 34 s and 10 s of an 84 s ingest of one
changed file (bench/incremental.py). So each generation keeps a record of the chunk ids
written since they were last checked, ``vectors-to-check.jsonl`` in the index folder:

- :meth:`ingest.store.ChunkStore.replace_documents` appends a batch's ids before writing it;
- the next writer (an ingest, or ``serve``'s recovery: ingest/recovery.py) looks for orphans
  and lost vectors among those chunks (:func:`to_check`, :func:`check_vectors`), and keeps only
  the ids it put back, for a later process to check again: a process sees its own writes in
  memory, and a loss at exit only shows on disk. One missed again after being put back is let
  go: HNSW holds it, but its search does not reach it (near-duplicates crowd it out), which no
  put-back mends;
- an ingest or a removal marks its start (:func:`begin`) and, after checking what it wrote, its
  normal end (:func:`finish`). A start with no end means the writer died: the next one checks
  every chunk, since a kill while Chroma saves its HNSW files can cost vectors it was not
  writing, and a removal leaves orphans it never wrote. With no record at all (an index from
  before it), every chunk is checked once, too.

What the record cannot see is a vector lost among chunks no writer touched since they were
last checked, with no writer dying in between; ``full=True`` checks every chunk on demand.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from legalqa.settings import Settings

if TYPE_CHECKING:
    from ingest.store import ChunkStore

_BEGUN = {"ingest": "begun"}
_ENDED = {"ingest": "ended"}


def to_check_file(settings: Settings, generation: int) -> Path:
    """The record of ``generation``'s chunks written since their vectors were last checked."""
    name = "vectors-to-check.jsonl" if generation == 0 else f"vectors-to-check-g{generation}.jsonl"
    return Path(settings.index_dir) / name


@dataclass
class ToCheck:
    """What the record says: the chunk ids to check, those of them the last check put back, and
    whether a writer began and never ended."""

    ids: list[str]
    put_back: list[str]
    interrupted: bool


class WrittenChunks:
    """One generation's record: JSON lines ``{"ids": [...]}`` (``"put_back": true`` for those the
    last check put back) and the begun/ended marks of ingests.

    Appends only, so recording a batch costs that batch, not the record; a line torn by a kill
    is skipped (the write it announced had not started)."""

    def __init__(self, settings: Settings, generation: int):
        self.path = to_check_file(settings, generation)

    def read(self, *, since_begun: bool = False) -> ToCheck | None:
        """The ids to check (only those written since the last ingest began, with ``since_begun``)
        and whether an ingest was interrupted; None when there is no record."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return None
        ids: dict[str, None] = {}
        put_back: list[str] = []
        open_ingest = False
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry == _BEGUN or entry == _ENDED:
                open_ingest = entry == _BEGUN
                if open_ingest and since_begun:
                    ids.clear()
            elif isinstance(entry, dict):
                ids.update(dict.fromkeys(entry.get("ids") or []))
                if entry.get("put_back"):
                    put_back += entry.get("ids") or []
        return ToCheck(list(ids), [cid for cid in put_back if cid in ids], open_ingest)

    def add(self, ids: Sequence[str]) -> None:
        """Record ids about to be written (before writing them)."""
        self._append({"ids": list(ids)})

    def reset(self, put_back: Sequence[str]) -> None:
        """Replace the record with the ids a check just put back, atomically: a crash leaves the old
        record or the new."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"ids": list(put_back), "put_back": True}) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)

    def mark(self, begun: bool) -> None:
        self._append(_BEGUN if begun else _ENDED)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def _append(self, entry: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")


@dataclass
class Scope:
    """The chunks a writer checks when it starts: ``ids`` (None: every chunk), and which of them
    the last check put back."""

    ids: list[str] | None
    put_back: set[str]


def to_check(store: ChunkStore, *, full: bool = False) -> Scope:
    """The chunks written since the last check; every chunk with ``full``, after an interrupted
    writer, or with no record. Recovery looks for lost vectors and orphan chunks among them."""
    found = WrittenChunks(store.settings, store.generation).read()
    everything = full or found is None or found.interrupted
    return Scope(None if everything else found.ids, set(found.put_back) if found else set())


def check_vectors(store: ChunkStore, scope: Scope) -> list[str]:
    """Put back the lost vectors among ``scope``'s chunks, then leave in the record only those put
    back (a later process checks them from disk). Returns their ids. Hold the writer lock."""
    lost = store.lost_vectors(scope.ids)
    # Put back by the last check and missed again: HNSW holds that vector, but its search does not
    # reach it (near-duplicates crowd it out), which putting it back again does not mend.
    fresh = [cid for cid in lost if cid not in scope.put_back]
    repaired = store.repair_vectors(fresh) if fresh else []
    WrittenChunks(store.settings, store.generation).reset(repaired)
    return repaired


def begin(store: ChunkStore) -> None:
    """A writer starts (after its checks): until :func:`finish`, its death is visible to the next one."""
    WrittenChunks(store.settings, store.generation).mark(begun=True)


def written_since_begun(store: ChunkStore) -> list[str]:
    """The chunk ids the running writer recorded since :func:`begin`."""
    found = WrittenChunks(store.settings, store.generation).read(since_begun=True)
    return found.ids if found is not None else []


def finish(store: ChunkStore) -> list[str]:
    """An ingest (or a rebuild, before its switch) ends normally: put back the lost vectors among
    the chunks it wrote, and mark its end. The ids stay in the record, for the next process to
    check from disk. Returns the ids put back."""
    record = WrittenChunks(store.settings, store.generation)
    found = record.read(since_begun=True)
    repaired = store.repair_vectors(found.ids if found is not None else None)
    record.mark(begun=False)
    return repaired
