"""Find section headings in page text, so each chunk can say where in the document it sits."""

from __future__ import annotations

import re

from ingest.types import Heading

# "II. DISCUSSION", "A. Factor One" is too ambiguous in flattened text; we take the
# upper-case runs courts use for headings, optionally numbered: "I. BACKGROUND",
# "B. THE PIRATED LIBRARY COPIES", "CONCLUSION". A run must be followed by the start of
# an ordinary sentence (a capitalised word in lower case).
_HEADING = re.compile(
    r"(?:(?<=[.!?:”\")\]]\s)|^)"
    r"((?:(?P<roman>[IVX]{1,5})\.|(?P<letter>[A-H])\.|(?P<digit>\d{1,2})\.)?\s?"
    r"(?P<words>[A-Z][A-Z’'\-]{2,}(?:\s+(?:[A-Z][A-Z’'\-]*|OF|AND|THE|TO|A|IN|ON|FOR|§+|\d+))*))"
    r"(?=\s+[A-Z][a-z])"
)
# The standard sections of an opinion, recognised wherever they stand (after a caption,
# say, where no full stop precedes them).
_SECTION = re.compile(
    r"\b((?:[IVX]{1,5}\.\s)?(?:INTRODUCTION|BACKGROUND|STATEMENT(?: OF (?:THE )?FACTS)?|LEGAL STANDARDS?|ANALYSIS|"
    r"DISCUSSION|CONCLUSION|FACTS|PROCEDURAL HISTORY|FACTUAL BACKGROUND))(?=\s+[A-Z][a-z])"
)
# The U.S. Code as printed: a section opens ("§ 107. Limitations on exclusive rights: Fair use"),
# and its editorial notes follow it (the House Report, amendments). Both head everything under
# them (level 0), so a chunk of the notes says so whatever subheadings the notes have.
_CODE_SECTION = re.compile(r"(?:(?<=\s)|^)(§\s?\d+[A-Za-z-]*)\.\s+(?=[A-Z][a-z])")
_CODE_NOTES = re.compile(r"\b(Editorial Notes|Statutory Notes and Related Subsidiaries|Executive Documents|"
                         r"Historical and Revision Notes|HISTORICAL AND REVISION NOTES)\b")
NOTES_HEADING = "Editorial Notes"
# A page of the Code: its running head ("TITLE 17—COPYRIGHTS") or the edition it is from.
_CODE_PAGE = re.compile(r"(?<![A-Za-z])TITLE \d+\s?[—–-]\s?[A-Z]{4,}|United States Code, \d{4} Edition")
# Caption and signature words, not headings.
_NOT_HEADINGS = re.compile(
    r"\b(?:COURT|DISTRICT|CIRCUIT|PLAINTIFFS?|DEFENDANTS?|APPELL\w+|CASE|DOCUMENT|JUDGE|ORDERED|"
    r"INC|LLC|CORP|PBC|LTD|GMBH|COMPANY|UNITED STATES)\b"
)


def ends_in_notes(text: str, began_in_notes: bool) -> bool:
    """Is the end of ``text``, a stretch of a print of the Code that began in a section's notes
    (or in its text), in the notes? The last section or notes heading in it decides."""
    marks = [(m.start(), False) for m in _CODE_SECTION.finditer(text)] + [
        (m.start(), True) for m in _CODE_NOTES.finditer(text)]
    return max(marks)[1] if marks else began_in_notes


def next_code_heading(text: str, start: int = 0) -> int | None:
    """Where the next of a print of the Code's section or notes headings begins in ``text`` from
    ``start``: where a section's own text ends."""
    found = [m.start() for m in (_CODE_SECTION.search(text, start), _CODE_NOTES.search(text, start)) if m]
    return min(found) if found else None


def prints_the_code(texts: list[str]) -> bool:
    """Are these pages (before cleaning, which drops running heads) a print of the U.S. Code?"""
    return any(_CODE_PAGE.search(t) for t in texts)


def find_headings(text: str, markdown: list[str] | None = None, code: bool = False) -> list[Heading]:
    """The headings of a page; ``code``: also the U.S. Code's sections and their notes."""
    if markdown:
        return _markdown_headings(text, markdown)
    found = {}
    for m in _HEADING.finditer(text):
        words = m.group("words")
        if _NOT_HEADINGS.search(words) or len(words.split()) > 12 or sum(c.isalpha() for c in words) < 5:
            continue
        level = 1 if m.group("roman") else 2 if m.group("letter") else 3 if m.group("digit") else 1
        found[m.start(1)] = Heading(start=m.start(1), level=level, text=_title(m.group(1).strip()))
    for m in _SECTION.finditer(text):
        if not any(abs(m.start(1) - at) < 4 for at in found):
            found[m.start(1)] = Heading(start=m.start(1), level=1, text=_title(m.group(1)))
    if code:
        for m in _CODE_SECTION.finditer(text):
            found[m.start(1)] = Heading(start=m.start(1), level=0, text=m.group(1))
        for m in _CODE_NOTES.finditer(text):
            found[m.start(1)] = Heading(start=m.start(1), level=0, text=NOTES_HEADING)
    return [found[at] for at in sorted(found)]


def _markdown_headings(text: str, markdown: list[str]) -> list[Heading]:
    found, cursor = [], 0
    for entry in markdown:
        hashes, _, title = entry.partition(" ")
        at = text.find(title, cursor)
        if at < 0:
            continue
        found.append(Heading(start=at, level=len(hashes), text=title))
        cursor = at + len(title)
    return found


def _title(text: str) -> str:
    def fix(m: re.Match) -> str:
        word = m.group()
        return word if re.fullmatch(r"[IVX]+", word) else word.capitalize()

    return text if len(text) < 4 else re.sub(r"[A-Z][A-Z’'\-]+", fix, text)


def heading_path(stack: list[Heading]) -> str:
    return " › ".join(h.text for h in stack)


def advance(stack: list[Heading], heading: Heading) -> list[Heading]:
    """The heading path after ``heading``: it replaces headings of its level and below."""
    return [h for h in stack if h.level < heading.level] + [heading]
