"""How quotes are put together and labelled: survey lines, merged spans, and
what an abstention says is closest."""

from __future__ import annotations

from chatbot.candidates import Candidate
from chatbot.types import ABSTAIN_MESSAGE, Evidence
from ingest.types import SourceDocument, normalize_whitespace


def case_label(doc: SourceDocument | None, fallback: str) -> str:
    """How a survey line names its case; a project-written summary goes by its own title, so it
    is never taken for the court's words."""
    if doc is None or not doc.case_name or doc.kind == "summary":
        return fallback
    detail = doc.court_and_date()
    return f"{doc.case_name} ({detail})" if detail else doc.case_name


def closest_note(evidence: list[Evidence]) -> str:
    """The abstention, with what the index holds that comes closest."""
    titles = []
    for e in evidence:
        doc = e.chunk.document
        title = doc.title if doc else e.chunk.title
        if title not in titles:
            titles.append(title)
        if len(titles) == 3:
            break
    if not titles:
        return ABSTAIN_MESSAGE
    return ABSTAIN_MESSAGE + " The closest indexed documents are: " + "; ".join(titles) + "."


def quote_spans(ordered: list[Candidate], *, survey: bool) -> list[tuple[Evidence, int, int]]:
    """What each chosen sentence is quoted with: its context, except in a survey's one-line
    answers, and except a sentence before it that an earlier quote already printed (chunks
    overlap, and the next chunk's copy of a sentence may open another quote's context)."""
    if survey:
        return [(c.evidence, c.start, c.end) for c in ordered]
    spans: list[tuple[Evidence, int, int]] = []
    printed = ""
    for c in ordered:
        start, end = c.window
        before = normalize_whitespace(c.evidence.chunk.text[start:c.start])
        if start < c.start and before and before in printed:
            start = c.start
        spans.append((c.evidence, start, end))
        printed += " " + normalize_whitespace(c.evidence.chunk.text[start:end])
    return spans


def merge_adjacent(spans: list[tuple[Evidence, int, int]]) -> list[tuple[Evidence, int, int]]:
    """Consecutive chosen spans of one chunk that touch or overlap become one quote."""
    merged: list[tuple[Evidence, int, int]] = []
    for ev, start, end in spans:
        if merged:
            last, m_start, m_end = merged[-1]
            gap = last.chunk.text[m_end:max(m_end, start)] if last.chunk.chunk_id == ev.chunk.chunk_id else None
            # Only a span that follows (or overlaps the end of) the previous one joins it, so a
            # quote never starts before the sentence it leads with.
            if gap is not None and start >= m_start and (start < m_end or not gap.strip()):
                merged[-1] = (last, m_start, max(m_end, end))
                continue
        merged.append((ev, start, end))
    return merged
