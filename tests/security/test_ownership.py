"""Two lawyers on one server: what alice uploads stays hers, through every door bob has.

A real `legalqa serve` (fake embedder) with two users. Bob tries Gradio's queue as the browser
speaks it, `gradio_client`, Gradio's plain HTTP API, the document routes with alice's keys,
the Documents search, export and the remove and upload handlers with alice's names. Then
alice shares a matter with him and unshares it, and removes her upload. The same flow runs
with the plaintext login setting and with a users file of argon2 hashes.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, stop_service
from tests.security.client import Raw
from tests.security.conftest import ALICE, BOB, launch

MEMO = ("MEMORANDUM TO FILE. Our client Halcyon Looms confirmed that the quindecillion-marigold settlement "
        "floor for the loom patent dispute is 4,200,000 dollars, and no lower.")
MEMO_Q = "What is the quindecillion-marigold settlement floor for Halcyon Looms?"
MATTER_MEMO = ("MATTER NOTE. The periwinkle-zeppelin licence with Ostrander Press expires on 9 March 2031 "
               "unless the periwinkle-zeppelin option is exercised.")
MATTER_Q = "When does the periwinkle-zeppelin licence with Ostrander Press expire?"
OWN = "Only me"


def key(source: str) -> str:
    """A document's opaque key, as /document and /view name it (SourceDocument.key)."""
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def users_file_env(tmp_path) -> dict:
    from chatbot.users import UsersFile

    path = tmp_path / "users.json"
    users = UsersFile(path)
    for name, password in (ALICE, BOB):
        users.add(name, password)
    return {"LEGALQA_UI__USERS_FILE": str(path)}


