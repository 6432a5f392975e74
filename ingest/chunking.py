"""Split pages into chunks along sentence boundaries, sized in the model's word pieces.

A chunk never crosses a page, never starts or ends mid-sentence (unless one
sentence alone is longer than a chunk), and its text is an exact slice of the
page text, so every quote taken from it can be found on its page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ingest.citations import citation_spans
from ingest.headings import advance, heading_path
from ingest.types import Chunk, Heading, LoadedDocument, SourceDocument, long_date

TokenCounter = Callable[[Sequence[str]], list[int]]

_WORD = re.compile(r"\S+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets, trimmed of surrounding whitespace.

    nupunkt knows legal abbreviations ("U.S.C.", "F. Supp. 3d", "v.", "No."),
    which general-purpose splitters break on.
    """
    import nupunkt

    spans = []
    for start, end in nupunkt.sent_spans(text):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def document_header(doc: SourceDocument) -> str:
    """The line embedded and indexed above each chunk: what the document is, and who decided it."""
    header = doc.title
    details = []
    if doc.docket:
        details.append(doc.docket_label())
    if doc.court or doc.date:
        details.append(doc.court_and_date())
    if doc.judge:
        details.append(f"{doc.judge.split()[-1]}, J.")
    return f"{header} ({', '.join(details)})" if details else header


def embedding_header(doc: SourceDocument) -> str:
    """What the document is, where and when: embedded once per document and mixed into its
    chunks' vectors. Docket numbers and judges stay out; BM25, which indexes the full
    header with every chunk, matches them exactly."""
    when = doc.court_and_date()
    return f"{doc.title} ({when})" if when else doc.title


def chunk_document(
    loaded: LoadedDocument,
    count_tokens: TokenCounter,
    *,
    max_tokens: int,
    overlap_tokens: int,
) -> list[Chunk]:
    doc = loaded.document
    header = document_header(doc)
    chunks: list[Chunk] = []
    stack: list[Heading] = []
    for page in loaded.pages:
        pending = list(page.headings)
        cites = citation_spans(page.text)
        for start, end in _pack(page.text, count_tokens, max_tokens, overlap_tokens):
            # The path in force where the chunk starts (a heading that opens the chunk counts).
            while pending and pending[0].start <= start + 1:
                stack = advance(stack, pending.pop(0))
            text = page.text[start:end]
            chunks.append(
                Chunk(
                    chunk_id=Chunk.make_id(doc.chunk_key, page.number, start, end),
                    source=doc.source,
                    title=doc.title,
                    page=page.number,
                    start=start,
                    end=end,
                    text=text,
                    doc_sha256=doc.sha256,
                    header=header,
                    heading=heading_path(stack),
                    citations=list(dict.fromkeys(c for s, e, c in cites if s >= start and e <= end)),
                    owner=doc.owner,
                    document=doc,
                )
            )
            # Headings inside the chunk apply to the chunks after it.
            while pending and pending[0].start < end:
                stack = advance(stack, pending.pop(0))
        for heading in pending:
            stack = advance(stack, heading)
    return chunks


def _pack(text: str, count_tokens: TokenCounter, max_tokens: int, overlap_tokens: int) -> list[tuple[int, int]]:
    units = _units(text, count_tokens, max_tokens)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        j, total = i, 0
        while j < len(units) and (j == i or total + units[j][2] <= max_tokens):
            total += units[j][2]
            j += 1
        spans.append((units[i][0], units[j - 1][1]))
        if j >= len(units):
            break
        # Repeat trailing sentences of this chunk, up to the overlap budget,
        # but always move forward by at least one sentence.
        k, back = j, 0
        while k - 1 > i and back + units[k - 1][2] <= overlap_tokens:
            k -= 1
            back += units[k][2]
        i = k
    return spans


def _units(text: str, count_tokens: TokenCounter, max_tokens: int) -> list[tuple[int, int, int]]:
    """Sentences as (start, end, tokens); a sentence longer than a chunk is cut at word boundaries."""
    spans = sentence_spans(text)
    counts = count_tokens([text[s:e] for s, e in spans]) if spans else []
    units: list[tuple[int, int, int]] = []
    for (start, end), n in zip(spans, counts):
        if n <= max_tokens:
            units.append((start, end, n))
            continue
        words = [(start + m.start(), start + m.end()) for m in _WORD.finditer(text[start:end])]
        per_word = n / max(1, len(words))
        window = max(1, int(max_tokens / per_word * 0.9))
        pieces = [(words[w][0], words[min(w + window, len(words)) - 1][1]) for w in range(0, len(words), window)]
        piece_counts = count_tokens([text[s:e] for s, e in pieces])
        for (s, e), c in zip(pieces, piece_counts):
            units.append((s, e, min(c, max_tokens)))
    return units
