"""The whole flow, run where nothing but loopback exists: ingest, ask, serve, one gradio_client
question, one question in Chromium, and a client asking the server to fetch outside URLs for
it (which it must refuse without trying). Writes what happened to the JSON file named by argv[2].

Run by test_no_egress.py inside `unshare -rn` (or, where that is not allowed, with the socket
guard blocking), with the real model and none of the offline switches the Makefile exports:
this is what a user gets who runs `legalqa` by hand.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "Was copying the novels to train the language model a fair use?"
# Gradio routes that fetch a URL on the client's behalf, and outside URLs a client may hand them:
# an address literal (TEST-NET-1, routes nowhere), names needing DNS, and the same percent-encoded.
FETCH_ROUTES = ("gradio_api/file=", "gradio_api/proxy=", "file=", "proxy=")
OUTSIDE_URLS = ("http://192.0.2.1/x", "http://example.org/x", "https://example.org/x", "http%3A%2F%2Fexample.org%2Fx")


def main(workdir: str, out: str) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.conftest import free_port, start_service, stop_service
    from tests.corpus_fixture import write_corpus

    work = Path(workdir)
    corpus = write_corpus(work / "corpus")
    env = {**os.environ, "LEGALQA_INDEX_DIR": str(work / "index"), "LEGALQA_DATA_DIR": str(work / "data")}
    result: dict = {}
    legalqa = [sys.executable, "-m", "chatbot.cli"]

    ingest = subprocess.run(legalqa + ["ingest", str(corpus)], env=env, cwd=ROOT, capture_output=True, text=True)
    result["ingest"] = {"code": ingest.returncode, "stdout": ingest.stdout[-500:], "stderr": ingest.stderr[-2000:]}
    ask = subprocess.run(legalqa + ["ask", "--json", QUESTION], env=env, cwd=ROOT, capture_output=True, text=True)
    result["ask"] = {"code": ask.returncode, "stdout": ask.stdout[-500:], "stderr": ask.stderr[-2000:],
                     "citations": citations_in(ask.stdout) if ask.returncode == 0 else None}

    port = free_port()
    server = start_service(legalqa + ["serve", "--port", str(port)], port, env=env, timeout=240, name="legalqa serve")
    url = f"http://127.0.0.1:{port}/"
    try:
        from gradio_client import Client

        answer = Client(url, verbose=False).predict(QUESTION, api_name="/ask")
        result["gradio_client"] = {"citations": len(answer["citations"])}
        result["browser"] = browser_question(url)
        result["server_fetch"] = server_fetch(url)
    finally:
        stop_service(server)
    Path(out).write_text(json.dumps(result, indent=2))


def citations_in(answer_json: str) -> int | None:
    try:
        return len(json.loads(answer_json)["citations"])
    except ValueError:  # not JSON: check() shows the output
        return None


def server_fetch(url: str) -> dict:
    """Ask the server to fetch each outside URL through each fetching route; the status of each."""
    import urllib.error
    import urllib.request

    local = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # straight to loopback
    statuses = {}
    for route in FETCH_ROUTES:
        for outside in OUTSIDE_URLS:
            try:
                with local.open(url + route + outside, timeout=120) as reply:
                    statuses[route + outside] = reply.status
            except urllib.error.HTTPError as error:
                statuses[route + outside] = error.code
            except OSError as error:
                statuses[route + outside] = f"{type(error).__name__}: {error}"
    return statuses


def browser_question(url: str) -> dict:
    """Load the chat and ask one question in Chromium; list every request to another host."""
    from playwright.sync_api import sync_playwright

    outside, failed = [], []
    with sync_playwright() as p:
        # Chromium's own updaters look up clients2.google.com and update.googleapis.com whatever the
        # flags, which the kernel counts as packets leaving. They are the browser's, not legalqa's:
        # Chromium answers every name itself. A request the page makes to another host still shows
        # in `outside` (the request event fires before any lookup), and an address literal would
        # still reach the kernel counter.
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-features=OptimizationHints,MediaRouter",
                  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1"],
        )
        page = browser.new_page()
        page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in ("127.0.0.1", None)
                and urlparse(r.url).scheme in ("http", "https", "ws", "wss") else None)
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.goto(url)
        box = page.locator("#question textarea")
        box.fill(QUESTION)
        box.press("Enter")
        page.wait_for_selector("#chat .source-card", timeout=180_000)
        time.sleep(1)
        cards = page.locator("#chat .source-card").count()
        browser.close()
    return {"cards": cards, "outside_requests": outside, "failed_requests": failed}


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
