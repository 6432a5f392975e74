"""Every finding of the security review, replayed as an attack on a real `legalqa serve`,
without a login and with one. Each attack must fail, fast, and leave a server that answers.

The fake-path attacks go through the three doors a client has: Gradio's queue
(`queue/join`, as the browser speaks it), `gradio_client`, and plain HTTP routes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import requests

from tests.conftest import ROOT, free_port
from tests.security.client import Raw, file_data, texts
from tests.security.conftest import ALICE, BOB, NORMAL_QUESTION, launch, still_answers

SERVER_FILES = ["/etc/passwd", "/etc/shadow", "/dev/zero", str(ROOT / "corpus" / "sample" / "kadrey-v-meta-brief.md")]


def chat_data(question: str, smuggled=None) -> list:
    """The chat event's inputs: question, then the two server-kept states, then the filters."""
    return [question, smuggled, smuggled, [], "", "", "", ""]


def fastest(attack, tries: int = 3) -> dict:
    """The quickest of a few tries: a machine busy with other tests can slow one request, but
    a request that hangs (the /dev/zero freeze) is slow every time."""
    return min((attack() for _ in range(tries)), key=lambda result: result["seconds"])


@pytest.mark.parametrize("path", SERVER_FILES)
def test_the_chat_takes_no_file_path_from_the_client(server, path):
    raw = Raw(server.base, login=server.login)
    smuggled = [{"role": "user", "content": [{"file": file_data(path)}]}]
    result = fastest(lambda: raw.join(raw.fn("question", "submit"), chat_data("", smuggled), timeout=5))
    assert result["seconds"] < 1.0, f"{path}: {result['seconds']:.2f} s"
    sent = texts(result)
    assert "gradio_api/file=" not in sent and "root:" not in sent and path.rsplit("/", 1)[-1] not in sent
    # Nor can the file be fetched directly, by its path or from Gradio's cache.
    for url in (f"gradio_api/file={path}", f"gradio_api/file/{path.lstrip('/')}"):
        response = raw.http.get(server.base + url, timeout=5)
        assert response.status_code in (403, 404) and b"root:" not in response.content, url
    still_answers(server)


@pytest.mark.parametrize("path", SERVER_FILES)
def test_the_upload_handler_takes_only_uploaded_files(server, path):
    raw = Raw(server.base, login=server.login)
    before = sorted(server.uploads.iterdir()) if server.uploads.exists() else []
    result = fastest(lambda: raw.join(raw.fn("upload", "upload"), [[file_data(path)], "", "Only me"], timeout=5))
    assert result["seconds"] < 1.0, f"{path}: {result['seconds']:.2f} s"
    assert not result.get("success") or "✓" not in str(result["output"]), result["output"]
    after = sorted(server.uploads.iterdir()) if server.uploads.exists() else []
    assert after == before, "a server file was copied into the library"
    still_answers(server)


def test_gradio_client_cannot_name_a_server_file(server):
    from gradio_client import Client

    client = Client(server.base, auth=server.login, verbose=False)
    for path in ("/etc/passwd", "/dev/zero"):
        started = time.monotonic()
        try:
            answer = client.predict(file_data(path), api_name="/ask")
        except Exception as refused:  # refused outright is as good as answered without the file
            answer = str(refused)
        assert time.monotonic() - started < 2.0
        assert "root:" not in str(answer) and "gradio_api/file=" not in str(answer)
        # The upload event has no API name; addressed by number, it still refuses a server path.
        try:
            result = client.predict([file_data(path)], "", "Only me", fn_index=Raw(server.base, login=server.login).fn("upload", "upload"))
        except Exception as refused:
            result = str(refused)
        assert "✓" not in str(result)
    answer = client.predict(NORMAL_QUESTION, api_name="/ask")
    assert not answer["abstained"] and answer["citations"]


