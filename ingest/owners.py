"""Who each web upload belongs to, kept beside the uploads so that a rebuild keeps it.

With a login, an upload belongs to the user who sent it, and may be filed under a named
matter that its owner shares (see chatbot/access.py). The index stores the owner with the
document and on each of its chunks; this file is what the indexer reads them from, so
``legalqa ingest --rebuild``, which indexes the uploads again, gives them the same owners.
An upload with no entry (single-user mode, or sent before logins existed) is shared.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path

from ingest.types import SourceDocument
from legalqa.errors import LegalqaError
from legalqa.settings import Settings

OWNERS_FILE = "upload-owners.json"


class OwnersFileError(LegalqaError):
    """The owners file cannot be read: nothing is indexed as shared that may be private."""


def owners_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / OWNERS_FILE


def read_owners(settings: Settings) -> dict[str, dict[str, str | None]]:
    """source -> {"owner": user, "matter": name or None}; empty when no upload has an owner."""
    path = owners_path(settings)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise OwnersFileError(f"{path}: cannot be read ({exc}); the uploads' owners are unknown, so nothing is indexed")
    if not isinstance(data, dict) or not isinstance(data.get("uploads"), dict):
        raise OwnersFileError(f"{path}: not a legalqa owners file (no 'uploads' table)")
    return data["uploads"]


def with_owner(document: SourceDocument, owners: dict[str, dict[str, str | None]]) -> SourceDocument:
    """``document`` with the owner and matter its entry names (unchanged when it has none)."""
    entry = owners.get(document.source)
    if not entry:
        return document
    return document.model_copy(update={"owner": entry.get("owner") or None, "matter": entry.get("matter") or None})


def set_owner(settings: Settings, source: str, owner: str, matter: str | None) -> None:
    """Record that ``source`` belongs to ``owner`` (filed under ``matter``), before it is indexed."""
    with _editing(settings) as uploads:
        uploads[source] = {"owner": owner, "matter": matter}


def forget_owners(settings: Settings, sources) -> None:
    """Drop the entries of uploads that are gone (removed, or never indexed)."""
    sources = set(sources)
    if not sources or not owners_path(settings).exists():
        return
    with _editing(settings) as uploads:
        for source in sources:
            uploads.pop(source, None)


@contextmanager
def _editing(settings: Settings):
    """The uploads table, read under a lock (two servers may share a data folder) and written
    back atomically: a reader sees the old file or the new, never half of one."""
    path = owners_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        uploads = read_owners(settings)
        yield uploads
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": 1, "uploads": uploads}, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