@pytest.fixture(scope="module", params=["plaintext", "users-file"])
def served(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(request.param)
    if request.param == "plaintext":
        server = launch(tmp, auth=f"{ALICE[0]}:{ALICE[1]},{BOB[0]}:{BOB[1]}")
    else:
        server = launch(tmp, auth=None, extra_env=users_file_env(tmp))
    yield server
    stop_service(server.proc)


class Lawyer:
    """One logged-in user speaking Gradio's queue as the page does, in one session."""

    def __init__(self, server, login):
        self.server, self.name = server, login[0]
        self.raw = Raw(server.base, login=login)
        self.session = f"{self.name}-session"

    def call(self, elem_id: str, event: str, data: list) -> str:
        result = self.attempt(elem_id, event, data)
        assert result.get("success"), result["messages"][-1:]
        return json.dumps(result["output"], ensure_ascii=False)

    def attempt(self, elem_id: str, event: str, data: list) -> dict:
        return self.raw.join(self.raw.fn(elem_id, event), data, session=self.session, timeout=60)

    def refused(self, elem_id: str, event: str, data: list, reason: str) -> bool:
        """Refused by Gradio (a value not among the choices this user was given) or by the handler."""
        result = self.attempt(elem_id, event, data)
        return not result.get("success") or reason in json.dumps(result["output"], ensure_ascii=False)

    def ask(self, question: str) -> str:
        """The answer to ``question`` (the chat's last message: the chat holds the whole conversation)."""
        chat = json.loads(self.call("question", "submit", [question, None, None, [], "", "", "", ""]))["data"][1]
        return json.dumps(chat[-1], ensure_ascii=False)

    def upload(self, name: str, text: str, under: str = OWN) -> str:
        return self.call("upload", "upload", [[self.raw.upload(name, text.encode())], "", under])

    def documents(self, query: str = "") -> str:
        return self.call("doc-search", "change", [query])

    def share(self, matter: str, users: str, *, unshare: bool = False) -> str:
        return self.call("unshare" if unshare else "share", "click", [matter, users])

    def remove(self, source: str) -> str:
        self.call("removing", "expand", [])  # opening the box lists this user's uploads
        return self.call("remove", "click", [source, ""])


def api_ask(server, login, question: str) -> dict:
    """Gradio's plain HTTP API: POST /gradio_api/call/ask, then read the event's stream."""
    raw = Raw(server.base, login=login)
    posted = raw.http.post(server.base + "gradio_api/call/ask", json={"data": [question]}, timeout=30)
    assert posted.status_code == 200, posted.text
    event = posted.json()["event_id"]
    with raw.http.get(server.base + f"gradio_api/call/ask/{event}", stream=True, timeout=60) as stream:
        lines = [line for line in stream.iter_lines() if line.startswith(b"data:")]
    return json.loads(lines[-1][5:])[0]


def client_ask(server, login, question: str) -> dict:
    from gradio_client import Client

    return Client(server.base, auth=login, verbose=False).predict(question, api_name="/ask")


def sources(answer: dict) -> set[str]:
    return {c["source"] for c in answer["citations"]} | {r["source"] for r in answer["retrieved"]}


def test_an_upload_stays_with_its_owner_until_shared_and_goes_when_removed(served):
    alice, bob = Lawyer(served, ALICE), Lawyer(served, BOB)
    memo = "uploads/u-alice/halcyon-memo.txt"
    assert f"✓ {memo}: indexed" in alice.upload("halcyon-memo.txt", MEMO)
    assert "4,200,000" in alice.ask(MEMO_Q) and memo in alice.ask(MEMO_Q)

    # Bob, through each door: the queue, gradio_client, the HTTP API.
    assert "4,200,000" not in bob.ask(MEMO_Q) and "halcyon-memo" not in bob.ask(MEMO_Q)
    for answer in (client_ask(served, BOB, MEMO_Q), api_ask(served, BOB, MEMO_Q)):
        assert answer["abstained"] and memo not in sources(answer), answer
    assert memo in sources(client_ask(served, ALICE, MEMO_Q)) and memo in sources(api_ask(served, ALICE, MEMO_Q))

    # The Documents tab, its text search, and alice's keys replayed on the document routes.
    assert "halcyon-memo" not in bob.documents() and "halcyon-memo" not in bob.documents("quindecillion")
    assert "halcyon-memo" in alice.documents("quindecillion")
    for route in (f"document/{key(memo)}", f"view/{key(memo)}"):
        response = bob.raw.http.get(served.base + route, timeout=10)
        assert response.status_code == 404 and b"4,200,000" not in response.content, route
        assert alice.raw.http.get(served.base + route, timeout=10).status_code == 200, route

    # Bob's export holds his conversation only.
    exported = json.loads(bob.call("export", "click", [None]))["data"][0]
    path = (exported.get("value") or exported)["path"]
    text = bob.raw.http.get(served.base + f"gradio_api/file={path}", timeout=10).text
    assert MEMO_Q in text and "4,200,000" not in text

    # Nor can bob remove it, or file an upload under a matter that is not his.
    bob.call("removing", "expand", [])
    assert bob.refused("remove", "click", [memo, ""], "not removed") and "halcyon-memo" in alice.documents()
    offered = bob.raw.upload("bob.txt", b"Bob's own note.")
    assert bob.refused("upload", "upload", [[offered], "", "alice/Halcyon"], "nothing was added")

    # A matter: bob sees what is filed under it while it is shared with him, and no longer.
    assert "✓ Halcyon is shared with no one else" in alice.share("Halcyon", "")
    note = "uploads/u-alice/ostrander-note.txt"
    assert f"✓ {note}: indexed" in alice.upload("ostrander-note.txt", MATTER_MEMO, under="alice/Halcyon")
    assert "9 March 2031" not in bob.ask(MATTER_Q)
    assert "shared with bob" in alice.share("Halcyon", "bob")
    assert "9 March 2031" in bob.ask(MATTER_Q) and note in sources(client_ask(served, BOB, MATTER_Q))
    assert "4,200,000" not in bob.ask(MEMO_Q)  # the matter, not everything of alice's
    assert "shared with no one else" in alice.share("Halcyon", "bob", unshare=True)
    assert "9 March 2031" not in bob.ask(MATTER_Q) and note not in sources(api_ask(served, BOB, MATTER_Q))

    # Alice removes her memo: gone from answers, the Documents tab, the index and the disk.
    assert f"✓ removed {memo}" in alice.remove(memo)
    assert memo not in sources(client_ask(served, ALICE, MEMO_Q)) and "halcyon-memo" not in alice.documents()
    assert not (served.uploads / "u-alice" / "halcyon-memo.txt").exists()
    assert alice.raw.http.get(served.base + f"document/{key(memo)}", timeout=10).status_code == 404
    listed = subprocess.run([sys.executable, "-m", "tests.fake_cli", "docs", "--json"], env=served.env, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert "ostrander-note" in listed.stdout and "halcyon-memo" not in listed.stdout

    # The audit log: each question, upload, share and removal, with user, time and cited sources.
    audit = [json.loads(line) for line in (served.tmp / "data" / "audit.jsonl").read_text().splitlines()]
    assert all(entry["time"] and entry["user"] in ("alice", "bob") for entry in audit)
    actions = {(entry["user"], entry["action"]) for entry in audit}
    assert {("alice", "upload"), ("alice", "ask"), ("bob", "ask"), ("alice", "share"), ("alice", "unshare"),
            ("alice", "remove")} <= actions
    cited = [entry for entry in audit if entry["action"] == "ask" and entry["user"] == "bob" and entry["cited"]]
    assert any(any("ostrander-note" in c for c in entry["cited"]) for entry in cited)
    assert not any("halcyon-memo" in c for entry in audit if entry["user"] == "bob" for c in entry.get("cited", []))
    assert any(entry["action"] == "remove" and entry["file"] == memo for entry in audit)


def test_a_wrong_password_gets_401_everywhere(served):
    import requests

    session = requests.Session()
    login = session.post(served.base + "login", data={"username": "alice", "password": "not-her-password"}, timeout=10)
    assert login.status_code in (400, 401)
    for route in ("config", "gradio_api/info", f"document/{key('uploads/u-alice/halcyon-memo.txt')}",
                  "gradio_api/call/ask", "gradio_api/queue/data?session_hash=x"):
        assert session.get(served.base + route, timeout=10).status_code == 401, route
    assert session.post(served.base + "gradio_api/call/ask", json={"data": [MEMO_Q]}, timeout=10).status_code == 401


def test_a_user_removed_from_the_users_file_loses_an_open_session(served):
    bob = Lawyer(served, BOB)
    assert bob.raw.http.get(served.base + "config", timeout=10).status_code == 200
    users_file = served.env.get("LEGALQA_UI__USERS_FILE")
    if users_file is None:  # the plaintext setting is read at start: bob stays until a restart
        assert bob.raw.http.get(served.base + "gradio_api/info", timeout=10).status_code == 200
        return
    from chatbot.users import UsersFile

    UsersFile(users_file).remove("bob")
    try:
        for route in ("config", "gradio_api/info", "gradio_api/call/ask"):
            assert bob.raw.http.get(served.base + route, timeout=10).status_code == 401, route
        assert Lawyer(served, ALICE).raw.http.get(served.base + "config", timeout=10).status_code == 200
    finally:
        UsersFile(users_file).add(*BOB)