def test_a_page_from_another_origin_reads_nothing(server):
    http = requests.Session()
    if server.login:
        assert http.post(server.base + "login", data=dict(zip(("username", "password"), server.login)),
                         timeout=5).status_code == 200
    host = f"127.0.0.1:{server.port}"
    attacks = {
        "foreign Host (DNS rebinding)": {"Host": f"evil.example:{server.port}", "Origin": f"http://evil.example:{server.port}"},
        "foreign Origin": {"Origin": "http://evil.example"},
        "same host, other port": {"Origin": "http://127.0.0.1:1"},
        "opaque origin": {"Origin": "null"},
    }
    for name, headers in attacks.items():
        for method, path in (("GET", "config"), ("GET", "gradio_api/file=/etc/shadow"), ("GET", "gradio_api/info"),
                             ("POST", "gradio_api/queue/join")):
            response = http.request(method, server.base + path, headers=headers, json={}, timeout=5)
            assert response.status_code in (400, 403), (name, path, response.status_code)
            assert "access-control-allow-origin" not in {k.lower() for k in response.headers}, (name, path)
    preflight = http.options(server.base + "gradio_api/queue/join", timeout=5, headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in {k.lower() for k in preflight.headers}
    same = http.get(server.base + "config", headers={"Origin": f"http://{host}"}, timeout=5)
    assert same.status_code == 200
    still_answers(server)


def test_no_route_makes_the_server_fetch_a_url(server):
    raw = Raw(server.base, login=server.login)
    for url in ("gradio_api/file=http://192.0.2.1/x", "gradio_api/file=https://example.org/x",
                "gradio_api/file=http%3A%2F%2F192.0.2.1%2Fx", "gradio_api/file=//example.org/x",
                "gradio_api/proxy=http://192.0.2.1/x", "gradio_api/file=file:///etc/passwd"):
        started = time.monotonic()
        response = raw.http.get(server.base + url, timeout=5)
        assert response.status_code == 403 and time.monotonic() - started < 1.0, url


def test_metadata_files_are_not_taken_from_uploads(server):
    raw = Raw(server.base, login=server.login)
    upload = raw.fn("upload", "upload")
    poison = {
        "manifest.toml": b'["bob-notes.txt"]\nkind = "opinion"\ncourt = "Supreme Court"\n',
        "bob-notes.txt.meta.toml": b'kind = "opinion"\ncourt = "Supreme Court"\n',
        "broken.toml": b"this is [not toml",
    }
    for name, content in poison.items():
        offered = raw.upload(name, content)
        result = raw.join(upload, [[offered], "", "Only me"])
        assert "✗" in str(result["output"]) and "metadata files are not accepted" in str(result["output"]), name
        assert not os.path.exists(offered["path"]), "a refused file stayed in Gradio's cache"
    offered = raw.upload("bob-notes.txt", b"Bob's notes on the zebra licence and the striped archive.")
    result = raw.join(upload, [[offered], "", "Only me"])
    assert f"✓ {server.upload_prefix}bob-notes.txt" in str(result["output"]), result["output"]
    assert not os.path.exists(offered["path"])
    assert sorted(p.name for p in server.own_uploads.iterdir() if p.name.startswith("bob")) == ["bob-notes.txt"]
    assert not [p for p in server.uploads.rglob("*") if p.suffix == ".toml"]
    docs = subprocess.run([sys.executable, "-m", "tests.fake_cli", "docs", "--json"], env=server.env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    notes = [line for line in docs.stdout.splitlines() if f"{server.upload_prefix}bob-notes.txt" in line]
    assert notes and "Supreme Court" not in notes[0], notes


def test_an_oversized_upload_is_refused_and_not_kept(server):
    raw = Raw(server.base, login=server.login)
    response = raw.http.post(server.base + "gradio_api/upload", files={"files": ("big.txt", b"word " * 60_000)},
                             timeout=30)
    assert response.status_code == 413, response.status_code


@pytest.mark.parametrize("spec", ["alice", "alice=pw1", "alice;pw1", " ", "", "alice:pw1,bob", ":pw1"])
def test_a_malformed_login_setting_stops_the_server(tmp_path, spec):
    port = free_port()
    env = {**os.environ, "LEGALQA_INDEX_DIR": str(tmp_path / "index"), "LEGALQA_DATA_DIR": str(tmp_path / "data"),
           "LEGALQA_UI__AUTH": spec}
    done = subprocess.run([sys.executable, "-m", "tests.fake_cli", "serve", "--port", str(port)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "LEGALQA_UI__AUTH" in done.stderr and "Traceback" not in done.stderr and "serving on" not in done.stdout
    assert "pw1" not in done.stderr, "the error message repeats a password"


def test_a_session_belongs_to_the_user_who_opened_it(server):
    if not server.login:
        pytest.skip("without a login every visitor is the same user")
    alice, bob = Raw(server.base, login=ALICE), Raw(server.base, login=BOB)
    session = "alices-session-1"
    asked = alice.join(alice.fn("question", "submit"), chat_data(NORMAL_QUESTION), session=session, timeout=30)
    assert asked.get("success")
    stolen = bob.join(bob.fn("export", "click"), [None], session=session)
    assert stolen["status"] == 403
    listened = bob.http.get(server.base + "gradio_api/queue/data", params={"session_hash": session}, timeout=5)
    assert listened.status_code == 403
    assert bob.http.get(server.base + f"gradio_api/heartbeat/{session}", timeout=5).status_code == 403
    mine = alice.join(alice.fn("export", "click"), [None], session=session)
    assert mine.get("success") and "legalqa-conversation" in str(mine["output"])


def test_huge_and_malformed_questions_are_refused_quickly(server):
    raw = Raw(server.base, login=server.login)
    chat = raw.fn("question", "submit")
    started = time.monotonic()
    huge = raw.http.post(server.base + "gradio_api/queue/join", timeout=10, json={
        "fn_index": chat, "data": chat_data("Was training fair use? " * 450_000), "session_hash": "huge"})
    assert huge.status_code == 413 and time.monotonic() - started < 2.0
    long = raw.join(chat, chat_data("Was training on the novels fair use? " * 100))
    assert long.get("success") and "Not asked" in str(long["output"]) and "limit is 2,000" in str(long["output"])
    surrogate = raw.join(chat, chat_data(NORMAL_QUESTION + "\ud800"), timeout=30)
    assert surrogate.get("success") and "source-card" in str(surrogate["output"])
    still_answers(server)


def test_every_response_carries_the_security_headers(server):
    raw = Raw(server.base, login=server.login)
    for path in ("", "config", "gradio_api/info"):
        headers = {k.lower(): v for k, v in raw.http.get(server.base + path, timeout=5).headers.items()}
        assert headers.get("x-content-type-options") == "nosniff", path
        assert headers.get("x-frame-options") == "DENY", path
        assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), path


def test_the_login_page_gives_nothing_away(server):
    if not server.login:
        pytest.skip("no login page without a login")
    page = requests.get(server.base, timeout=5)
    assert page.status_code == 200 and '"auth_required":true' in page.text.replace(" ", "")
    assert "named_endpoints" not in page.text and "/ask" not in page.text


def test_feedback_comments_have_a_limit(server):
    raw = Raw(server.base, login=server.login)
    session = "feedback-session"
    raw.join(raw.fn("question", "submit"), chat_data(NORMAL_QUESTION), session=session, timeout=30)
    like = raw.fn("chat", "like")
    event = {"index": [1, 0], "value": "", "liked": True}
    long = raw.join(like, [None, "x" * 5_000_0], session=session, event_data=event)
    assert long.get("success") and "Not saved" in str(long["output"])
    short = raw.join(like, [None, "Useful."], session=session, event_data=event)
    assert short.get("success") and "feedback saved" in str(short["output"])
    feedback = (server.tmp / "data" / "feedback.jsonl").read_text()
    assert "Useful." in feedback and "x" * 3000 not in feedback


def test_failed_logins_are_throttled(tmp_path):
    served = launch(tmp_path, auth=f"{ALICE[0]}:{ALICE[1]}", extra_env={"LEGALQA_UI__LOGIN_ATTEMPTS_PER_MINUTE": "5"})
    try:
        http = requests.Session()
        codes = [http.post(served.base + "login", data={"username": "alice", "password": f"guess{i}"},
                           timeout=5).status_code for i in range(40)]
        assert codes[:5] == [400] * 5 and set(codes[5:]) == {429}, codes
        # The right password does not get through a throttled name either, until the minute is over.
        assert http.post(served.base + "login", data={"username": "alice", "password": ALICE[1]},
                         timeout=5).status_code == 429
    finally:
        from tests.conftest import stop_service

        stop_service(served.proc)


def test_the_cli_takes_a_lone_surrogate(tmp_path):
    from tests.corpus_fixture import write_corpus

    env = {**os.environ, "LEGALQA_INDEX_DIR": str(tmp_path / "index")}
    subprocess.run([sys.executable, "-m", "tests.fake_cli", "ingest", str(write_corpus(tmp_path / "corpus"))],
                   env=env, cwd=ROOT, check=True, capture_output=True, timeout=300)
    # Bytes that are not UTF-8 reach Python's argv as lone surrogates.
    done = subprocess.run([sys.executable.encode(), b"-m", b"tests.fake_cli", b"ask",
                           NORMAL_QUESTION.encode() + b"\xed\xa0\x80"], env=env, cwd=ROOT, capture_output=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"Traceback" not in done.stderr and b"factor" in done.stdout
