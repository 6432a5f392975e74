"""Legal metadata given by the user: the document kinds, and sidecar files.

Sidecars, in TOML: ``<file>.meta.toml`` beside the file, or a ``manifest.toml``
in any folder above it with one table per file path relative to that folder.
Where they are silent, ingest/text_metadata.py reads the fields from the text.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

KINDS = (
    "opinion", "order", "complaint", "brief", "docket", "agency_report", "agency_notice",
    "statute", "news", "summary", "other",
)
# How a kind reads to a user: a summary is never the court's or the agency's own text.
KIND_LABELS = {"summary": "project-written summary", "agency_report": "agency report",
               "agency_notice": "agency notice"}
SIDECAR_SUFFIX = ".meta.toml"
MANIFEST_NAME = "manifest.toml"
SIDECAR_FIELDS = {"title", "kind", "case_name", "court", "docket", "date", "publisher", "url", "judge"}


def read_sidecar(path: Path, root: Path) -> dict:
    """Metadata given by the user for ``path``: its .meta.toml, else an entry in a manifest.toml above it."""
    fields: dict = {}
    folder = path.parent
    chain = []
    while True:
        chain.append(folder)
        if folder == root or folder.parent == folder or root not in folder.parents:
            break
        folder = folder.parent
    for folder in reversed(chain):  # nearer manifests override farther ones
        manifest = folder / MANIFEST_NAME
        if manifest.is_file():
            table = _load_toml(manifest)
            entry = table.get(path.relative_to(folder).as_posix())
            if isinstance(entry, dict):
                fields.update(entry)
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if sidecar.is_file():
        fields.update(_load_toml(sidecar))
    unknown = set(fields) - SIDECAR_FIELDS
    if unknown:
        raise ValueError(f"unknown metadata field(s) {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(SIDECAR_FIELDS))})")
    if "kind" in fields and fields["kind"] not in KINDS:
        raise ValueError(f"unknown kind '{fields['kind']}' (allowed: {', '.join(KINDS)})")
    if isinstance(fields.get("date"), date):
        fields["date"] = fields["date"].isoformat()
    return fields


def _load_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path.name} is not valid TOML ({exc})") from None


def kind_label(kind: str) -> str:
    """'summary' -> 'project-written summary'; other kinds as words."""
    return KIND_LABELS.get(kind, kind.replace("_", " "))


def is_metadata_file(path: Path) -> bool:
    return path.name == MANIFEST_NAME or path.name.endswith(SIDECAR_SUFFIX)
