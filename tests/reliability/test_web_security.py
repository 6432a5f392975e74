"""The web app's doors: login on every route, uploads that cannot overwrite or escape, files
served only when indexed. In-process (Starlette's TestClient, the fake embedder) except the
gradio_client and browser checks, which need a real server."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import ROOT, free_port, start_service, stop_service

USER, PASSWORD = "alice", "correct horse"
# The login page and what it loads; everything else must refuse a visitor who has not logged in.
PUBLIC = {("GET", "/"), ("HEAD", "/"), ("POST", "/login"), ("POST", "/login/"), ("GET", "/theme.css"),
          ("GET", "/favicon.ico"), ("GET", "/manifest.json"), ("GET", "/robots.txt")}
PUBLIC_PREFIXES = ("/assets/", "/static/", "/svelte/", "/pwa_icon")


@pytest.fixture
def web(tmp_path, small_corpus, fake_embedder):
    from chatbot.engine import Engine
    from ingest.pipeline import ingest_paths
    from legalqa.settings import Settings, UISettings

    settings = Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data", embedding_model="fake",
                        ui=UISettings(auth=f"{USER}:{PASSWORD}", max_upload_mb=0.01))
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    return SimpleNamespace(settings=settings, engine=Engine(settings, embedder=fake_embedder))


def every_route(routes, prefix=""):
    """(method, path) of every route the app serves, mounted and included routers too."""
    from fastapi.routing import _IncludedRouter
    from starlette.routing import WebSocketRoute

    for route in routes:
        if isinstance(route, _IncludedRouter):
            yield from every_route(route.original_router.routes, prefix + route.include_context.prefix)
        elif isinstance(route, WebSocketRoute):
            yield "WEBSOCKET", prefix + route.path
        elif hasattr(route, "endpoint") or not hasattr(route, "app"):
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                yield method, prefix + route.path
        else:
            yield from every_route(route.app.routes, prefix + route.path)


def test_every_route_but_the_login_page_refuses_a_visitor(web):
    from starlette.testclient import TestClient

    from chatbot.server import create_app

    app = create_app(web.settings, web.engine)
    routes = sorted(set(every_route(app.routes)))
    assert len(routes) > 60 and ("GET", "/document/{key}") in routes and ("POST", "/gradio_api/queue/join") in routes
    assert not [r for r in routes if r[0] == "WEBSOCKET"], "a websocket route needs its own login check"
    doc = next(iter(web.engine.documents.values()))
    client = TestClient(app, base_url="http://127.0.0.1:7860")
    opened = []
    for method, path in routes:
        url = path.replace("{key}", doc.key)
        url = re.sub(r"\{[^}]+\}", "x", url)
        response = client.request(method, url, follow_redirects=False)
        public = (method, path) in PUBLIC or path.startswith(PUBLIC_PREFIXES)
        if not public and response.status_code not in (401, 403):
            opened.append((method, path, response.status_code))
    assert not opened, f"routes open without a login: {opened}"

    # The login page itself says a login is needed and gives nothing away.
    page = client.get("/")
    assert page.status_code == 200 and '"auth_required":true' in page.text.replace(" ", "")
    assert doc.title not in page.text

    # A wrong password gets nothing more; the right one opens the app, our routes included.
    assert client.post("/login", data={"username": USER, "password": "wrong"}).status_code >= 400
    assert client.get(f"/document/{doc.key}").status_code == 401
    assert client.post("/login", data={"username": USER, "password": PASSWORD}).status_code == 200
    assert client.get(f"/document/{doc.key}").status_code == 200
    assert client.get("/config").status_code == 200
    assert client.get("/gradio_api/info").status_code == 200
    assert client.get("/document/0000000000000000").status_code == 404


def test_the_file_routes_serve_indexed_files_only(web, small_corpus):
    from starlette.testclient import TestClient

    from chatbot.server import create_app
    from ingest.pipeline import remove_sources

    settings = web.settings.model_copy(update={"ui": web.settings.ui.model_copy(update={"auth": None})})
    client = TestClient(create_app(settings, web.engine), base_url="http://127.0.0.1:7860")
    brief = web.engine.documents["amicus-brief.pdf"]
    assert client.get(f"/document/{brief.key}").content == (small_corpus / "amicus-brief.pdf").read_bytes()
    # A file beside the indexed ones, the source name instead of the key, a path: all refused.
    (small_corpus / "not-indexed.txt").write_text("secret")
    for path in ["/document/not-indexed.txt", "/document/amicus-brief.pdf", f"/view/{brief.key}/../../etc/passwd",
                 "/document/..%2F..%2Fetc%2Fpasswd", "/view/%2Fetc%2Fpasswd"]:
        response = client.get(path)
        assert response.status_code == 404 and b"secret" not in response.content and b"root:" not in response.content
    # Once removed from the index, a document is no longer served.
    remove_sources(["amicus-brief.pdf"], settings=settings, store=web.engine.store)
    assert client.get(f"/document/{brief.key}").status_code == 404


@pytest.mark.parametrize(
    "name, stored",
    [
        ("../../etc/cron.d/evil.txt", "evil.txt"),
        ("/etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\evil.txt", "evil.txt"),
        ("line\nbreak\r.txt", "line_break_.txt"),
        ("...hidden.txt", "hidden.txt"),
        ("\x00", "_"),
        ("..", "upload"),
    ],
)
def test_upload_names_cannot_escape_the_uploads_folder(name, stored):
    from chatbot.uploads import safe_name

    assert safe_name(name) == stored


def test_uploads_never_overwrite_and_oversized_ones_are_refused(web, tmp_path):
    from chatbot.uploads import upload_files as upload_any

    def upload_files(files, settings, engine):
        return upload_any(files, settings, engine, upload_root=incoming)

    uploads = Path(web.settings.data_dir) / "uploads"
    incoming = tmp_path / "incoming"
    incoming.mkdir()

    def offer(name: str, text: str):
        (incoming / "f").mkdir(exist_ok=True)
        path = incoming / "f" / name
        path.write_text(text)
        return SimpleNamespace(name=str(path))

    first = upload_files([offer("memo.txt", "The first memo on zebra licensing.")], web.settings, web.engine)
    second = upload_files([offer("memo.txt", "The second memo on okapi licensing.")], web.settings, web.engine)
    assert "✓ uploads/memo.txt" in first and "✓ uploads/memo-2.txt" in second
    assert (uploads / "memo.txt").read_text() == "The first memo on zebra licensing."
    assert (uploads / "memo-2.txt").read_text() == "The second memo on okapi licensing."

    big = upload_files([offer("huge.txt", "word " * 5000)], web.settings, web.engine)  # 25 kB over a 10 kB limit
    assert "huge.txt: larger than" in big and not (uploads / "huge.txt").exists()

    # Gradio hands over a temporary path; only its last part, made safe, is kept.
    sneaky = offer("escape.txt", "A memo that came by a path with dots in it.")
    sneaky.name = str(Path(sneaky.name).parent / ".." / "f" / "escape.txt")
    assert "✓ uploads/escape.txt" in upload_files([sneaky], web.settings, web.engine)
    assert sorted(p.name for p in uploads.iterdir()) == ["escape.txt", "memo-2.txt", "memo.txt"]
    assert {"uploads/memo.txt", "uploads/memo-2.txt", "uploads/escape.txt"} <= set(web.engine.documents)


@pytest.fixture(scope="module")
def login_server(tmp_path_factory):
    """`legalqa serve` with a login, on the fake embedder (the model is not what is tested here)."""
    from tests.corpus_fixture import write_corpus

    tmp = tmp_path_factory.mktemp("login")
    corpus = write_corpus(tmp / "corpus")
    env = {**os.environ, "LEGALQA_INDEX_DIR": str(tmp / "index"), "LEGALQA_DATA_DIR": str(tmp / "data"),
           "LEGALQA_UI__AUTH": f"{USER}:{PASSWORD}"}
    import subprocess

    subprocess.run([sys.executable, "-m", "tests.fake_cli", "ingest", str(corpus)], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=300)
    port = free_port()
    proc = start_service([sys.executable, "-m", "tests.fake_cli", "serve", "--port", str(port)], port, env=env,
                         timeout=120, name="legalqa serve (login)")
    yield f"http://127.0.0.1:{port}/"
    stop_service(proc)


def test_gradio_client_needs_the_login(login_server):
    from gradio_client import Client

    with pytest.raises(Exception) as refused:
        Client(login_server, verbose=False).predict("What are the four fair use factors?", api_name="/ask")
    assert "401" in str(refused.value) or "auth" in str(refused.value).lower() or "login" in str(refused.value).lower()
    answer = Client(login_server, auth=(USER, PASSWORD), verbose=False).predict(
        "What are the four factors of fair use?", api_name="/ask")
    assert not answer["abstained"] and answer["citations"]


def test_browser_logs_in_then_asks(login_server):
    from tests.browser.test_chat import CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is missing (`make test` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(login_server)
        page.get_by_label("username").fill(USER)
        page.get_by_label("password").fill(PASSWORD)
        page.get_by_role("button", name="Login").click()
        box = page.locator("#question textarea")
        box.wait_for(timeout=60_000)
        box.fill("What are the four factors of fair use?")
        box.press("Enter")
        # Source cards sit closed under the answer: the answer's card is in the page, not open.
        page.wait_for_selector("#chat .source-card", state="attached", timeout=60_000)
        browser.close()
