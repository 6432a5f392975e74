"""Strip layout noise from page text: pleading-paper line numbers, ECF stamps,
running headers and footers, words hyphenated across lines, and words that text
extraction split with a space ("Plaint iffs", see ingest.repair).

The cleaned text is the text of record: it is what is chunked, shown and
quoted, so every quote is verbatim in the cleaned page.
"""

from __future__ import annotations

import re
from collections import Counter

from ingest.repair import repair_pages
from ingest.types import Page, normalize_whitespace

# "Case 3:23-cv-03417-VC Document 598 Filed 06/25/25 Page 1 of 40 PageID #: 1234"
_ECF_STAMP = re.compile(
    r"(?:USCA\s+)?Case\s+#?\s*[\w:.\- ]{1,40}?\s+Document\s+#?\s*\d+[\w\- ]*?\s+Filed:?\s+[\d/]+"
    r"\s+Page\s+\d+\s+of\s+\d+(?:\s+PageID\s+#?:?\s*\d*)?"
)
# Words broken at a line end: "PUBLISH- ING", "infor- mation". Not "pre- and post-trial".
_LINE_HYPHEN = re.compile(r"\b([A-Za-z]{2,})- ([a-z]{2,}|[A-Z]{2,})\b")
_HYPHEN_KEEP = {"and", "or", "to", "nor", "AND", "OR", "TO"}
# A real hyphen with a stray space before it: "cross -motion", "copyright -protected".
_SPACED_HYPHEN = re.compile(r"\b([A-Za-z]{2,}) -([a-z]{2,})\b")
_MIN_RUN = 5  # consecutive integers 1..n that make a margin line-number column


def remove_line_number_runs(text: str) -> str:
    """Drop runs like '1 2 3 ... 28' that pleading paper's margin leaves in extracted text."""
    words = text.split(" ")
    out: list[str] = []
    i = 0
    while i < len(words):
        if words[i] == "1":
            j = i
            while j + 1 < len(words) and words[j + 1].isdigit() and int(words[j + 1]) == int(words[j]) + 1:
                j += 1
            if j - i + 1 >= _MIN_RUN:
                i = j + 1
                continue
        out.append(words[i])
        i += 1
    return " ".join(out)


def _join_hyphen(match: re.Match) -> str:
    head, tail = match.group(1), match.group(2)
    if tail in _HYPHEN_KEEP:
        return match.group(0)
    if head.isupper() != tail.isupper():
        return match.group(0)
    return head + tail


def clean_page_text(text: str) -> str:
    text = normalize_whitespace(text)
    text = _ECF_STAMP.sub(" ", text)
    text = remove_line_number_runs(normalize_whitespace(text))
    text = _LINE_HYPHEN.sub(_join_hyphen, text)
    text = _SPACED_HYPHEN.sub(r"\1-\2", text)
    return normalize_whitespace(text)


def strip_page_numbers(pages: list[Page]) -> list[Page]:
    """Drop a bare printed page number at the start or end of its page ('2 United States District Court ...')."""
    out = []
    for p in pages:
        text = p.text
        if p.number is not None:
            n = str(p.number)
            if text.startswith(n + " "):
                text = text[len(n) + 1 :]
            if text.endswith(" " + n):
                text = text[: -len(n) - 1]
        out.append(Page(number=p.number, text=text))
    return out


def strip_running_heads(pages: list[Page], *, min_pages: int = 3, share: float = 0.5,
                        repair_words: bool = True) -> list[Page]:
    """The document-wide pass over cleaned pages: remove a phrase that starts (or ends) most pages
    (a running header or a court's sidebar), then rejoin split words against the whole document's
    vocabulary (``repair_words``)."""
    pages = _strip_running_heads(pages, min_pages, share)
    return repair_pages(pages)[0] if repair_words else pages


def _strip_running_heads(pages: list[Page], min_pages: int, share: float) -> list[Page]:
    pages = strip_page_numbers(pages)
    paged = [p for p in pages if p.text]
    if len(paged) < min_pages:
        return pages
    for at_start in (True, False):
        edge = _common_edge_phrase([p.text for p in paged], at_start, share)
        if edge:
            pages = [Page(number=p.number, text=_strip_edge(p.text, edge, at_start)) for p in pages]
    return strip_page_numbers(pages)


def _common_edge_phrase(texts: list[str], at_start: bool, share: float) -> list[str] | None:
    """The words that start (or end) most pages, numbers aside:
    "59943 Federal Register / Vol. 88 ..." repeats with a different page number on each page."""
    best = None
    for n in range(3, 31):
        counts = Counter()
        for t in texts:
            words = t.split()
            if len(words) > n:
                edge = words[:n] if at_start else words[-n:]
                counts[_DIGITS.sub("#", " ".join(edge))] += 1
        if not counts:
            break
        phrase, count = counts.most_common(1)[0]
        if count < share * len(texts) or count < 3:
            break
        best = phrase.split()
    if best:
        # A number where the phrase meets the text is the text's own (a footnote), not furniture.
        while best and best[-1 if at_start else 0] == "#":
            best = best[:-1] if at_start else best[1:]
    return best if best and len(best) >= 3 else None


def _strip_edge(text: str, edge: list[str], at_start: bool) -> str:
    words = text.split(" ")
    n = len(edge)
    part = words[:n] if at_start else words[-n:]
    if len(words) <= n or _DIGITS.sub("#", " ".join(part)) != " ".join(edge):
        return text
    return " ".join(words[n:] if at_start else words[:-n])


_DIGITS = re.compile(r"\d+")
