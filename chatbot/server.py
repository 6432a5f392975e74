"""The web server: the Gradio chat at /, indexed documents at /document and /view, behind
the guards of :mod:`chatbot.web_security`.

Documents are served by an opaque key looked up in the index's registry, never by a path
from the request, so nothing but indexed files can be fetched. Document text is always
HTML-escaped before it reaches the page (see :mod:`chatbot.render`).
"""

import os
import tempfile
from pathlib import Path

from chatbot.engine import Engine, get_engine
from chatbot.render import CSS, document_page, markdown_paragraphs, unreadable_page
from ingest.types import SourceDocument
from legalqa.errors import LegalqaError
from legalqa.settings import Settings


class ServeError(LegalqaError, ValueError):
    """The server cannot start where it was told to: the message says why and what to set."""


def create_app(settings: Settings, engine: Engine | None = None):
    """FastAPI app: the Gradio chat at /, indexed documents at /document and /view, behind
    the guards of :mod:`chatbot.web_security`. A malformed login setting raises before anything opens."""
    from fastapi import FastAPI
    from starlette.middleware.cors import CORSMiddleware

    from chatbot.logins import current_users, login_check

    auth = login_check(settings)
    users = current_users(settings) if auth else None  # one reading of the users file, for the page and the guard
    engine = engine or get_engine(settings)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    add_document_routes(app, engine, viewer_of_request(settings, users is not None))
    # Gradio adds CORS headers for any origin unless the parent app configures CORS itself:
    # this one allows no other origin.
    app.add_middleware(CORSMiddleware, allow_origins=[])
    app = mount_chat(app, settings, engine, auth, users)
    return add_guards(app, settings, auth, users)


def viewer_of_request(settings: Settings, login: bool):
    """How a document route learns who is asking: the user the login guard put in the request's
    scope (chatbot.web_security.USER_KEY); without a login, the one user who sees everything."""
    from chatbot.access import NOBODY, Matters, Viewer
    from chatbot.web_security import USER_KEY

    matters = Matters(settings)

    def viewer_of(request) -> Viewer:
        if not login:
            return Viewer.everyone()
        user = request.scope.get(USER_KEY)
        return matters.viewer(str(user).lower() if user else NOBODY)

    return viewer_of


def add_document_routes(app, engine: Engine, viewer_of=None) -> None:
    """/document/{key} serves an indexed file as it is; /view/{key} shows a text one as a page.
    A document the user may not see is "not an indexed document", as an unknown key is: a
    guessed or replayed key tells nothing."""
    from fastapi import HTTPException, Request
    from fastapi.responses import FileResponse, HTMLResponse

    from chatbot.access import Viewer

    viewer_of = viewer_of or (lambda _request: Viewer.everyone())

    def indexed(key: str, request: Request) -> SourceDocument:
        doc = engine.document_by_key(key)
        if doc is None or not doc.path or not Path(doc.path).is_file() or not viewer_of(request).can_see(doc):
            raise HTTPException(status_code=404, detail="not an indexed document")
        return doc

    @app.get("/document/{key}")
    def document(key: str, request: Request):
        doc = indexed(key, request)
        media = "application/pdf" if doc.path.lower().endswith(".pdf") else "text/plain; charset=utf-8"
        return FileResponse(doc.path, media_type=media, content_disposition_type="inline")

    @app.get("/view/{key}", response_class=HTMLResponse)
    def view(key: str, request: Request, chunk: str | None = None, quote: str | None = None):
        return HTMLResponse(view_page(indexed(key, request), engine, chunk, quote))


def mount_chat(app, settings: Settings, engine: Engine, auth, users=None):
    """``app`` with the Gradio chat mounted at /; ``users`` gives who can log in (None: no login)."""
    import gradio as gr

    from chatbot.layout import PAGE_CSS, build_blocks
    from chatbot.queue_watch import WATCH_HEAD

    theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
    blocks = build_blocks(settings, engine, users)
    app = gr.mount_gradio_app(
        app, blocks, path="/", theme=theme, css=CSS + PAGE_CSS, footer_links=[], auth=auth, show_error=False,
        allowed_paths=[], blocked_paths=blocked_paths(settings), max_file_size=int(settings.ui.max_upload_mb * 1e6),
        run_history=False, mcp_server=False, head=WATCH_HEAD,
    )
    # Gradio checks that a file named in a request was uploaded by a user only once its
    # Blocks has "launched"; `launch()` says so, `mount_gradio_app` never does. Mounted, the
    # app is launched when it is served, as Gradio's own reloader marks blocks it mounts
    # into a running server. The chat never reads a file path from the browser anyway
    # (conversation state is kept server-side, uploads are checked in chatbot.uploads),
    # so this check is the second wall, not the only one.
    blocks.has_launched = True
    return app


