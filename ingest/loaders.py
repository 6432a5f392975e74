"""Read files into pages of text: a registry of loaders by file suffix, and load_file.

Each format has a :class:`Loader` (ingest/formats/); load_file reads the file once, lets
its loader extract the pages, finds the legal metadata and cleans the pages. It returns a
:class:`LoadedDocument` or raises :class:`IngestError` naming the file and the reason; the
caller reports it and goes on. A new format is one Loader class and one entry in _BUILT_IN.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ingest.cleaning import clean_page_text, strip_running_heads
from ingest.formats.base import Extracted, IngestError, Loader
from ingest.formats.markdown import MarkdownLoader
from ingest.formats.markup import HtmlLoader, XmlLoader
from ingest.formats.pdf import PdfLoader
from ingest.formats.text import PlainTextLoader
from ingest.headings import find_headings, prints_the_code
from ingest.text_metadata import extract_metadata
from ingest.types import LoadedDocument, Page, SourceDocument

__all__ = [
    "SUPPORTED_SUFFIXES", "Extracted", "IngestError", "Loader", "clean_pages", "load_file", "loader_for",
    "register_loader", "title_from_filename", "unregister_loader",
]

_BUILT_IN: tuple[Loader, ...] = (PlainTextLoader(), MarkdownLoader(), HtmlLoader(), XmlLoader(), PdfLoader())
_BY_SUFFIX: dict[str, Loader] = {suffix: loader for loader in _BUILT_IN for suffix in loader.suffixes}
# A live view of the registry: a loader registered later is supported everywhere at once.
SUPPORTED_SUFFIXES = _BY_SUFFIX.keys()


def loader_for(path: Path | str) -> Loader | None:
    """The loader for ``path``'s suffix (case does not matter), or None if the format is not supported."""
    return _BY_SUFFIX.get(Path(path).suffix.lower())


def register_loader(loader: Loader) -> Loader:
    """Read ``loader.suffixes`` with ``loader`` from now on; a suffix that has a loader already is refused."""
    taken = sorted(s for s in loader.suffixes if s in _BY_SUFFIX and _BY_SUFFIX[s] is not loader)
    if taken:
        raise ValueError(f"{', '.join(taken)} already read by {type(_BY_SUFFIX[taken[0]]).__name__}")
    for suffix in loader.suffixes:
        _BY_SUFFIX[suffix] = loader
    return loader


def unregister_loader(loader: Loader) -> None:
    """Stop reading files with ``loader`` (a test's own format, say)."""
    for suffix in [s for s, registered in _BY_SUFFIX.items() if registered is loader]:
        del _BY_SUFFIX[suffix]


def load_file(path: Path, source: str, *, max_bytes: int | None = None, sidecar: dict | None = None,
              sha256: str | None = None) -> LoadedDocument:
    """Load one file. ``source`` is the key it is stored under; ``sidecar`` holds metadata given by the
    user; ``sha256`` is the file's hash when the caller has already taken it (it is not taken twice)."""
    loader = loader_for(path)
    if loader is None:
        raise IngestError(source, f"unsupported file type '{path.suffix.lower() or '(none)'}'")
    data = _read_bytes(path, source, max_bytes)
    extracted = loader.read(data, source)
    pages = extracted.pages
    if not any(p.text for p in pages):
        raise IngestError(source, "no text could be extracted")
    # Captions, ECF stamps and signatures are read before cleaning removes the stamps.
    head = " ".join(p.text for p in pages[:2])  # some captions run onto the second page
    found = extract_metadata(head, extracted.text_for_metadata(), pages[-1].text, path.name)
    code = prints_the_code([p.text for p in pages[:3]])  # read before cleaning drops the running heads
    pages = clean_pages(pages)
    found = _repair_titles(found, pages)
    pages = [p.model_copy(update={"headings": find_headings(p.text, extracted.headings, code)})
             for p in pages if p.text]
    if not pages:
        raise IngestError(source, "no text left after removing page furniture")
    document = SourceDocument(
        source=source,
        sha256=sha256 or hashlib.sha256(data).hexdigest(),
        path=str(path.resolve()),
        n_pages=max((p.number or 0) for p in pages),
        paged=any(p.number is not None for p in pages),
        **_document_fields(found, sidecar, extracted, path),
    )
    return LoadedDocument(document=document, pages=pages, warnings=extracted.warnings)


def _read_bytes(path: Path, source: str, max_bytes: int | None) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(source, f"cannot read the file ({exc.strerror or exc})") from None
    if not data:
        raise IngestError(source, "the file is empty")
    if max_bytes is not None and len(data) > max_bytes:
        raise IngestError(source, f"the file is {len(data) / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
    return data


def _repair_titles(found: dict, pages: list[Page]) -> dict:
    """The caption's title read before cleaning, with its split words joined against the cleaned
    text's vocabulary, as the text itself was ("Order on Motion S to Dismiss" -> "Motions")."""
    if not found.get("document_title"):
        return found
    from ingest.repair import Vocabulary, repair_text

    # Repaired in capitals, as captions print it ("MOTION S"), then put back in the title's case.
    words = found["document_title"].split()
    repaired, joins = repair_text(" ".join(words).upper(), Vocabulary([p.text for p in pages]))
    if not joins:
        return found
    out, i = [], 0
    for joined in repaired.split(" "):
        parts = [words[i]]
        i += 1
        while "".join(parts).upper() != joined and i < len(words):
            parts.append(words[i])
            i += 1
        out.append(parts[0] if len(parts) == 1 else _case_like("".join(parts), parts[0]))
    return {**found, "document_title": " ".join(out)}


def _case_like(word: str, model: str) -> str:
    """``word`` in the case of ``model``, the first part it was joined from: CAPITALS, Title or lower."""
    if model.isupper() and len(model) > 1:
        return word.upper()
    return word.capitalize() if model[:1].isupper() else word.lower()


def _document_fields(found: dict, sidecar: dict | None, extracted: Extracted, path: Path) -> dict:
    """The document's metadata: the user's sidecar over what the text says, and a title always."""
    fields = {**found, **(sidecar or {})}
    document_title = fields.pop("document_title", None)
    if not fields.get("title"):
        if fields.get("case_name") and document_title:
            fields["title"] = f"{fields['case_name']}, {document_title}"
        else:
            fields["title"] = extracted.title or fields.get("case_name") or title_from_filename(path)
    if extracted.web_page and "kind" not in fields and not fields.get("case_name"):
        fields["kind"] = "news" if fields.get("publisher") else "other"
    return fields


def clean_pages(pages: list[Page]) -> list[Page]:
    cleaned = [Page(number=p.number, text=clean_page_text(p.text)) for p in pages]
    return strip_running_heads(cleaned)


def title_from_filename(path: Path) -> str:
    """'bartz-v-anthropic_2025-06-23_order-on-fair-use.pdf' -> 'Bartz v. Anthropic, 2025-06-23, order on fair use'."""
    parts = [p for p in path.stem.split("_") if p]
    words = []
    for i, part in enumerate(parts):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", part):
            words.append(part)
            continue
        text = part.replace("-", " ")
        text = re.sub(r"\bv\b", "v.", text)
        if i == 0:
            text = " ".join(w if w == "v." else w[:1].upper() + w[1:] for w in text.split())
        words.append(text)
    return ", ".join(words) or path.name
