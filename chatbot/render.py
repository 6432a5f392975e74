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

from chatbot.types import Answer, Citation
from ingest.metadata import kind_label
from ingest.types import Chunk, Page, SourceDocument

NOTICE = (
    "Answers quote the indexed court filings, Copyright Office documents, statutes and news, "
    "with the document and page of every quote. They are research aids, not legal advice."
)

CSS = """
.source-card {border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 12px; margin: 8px 0;}
.source-card .meta {color: #57606a; font-size: 0.85em;}
.source-card mark {background: #fff3b0;}
"""

QUOTE_CONTEXT = 240  # characters of the paragraph shown either side of a quote on its card


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


def document_url(doc: SourceDocument | None, page: int | None, chunk_id: str) -> str:
    """Where a citation opens: the PDF at its page, or the text view scrolled to the passage."""
    if doc is None:
        return "#"
    if doc.path and doc.path.lower().endswith(".pdf"):
        return f"/document/{doc.key}" + (f"#page={page}" if page else "")
    return f"/view/{doc.key}?chunk={chunk_id}#passage"


def source_card(c: Citation, doc: SourceDocument | None, context: str | None = None) -> str:
    """One citation as a card: what the document is, where, and the quote in its paragraph."""
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
        f'<div class="source-card" id="source-{c.n}"><b>[{c.n}]</b> '
        f'<a href="{esc(document_url(doc, c.page, c.chunk_id))}" target="_blank">{label}</a><br>'
        f'<span class="meta">{esc(" · ".join(meta))}</span><br>{shown}</div>'
    )


def answer_html(answer: Answer, documents: Mapping[str, SourceDocument | None], passages: Mapping[str, str]) -> str:
    """The answer text (escaped) with [n] markers linked to source cards, the rewritten query and notes.

    ``documents`` maps a citation's source to its document, ``passages`` a chunk id to the
    chunk's text (the paragraph a card shows around its quote); either may lack an entry."""
    parts = []
    if answer.rewritten_query:
        parts.append(f"<i>Searched for: {html.escape(answer.rewritten_query)}</i>")
    text = html.escape(answer.answer).replace("\n", "<br>")
    text = re.sub(r"\[(\d+)\]", r'<a href="#source-\1">[\1]</a>', text)
    parts.append(text)
    for note in answer.notes:
        parts.append(f"<i>Note: {html.escape(note)}</i>")
    if answer.citations:
        cards = [source_card(c, documents.get(c.source), passages.get(c.chunk_id)) for c in answer.citations]
        parts.append("<b>Sources</b>" + "".join(cards))
    return "<br><br>".join(parts)


def partial_html(text: str) -> str:
    """An answer still being written, escaped, its line breaks kept."""
    return html.escape(text).replace("\n", "<br>")


def unreadable_page(reason: str) -> str:
    return f"<p>{html.escape(reason)}</p>"


def document_page(doc: SourceDocument, pages: Sequence[Page], passage: Chunk | None, *, changed: bool) -> str:
    """A text document as cleaned page text, ``passage`` highlighted and scrolled to.

    ``changed`` says the file on disk is no longer the one indexed."""
    esc = html.escape
    body = []
    if changed:
        body.append("<p><b>This file has changed since it was indexed; re-ingest it.</b></p>")
    for page in pages:
        text = page.text
        if passage and passage.page == page.number:
            text = (esc(text[: passage.start]) + '<mark id="passage">' + esc(text[passage.start : passage.end])
                    + "</mark>" + esc(text[passage.end :]))
        else:
            text = esc(text)
        heading = f"<h3 id='page-{page.number}'>Page {page.number}</h3>" if page.number is not None else ""
        body.append(f"{heading}<p>{text}</p>")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(doc.title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:50em;margin:2em auto;line-height:1.5}"
        "mark{background:#fff3b0}</style></head>"
        f"<body><h1>{esc(doc.title)}</h1><p>{esc(doc.cite())}</p>{''.join(body)}</body></html>"
    )
