"""The whole flow, run where nothing but loopback exists: ingest, ask, serve, one gradio_client
question and one question in Chromium. Writes what happened to the JSON file named by argv[2].

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
    result["ask"] = {"code": ask.returncode, "stderr": ask.stderr[-2000:],
                     "citations": len(json.loads(ask.stdout)["citations"]) if ask.returncode == 0 else None}

    port = free_port()
    server = start_service(legalqa + ["serve", "--port", str(port)], port, env=env, timeout=240, name="legalqa serve")
    url = f"http://127.0.0.1:{port}/"
    try:
        from gradio_client import Client

        answer = Client(url, verbose=False).predict(QUESTION, api_name="/ask")
        result["gradio_client"] = {"citations": len(answer["citations"])}
        result["browser"] = browser_question(url)
    finally:
        stop_service(server)
    Path(out).write_text(json.dumps(result, indent=2))


def browser_question(url: str) -> dict:
    """Load the chat and ask one question in Chromium; list every request to another host."""
    from playwright.sync_api import sync_playwright

    outside, failed = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-features=OptimizationHints,MediaRouter"],
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
