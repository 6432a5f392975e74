"""The web chat: Gradio for the conversation, a few FastAPI routes for opening sources.

Thin by design: every answer comes from the same ``Engine.ask_stream`` as the CLI.
Documents are served by an opaque key looked up in the index's registry, never by
a path from the request, so nothing but indexed files can be fetched. Document
text is always HTML-escaped before it reaches the page.
"""

import html
import json
import os
import re
import tempfile
import time
from pathlib import Path

from chatbot.engine import Engine, get_engine
from chatbot.query import QuestionError, clean_question
from chatbot.types import Answer, Filters
from chatbot.uploads import safe_name, unique_path, upload_files  # noqa: F401 (part of this module's interface)
from ingest.metadata import KINDS, kind_label
from legalqa.settings import Settings
from ingest.types import SourceDocument

EXAMPLES = [
    "Did Judge Alsup find that training on lawfully purchased books was fair use?",
    "What did the court hold in Kadrey v. Meta?",
    "Which courts have ruled on whether training on copyrighted works is fair use, and how?",
    "Can an AI system be the author of a copyrighted work?",
    "What are the four fair use factors?",
]

ANSWERS_AT_ONCE = 4

NOTICE = (
    "Answers quote the indexed court filings, Copyright Office documents, statutes and news, "
    "with the document and page of every quote. They are research aids, not legal advice."
)

CSS = """
.source-card {border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 12px; margin: 8px 0;}
.source-card .meta {color: #57606a; font-size: 0.85em;}
.source-card mark {background: #fff3b0;}
"""


# -- rendering -----------------------------------------------------------------


def document_url(doc: SourceDocument | None, page: int | None, chunk_id: str) -> str:
    if doc is None:
        return "#"
    if doc.path and doc.path.lower().endswith(".pdf"):
        return f"/document/{doc.key}" + (f"#page={page}" if page else "")
    return f"/view/{doc.key}?chunk={chunk_id}#passage"


def source_card(c, doc: SourceDocument | None, context: str | None = None) -> str:
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
        shown = f"…{esc(before[-240:])}<mark>{quote}</mark>{esc(after[:240])}…"
    label = esc(c.cite or c.title)
    return (
        f'<div class="source-card" id="source-{c.n}"><b>[{c.n}]</b> '
        f'<a href="{esc(document_url(doc, c.page, c.chunk_id))}" target="_blank">{label}</a><br>'
        f'<span class="meta">{esc(" · ".join(meta))}</span><br>{shown}</div>'
    )


def render_answer(answer: Answer, engine: Engine) -> str:
    """The answer text (escaped) with [n] markers, the rewritten query, notes and source cards."""
    parts = []
    if answer.rewritten_query:
        parts.append(f"<i>Searched for: {html.escape(answer.rewritten_query)}</i>")
    text = html.escape(answer.answer).replace("\n", "<br>")
    text = re.sub(r"\[(\d+)\]", r'<a href="#source-\1">[\1]</a>', text)
    parts.append(text)
    for note in answer.notes:
        parts.append(f"<i>Note: {html.escape(note)}</i>")
    if answer.citations:
        contexts = {c.chunk_id: c.text for c in engine.store.get_chunks([c.chunk_id for c in answer.citations])}
        cards = [source_card(c, engine.documents.get(c.source), contexts.get(c.chunk_id)) for c in answer.citations]
        parts.append("<b>Sources</b>" + "".join(cards))
    return "<br><br>".join(parts)


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
            lines.append(f"{c.n}. {md_escape(c.cite or c.title)} — “{md_escape(c.quote)}” ({md_escape(c.source)})")
        lines += [""] + [f"> Note: {md_escape(n)}" for n in answer.notes] + [""]
    return "\n".join(lines)


# What can make Markdown do something: links and images ([ ] !), code (`), emphasis (* _),
# escapes (\\) and raw HTML (< &). Dots, dashes and parentheses stay as they are, so a
# docket number reads "No. 3:24-cv-05417-WHA", not "No\\. 3:24\\-cv...".
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]!])")


