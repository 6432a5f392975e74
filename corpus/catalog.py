"""The catalogue of the public record (corpus/catalog.toml): its entries, how it is read and
the rules every entry must pass.

Each entry names one document: what it is (title, kind, case, court, docket, date), where
its official copy lives (``url``), and optionally a direct file to download (``download``)
and the file as the project knows it (``file``, ``sha256``, ``bytes``). The hosts an entry may
link to are listed here (OFFICIAL_DOMAINS, PUBLISHER_DOMAINS), so that a catalogue edit alone
cannot point `legalqa corpus fetch` (corpus/fetch.py) at another address.
"""

from __future__ import annotations

import ipaddress
import tomllib
from datetime import date
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse, urlsplit

from pydantic import BaseModel, ConfigDict, field_validator

from ingest.metadata import KINDS
from legalqa.errors import LegalqaError

DEFAULT_CATALOG = Path(__file__).resolve().parent / "catalog.toml"

# Court and government documents are catalogued only from these sites.
OFFICIAL_DOMAINS = (
    "copyright.gov", "federalregister.gov", "uscourts.gov", "supremecourt.gov",
    "courtlistener.com", "govinfo.gov", "uscode.house.gov",
)
# The publishers the news entries cite, by the host their links use. Every host that
# `corpus fetch` may contact is named in this file: a news entry on another site is refused
# until its publisher is added here, so a catalogue edit alone cannot point the fetcher at
# an arbitrary (or an internal) address.
PUBLISHER_DOMAINS = (
    "au.variety.com", "theweek.com", "cdomagazine.tech", "insidetechlaw.com", "natlawreview.com",
)
# Kinds written by someone other than a court or an agency: they name a publisher instead.
NON_GOVERNMENT_KINDS = {"news", "summary", "other"}


