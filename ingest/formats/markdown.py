"""Markdown as the reader sees it: one unpaged page, its first '# ' heading as the title."""

from __future__ import annotations

import re

from ingest.formats.base import Extracted, decode_text
from ingest.types import Page, normalize_whitespace


class MarkdownLoader:
    suffixes = frozenset({".md", ".markdown"})

    def read(self, data: bytes, source: str) -> Extracted:
        text, warnings = decode_text(data, source)
        pages, title, headings = _read_markdown(text)
        return Extracted(pages=pages, title=title, headings=headings, warnings=warnings)


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