def md_escape(text: str) -> str:
    """Text shown literally in Markdown: what could form a link, code, emphasis or HTML is escaped."""
    text = (text or "").replace("&", "&amp;").replace("<", "&lt;")
    return _MARKDOWN_ACTIVE.sub(r"\\\1", text)


# -- the Gradio blocks ---------------------------------------------------------


def build_blocks(settings: Settings, engine: Engine):
    import gradio as gr

    data_dir = Path(settings.data_dir)

    def filters_from(kinds, case, court, date_from, date_to) -> Filters:
        return Filters(kind=list(kinds or []), case=case or None, court=court or None,
                       date_from=date_from or None, date_to=date_to or None)

    limit = settings.ui.max_question_chars

    def respond(message, chat, history, kinds, case, court, date_from, date_to):
        # ``chat`` and ``history`` are session state kept on the server: the browser's copy of
        # the Chatbot is never read back, so no client can slip a file path into it.
        chat, history = list(chat or []), list(history or [])
        try:
            question = clean_question(message or "", limit)
        except QuestionError as exc:
            chat.append({"role": "assistant", "content": html.escape(f"Not asked: {exc}")})
            yield "", chat, chat, history
            return
        if not question:
            yield "", chat, chat, history
            return
        chat.append({"role": "user", "content": html.escape(question)})
        chat.append({"role": "assistant", "content": "…"})
        filters = filters_from(kinds, case, court, date_from, date_to)
        previous = [Answer.model_validate(h) for h in history]
        for part in engine.ask_stream(question, history=previous, filters=filters):
            if isinstance(part, Answer):
                chat[-1] = {"role": "assistant", "content": render_answer(part, engine)}
                history.append(part.model_dump())
            else:
                chat[-1] = {"role": "assistant", "content": html.escape(part).replace("\n", "<br>")}
            yield "", chat, chat, history

    def new_chat():
        return [], [], [], ""

    def export(history):
        fd, path = tempfile.mkstemp(prefix="legalqa-conversation-", suffix=".md")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(export_markdown(history or []))
        return path

    def feedback(data: gr.LikeData, history, comment):
        comment = comment or ""
        if len(comment) > settings.ui.max_comment_chars:
            return comment, f"Not saved: a comment can be at most {settings.ui.max_comment_chars:,} characters."
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turns = history or []
        turn = turns[index // 2] if isinstance(index, int) and 0 <= index // 2 < len(turns) else None
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "liked": bool(data.liked),
            "comment": comment,
            "question": turn["question"] if turn else None,
            "answer": turn["answer"] if turn else None,
            "citations": [c["cite"] or c["source"] for c in turn["citations"]] if turn else [],
        }
        data_dir.mkdir(parents=True, exist_ok=True)
        with (data_dir / "feedback.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
        return "", "Thank you: feedback saved."

    def documents_table(query=""):
        engine.refresh()
        rows = []
        q = (query or "").lower()
        for d in sorted(engine.documents.values(), key=lambda d: (d.date or "", d.source)):
            row = [d.title, kind_label(d.kind), d.case_name or "", d.court or "", d.date or "", d.source]
            if not q or q in " ".join(row).lower():
                rows.append(row)
        return rows

    def upload(files, query):
        report = upload_files(files or [], settings, engine)
        return report, documents_table(query)

    def ask_json(question: str) -> dict:
        """The `legalqa ask --json` contract, for scripts using gradio_client."""
        try:
            question = clean_question(question if isinstance(question, str) else "", limit)
        except QuestionError as exc:
            raise gr.Error(str(exc)) from None
        return engine.ask(question).model_dump()

    with gr.Blocks(title="legalqa", analytics_enabled=False) as demo:
        history = gr.State([])
        chat_state = gr.State([])  # what the Chatbot shows, kept on the server
        with gr.Sidebar(open=True):
            gr.Markdown("### Filters")
            kinds = gr.CheckboxGroup(list(KINDS), label="Document kind", elem_id="filter-kind")
            case = gr.Textbox(label="Case name contains", elem_id="filter-case")
            court = gr.Textbox(label="Court", placeholder="N.D. Cal.", elem_id="filter-court")
            with gr.Row():
                date_from = gr.Textbox(label="From", placeholder="YYYY-MM-DD")
                date_to = gr.Textbox(label="To", placeholder="YYYY-MM-DD")
            gr.Markdown("### Add documents")
            files = gr.File(label="PDF, text, Markdown or HTML", file_count="multiple", elem_id="upload")
            upload_status = gr.Markdown(elem_id="upload-status")
        with gr.Tab("Chat"):
            gr.Markdown(f"## legalqa\n{NOTICE}")
            chat = gr.Chatbot(label="legalqa", height=560, elem_id="chat", sanitize_html=True,
                              feedback_options=("Like", "Dislike"))
            box = gr.Textbox(placeholder="Ask about the AI-training copyright cases…", label="Question",
                             elem_id="question", submit_btn=True)
            gr.Examples(EXAMPLES, inputs=box, label="Try one of these")
            with gr.Row():
                new = gr.Button("New chat", elem_id="new-chat")
                export_button = gr.Button("Export as Markdown", elem_id="export")
            export_file = gr.File(label="Conversation, with full citations (Markdown)", elem_id="export-file",
                                  interactive=False)
            comment = gr.Textbox(label="Comment on an answer (optional), then click thumbs up or down under it", elem_id="comment")
            feedback_status = gr.Markdown(elem_id="feedback-status")
        with gr.Tab("Documents"):
            search = gr.Textbox(label="Search the documents", elem_id="doc-search")
            table = gr.Dataframe(headers=["title", "kind", "case", "court", "date", "source"],
                                 value=documents_table, interactive=False, elem_id="documents", wrap=True)

        inputs = [box, chat_state, history, kinds, case, court, date_from, date_to]
        # A few answers at once share the CPU better than a queue of one (retrieval waits on disk).
        box.submit(respond, inputs, [box, chat, chat_state, history], api_name=False,
                   concurrency_limit=ANSWERS_AT_ONCE, concurrency_id="answer")
        new.click(new_chat, None, [chat, chat_state, history, box], api_name=False)
        export_button.click(export, [history], export_file, api_name=False)
        chat.like(feedback, [history, comment], [comment, feedback_status], api_name=False)
        search.change(documents_table, search, table, api_name=False)
        files.upload(upload, [files, search], [upload_status, table], api_name=False)
        gr.api(ask_json, api_name="ask", concurrency_limit=ANSWERS_AT_ONCE, concurrency_id="answer")
    return demo


# -- the web app ---------------------------------------------------------------


def create_app(settings: Settings, engine: Engine | None = None):
    """FastAPI app: the Gradio chat at /, indexed documents at /document and /view, behind
    the guards of :mod:`chatbot.web_security`. A malformed login setting raises before anything opens."""
    import gradio as gr
    from fastapi import FastAPI, HTTPException
    from fastapi.responses import FileResponse, HTMLResponse
    from starlette.middleware.cors import CORSMiddleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    from chatbot.web_security import LoginGuard, RequestGuard, allowed_hosts, parse_logins

    auth = parse_logins(settings.ui.auth)
    engine = engine or get_engine(settings)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    def indexed(key: str) -> SourceDocument:
        engine.refresh()
        doc = next((d for d in engine.documents.values() if d.key == key), None)
        if doc is None or not doc.path or not Path(doc.path).is_file():
            raise HTTPException(status_code=404, detail="not an indexed document")
        return doc

    @app.get("/document/{key}")
    def document(key: str):
        doc = indexed(key)
        media = "application/pdf" if doc.path.lower().endswith(".pdf") else "text/plain; charset=utf-8"
        return FileResponse(doc.path, media_type=media, content_disposition_type="inline")

    @app.get("/view/{key}", response_class=HTMLResponse)
    def view(key: str, chunk: str | None = None):
        return HTMLResponse(view_page(indexed(key), engine, chunk))

    # Gradio adds CORS headers for any origin unless the parent app configures CORS itself:
    # this one allows no other origin.
    app.add_middleware(CORSMiddleware, allow_origins=[])
    theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
    blocks = build_blocks(settings, engine)
    app = gr.mount_gradio_app(
        app, blocks, path="/", theme=theme, css=CSS, footer_links=[], auth=auth, show_error=False,
        allowed_paths=[], blocked_paths=blocked_paths(settings), max_file_size=int(settings.ui.max_upload_mb * 1e6),
        run_history=False, mcp_server=False,
    )
    # Gradio checks that a file named in a request was uploaded by a user only once its
    # Blocks has "launched"; `launch()` says so, `mount_gradio_app` never does. Mounted, the
    # app is launched when it is served, as Gradio's own reloader marks blocks it mounts
    # into a running server. The chat never reads a file path from the browser anyway
    # (conversation state is kept server-side, uploads are checked in chatbot.uploads),
    # so this check is the second wall, not the only one.
    blocks.has_launched = True
    if auth:
        gradio_app = next(r.app for r in app.routes if getattr(r, "path", None) == "" and hasattr(r, "app"))
        app.add_middleware(LoginGuard, gradio_app=gradio_app, session_hours=settings.ui.session_hours,
                           attempts_per_minute=settings.ui.login_attempts_per_minute)
    app.add_middleware(RequestGuard)
    hosts = allowed_hosts(settings.ui.host, [h for h in settings.ui.allowed_hosts.split(",") if h.strip()])
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)
    return app


