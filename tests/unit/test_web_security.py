"""The web guards in isolation: login parsing, session expiry, upload checks that hold even
if Gradio's own check were off, and names. (The Markdown export is tested in test_render.py.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.mark.parametrize("spec, users", [
    (None, None),
    ("alice:pw", [("alice", "pw")]),
    ("alice:pw:with:colons, bob:x", [("alice", "pw:with:colons"), ("bob", "x")]),
])
def test_login_lists_that_parse(spec, users):
    from chatbot.logins import parse_logins

    assert parse_logins(spec) == users


@pytest.mark.parametrize("spec", ["alice", "alice=pw1", "alice;pw1", " ", "", "alice:", ":pw1", "alice:pw1,"])
def test_login_lists_that_do_not(spec):
    from chatbot.logins import AuthSettingError, parse_logins

    with pytest.raises(AuthSettingError) as error:
        parse_logins(spec)
    assert "LEGALQA_UI__AUTH" in str(error.value) and "pw1" not in str(error.value)


def test_a_session_expires():
    from chatbot.web_security import LoginGuard

    class GradioApp:
        cookie_id = "c1"
        tokens = {"tok": "alice"}

    clock = [1000.0]
    guard = LoginGuard(None, gradio_app=GradioApp, session_hours=1, attempts_per_minute=5, now=lambda: clock[0])
    scope = {"headers": [(b"cookie", b"access-token-c1=tok")]}
    assert guard.user(scope) == "alice"
    clock[0] += 3599
    assert guard.user(scope) == "alice"
    clock[0] += 2
    assert guard.user(scope) is None and "tok" not in GradioApp.tokens  # Gradio's own routes forget it too


@pytest.mark.parametrize("origin, host, same", [
    ("http://127.0.0.1:7860", "127.0.0.1:7860", True),
    ("http://localhost:3000", "localhost:7860", False),
    ("http://evil.example:7860", "127.0.0.1:7860", False),
    ("null", "127.0.0.1:7860", False),
    ("https://legal.example.org", "legal.example.org:443", True),
])
def test_same_origin(origin, host, same):
    from chatbot.web_security import same_origin

    assert same_origin(origin, host) is same


@pytest.mark.parametrize("path, fetches", [
    ("/gradio_api/file=http://192.0.2.1/x", True), ("/gradio_api/file=HTTPS://x", True),
    ("/gradio_api/file=//example.org/x", True), ("/gradio_api/proxy=/anything", True),
    ("/gradio_api/file=/tmp/gradio/abc/export.md", False), ("/gradio_api/file=C:/x", True),
])
def test_url_fetching_routes(path, fetches):
    from chatbot.web_security import fetches_url

    assert fetches_url(path) is fetches


def test_only_regular_files_inside_the_upload_folder_are_taken(tmp_path):
    """The handler's own check, which holds even where Gradio's check is off."""
    from chatbot.uploads import UploadRefused, checked_upload

    root = tmp_path / "gradio"
    (root / "abc").mkdir(parents=True)
    good = root / "abc" / "memo.txt"
    good.write_text("memo")
    (root / "abc" / "link.txt").symlink_to("/etc/passwd")
    assert checked_upload(good, root) == good
    for path in ["/etc/passwd", "/dev/zero", str(root / "abc" / "link.txt"), str(root / "abc" / ".." / ".." / "x"),
                 str(root / "abc" / "missing.txt"), str(root)]:
        with pytest.raises(UploadRefused):
            checked_upload(Path(path), root)
    if hasattr(os, "mkfifo"):
        fifo = root / "abc" / "pipe.txt"
        os.mkfifo(fifo)
        with pytest.raises(UploadRefused, match="not a regular file"):
            checked_upload(fifo, root)


def test_upload_names_lose_invisible_characters_and_keep_their_extension():
    from chatbot.uploads import NAME_LIMIT, safe_name

    assert safe_name("invoice\u202etxt.exe.pdf") == "invoicetxt.exe.pdf"
    assert safe_name("a\u2066b\u200fc.txt") == "abc.txt"
    long = safe_name("x" * 300 + ".pdf")
    assert len(long) == NAME_LIMIT and long.endswith(".pdf")

