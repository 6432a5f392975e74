"""`legalqa corpus fetch`: copy the catalogue's files into a folder, from the network or from a
local mirror, and write a manifest.toml there so that ingestion takes the catalogue's metadata
instead of guessing from the text.

This module and the user-configured LLM backends are the only parts of legalqa that
connect anywhere; nothing here runs unless `legalqa corpus fetch` is called. Every address
is checked against the entry's allowed hosts (corpus/catalog.py) before it is opened.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlparse

from pydantic import BaseModel

from corpus.catalog import CatalogEntry, file_problem, link_problem, url_file_name
from ingest.metadata import MANIFEST_NAME
from legalqa.errors import LegalqaError

HTML_SUFFIXES = {".htm", ".html"}
REDIRECT_CODES = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5
USER_AGENT = "legalqa-corpus-fetch/0.1"


class FetchResult(BaseModel):
    id: str
    status: str  # fetched | present | skipped | failed
    path: str | None = None
    reason: str = ""


class FetchReport(BaseModel):
    results: list[FetchResult] = []
    manifest: str | None = None

    @property
    def failed(self) -> list[FetchResult]:
        return [r for r in self.results if r.status == "failed"]

    def summary(self) -> str:
        counts = {s: sum(r.status == s for r in self.results) for s in ("fetched", "present", "skipped", "failed")}
        return ", ".join(f"{n} {s}" for s, n in counts.items())


class FetchError(LegalqaError):
    """One file could not be fetched; the message says why, in words for the user."""

    def __init__(self, message: str, *, path: str | None = None):
        super().__init__(message)
        self.path = path  # the file it was for, relative to the destination, once known


class NotInMirror(FetchError):
    """A mirror need not hold every catalogued document: reported, not a failure."""


Opener = Callable[..., object]


def fetch_catalog(
    entries: list[CatalogEntry],
    dest: Path,
    *,
    mirror: Path | None = None,
    opener: Opener | None = None,
    retries: int = 3,
    timeout: float = 30.0,
    backoff: float = 1.0,
    progress: Callable[[FetchResult], None] | None = None,
    allow_unhashed: bool = False,
) -> FetchReport:
    """Place each entry's file under ``dest``: from ``mirror`` (matched by file name or sha256)
    when given, else downloaded. A file is written as ``*.part`` and renamed only once its type
    and hash check out; a failed file leaves nothing behind. Files already present with the
    right hash are kept (so a second run resumes). Writes ``dest/manifest.toml``.
    A download the catalogue has no sha256 for fails unless ``allow_unhashed``; a copy from
    the mirror is kept and reported as unchecked (the mirror is the user's own files).
    ``opener(request, timeout=...)`` must return redirects rather than follow them (as
    open_without_redirects does): each hop is checked against the entry's allowed hosts here."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    folders_before = {p for p in dest.rglob("*") if p.is_dir()}
    opener = opener or open_without_redirects
    report = FetchReport()
    by_hash: dict[str, Path] = {}
    for entry in entries:
        try:
            result = _place(entry, dest, mirror=mirror, by_hash=by_hash, opener=opener, retries=retries,
                            timeout=timeout, backoff=backoff, allow_unhashed=allow_unhashed)
        except NotInMirror as exc:
            result = FetchResult(id=entry.id, status="skipped", reason=str(exc))
        except FetchError as exc:
            result = FetchResult(id=entry.id, status="failed", path=exc.path, reason=str(exc))
        report.results.append(result)
        if progress:
            progress(result)
    report.manifest = _write_manifest(entries, report, dest)
    _remove_new_empty_folders(dest, folders_before)
    return report


def _place(entry: CatalogEntry, dest: Path, *, mirror: Path | None, by_hash: dict[str, Path], opener: Opener,
           retries: int, timeout: float, backoff: float, allow_unhashed: bool) -> FetchResult:
    """Place one entry's file under ``dest``; a FetchError says why it could not be."""
    if entry.file is not None and file_problem(entry.file):
        # Checked before target(), whose change of suffix would disguise a name like "court/..".
        raise FetchError(f"refused: the file '{entry.file}' {file_problem(entry.file)}", path=entry.file)
    target = entry.target() if mirror is None else (PurePosixPath(entry.file) if entry.file else None)
    if target is None or (mirror is None and not entry.download):
        return FetchResult(id=entry.id, status="skipped",
                           reason=f"catalogue only: no direct file to download (read it at {entry.url})")
    try:
        _check_inside(entry, target, dest)
        path = dest / target
        checked_hash = entry.sha256 if path.suffix.lower() == PurePosixPath(entry.file or "").suffix.lower() else None
        if path.is_file() and (checked_hash is None and path.stat().st_size > 0
                               or checked_hash and _sha256(path) == checked_hash):
            return FetchResult(id=entry.id, status="present", path=target.as_posix())
        if mirror is not None:
            source = _find_in_mirror(entry, Path(mirror), by_hash)
            _copy_verified(source, path, checked_hash)
        else:
            problem = link_problem(entry.download, entry.allowed_domains)
            if problem:  # said first: a refused address matters more than a missing hash
                raise FetchError(f"refused: {problem}")
            if checked_hash is None and not allow_unhashed:
                # Nothing else would show that what arrived is the document: a compromised or
                # impersonated server could hand over anything that passes the type check.
                raise FetchError(f"refused: the catalogue has no sha256 of this {_format(path)} to check the "
                                 "download against (--allow-unhashed downloads it unchecked)")
            _download_verified(entry.download, path, checked_hash, allowed=entry.allowed_domains,
                               opener=opener, retries=retries, timeout=timeout, backoff=backoff)
    except FetchError as exc:
        exc.path = exc.path or target.as_posix()
        raise
    return FetchResult(id=entry.id, status="fetched", path=target.as_posix(),
                       reason="" if checked_hash else f"unchecked: the catalogue has no sha256 of this {_format(path)}")


def _format(path: Path) -> str:
    return path.suffix[1:].upper() or "file"


def _check_inside(entry: CatalogEntry, target: PurePosixPath, dest: Path) -> None:
    """Refuse a target that would be written outside ``dest``: load_catalog already refuses such
    a ``file``, but entries can be built in code, a name can come from the download address,
    and a folder inside ``dest`` can be a symbolic link to somewhere else."""
    if entry.file is None and entry.download and file_problem(url_file_name(entry.download)):
        raise FetchError(f"refused: {entry.download} ends in no file name; give the entry a file")
    problem = file_problem(str(target))
    if problem:
        raise FetchError(f"refused: the file '{target}' {problem}")
    resolved, root = (dest / target).resolve(), dest.resolve()
    if not resolved.is_relative_to(root):
        raise FetchError(f"refused: the file '{target}' resolves to {resolved}, outside {dest} (a symbolic link?)")


def _remove_new_empty_folders(dest: Path, before: set[Path]) -> None:
    """Folders made for files that then failed would be left empty: remove them (only ours)."""
    made = (p for p in dest.rglob("*") if p.is_dir() and p not in before)
    for folder in sorted(made, key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _find_in_mirror(entry: CatalogEntry, mirror: Path, by_hash: dict[str, Path]) -> Path:
    if not mirror.is_dir():
        raise FetchError(f"the mirror {mirror} is not a folder")
    if entry.file:
        exact = mirror / entry.file
        if exact.is_file():
            return exact
        name = PurePosixPath(entry.file).name
        same_name = sorted(p for p in mirror.rglob(name) if p.is_file())
        if same_name:
            return same_name[0]
    if entry.sha256:
        if not by_hash:  # hashed once per run, and only when no file of that name was found
            for p in sorted(mirror.rglob("*")):
                if p.is_file():
                    by_hash.setdefault(_sha256(p), p)
        if entry.sha256 in by_hash:
            return by_hash[entry.sha256]
    raise NotInMirror(f"not in the mirror {mirror} (looked for {PurePosixPath(entry.file or '').name or 'its sha256'})")


def _copy_verified(source: Path, path: Path, sha256: str | None) -> None:
    part = path.with_name(path.name + ".part")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copyfile(source, part)
        _check_hash(part, sha256, f"the mirror's {source.name}")
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


def _check_hash(part: Path, sha256: str | None, what: str) -> None:
    if sha256:
        got = _sha256(part)
        if got != sha256:
            raise FetchError(f"sha256 mismatch for {what}: expected {sha256[:12]}…, got {got[:12]}…")


def _download_verified(url: str, path: Path, sha256: str | None, *, allowed: tuple[str, ...], opener: Opener,
                       retries: int, timeout: float, backoff: float) -> None:
    part = path.with_name(path.name + ".part")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        last, content_type = "no attempt", ""
        for attempt in range(1, retries + 1):
            try:
                content_type = _download_once(url, part, allowed=allowed, opener=opener, timeout=timeout)
                break
            except _Retryable as exc:
                last = str(exc)
                part.unlink(missing_ok=True)
                if attempt < retries:
                    time.sleep(backoff * 2 ** (attempt - 1))
        else:
            host = urlparse(url).hostname
            raise FetchError(f"network error after {retries} attempt(s) reaching {host}: {last}")
        _check_type(part, path.suffix.lower(), content_type)
        _check_hash(part, sha256, url)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


class _Retryable(Exception):
    pass


def _download_once(url: str, part: Path, *, allowed: tuple[str, ...], opener: Opener, timeout: float) -> str:
    """Write the response body to ``part``; return its content type. Redirects are followed
    here, one hop at a time, and every address, the first and each hop's, must pass
    link_problem against ``allowed`` before it is opened: the catalogue is checked as it
    loads, but a server can redirect anywhere, and entries can also be built in code."""
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        problem = link_problem(current, allowed)
        if problem:
            raise FetchError(f"refused: {problem}" if current == url
                             else f"refused the redirect from {url} to {current}: {problem}")
        request = urllib.request.Request(current, headers={"User-Agent": USER_AGENT})
        try:
            with opener(request, timeout=timeout) as response:
                status = getattr(response, "status", 200)
                if status in REDIRECT_CODES:
                    location = response.headers.get("Location")
                elif status >= 400:
                    raise urllib.error.HTTPError(current, status, "error", None, None)
                else:
                    content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                    with open(part, "wb") as fh:
                        shutil.copyfileobj(response, fh, 1 << 20)
                    return content_type
        except urllib.error.HTTPError as exc:
            if exc.code not in REDIRECT_CODES:
                if exc.code in (408, 429) or exc.code >= 500:
                    raise _Retryable(f"HTTP {exc.code}") from None
                raise FetchError(f"HTTP {exc.code} from {current}") from None
            location = exc.headers.get("Location") if exc.headers else None  # the opener did not follow it
            exc.close()
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            raise _Retryable(f"{reason}") from None
        if not location:
            raise FetchError(f"{current} answered with a redirect to no address")
        current = urljoin(current, location)
    raise FetchError(f"more than {MAX_REDIRECTS} redirects from {url}")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hand each redirect back to _download_once (as an HTTPError with the Location header),
    which checks the next address before following it: urllib's own handler would follow a
    redirect to any http or https address unchecked."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def open_without_redirects(request: urllib.request.Request, timeout: float):
    """The default opener of fetch_catalog: urllib's, minus redirect following."""
    return urllib.request.build_opener(_NoRedirects).open(request, timeout=timeout)


def _check_type(part: Path, suffix: str, content_type: str) -> None:
    """Refuse what is not the file asked for: above all an HTML error or login page saved
    under a .pdf name, which a server may send with status 200."""
    with open(part, "rb") as fh:
        head = fh.read(1024).lstrip()
    if not head:
        raise FetchError("the server sent an empty file")
    what = suffix[1:].upper() or "the expected file"
    if suffix not in HTML_SUFFIXES:
        if "html" in content_type:
            raise FetchError(f"the server sent {content_type}, not {what} (an error or login page?)")
        if head[:15].lower().startswith((b"<!doctype html", b"<html")):
            raise FetchError(f"the server sent an HTML page, not {what} (an error or login page?)")
    if suffix == ".pdf" and not head.startswith(b"%PDF"):
        raise FetchError(f"the file is not a PDF (it starts {head[:16]!r}; content type {content_type or 'none'})")


def _write_manifest(entries: list[CatalogEntry], report: FetchReport, dest: Path) -> str | None:
    """dest/manifest.toml: one table per placed file with the catalogue's metadata. Tables
    already there (from an earlier run with another --kind, or written by hand) are kept."""
    placed = {r.id: r.path for r in report.results if r.status in {"fetched", "present"} and r.path}
    if not placed:
        return None
    manifest = dest / MANIFEST_NAME
    tables: dict[str, dict] = {}
    if manifest.is_file():
        try:
            tables = {k: v for k, v in tomllib.loads(manifest.read_text(encoding="utf-8")).items() if isinstance(v, dict)}
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            tables = {}  # unreadable: rewritten from the catalogue
    for entry in entries:
        if entry.id in placed:
            tables[placed[entry.id]] = entry.manifest_fields()
    lines = ["# Written by `legalqa corpus fetch` from corpus/catalog.toml: the catalogue's metadata",
             "# for each file, read by `legalqa ingest`.", ""]
    for path, fields in sorted(tables.items()):
        lines.append(f"[{_toml_str(path)}]")
        lines += [f"{key} = {_toml_str(str(value))}" for key, value in fields.items()]
        lines.append("")
    manifest.write_text("\n".join(lines), encoding="utf-8")
    return str(manifest)


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
