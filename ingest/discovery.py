"""Which files an ingest reads, and the content hash that decides whether each changed."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.loaders import IngestError
from ingest.metadata import is_metadata_file

# A collection's own notes: README.md or MANIFEST.tsv describe the folder, they are not a
# source a lawyer would cite. A folder's walk passes over them; named on its own, one is read.
FOLDER_NOTES = frozenset({"readme", "manifest", "license", "changelog"})


@dataclass
class Found:
    path: Path
    source: str
    root: Path
    problem: str | None = None
    read_metadata: bool = True  # False: the file alone, no .meta.toml or manifest.toml (uploads)


def discover(paths: Iterable[Path], prefix: str = "", notes: bool = False) -> list[Found]:
    """Every file under ``paths``, keyed by its path relative to the path given.

    Hidden files, metadata sidecars and a folder's notes (:data:`FOLDER_NOTES`) are passed over;
    a symlink loop is named, not followed. ``notes=True`` keeps a folder's notes (the uploads
    folder, where a README.md is a lawyer's own upload).
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
                if name.startswith(".") or is_metadata_file(path) or (not notes and is_folder_note(path)):
                    continue
                source = prefix + path.relative_to(root).as_posix()
                if not path.exists():
                    found.append(Found(path, source, root, "broken symlink"))
                    continue
                found.append(Found(path, source, root))
    return found


def is_folder_note(path: Path) -> bool:
    """README.md, MANIFEST.tsv, LICENSE and the like: what a folder says about itself."""
    return path.name.split(".")[0].lower() in FOLDER_NOTES


def file_sha256(path: Path) -> str:
    """The file's content hash: read once per ingest, it decides whether the file changed."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

