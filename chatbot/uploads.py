"""Files a user adds from the web chat: one path from Gradio's temporary copy into the library.

Gradio writes an upload to its own upload folder and hands the handler a path. That path
comes from the request, so it is checked like any other input: it must be a regular file
inside the upload folder (not ``/etc/passwd``, not ``/dev/zero``, not a symlink), of a type
legalqa reads, and small enough. Only then is it copied under ``uploads/`` with a safe,
unique name, and indexed without metadata files: a ``manifest.toml`` or ``.meta.toml``
from one user must not relabel anyone's documents. A file whose bytes are already indexed
(by SHA-256, as the registry records every document) is not copied or indexed again.
Gradio's temporary copy is deleted whether the file was taken or refused.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import stat
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.metadata import is_metadata_file
from legalqa.errors import LegalqaError
from legalqa.settings import Settings

NAME_LIMIT = 150
UPLOAD_WAIT = 30.0  # seconds an upload waits for another writer (an ingest) before it is refused


class UploadRefused(LegalqaError):
    """An offered file that is not taken; ``reason`` is shown to the user."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name, self.reason = name, reason


@dataclass
class Offered:
    """A file Gradio received: where it sits now and the name the user gave it."""

    path: Path
    name: str


def gradio_upload_folder() -> Path:
    """Where Gradio writes what users upload (GRADIO_TEMP_DIR, or its default)."""
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder()).resolve()


def offered_files(files, upload_root: Path) -> list[Offered | UploadRefused]:
    """What Gradio handed the handler, each checked to be a user's upload inside ``upload_root``."""
    out: list[Offered | UploadRefused] = []
    for f in files or []:
        raw = getattr(f, "path", None) or getattr(f, "name", None) or (f if isinstance(f, (str, Path)) else None)
        shown = safe_name(getattr(f, "orig_name", None) or os.path.basename(str(raw or "upload")))
        if raw is None:
            out.append(UploadRefused(shown, "not a file"))
            continue
        try:
            out.append(Offered(checked_upload(Path(raw), upload_root), shown))
        except UploadRefused as refused:
            out.append(UploadRefused(shown, refused.reason))
    return out


def checked_upload(path: Path, upload_root: Path) -> Path:
    """``path`` if it is a regular file that was uploaded (inside ``upload_root``); else UploadRefused.

    lstat, not stat: a symlink planted in the folder is refused, not followed. A device
    (``/dev/zero``) or FIFO is refused before anything opens it."""
    root = Path(upload_root).resolve()
    try:
        absolute = Path(os.path.abspath(path))
        info = os.lstat(absolute)
    except (OSError, ValueError):
        raise UploadRefused(path.name, "not an uploaded file") from None
    if root not in absolute.parents or absolute.resolve() != absolute:
        raise UploadRefused(path.name, "not an uploaded file")
    if not stat.S_ISREG(info.st_mode):
        raise UploadRefused(path.name, "not a regular file")
    return absolute


def upload_files(files, settings: Settings, engine, *, upload_root: Path | None = None, owner: str | None = None,
                 matter: str | None = None, viewer=None) -> str:
    """Take the offered files into the library and index them; one HTML line per file, naming it.

    A file whose bytes are already indexed (the same SHA-256 as a document's) is not indexed
    again: the line names the document it already is, among those ``viewer`` may see (a copy
    of another user's private upload is indexed as the uploader's own, and never named).
    With a login, the files belong to ``owner``, filed under ``matter`` when given (see
    chatbot/access.py). ``upload_root`` is the folder uploads must come from (Gradio's upload
    folder by default)."""
    root = upload_root if upload_root is not None else gradio_upload_folder()
    offered = offered_files(files, root)
    try:
        # One upload at a time, so two users sending the same file at once index it once.
        if not _UPLOADING.acquire(timeout=UPLOAD_WAIT):
            return "✗ another upload is being indexed; nothing was added. Try again in a minute."
        try:
            lines = _take_and_index(offered, settings, engine, owner, matter, viewer)
        finally:
            _UPLOADING.release()
    finally:
        for item in offered:  # Gradio's copy is not kept, taken or not
            if isinstance(item, Offered):
                item.path.unlink(missing_ok=True)
    engine.refresh()
    return "<br>".join(lines) or "Nothing to add."


_UPLOADING = threading.Lock()


