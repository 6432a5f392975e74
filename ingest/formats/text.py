"""Plain text, paged by the ECF stamps it keeps when a court's PDF was saved as text."""

from __future__ import annotations

import re
from collections import Counter

from ingest.formats.base import Extracted, decode_text
from ingest.types import Page, normalize_whitespace


class PlainTextLoader:
    suffixes = frozenset({".txt", ".text"})

    def read(self, data: bytes, source: str) -> Extracted:
        text, warnings = decode_text(data, source)
        return Extracted(pages=split_ecf_pages(text), full_text=text, warnings=warnings)


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
