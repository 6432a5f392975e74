"""The journal of the documents an ingest is writing: on disk from before their first chunk
until their registry records are written, so that after a crash recovery finishes or undoes
exactly those documents (see ingest/recovery.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ingest.layout import journal_file
from legalqa.settings import Settings


class Journal:
    """The in-flight documents of one generation, as ``{"source", "sha256"}`` entries."""

    def __init__(self, settings: Settings, generation: int):
        self.path: Path = journal_file(settings, generation)

    def read(self) -> list[dict]:
        """The entries, or [] when no write was in flight."""
        try:
            entries = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return []
        if isinstance(entries, dict):  # journals written before batches
            return [entries]
        return entries or []

    def write(self, entries: list[dict]) -> None:
        """Replace the journal atomically: a crash leaves the old entries or the new."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(entries))
        os.replace(tmp, self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