def _take_and_index(offered: list[Offered | UploadRefused], settings: Settings, engine, owner: str | None,
                    matter: str | None, viewer) -> list[str]:
    from ingest.layout import UPLOAD_PREFIX, uploads_dir
    from ingest.owners import set_owner
    from ingest.store import IndexBusyError

    # A user's uploads have a folder of their own: a name another user took is no clue (no "-2").
    folder = owner_folder(owner) if owner is not None else ""
    target, prefix = uploads_dir(settings) / folder, UPLOAD_PREFIX + (f"{folder}/" if folder else "")
    engine.refresh()
    seen = engine.visible(viewer).values()
    batch = _Batch(target, prefix, int(settings.ui.max_upload_mb * 1e6), {d.sha256: d.source for d in seen})
    for item in offered:
        batch.take(item)
    lines = batch.lines
    if not batch.placed:
        return lines
    if owner is not None:  # recorded before indexing: the indexer stores it with the document
        for dest in batch.placed:
            set_owner(settings, prefix + dest.name, owner, matter)
    try:
        report = engine.add_uploads(list(batch.placed), lock_timeout=UPLOAD_WAIT, prefix=prefix)
    except IndexBusyError:
        return lines + ["✗ the library is being rebuilt; nothing was added. Try again in a minute."]
    for skipped in report.skipped:  # its copy is deleted: named as the user named it
        name = _given_name(skipped.source, batch.placed, prefix) or skipped.source.removeprefix(prefix)
        lines.append(f"✗ {html.escape(name)}: {html.escape(skipped.reason)}")
    for source in report.indexed:
        lines.append(f"✓ {html.escape(source)}: indexed{_given(source, batch.placed, prefix)}")
    return lines


class _Batch:
    """The files of one upload as they are taken: copies placed, and a line for each one refused
    or already indexed. ``known`` maps content hashes to the sources that hold them."""

    def __init__(self, target: Path, prefix: str, limit: int, known: dict[str, str]):
        self.target, self.prefix, self.limit, self.known = target, prefix, limit, known
        self.placed: dict[Path, str] = {}  # copy -> the name the user gave
        self.lines: list[str] = []

    def take(self, item: Offered | UploadRefused) -> None:
        if isinstance(item, UploadRefused):
            self.lines.append(f"✗ {html.escape(item.name)}: {html.escape(item.reason)}")
            return
        try:
            data = read_offered(item, self.limit)
        except UploadRefused as refused:
            self.lines.append(f"✗ {html.escape(refused.name)}: {html.escape(refused.reason)}")
            return
        digest = hashlib.sha256(data).hexdigest()
        if digest in self.known:
            self.lines.append(f"• {html.escape(item.name)} is already indexed as {html.escape(self.known[digest])}")
            return
        self.target.mkdir(parents=True, exist_ok=True)
        dest = write_unique(self.target / item.name, data)
        self.placed[dest] = item.name
        self.known[digest] = self.prefix + dest.name  # the same file twice in one upload is indexed once


def _given_name(source: str, placed: dict[Path, str], prefix: str) -> str | None:
    """The name the user gave the file indexed as ``source``."""
    return next((given for path, given in placed.items() if prefix + path.name == source), None)


def _given(source: str, placed: dict[Path, str], prefix: str) -> str:
    """' (uploaded as order.pdf)' when the copy's name is not the one the user gave, else ''."""
    name = _given_name(source, placed, prefix)
    return html.escape(f" (uploaded as {name})") if name and prefix + name != source else ""


def owner_folder(user: str) -> str:
    """The folder of ``user``'s uploads in the uploads folder: ``u-<name>``, any character that
    could leave it replaced (``..`` becomes ``u-..``, a plain name, not a way up)."""
    return "u-" + re.sub(r"[^\w.@-]", "_", user)


def read_offered(item: Offered, limit: int) -> bytes:
    """The bytes of an offered file of a type legalqa reads, at most ``limit`` of them; else UploadRefused."""
    name = item.name
    suffix = Path(name).suffix.lower()
    if is_metadata_file(Path(name)) or suffix == ".toml":
        raise UploadRefused(name, "metadata files are not accepted from the web chat")
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadRefused(name, f"unsupported file type '{suffix or '(none)'}' "
                                  f"(PDF, text, Markdown, HTML or XML)")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(item.path, flags)
    except OSError:
        raise UploadRefused(name, "the upload could not be read") from None
    with os.fdopen(fd, "rb") as src:
        if not stat.S_ISREG(os.fstat(src.fileno()).st_mode):
            raise UploadRefused(name, "not a regular file")
        data = src.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(name, f"larger than {limit / 1e6:.0f} MB")
    return data


def write_unique(path: Path, data: bytes) -> Path:
    """Write ``data`` at ``path``, or at ``name-2.ext``... if that is taken; never over another file."""
    while True:
        dest = unique_path(path)
        try:
            with open(dest, "xb") as out:  # never over another file, even one placed a moment ago
                out.write(data)
            return dest
        except FileExistsError:
            continue


# Bidirectional overrides and other invisible format characters can make "evil.exe.txt"
# read as something else; control characters can forge lines in a log.
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f/]")


def safe_name(name: str) -> str:
    """A file name with no path, no control or format characters, no leading dots, and its
    extension kept when it is shortened to NAME_LIMIT characters."""
    name = os.path.basename(str(name).replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cf")
    name = _INVISIBLE.sub("_", name).lstrip(".").strip() or "upload"
    if len(name) > NAME_LIMIT:
        stem, dot, suffix = name.rpartition(".")
        if dot and 0 < len(suffix) <= 10:
            name = stem[: NAME_LIMIT - len(suffix) - 1] + "." + suffix
        else:
            name = name[:NAME_LIMIT]
    return name


def unique_path(path: Path) -> Path:
    """``path``, or ``name-2.ext``, ``name-3.ext``... if it is taken: an upload never overwrites."""
    candidate, n = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate
