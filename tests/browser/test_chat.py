"""Browser tier: Debian's Chromium, driven by Playwright, against `legalqa serve`.

The server gets a private copy of the integration index (uploads must not leak into
it) and its own data folder, on a free loopback port.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port, start_service, stop_service, submit_question
from tests.pdfs import write_pdf

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
BARTZ_Q = "Did Judge Alsup find that training on lawfully purchased books was fair use?"

HOSTILE_HTML = """<html><head><title>Press release about model training</title>
<script>window.__pwned = 1</script></head><body>
<h1>Press release about model training</h1>
<p>The zebra-striped newsletter quoted this markup from the complaint: &lt;script&gt;window.__pwned=1&lt;/script&gt;
and &lt;img src=x onerror="window.__pwned=1"&gt; as examples of unsafe code in zebra newsletters.</p>
<img src=x onerror="window.__pwned=1">
</body></html>"""


@pytest.fixture(scope="module")
def served_index(real_index, tmp_path_factory):
    copy = tmp_path_factory.mktemp("served") / "index"
    shutil.copytree(real_index, copy)
    return copy


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def server(served_index, data_dir):
    port = free_port()
    env = {**os.environ, "LEGALQA_INDEX_DIR": str(served_index), "LEGALQA_DATA_DIR": str(data_dir)}
    proc = start_service([sys.executable, "-m", "chatbot.cli", "serve", "--port", str(port)], port, env=env,
                         timeout=180, name="legalqa serve")
    yield f"http://127.0.0.1:{port}/"
    stop_service(proc)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
    page = context.new_page()
    page.goto(server)
    yield page
    context.close()


def ask(page, question: str):
    """Ask, wait for the answer's source cards, and open them (they start closed)."""
    submit_question(page, question)
    page.wait_for_selector("#chat .source-card", state="attached", timeout=120_000)
    page.evaluate("() => document.querySelectorAll('#chat .source-card').forEach(card => { card.open = true; })")
    return page.locator("#chat .source-card")


def test_answer_shows_markers_and_source_cards(page):
    cards = ask(page, BARTZ_Q)
    chat = page.locator("#chat").inner_text()
    assert "[1]" in chat
    first = cards.first.inner_text()
    assert "Bartz v. Anthropic PBC" in first and ", at " in first and "p. " in first
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-answer.png"))


def test_pdf_card_opens_the_document_at_its_page(page, server):
    cards = ask(page, BARTZ_Q)
    card = cards.filter(has_text="Bartz v. Anthropic PBC").first
    page_no = int(card.inner_text().split("p. ")[1].split()[0].rstrip("…"))
    href = card.locator("summary a").get_attribute("href")
    assert href.endswith(f"#page={page_no}")
    response = page.request.get(server.rstrip("/") + href.split("#")[0])
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"


def test_text_card_opens_the_passage_highlighted(page, browser, server):
    cards = ask(page, "What did the court hold in Kadrey v. Meta?")
    card = cards.first
    quote = " ".join(card.locator("mark").inner_text().split())
    with page.context.expect_page() as opened:
        card.locator("summary a").click()
    view = opened.value
    view.wait_for_selector("#passage")
    # The quote is marked, not the whole passage around it.
    marked = " ".join(view.locator("#passage").inner_text().split())
    assert marked == quote
    assert "Kadrey v. Meta Platforms, Inc." in view.title()
    view.screenshot(path=str(ARTIFACTS / "opened-source.png"))


def test_statute_filter_gives_only_statutes(page):
    page.locator("#filter-kind label", has_text="statute").first.click()
    cards = ask(page, "What is fair use?")
    metas = cards.locator(".meta").all_inner_texts()
    assert metas and all(m.startswith("statute") for m in metas)


def test_upload_then_find_it_among_the_documents(page, tmp_path):
    pdf = write_pdf(tmp_path / "memo-on-zebra-licensing.pdf", ["A memo on zebra licensing markets for training data."])
    page.locator("#upload input[type=file]").set_input_files(str(pdf))
    page.wait_for_function(
        "() => document.querySelector('#upload-status') && document.querySelector('#upload-status').innerText.includes('memo-on-zebra')",
        timeout=120_000,
    )
    assert "✓ uploads/memo-on-zebra-licensing.pdf" in page.locator("#upload-status").inner_text()
    page.get_by_role("tab", name="Documents").click()
    page.locator("#doc-search input, #doc-search textarea").first.fill("zebra")
    page.wait_for_function(
        "() => document.querySelector('#documents').innerText.includes('uploads/memo-on-zebra-licensing.pdf')",
        timeout=30_000,
    )


def upload_status_shows(page, name: str, seconds: float) -> bool:
    try:
        page.wait_for_function("name => document.querySelector('#upload-status').innerText.includes(name)", arg=name,
                               timeout=seconds * 1000)
        return True
    except Exception:  # noqa: BLE001 - not shown in time
        return False


