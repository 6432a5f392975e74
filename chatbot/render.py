"""Answers and documents as people read them: HTML for the web chat, Markdown for the
exported conversation, plain text for the CLI.

Pure functions of what they are given, so every renderer can be tested without an index.
A citation's label always comes from :meth:`chatbot.types.Citation.label`,
except the CLI's source lines, which name court, date, page and file apart. Everything that
came from a user or a document is escaped for the format it lands in.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple
from urllib.parse import urlencode

from chatbot.types import Answer, Citation
from ingest.metadata import kind_label
from ingest.types import Chunk, Page, SourceDocument

NOTICE = (
    "Answers quote the indexed court filings, Copyright Office documents, statutes and news, "
    "with the document and page of every quote. They are research aids, not legal advice."
)

CSS = """
.source-card {border: 1px solid #d0d7de; border-radius: 8px; padding: 6px 12px; margin: 6px 0;}
.source-card > summary {cursor: pointer;}
.source-card .meta {color: #57606a; font-size: 0.85em;}
.source-card .source-file {display: inline-block; overflow-wrap: anywhere;}
.source-card .passage {margin-top: 6px;}
.source-card mark {background: #fff3b0;}
.answer-sources {margin-top: 0.8em;}
"""

QUOTE_CONTEXT = 240  # characters of the paragraph shown either side of a quote on its card
MAX_QUOTE_IN_URL = 1500  # a longer quote is cut in a card's link, and the view marks its first part


# -- plain text (the CLI) --------------------------------------------------------


def source_line(c: Citation, doc: SourceDocument | None = None) -> str:
    """One source as the CLI lists it: '[1] Bartz v. Anthropic PBC (N.D. Cal. 2025-06-23), p. 12 — court/bartz.pdf'.

    The case name names a decision, the title anything else (a summary is never named as the
    court's); court and date come from the document. Without the document (removed since the
    answer) the citation's own label stands in."""
    if doc is None:
        return f"[{c.n}] {c.label()} — {c.source}"
    page = f", p. {c.page}" if c.page is not None else ""
    name = doc.case_name if doc.case_name and doc.kind != "summary" else doc.title
    when = " ".join(x for x in (doc.court, doc.date) if x)
    return f"[{c.n}] {name}" + (f" ({when})" if when else "") + f"{page} — {c.source}"


def sources_text(citations: Sequence[Citation], documents: Mapping[str, SourceDocument | None] | None = None) -> str:
    """The numbered sources, one a line; ``documents`` maps a source to its document (court, date)."""
    documents = documents or {}
    return "\n".join(source_line(c, documents.get(c.source)) for c in citations)


def answer_text(answer: Answer, documents: Mapping[str, SourceDocument | None] | None = None) -> str:
    """The answer as a person reads it: quotes with [n] markers, then the numbered sources."""
    parts = []
    if answer.rewritten_query:
        parts.append(f"(searched for: {answer.rewritten_query})")
    parts.append(answer.answer)
    if answer.citations:
        parts.append(f"Sources:\n{sources_text(answer.citations, documents)}")
    parts.extend(f"Note: {n}" for n in answer.notes)
    return "\n\n".join(parts)


# -- Markdown (the exported conversation) ------------------------------------------


# What can make Markdown do something: links and images ([ ] !), code (`), emphasis (* _),
# escapes (\\) and raw HTML (< &). Dots, dashes and parentheses stay as they are, so a
# docket number reads "No. 3:24-cv-05417-WHA", not "No\\. 3:24\\-cv...".
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]!])")


def md_escape(text: str) -> str:
    """Text shown literally in Markdown: what could form a link, code, emphasis or HTML is escaped."""
    text = (text or "").replace("&", "&amp;").replace("<", "&lt;")
    return _MARKDOWN_ACTIVE.sub(r"\\\1", text)


def export_markdown(history: list[dict]) -> str:
    """The conversation as Markdown, each answer followed by its full citations.

    Every text that came from a user or a document (questions, answers, titles, quotes) is
    escaped, so a question like ``[x](javascript:…)`` or an uploaded title with ``<img …>``
    is shown as typed, never turned into a link or markup by whatever renders the file."""
    lines = ["# legalqa conversation", "", f"_{NOTICE}_", ""]
    for turn in history:
        answer = Answer.model_validate(turn)
        lines += [f"## {md_escape(answer.question)}", ""]
        if answer.rewritten_query:
            lines += [f"_Searched for: {md_escape(answer.rewritten_query)}_", ""]
        lines += [md_escape(answer.answer), ""]
        for c in answer.citations:
            lines.append(f"{c.n}. {md_escape(c.label(pinpoint=False))} — “{md_escape(c.quote)}” ({md_escape(c.source)})")
        lines += [""] + [f"> Note: {md_escape(n)}" for n in answer.notes] + [""]
    return "\n".join(lines)