class CatalogEntry(BaseModel):
    """One document of the public record."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    kind: str
    url: str
    case: str | None = None
    court: str | None = None
    docket: str | None = None
    date: str | None = None
    judge: str | None = None
    publisher: str | None = None
    download: str | None = None  # a direct link to the file itself, when there is one
    file: str | None = None  # where it goes, relative to the destination (and in a mirror)
    sha256: str | None = None  # of ``file`` as the project knows it
    bytes: int | None = None
    note: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value):
        return value.isoformat() if isinstance(value, date) else value

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value):
        if value not in KINDS:
            raise ValueError(f"unknown kind '{value}' (allowed: {', '.join(KINDS)})")
        return value

    @property
    def is_government(self) -> bool:
        return self.kind not in NON_GOVERNMENT_KINDS

    @property
    def allowed_domains(self) -> tuple[str, ...]:
        """The sites this entry may link to, be downloaded from and be redirected to."""
        return OFFICIAL_DOMAINS if self.is_government else OFFICIAL_DOMAINS + PUBLISHER_DOMAINS

    def target(self) -> PurePosixPath | None:
        """Where the fetched file goes, relative to the destination. A download in another
        format than the catalogued file (a court's PDF of a text copy) keeps its own suffix."""
        if self.download:
            suffix = PurePosixPath(urlparse(self.download).path).suffix.lower()
            if self.file:
                path = PurePosixPath(self.file)
                return path.with_suffix(suffix) if suffix and suffix != path.suffix.lower() else path
            return PurePosixPath(_folder(self.kind)) / PurePosixPath(urlparse(self.download).path).name
        return PurePosixPath(self.file) if self.file else None

    def manifest_fields(self) -> dict:
        """The entry as ingestion metadata (the fields a manifest.toml accepts)."""
        fields = {"title": self.title, "kind": self.kind, "case_name": self.case, "court": self.court,
                  "docket": self.docket, "date": self.date, "judge": self.judge, "publisher": self.publisher,
                  "url": self.url}
        return {k: v for k, v in fields.items() if v}


def _folder(kind: str) -> str:
    if kind in {"agency_report", "agency_notice"}:
        return "copyright-office"
    if kind == "statute":
        return "statute"
    if kind == "news":
        return "news"
    return "court"


def _on_domains(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def is_official(url: str) -> bool:
    return _on_domains((urlparse(url).hostname or "").lower(), OFFICIAL_DOMAINS)


def link_problem(url: str, domains: tuple[str, ...]) -> str | None:
    """Why ``url`` may not be fetched, or None: it must be https, carry no credentials, and
    name a host on ``domains``. An IP address is never on the list, so loopback, private and
    link-local addresses are refused by name before anything connects."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError as exc:
        return f"{url} is not a valid address ({exc})"
    if parts.scheme.lower() != "https":
        return f"{url} is not an https address (scheme '{parts.scheme or 'none'}'); only https is fetched"
    if parts.username is not None or parts.password is not None:
        return f"{url} carries a user name or password"
    if not host:
        return f"{url} names no host"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None:
        what = ("a loopback" if ip.is_loopback else "a link-local" if ip.is_link_local
                else "a private" if ip.is_private else "an")
        return f"{url} names {what} IP address ({host}), not an allowed host"
    if not _on_domains(host, domains):
        return f"{host} is not an allowed host (allowed: {', '.join(domains)})"
    return None


def file_problem(file: str) -> str | None:
    """Why ``file`` cannot name where a document goes, or None: a relative path with '/'
    between folders that stays inside the destination (and inside a mirror, where it is
    looked up by the same name)."""
    if "\\" in file or "\0" in file:
        return "has a backslash or a NUL character; folders are separated with '/'"
    path = PurePosixPath(file)
    if path.is_absolute():
        return "is an absolute path; it must be relative to the destination folder"
    if ".." in path.parts:
        return "climbs out of the destination folder with '..'"
    if path.name in {"", ".", ".."}:
        return "names no file"
    return None


def url_file_name(url: str) -> str:
    return PurePosixPath(urlparse(url).path).name


class CatalogError(LegalqaError, ValueError):  # a ValueError still, for callers that catch one
    """The catalogue file cannot be read or breaks a rule; the message names the entry."""


def load_catalog(path: Path | None = None) -> list[CatalogEntry]:
    """Read and check the catalogue: unique ids, known kinds, official URLs for court and
    government documents, https links to allowed hosts for every entry, a publisher for news,
    and file names that stay inside the destination folder."""
    path = Path(path or DEFAULT_CATALOG)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"cannot read the catalogue {path}: {exc}") from None
    entries, seen = [], set()
    for i, raw in enumerate(data.get("document", []), start=1):
        try:
            entry = CatalogEntry(**raw)
        except Exception as exc:  # pydantic's message names the field
            raise CatalogError(f"{path.name}: document {i} ({raw.get('id', '?')}): {exc}") from None
        if entry.id in seen:
            raise CatalogError(f"{path.name}: duplicate id '{entry.id}'")
        seen.add(entry.id)
        links = [link for link in (entry.url, entry.download) if link]
        for link in links:
            if entry.is_government and not is_official(link):
                raise CatalogError(f"{path.name}: '{entry.id}' is a {entry.kind} but {link} is not on an "
                                   f"official site ({', '.join(OFFICIAL_DOMAINS)})")
            problem = link_problem(link, entry.allowed_domains)
            if problem:
                raise CatalogError(f"{path.name}: '{entry.id}' ({entry.kind}): {problem}")
        if entry.kind == "news" and not entry.publisher:
            raise CatalogError(f"{path.name}: news entry '{entry.id}' names no publisher")
        problem = file_problem(entry.file) if entry.file is not None else None
        if problem:
            raise CatalogError(f"{path.name}: '{entry.id}': file '{entry.file}' {problem}")
        if entry.download and entry.file is None and file_problem(url_file_name(entry.download)):
            raise CatalogError(f"{path.name}: '{entry.id}': {entry.download} ends in no file name; give the entry a file")
        entries.append(entry)
    return entries
