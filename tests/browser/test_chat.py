"""Browser tier: Debian's Chromium, driven by Playwright, against `legalqa serve`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(real_index):
    port = free_port()
    env = {**os.environ, "LEGALQA_INDEX_DIR": str(real_index)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatbot.cli", "serve", "--port", str(port)],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"legalqa serve exited: {proc.stdout.read()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("legalqa serve did not start within 120 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


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


def test_typed_question_gets_an_answer_with_sources(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(server)
    box = page.locator("#question textarea")
    box.fill("Did Judge Alsup find that training on lawfully purchased books was fair use?")
    box.press("Enter")
    bot = page.locator("#chat .message.bot, #chat [data-testid='bot']").last
    bot.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => document.querySelector('#chat') && document.querySelector('#chat').innerText.includes('Sources')",
        timeout=60_000,
    )
    text = page.locator("#chat").inner_text()
    assert "[1]" in text
    assert "Bartz v. Anthropic" in text and ", at " in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-answer.png"), full_page=True)
    page.close()
