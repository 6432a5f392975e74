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
import shutil
import tempfile
import time
from pathlib import Path

from chatbot.engine import Engine, get_engine
from chatbot.types import Answer, Filters
from ingest.metadata import KINDS, kind_label
from ingest.settings import Settings
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
    """The conversation as Markdown, each answer followed by its full citations."""
    lines = ["# legalqa conversation", "", f"_{NOTICE}_", ""]
    for turn in history:
        answer = Answer.model_validate(turn)
        lines += [f"## {answer.question}", ""]
        if answer.rewritten_query:
            lines += [f"_Searched for: {answer.rewritten_query}_", ""]
        lines += [answer.answer, ""]
        for c in answer.citations:
            lines.append(f"{c.n}. {c.cite or c.title} — “{c.quote}” (`{c.source}`)")
        lines += [""] + [f"> Note: {n}" for n in answer.notes] + [""]
    return "\n".join(lines)


# -- the Gradio blocks ---------------------------------------------------------


def build_blocks(settings: Settings, engine: Engine):
    import gradio as gr

    data_dir = Path(settings.data_dir)

    def filters_from(kinds, case, court, date_from, date_to) -> Filters:
        return Filters(kind=list(kinds or []), case=case or None, court=court or None,
                       date_from=date_from or None, date_to=date_to or None)

    def respond(message, chat, history, kinds, case, court, date_from, date_to):
        chat, history = list(chat or []), list(history or [])
        if not (message or "").strip():
            yield "", chat, history
            return
        chat.append({"role": "user", "content": html.escape(message)})
        chat.append({"role": "assistant", "content": "…"})
        filters = filters_from(kinds, case, court, date_from, date_to)
        previous = [Answer.model_validate(h) for h in history]
        for part in engine.ask_stream(message, history=previous, filters=filters):
            if isinstance(part, Answer):
                chat[-1] = {"role": "assistant", "content": render_answer(part, engine)}
                history.append(part.model_dump())
            else:
                chat[-1] = {"role": "assistant", "content": html.escape(part).replace("\n", "<br>")}
            yield "", chat, history

    def new_chat():
        return [], [], ""

    def export(history):
        fd, path = tempfile.mkstemp(prefix="legalqa-conversation-", suffix=".md")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(export_markdown(history or []))
        return path

    def feedback(data: gr.LikeData, history, comment):
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turns = history or []
        turn = turns[index // 2] if isinstance(index, int) and 0 <= index // 2 < len(turns) else None
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "liked": bool(data.liked),
            "comment": comment or "",
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
        return engine.ask(question).model_dump()

    with gr.Blocks(title="legalqa", analytics_enabled=False) as demo:
        history = gr.State([])
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

        inputs = [box, chat, history, kinds, case, court, date_from, date_to]
        # A few answers at once share the CPU better than a queue of one (retrieval waits on disk).
        box.submit(respond, inputs, [box, chat, history], api_name=False, concurrency_limit=ANSWERS_AT_ONCE,
                   concurrency_id="answer")
        new.click(new_chat, None, [chat, history, box], api_name=False)
        export_button.click(export, [history], export_file, api_name=False)
        chat.like(feedback, [history, comment], [comment, feedback_status], api_name=False)
        search.change(documents_table, search, table, api_name=False)
        files.upload(upload, [files, search], [upload_status, table], api_name=False)
        gr.api(ask_json, api_name="ask", concurrency_limit=ANSWERS_AT_ONCE, concurrency_id="answer")
    return demo


def upload_files(files, settings: Settings, engine: Engine) -> str:
    """Copy uploads into the library (never over another file) and index them; one line per file."""
    from ingest.pipeline import ingest_paths

    target = Path(settings.data_dir) / "uploads"
    target.mkdir(parents=True, exist_ok=True)
    limit = settings.ui.max_upload_mb * 1e6
    lines, placed = [], []
    for f in files:
        src = Path(getattr(f, "name", f))
        name = safe_name(src.name)
        if src.stat().st_size > limit:
            lines.append(f"✗ {html.escape(name)}: larger than {settings.ui.max_upload_mb:.0f} MB")
            continue
        dest = unique_path(target / name)
        shutil.copyfile(src, dest)
        placed.append(dest)
    for dest in placed:
        report = ingest_paths([dest], settings=settings, store=engine.store, embedder=engine.embedder, prefix="uploads/")
        for skipped in report.skipped:
            lines.append(f"✗ {html.escape(dest.name)}: {html.escape(skipped.reason)}")
            dest.unlink(missing_ok=True)
        for source in report.indexed:
            lines.append(f"✓ {html.escape(source)}: {report.chunks} chunks indexed")
    engine.refresh()
    return "<br>".join(lines) or "Nothing to add."


def safe_name(name: str) -> str:
    """A file name with no path, no control characters and no leading dots."""
    name = os.path.basename(name.replace("\\", "/"))
    name = re.sub(r"[\x00-\x1f/]", "_", name).lstrip(".") or "upload"
    return name[:150]


def unique_path(path: Path) -> Path:
    """``path``, or ``name-2.ext``, ``name-3.ext``... if it is taken: an upload never overwrites."""
    candidate, n = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


# -- the web app ---------------------------------------------------------------


def create_app(settings: Settings, engine: Engine | None = None):
    """FastAPI app: the Gradio chat at /, indexed documents at /document and /view."""
    import gradio as gr
    from fastapi import FastAPI, HTTPException
    from fastapi.responses import FileResponse, HTMLResponse

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

    auth = None
    if settings.ui.auth:
        auth = [tuple(pair.split(":", 1)) for pair in settings.ui.auth.split(",") if ":" in pair]
    theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
    app = gr.mount_gradio_app(
        app, build_blocks(settings, engine), path="/", theme=theme, css=CSS, footer_links=[], auth=auth,
        allowed_paths=[], show_error=False,
    )
    if auth:
        require_login(app)
    return app


# What the login page itself needs; everything else wants a logged-in session.
LOGIN_PAGE = {"/", "/login", "/login/", "/theme.css", "/favicon.ico", "/manifest.json", "/robots.txt"}
LOGIN_PAGE_ASSETS = ("/assets/", "/static/", "/svelte/", "/pwa_icon")


def require_login(app) -> None:
    """Make every route wait for Gradio's login, not only Gradio's own.

    Gradio's ``auth`` guards its API and config but not the routes mounted beside it
    (``/document``, ``/view``) nor its OpenAPI schema. One middleware checks the session
    cookie Gradio sets at login against Gradio's own token table, so there is one login
    and one list of users; tests/reliability/test_web_security.py tries every route.
    """
    from fastapi.responses import JSONResponse

    gradio_app = next(r.app for r in app.routes if getattr(r, "path", None) == "" and hasattr(r, "app"))

    def logged_in(request) -> bool:
        cookie = gradio_app.cookie_id
        token = request.cookies.get(f"access-token-{cookie}") or request.cookies.get(f"access-token-unsecure-{cookie}")
        return token is not None and token in gradio_app.tokens

    @app.middleware("http")
    async def login_required(request, call_next):
        path = request.url.path
        if request.method == "POST":
            public = path in ("/login", "/login/")
        else:
            public = request.method in ("GET", "HEAD") and (path in LOGIN_PAGE or path.startswith(LOGIN_PAGE_ASSETS))
        if public or logged_in(request):
            return await call_next(request)
        return JSONResponse({"detail": "Not authenticated: log in first"}, status_code=401)


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
    import uvicorn

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    app = create_app(settings)  # loads the model and index before the port opens
    host, port = host or settings.ui.host, port or settings.ui.port
    print(f"legalqa: serving on http://{host}:{port}", flush=True)
    # Browsers and gradio_client keep event streams open; without a limit uvicorn waits for them forever.
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=3)