# -- HTML (the web chat and its document pages) -------------------------------------


def document_url(doc: SourceDocument | None, page: int | None, chunk_id: str, quote: str | None = None) -> str:
    """Where a citation opens: the PDF at its page, or the text view scrolled to the quote
    (the view marks the quote where it finds it verbatim, else the whole passage)."""
    if doc is None:
        return "#"
    if doc.path and doc.path.lower().endswith(".pdf"):
        return f"/document/{doc.key}" + (f"#page={page}" if page else "")
    if not chunk_id:  # the document itself, from the documents table
        return f"/view/{doc.key}"
    query = {"chunk": chunk_id}
    if quote:
        query["quote"] = quote[:MAX_QUOTE_IN_URL]
    return f"/view/{doc.key}?{urlencode(query)}#passage"


def source_card(c: Citation, doc: SourceDocument | None, context: str | None = None) -> str:
    """One citation as a card that opens on click: what the document is, where, and which file,
    then the quote in its paragraph. (The chat's sanitizer drops data-* attributes: classes and
    text carry what scripts and tests read.)"""
    esc = html.escape
    meta = [kind_label(doc.kind if doc else c.kind)]
    if doc and doc.court:
        meta.append(doc.court)
    if doc and doc.date:
        meta.append(doc.date)
    if c.page is not None:
        meta.append(f"p. {c.page}")
    quote = esc(c.quote)
    shown = f"<mark>{quote}</mark>"
    if context and c.quote in context:
        before, _, after = context.partition(c.quote)
        shown = f"…{esc(before[-QUOTE_CONTEXT:])}<mark>{quote}</mark>{esc(after[:QUOTE_CONTEXT])}…"
    label = esc(c.label(pinpoint=False))
    return (
        f'<details class="source-card" id="source-{c.n}">'
        f'<summary><b>[{c.n}]</b> <a href="{esc(document_url(doc, c.page, c.chunk_id, c.quote))}" target="_blank">'
        f'{label}</a> <span class="meta">{esc(" · ".join(meta))} · <span class="source-file">{esc(c.source)}</span>'
        '</span></summary>'
        f'<div class="passage">{shown}</div></details>'
    )


def answer_html(answer: Answer, documents: Mapping[str, SourceDocument | None], passages: Mapping[str, str]) -> str:
    """The answer text (escaped) with [n] markers linked to source cards, the rewritten query and notes.

    The answer comes first and the cards, closed, after it: a reader sees the answer and opens
    a card (or clicks its [n]) to read the quote in its paragraph. ``documents`` maps a
    citation's source to its document, ``passages`` a chunk id to the chunk's text (the
    paragraph a card shows around its quote); either may lack an entry."""
    parts = []
    if answer.rewritten_query:
        parts.append(f'<i class="searched-for">Searched for: {html.escape(answer.rewritten_query)}</i>')
    text = html.escape(answer.answer).replace("\n", "<br>")
    text = re.sub(r"\[(\d+)\]", r'<a href="#source-\1" class="cite-marker">[\1]</a>', text)
    parts.append(f'<span class="answer-text">{text}</span>')
    for note in answer.notes:
        parts.append(f"<i>Note: {html.escape(note)}</i>")
    body = "<br><br>".join(parts)
    if answer.citations:
        cards = [source_card(c, documents.get(c.source), passages.get(c.chunk_id)) for c in answer.citations]
        body += f'<div class="answer-sources"><b>Sources ({len(cards)})</b>{"".join(cards)}</div>'
    return f'<div class="answer{" abstained" if answer.abstained else ""}">{body}</div>'


def partial_html(text: str) -> str:
    """An answer still being written, escaped, its line breaks kept."""
    return html.escape(text).replace("\n", "<br>")


def unreadable_page(reason: str) -> str:
    return f"<p>{html.escape(reason)}</p>"


def find_quote(text: str, quote: str | None, near: int = 0) -> tuple[int, int] | None:
    """Where ``quote`` stands in ``text``, whitespace aside (quotes are verbatim but for
    spacing): the occurrence nearest ``near``, or None when it is not there."""
    words = (quote or "").split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    spans = [m.span() for m in pattern.finditer(text)]
    return min(spans, key=lambda span: abs(span[0] - near)) if spans else None


