"""Where an index's parts live: the live-generation pointer, each generation's Chroma
collections, BM25 folder and ingest journal, and the web uploads.

Generations: ``--rebuild`` writes a new generation (collections ``legalqa_chunks_g1``...,
folder ``bm25-g1``) beside the live one and then switches ``generation.json`` to it, so a
server keeps answering from the old one until the switch. Generation 0 keeps the plain
names, so indexes built before generations open unchanged.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from legalqa.settings import Settings

CHUNKS = "legalqa_chunks"
DOCUMENTS = "legalqa_documents"
GENERATION_FILE = "generation.json"
LEXICAL_IDS_FILE = "chunk_ids.json"  # written last into a BM25 folder: its mtime marks a change
UPLOAD_PREFIX = "uploads/"  # source prefix of the web chat's uploads


def live_generation(settings: Settings) -> int:
    """The generation readers should use: the last one a rebuild completed (0 before any)."""
    try:
        return int(json.loads((Path(settings.index_dir) / GENERATION_FILE).read_text())["generation"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def switch_live_generation(settings: Settings, generation: int) -> None:
    """Make ``generation`` the live one, atomically: readers see the old one or the new, never neither."""
    path = Path(settings.index_dir) / GENERATION_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w") as fh:
        fh.write(json.dumps({"generation": generation}))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def collection_names(generation: int) -> tuple[str, str]:
    """The (chunks, documents) collections of a generation; generation 0 keeps the original names."""
    if generation == 0:
        return CHUNKS, DOCUMENTS
    return f"{CHUNKS}_g{generation}", f"{DOCUMENTS}_g{generation}"


def generation_of(collection: str) -> int | None:
    """The generation a collection belongs to, or None if it is not one of ours."""
    for base in (CHUNKS, DOCUMENTS):
        if collection == base:
            return 0
        if collection.startswith(base + "_g") and collection[len(base) + 2 :].isdigit():
            return int(collection[len(base) + 2 :])
    return None


def lexical_dir(settings: Settings, generation: int | None = None) -> Path:
    """The BM25 folder of ``generation`` (default: the live one); generation 0 is plain ``bm25``."""
    generation = live_generation(settings) if generation is None else generation
    return Path(settings.index_dir) / ("bm25" if generation == 0 else f"bm25-g{generation}")


def journal_file(settings: Settings, generation: int) -> Path:
    """The journal of the documents an ingest into ``generation`` is writing (see ChunkStore)."""
    name = "ingest-journal.json" if generation == 0 else f"ingest-journal-g{generation}.json"
    return Path(settings.index_dir) / name


def uploads_dir(settings: Settings) -> Path:
    """Where the web chat keeps uploaded files; their sources are ``uploads/<name>``."""
    return Path(settings.data_dir) / "uploads"
