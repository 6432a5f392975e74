"""HTML and XML: their text as one unpaged page, without scripts and styles (nor the U.S. Code's
editorial notes), and their title."""

from __future__ import annotations

from html.parser import HTMLParser
from xml.etree import ElementTree

from ingest.formats.base import Extracted, IngestError, decode_text
from ingest.types import Page, normalize_whitespace


class HtmlLoader:
    suffixes = frozenset({".html", ".htm"})

    def read(self, data: bytes, source: str) -> Extracted:
        text, warnings = decode_text(data, source)
        pages, title = _read_html(text)
        return Extracted(pages=pages, title=title, warnings=warnings, web_page=True)


class XmlLoader:
    suffixes = frozenset({".xml"})

    def read(self, data: bytes, source: str) -> Extracted:
        pages, title = _read_xml(data, source)
        return Extracted(pages=pages, title=title)


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
    uslm = root.tag.endswith("uscDoc")  # the Law Revision Counsel's USLM
    if title and uslm:
        title = f"{title}, United States Code"
    # Block-level elements end with a space so that words from adjacent elements don't merge.
    text = " ".join(_text_of(root, skip={"notes"} if uslm else set()))
    return [Page(number=None, text=normalize_whitespace(text))], title


def _text_of(element, skip: set[str]):
    """The text under ``element``, leaving out elements whose tag is in ``skip``: the Code's
    editorial notes, whose historical figures (a 1976 report's "$250 and $10,000") would be
    quoted as the statute's text."""
    if element.tag.rsplit("}", 1)[-1] in skip:
        if element.tail:
            yield element.tail
        return
    if element.text:
        yield element.text
    for child in element:
        yield from _text_of(child, skip)
    if element.tail:
        yield element.tail