def blocked_paths(settings: Settings) -> list[str]:
    """Folders Gradio must never hand out, whatever a handler returns: the index, the data
    folder (uploads, feedback) and the system's own."""
    from chatbot.uploads import gradio_upload_folder

    needed = [Path(tempfile.gettempdir()).resolve(), gradio_upload_folder()]  # exports and uploads live here
    paths = [Path(settings.index_dir).resolve(), Path(settings.data_dir).resolve()]
    paths += [Path(p) for p in ("/etc", "/proc", "/sys", "/dev", "/root", "/boot") if os.path.isdir(p)]
    return [str(p) for p in paths if not any(n == p or p in n.parents for n in needed)]


def view_page(doc: SourceDocument, engine: Engine, chunk_id: str | None) -> str:
    """A text document as cleaned page text, the cited passage highlighted and scrolled to."""
    from ingest.loaders import IngestError, load_file

    esc = html.escape
    found = engine.store.get_chunks([chunk_id]) if chunk_id else []
    chunk = found[0] if found else None
    try:
        loaded = load_file(Path(doc.path), doc.source)
    except IngestError as exc:
        return f"<p>{esc(exc.reason)}</p>"
    body = []
    if loaded.document.sha256 != doc.sha256:
        body.append("<p><b>This file has changed since it was indexed; re-ingest it.</b></p>")
    for page in loaded.pages:
        text = page.text
        if chunk and chunk.page == page.number:
            text = (esc(text[: chunk.start]) + '<mark id="passage">' + esc(text[chunk.start : chunk.end])
                    + "</mark>" + esc(text[chunk.end :]))
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


