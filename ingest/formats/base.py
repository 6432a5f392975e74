"""What every format's loader has in common: the Loader interface, what a loader returns,
the error it raises, and the decoding of text files."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from ingest.types import Page
from legalqa.errors import LegalqaError


class IngestError(LegalqaError):
    """A file that cannot be indexed, with the reason in words a user understands."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class Extracted(BaseModel):
    """A file's pages as its format gives them, before cleaning, and what the format itself says."""

    model_config = ConfigDict(extra="forbid")

    pages: list[Page]
    title: str | None = None  # the format's own title: an HTML <title>, a Markdown '# ' heading
    # The text metadata is read from, when it is not the pages joined: a text file's ECF stamps
    # go with the page split but still give the docket and the filing date.
    full_text: str | None = None
    headings: list[str] = []  # Markdown headings with their '#' marks, for find_headings
    warnings: list[str] = []
    # A web page that names no case and is given no kind is news if it names a publisher, else other.
    web_page: bool = False

    def text_for_metadata(self) -> str:
        return self.full_text if self.full_text is not None else " ".join(p.text for p in self.pages)


@runtime_checkable
class Loader(Protocol):
    """Reads one file format. A new format is one such class and one entry in ingest/loaders.py."""

    suffixes: frozenset[str]  # lower case, with the dot: {".pdf"}

    def read(self, data: bytes, source: str) -> Extracted:
        """The pages of ``data``, the file stored as ``source``; IngestError naming ``source`` if unreadable."""
        ...


def decode_text(data: bytes, source: str) -> tuple[str, list[str]]:
    """The text of a text file and, if it is not UTF-8, a warning saying how it was read."""
    if b"\x00" in data[:8192]:
        raise IngestError(source, "binary content in a text file")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    # Legal text exported on Windows is usually cp1252; latin-1 never fails.
    for encoding, name in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, [f"not valid UTF-8; read as {name}"]
    raise IngestError(source, "not valid UTF-8 text")