def add_guards(app, settings: Settings, auth, users):
    """The login (when there are users), request and host guards, outermost last; ``users`` gives
    who may log in now (chatbot.logins.current_users), so a removed user's sessions end."""
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    from chatbot.web_security import LoginGuard, RequestGuard, allowed_hosts

    if auth:
        gradio_app = next(r.app for r in app.routes if getattr(r, "path", None) == "" and hasattr(r, "app"))
        app.add_middleware(LoginGuard, gradio_app=gradio_app, session_hours=settings.ui.session_hours,
                           allowed=users,
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


def view_page(doc: SourceDocument, engine: Engine, chunk_id: str | None, quote: str | None = None) -> str:
    """A text document as cleaned page text in its paragraphs, the cited quote highlighted and
    scrolled to (the whole passage when the quote is not found verbatim)."""
    from ingest.loaders import IngestError, load_file

    # Only a passage of this document is shown: a chunk id from elsewhere (another user's) is ignored.
    found = [c for c in (engine.get_chunks([chunk_id]) if chunk_id else []) if c.source == doc.source]
    path = Path(doc.path)
    try:
        loaded = load_file(path, doc.source)
    except IngestError as exc:
        return unreadable_page(exc.reason)
    paragraphs = {}
    if path.suffix.lower() in (".md", ".markdown") and loaded.pages:
        raw = path.read_bytes().decode("utf-8", errors="replace")
        paragraphs = {loaded.pages[0].number: markdown_paragraphs(raw, loaded.pages[0].text)}
    return document_page(doc, loaded.pages, found[0] if found else None, quote=quote, paragraphs=paragraphs,
                         changed=loaded.document.sha256 != doc.sha256)


def serve(settings: Settings, *, host: str | None = None, port: int | None = None) -> None:
    """Serve the chat until interrupted. Safe by default: loopback only, the hosts it serves,
    no outbound connections, and the index repaired before the port opens. The port is taken
    first, so a busy one is refused before anything loads, and no one can take it meanwhile."""
    import sys

    import uvicorn

    from chatbot.logins import login_check, plaintext_warning

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    host, port = host or settings.ui.host, port or settings.ui.port
    login_check(settings)  # a malformed login list or unreadable users file stops here, before the model loads
    if (warning := plaintext_warning(settings)) is not None:
        print(f"legalqa: warning: {warning}", file=sys.stderr, flush=True)
    if host in ("0.0.0.0", "::") and not settings.ui.allowed_hosts.strip():
        raise ServeError(f"binding {host} serves every network this machine is on: set LEGALQA_UI__ALLOWED_HOSTS "
                         "to the host names clients will use (and add users with `legalqa users add NAME` to require a login)")
    sock = bind_port(host, port)
    try:
        for line in recover_at_start(settings):
            print(f"legalqa: {line}", flush=True)
        app = create_app(settings)  # loads the model and index before the port opens
        # loop="asyncio": uvloop connects in C, out of sight of Python's audit hooks, and the
        # no-egress test must see every connection the server could make.
        # Browsers and gradio_client keep event streams open; without a limit uvicorn waits for them forever.
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=3,
                                loop="asyncio")
        try:
            announcing_server(config).run(sockets=[sock])
        except KeyboardInterrupt:  # uvicorn stopped on Ctrl-C and passed it on
            pass
    finally:
        sock.close()


def bind_port(host: str, port: int):
    """A socket bound to ``host:port``, not yet listening (uvicorn listens once the app is ready).
    A port in use, or an address this machine does not have, is a ServeError saying what to set."""
    import errno
    import socket

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a closing socket is no obstacle
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} is already in use on {host} (another legalqa serve?): choose another "
                             f"with --port {port + 1} or LEGALQA_UI__PORT={port + 1}") from None
        raise ServeError(f"cannot serve on {host}:{port}: {exc.strerror or exc}: choose the address with --host or "
                         "LEGALQA_UI__HOST and the port with --port or LEGALQA_UI__PORT") from None
    return sock


def announcing_server(config):
    """uvicorn's server, saying where it serves only once it listens."""
    import uvicorn

    class AnnouncingServer(uvicorn.Server):
        async def startup(self, sockets=None):
            await super().startup(sockets=sockets)
            if self.started:
                print(f"legalqa: serving on http://{config.host}:{config.port}", flush=True)

    return AnnouncingServer(config)


def recover_at_start(settings: Settings) -> list[str]:
    """Finish or undo what a killed ingest or upload left, before anyone asks a question."""
    from ingest.pipeline import recover_index

    return recover_index(settings)