def serve(settings: Settings, *, host: str | None = None, port: int | None = None) -> None:
    """Serve the chat until interrupted. Safe by default: loopback only, the hosts it serves,
    no outbound connections, and the index repaired before the port opens."""
    import socket

    import uvicorn

    from chatbot.web_security import parse_logins

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    host, port = host or settings.ui.host, port or settings.ui.port
    parse_logins(settings.ui.auth)  # a malformed login list stops here, before the model loads
    if host in ("0.0.0.0", "::") and not settings.ui.allowed_hosts.strip():
        raise ValueError(f"binding {host} serves every network this machine is on: set LEGALQA_UI__ALLOWED_HOSTS "
                         "to the host names clients will use (and LEGALQA_UI__AUTH to require a login)")
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a closing socket is no obstacle
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ValueError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    for line in recover_at_start(settings):
        print(f"legalqa: {line}", flush=True)
    app = create_app(settings)  # loads the model and index before the port opens
    print(f"legalqa: serving on http://{host}:{port}", flush=True)
    # loop="asyncio": uvloop connects in C, out of sight of Python's audit hooks, and the
    # no-egress test must see every connection the server could make.
    # Browsers and gradio_client keep event streams open; without a limit uvicorn waits for them forever.
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=3, loop="asyncio")


def recover_at_start(settings: Settings) -> list[str]:
    """Finish or undo what a killed ingest or upload left, before anyone asks a question."""
    from ingest.pipeline import recover_index

    return recover_index(settings)
