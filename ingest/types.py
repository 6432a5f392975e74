"""Domain types that travel from files to the index."""

from __future__ import annotations

import hashlib
import re

from pydantic import BaseModel, ConfigDict, Field


class SourceDocument(BaseModel):
    """One indexed file and what we know about it: from its sidecar, else from its text."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="Path relative to the folder given to `ingest`; the document's key.")
    title: str
    kind: str = "other"
    case_name: str | None = None
    court: str | None = Field(None, description="Court in citation form, e.g. 'N.D. Cal.'.")
    docket: str | None = Field(None, description="Case number, e.g. '3:23-cv-03417-VC'.")
    date: str | None = Field(None, description="Decision or filing date, ISO 8601.")
    judge: str | None = None
    publisher: str | None = None
    url: str | None = None
    sha256: str
    path: str | None = Field(None, description="Absolute path of the file when it was indexed (for opening it).")
    n_pages: int = 0
    paged: bool = Field(False, description="True when page numbers come from the file itself.")
    citations: list[str] = Field(default_factory=list, description="Case and statute citations in the text (eyecite).")
    owner: str | None = Field(None, description="The user a web upload belongs to; None: shared with every user.")
    matter: str | None = Field(None, description="The matter an owned upload is filed under, which its owner may share.")

    @property
    def chunk_key(self) -> str:
        """What chunk ids are made from: the content, and for an owned upload its source too, so
        two users' copies of the same file are two documents that share nothing."""
        return self.sha256 if self.owner is None else f"{self.sha256}:{self.source}"

    @property
    def key(self) -> str:
        """A stable, opaque id for URLs: the web app serves documents by key, never by path."""
        import hashlib

        return hashlib.sha256(self.source.encode()).hexdigest()[:16]

    def is_part(self, part: str) -> bool:
        """Is this document part ``part`` of a report, by its title ("Copyright and AI, Part 2: …")?"""
        return bool(re.search(rf"\bPart\s+{re.escape(part)}\b", self.title, re.I))

    def cite(self, page: int | None = None) -> str:
        """A citation a lawyer can check: 'Bartz v. Anthropic PBC, No. 3:24-cv-05417-WHA (N.D. Cal. June 23, 2025), at 12'."""
        if self.case_name and self.kind != "summary":  # a summary is cited by its own title, never as the court's
            parts = [self.case_name]
            if self.docket:
                parts.append(self.docket_label())
            text = ", ".join(parts)
            if self.court_and_date():
                text += f" ({self.court_and_date()})"
        else:
            text = self.title
        return f"{text}, at {page}" if page is not None else text

    def docket_label(self) -> str:
        """'No. 3:24-cv-05417-WHA' (an 'MDL …' or 'No. …' docket as it is)."""
        docket = self.docket or ""
        return docket if docket.startswith(("MDL", "No.")) else f"No. {docket}"

    def court_and_date(self) -> str:
        """'N.D. Cal. June 23, 2025', or as much of it as is known ('' if neither)."""
        return " ".join(x for x in (self.court, long_date(self.date)) if x)


_BLUEBOOK_MONTHS = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")


def long_date(iso: str | None) -> str | None:
    """'2025-06-23' -> 'June 23, 2025'; months abbreviated as the Bluebook does."""
    if not iso:
        return None
    from datetime import date

    try:
        d = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{_BLUEBOOK_MONTHS[d.month - 1]} {d.day}, {d.year}"


class Heading(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: int
    level: int
    text: str


class Page(BaseModel):
    """The text of one page, whitespace-normalised. ``number`` is None for unpaged files."""

    model_config = ConfigDict(extra="forbid")

    number: int | None
    text: str
    headings: list[Heading] = Field(default_factory=list, description="Headings on this page, by offset.")


class LoadedDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: SourceDocument
    pages: list[Page]
    warnings: list[str] = Field(default_factory=list, description="Indexed, but with something the user should know.")


class Chunk(BaseModel):
    """A span of one page that is embedded and retrieved as a unit.

    ``start``/``end`` are character offsets into the page text, so any scorer
    can recompute overlap and any quote can be checked against the page.
    """

    model_config = ConfigDict(extra="forbid")

    chunk_id: str
    source: str
    title: str
    page: int | None
    start: int
    end: int
    text: str
    doc_sha256: str
    header: str = Field("", description="The document's title and docket, embedded and indexed with the text.")
    heading: str = Field("", description="The heading path at the chunk's start: 'ANALYSIS › 1. Training copies'.")
    citations: list[str] = Field(default_factory=list, description="Citations the chunk contains (eyecite).")
    owner: str | None = Field(None, description="Its document's owner (a web upload's uploader); None: shared.")
    document: SourceDocument | None = Field(
        None, exclude=True, repr=False,
        description="The document the chunk is from, when known (the index attaches it; never stored with the chunk).",
    )

    @staticmethod
    def make_id(doc_sha256: str, page: int | None, start: int, end: int) -> str:
        """Stable across re-ingests: the same content and span give the same id."""
        key = f"{doc_sha256}:{page}:{start}:{end}".encode()
        return hashlib.sha256(key).hexdigest()[:24]


def normalize_whitespace(text: str) -> str:
    return " ".join(text.split())