class Paragraph(NamedTuple):
    """Where a paragraph begins in a page's text, and whether it is a heading."""

    start: int
    heading: bool = False


def markdown_paragraphs(raw: str, page_text: str) -> list[Paragraph]:
    """Where the paragraphs, headings and list items of a Markdown file begin in its page
    text, which the loader joined into one line: each block of the raw file is read by the
    same loader and found, in order, in the page. A block not found adds no break."""
    from ingest.formats.markdown import MarkdownLoader

    loader, blocks, current = MarkdownLoader(), [], []
    for line in raw.splitlines():
        starts_block = not line.strip() or _MD_BLOCK_START.match(line)
        if starts_block and current:
            blocks.append("\n".join(current))
            current = []
        if line.strip():
            current.append(line)
        if _MD_HEADING_LINE.match(line):  # a heading is a block of its own
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    paragraphs, cursor = [], 0
    for block in blocks:
        shown = loader.read(block.encode("utf-8"), "block.md").pages[0].text
        at = page_text.find(shown, cursor) if shown else -1
        if at >= 0:
            paragraphs.append(Paragraph(at, heading=bool(_MD_HEADING_LINE.match(block))))
            cursor = at + len(shown)
    return paragraphs


_MD_HEADING_LINE = re.compile(r"^[ ]{0,3}#{1,6}[ \t]")
_MD_BLOCK_START = re.compile(r"^[ ]{0,3}(?:#{1,6}[ \t]|[-*+][ \t]|\d+[.)][ \t])")


def _marked_paragraphs(text: str, paragraphs: Sequence[Paragraph], mark: tuple[int, int] | None) -> str:
    """``text`` escaped, one <p> per paragraph, with the span ``mark`` highlighted; the first
    piece of the highlight carries the id the URL scrolls to."""
    esc = html.escape
    headings = {p.start for p in paragraphs if p.heading}
    bounds = sorted({0, *[p.start for p in paragraphs if 0 < p.start < len(text)], len(text)})
    out, first_mark = [], True
    for a, b in zip(bounds, bounds[1:]):
        tag = '<p class="heading">' if a in headings else "<p>"
        piece = text[a:b].strip()
        lead = len(text[a:b]) - len(text[a:b].lstrip())
        a, b = a + lead, a + lead + len(piece)
        if mark and mark[0] < b and mark[1] > a:
            m0, m1 = max(a, mark[0]), min(b, mark[1])
            ident = ' id="passage"' if first_mark else ""
            first_mark = False
            out.append(f"{tag}{esc(text[a:m0])}<mark{ident}>{esc(text[m0:m1])}</mark>{esc(text[m1:b])}</p>")
        else:
            out.append(f"{tag}{esc(text[a:b])}</p>")
    return "".join(out)


def document_page(doc: SourceDocument, pages: Sequence[Page], passage: Chunk | None, *, changed: bool,
                  quote: str | None = None, paragraphs: Mapping[int | None, Sequence[Paragraph]] | None = None) -> str:
    """A text document as cleaned page text, the quote (or, when it is not found verbatim on
    the passage's page, the whole ``passage``) highlighted and scrolled to.

    ``changed`` says the file on disk is no longer the one indexed; ``paragraphs`` gives, per
    page number, where its paragraphs begin (a page without an entry keeps its own line breaks)."""
    esc = html.escape
    body = []
    if changed:
        body.append("<p><b>This file has changed since it was indexed; re-ingest it.</b></p>")
    for page in pages:
        mark = None
        if passage and passage.page == page.number:
            mark = find_quote(page.text, quote, near=passage.start) or (passage.start, passage.end)
        shown = _marked_paragraphs(page.text, (paragraphs or {}).get(page.number, ()), mark)
        heading = f"<h3 id='page-{page.number}'>Page {page.number}</h3>" if page.number is not None else ""
        body.append(f"{heading}<div class='page'>{shown}</div>")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(doc.title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:50em;margin:2em auto;padding:0 1em;line-height:1.5}"
        ".page p{white-space:pre-line}.page p.heading{font-weight:600;margin-top:1.5em}mark{background:#fff3b0;scroll-margin-top:30vh}"
        "</style></head>"
        f"<body><h1>{esc(doc.title)}</h1><p>{esc(doc.cite())}</p>{''.join(body)}</body></html>"
    )
