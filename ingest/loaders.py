"""Read files into pages of text: PDF page by page, plain text, Markdown, HTML and XML.

Each loader returns a :class:`LoadedDocument` or raises :class:`IngestError`
naming the file and the reason; the caller reports it and goes on.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from ingest.cleaning import clean_page_text, strip_running_heads
from ingest.headings import find_headings
from ingest.text_metadata import extract_metadata
from ingest.types import LoadedDocument, Page, SourceDocument, normalize_whitespace

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
XML_SUFFIXES = {".xml"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | XML_SUFFIXES | PDF_SUFFIXES


class IngestError(Exception):
    """A file that cannot be indexed, with the reason in words a user understands."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def load_file(path: Path, source: str, *, max_bytes: int | None = None, sidecar: dict | None = None) -> LoadedDocument:
    """Load one file. ``source`` is the key it is stored under; ``sidecar`` holds metadata given by the user."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(source, f"unsupported file type '{suffix or '(none)'}'")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(source, f"cannot read the file ({exc.strerror or exc})") from None
    if not data:
        raise IngestError(source, "the file is empty")
    if max_bytes is not None and len(data) > max_bytes:
        raise IngestError(source, f"the file is {len(data) / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
    sha256 = hashlib.sha256(data).hexdigest()

    warnings: list[str] = []
    md_headings: list[str] = []
    if suffix in PDF_SUFFIXES:
        pages, title = _read_pdf(data, source), None
        raw_text = " ".join(p.text for p in pages)
    elif suffix in HTML_SUFFIXES:
        pages, title = _read_html(_decode(data, source, warnings))
        raw_text = pages[0].text
    elif suffix in XML_SUFFIXES:
        pages, title = _read_xml(data, source)
        raw_text = pages[0].text
    elif suffix in MARKDOWN_SUFFIXES:
        pages, title, md_headings = _read_markdown(_decode(data, source, warnings))
        raw_text = pages[0].text
    else:
        raw_text = _decode(data, source, warnings)
        pages, title = split_ecf_pages(raw_text), None

    if not any(p.text for p in pages):
        what = "no text layer (a scanned PDF needs OCR first)" if suffix in PDF_SUFFIXES else "no text could be extracted"
        raise IngestError(source, what)
    # Captions, ECF stamps and signatures are read before cleaning removes the stamps.
    head = " ".join(p.text for p in pages[:2])  # some captions run onto the second page
    found = extract_metadata(head, raw_text, pages[-1].text, path.name)
    pages = clean_pages(pages)
    pages = [p.model_copy(update={"headings": find_headings(p.text, md_headings)}) for p in pages if p.text]
    if not pages:
        raise IngestError(source, "no text left after removing page furniture")

    fields = {**found, **(sidecar or {})}
    document_title = fields.pop("document_title", None)
    if not fields.get("title"):
        if fields.get("case_name") and document_title:
            fields["title"] = f"{fields['case_name']}, {document_title}"
        else:
            fields["title"] = title or fields.get("case_name") or title_from_filename(path)
    if suffix in HTML_SUFFIXES and "kind" not in fields and not fields.get("case_name"):
        fields["kind"] = "news" if fields.get("publisher") else "other"
    document = SourceDocument(
        source=source,
        sha256=sha256,
        path=str(path.resolve()),
        n_pages=max((p.number or 0) for p in pages),
        paged=any(p.number is not None for p in pages),
        **fields,
    )
    return LoadedDocument(document=document, pages=pages, warnings=warnings)


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


def _decode(data: bytes, source: str, warnings: list[str]) -> str:
    if b"\x00" in data[:8192]:
        raise IngestError(source, "binary content in a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Legal text exported on Windows is usually cp1252; latin-1 never fails.
    for encoding, name in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        warnings.append(f"not valid UTF-8; read as {name}")
        return text
    raise IngestError(source, "not valid UTF-8 text")


# "Case 3:23-cv-03417-VC  Document 598  Filed 06/25/25  Page 1 of 40": the ECF
# stamp that courts put on every page. Text extracted from such PDFs keeps it,
# which is how page boundaries survive in a plain-text copy.
_ECF_PAGE = re.compile(r"\bPage\s+(\d{1,4})\s+of\s+(\d{1,5})")
_PAGE_ID = re.compile(r"\s*PageID\s*#?:?\s*(?:<pageID>|\d+)?")


def split_ecf_pages(text: str) -> list[Page]:
    """Split text on ECF 'Page N of M' stamps; the text before a stamp belongs to page N.

    Without consistent stamps the whole text is one unpaged page.
    """
    matches = list(_ECF_PAGE.finditer(text))
    if len(matches) < 2:
        return [Page(number=None, text=normalize_whitespace(text))]
    total = _stamp_total(matches)
    pages: list[Page] = []
    cursor = 0
    expected = 1
    for m in matches:
        number, raw_total = int(m.group(1)), m.group(2)
        # Stamps only go forward; a copy may lack pages, so numbers can jump.
        # Anything else ("Page 3 of 5" quoted in the prose) is not a stamp.
        if number < expected or number > int(total) or not raw_total.startswith(total):
            continue
        # The page number of the next page is often glued to the total: "Page 1 of 242".
        stamp_start = _stamp_start(text, m.start())
        pages.append(Page(number=number, text=normalize_whitespace(text[cursor:stamp_start])))
        cursor = m.start(2) + len(total)
        page_id = _PAGE_ID.match(text, cursor)
        if page_id:
            cursor = page_id.end()
        expected = number + 1
    if len(pages) < 2:
        return [Page(number=None, text=normalize_whitespace(text))]
    tail = normalize_whitespace(text[cursor:])
    if tail and pages:
        # Whatever follows the last stamp (a trailing page number) stays on that page.
        pages[-1] = Page(number=pages[-1].number, text=f"{pages[-1].text} {tail}".strip())
    return pages


def _stamp_total(matches: list[re.Match]) -> str:
    counts = Counter(m.group(2) for m in matches)
    # The true total is the most frequent value that is a prefix of the others.
    for value, _ in counts.most_common():
        if sum(c for v, c in counts.items() if v.startswith(value)) >= len(matches) * 0.6:
            return value
    return counts.most_common(1)[0][0]


_STAMP_PREFIX = re.compile(r"(?:USCA\s+)?Case\s+#?[\w:.\- ]{1,40}?\s+Document\s+#?\d+[\w\- ]*?\s+Filed:?\s+[\d/]+\s+$")


def _stamp_start(text: str, page_word_at: int) -> int:
    """Where the ECF stamp that ends in 'Page' at ``page_word_at`` begins."""
    window_start = max(0, page_word_at - 160)
    m = _STAMP_PREFIX.search(text[window_start:page_word_at])
    return window_start + m.start() if m else page_word_at


def _read_pdf(data: bytes, source: str) -> list[Page]:
    import io
    import logging

    # pypdf logs every font it cannot fully decode; the text is still usable.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise IngestError(source, "the PDF is encrypted with a password")
            except IngestError:
                raise
            except Exception:
                raise IngestError(source, "the PDF is encrypted and cannot be opened") from None
        pages = []
        for i, page in enumerate(reader.pages, start=1):
            pages.append(Page(number=i, text=normalize_whitespace(page.extract_text() or "")))
        return pages
    except IngestError:
        raise
    except LimitReachedError:
        # pypdf stops inflating a stream at 75 MB: a few MB of zlib that claims gigabytes.
        raise IngestError(source, "a compressed stream expands past the safety limit (a decompression bomb?)") from None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise IngestError(source, f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # pypdf raises many types on damaged files
        raise IngestError(source, f"not a readable PDF ({type(exc).__name__}: {exc})") from None


_MD_HEADING = re.compile(r"^[ ]{0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE)
_MD_MARKUP = [
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links and images keep their text
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),  # italics
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"^\s{0,3}>\s?", re.MULTILINE), ""),  # block quotes
    (re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", re.MULTILINE), ""),  # list markers
]
_LIST_ITEM = re.compile(r"^([ \t]*(?:[-*+]|\d+[.)])[ \t]+.*?[^.?!:;,\s])[ \t]*$", re.MULTILINE)


def _read_markdown(text: str) -> tuple[list[Page], str | None, list[str]]:
    """Markdown as the reader sees it: no '#', '**' or link syntax inside quotes. Title: the first heading."""
    headings = [("#" * len(m.group(1))) + " " + m.group(2) for m in _MD_HEADING.finditer(text)]
    first = _MD_HEADING.search(text)
    title = first.group(2) if first and first.group(1) == "#" else None
    # A heading ends with a full stop so that it does not run into the next sentence.
    text = _MD_HEADING.sub(lambda m: m.group(2) if m.group(2).endswith((".", "?", ":")) else m.group(2) + ".", text)
    # So do list items: each is a sentence of its own.
    text = _LIST_ITEM.sub(r"\1.", text)
    text = _strip_markup(text)
    if title:
        for pattern, replacement in _MD_MARKUP:
            title = pattern.sub(replacement, title)
    headings = [h.split(" ", 1)[0] + " " + _strip_markup(h.split(" ", 1)[1]) for h in headings]
    return [Page(number=None, text=normalize_whitespace(text))], title, headings


def _strip_markup(text: str) -> str:
    for pattern, replacement in _MD_MARKUP:
        text = pattern.sub(replacement, text)
    return text


class _HtmlText(HTMLParser):
    SKIP = {"script", "style", "noscript", "template", "head"}
    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "pre"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self._skip_depth = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        elif tag in self.SKIP:
            self._skip_depth += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag in self.SKIP and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data):
        if self._in_title:
            self.title_parts.append(data)
        elif not self._skip_depth:
            self.parts.append(data)


def _read_html(text: str) -> tuple[list[Page], str | None]:
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    title = normalize_whitespace("".join(parser.title_parts)) or None
    return [Page(number=None, text=normalize_whitespace("".join(parser.parts)))], title


def _read_xml(data: bytes, source: str) -> tuple[list[Page], str | None]:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise IngestError(source, f"not well-formed XML ({exc})") from None
    title = None
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] == "title" and el.text and el.text.strip():
            title = el.text.strip()
            break
    if title and root.tag.endswith("uscDoc"):  # the Law Revision Counsel's USLM
        title = f"{title}, United States Code"
    # Block-level elements end with a space so that words from adjacent elements don't merge.
    text = " ".join(t for t in root.itertext())
    return [Page(number=None, text=normalize_whitespace(text))], title