def test_a_result_left_without_a_stream_still_shows(page, tmp_path):
    """Gradio's client can join an event just as the server closes the page's event stream, and
    then nothing brings its result (chatbot/queue_watch.py). Simulated here: the stream opened for
    an upload is closed at once, which is what the client then sees."""
    # The page's load event has come back and nothing is under way: the stream closed below is the upload's.
    page.wait_for_selector("#queue-wake", state="attached", timeout=60_000)
    quiet = "() => { const q = window.__legalqaQueue; return q.completed >= 1 && !q.waiting.size && !q.streams; }"
    page.wait_for_function(quiet, timeout=60_000)
    closing = 'data: {"msg": "close_stream"}\n\n'

    def closed_at_once(route):
        route.fulfill(status=200, headers={"content-type": "text/event-stream"}, body=closing)

    # Without the watch's button, the result is lost: the failure is real, not made up by the test.
    page.evaluate("() => { document.getElementById('queue-wake').id = 'queue-wake-off'; }")
    page.route("**/queue/data**", closed_at_once, times=1)
    note = tmp_path / "quilted-zebra-note.txt"
    note.write_text("A note on quilted zebra patterns in licensing markets.\n")
    page.locator("#upload input[type=file]").set_input_files(str(note))
    assert not upload_status_shows(page, note.name, 8)
    assert page.evaluate("() => window.__legalqaQueue.waiting.size") == 1
    # With it, the watch opens a stream and the waiting status arrives.
    page.evaluate("() => { document.getElementById('queue-wake-off').id = 'queue-wake'; }")
    assert upload_status_shows(page, note.name, 15)
    assert f"✓ uploads/{note.name}: indexed" in page.locator("#upload-status").inner_text()
    assert page.evaluate("() => window.__legalqaQueue.wakes") >= 1


def test_export_holds_the_citations(page):
    ask(page, BARTZ_Q)
    page.locator("#export").click()
    link = page.locator("#export-file a").first
    link.wait_for(timeout=30_000)
    with page.expect_download() as download:
        link.click()
    text = Path(download.value.path()).read_text()
    assert "## " + BARTZ_Q in text
    assert "1. Bartz v. Anthropic PBC, No. 3:24-cv-05417-WHA (N.D. Cal. June 23, 2025), at" in text


def test_feedback_lands_in_feedback_jsonl(page, data_dir):
    ask(page, BARTZ_Q)
    page.locator("#feedback").get_by_text("Comment on an answer").click()
    page.locator("#comment textarea").fill("Pinpoints checked against the PDF.")
    page.locator("#chat button[aria-label='Like']").last.click()
    page.wait_for_function("() => document.querySelector('#feedback-status').innerText.includes('saved')", timeout=30_000)
    records = [json.loads(line) for line in (data_dir / "feedback.jsonl").read_text().splitlines()]
    assert records[-1]["liked"] is True and records[-1]["question"] == BARTZ_Q
    assert records[-1]["comment"] == "Pinpoints checked against the PDF."


def test_markup_in_documents_shows_as_text_and_never_runs(page, tmp_path):
    hostile = tmp_path / "zebra-press-release.html"
    hostile.write_text(HOSTILE_HTML)
    page.locator("#upload input[type=file]").set_input_files(str(hostile))
    page.wait_for_function(
        "() => document.querySelector('#upload-status').innerText.includes('zebra-press-release')", timeout=120_000
    )
    cards = ask(page, "What markup did the zebra newsletter quote?")
    text = cards.all_inner_texts()
    assert any('<img src=x onerror="window.__pwned=1">' in t for t in text), text
    assert page.evaluate("() => typeof window.__pwned") == "undefined"


@pytest.mark.parametrize(
    "path", ["/document/../../etc/passwd", "/document/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/view//etc/passwd",
             "/document/0000000000000000", "/file=/etc/passwd", "/gradio_api/file=/etc/passwd"],
)
def test_files_outside_the_index_are_refused(server, path):
    try:
        with urllib.request.urlopen(server.rstrip("/") + path, timeout=10) as response:
            body = response.read().decode(errors="replace")
            status = response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read().decode(errors="replace"), exc.code
    assert status >= 400 or "root:" not in body
    assert "root:x:0:0" not in body


def test_gradio_client_returns_the_same_citations_as_the_cli(server, served_index):
    from gradio_client import Client

    api = Client(server, verbose=False).predict(BARTZ_Q, api_name="/ask")
    env = {**os.environ, "LEGALQA_INDEX_DIR": str(served_index)}
    cli = json.loads(subprocess.run([sys.executable, "-m", "chatbot.cli", "ask", "--json", BARTZ_Q], env=env,
                                    capture_output=True, text=True, cwd=ROOT, check=True).stdout)

    def key(answer):
        return [(c["source"], c["page"], c["quote"]) for c in answer["citations"]]

    assert key(api) == key(cli) and key(api)
