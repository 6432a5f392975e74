"""Browser tier: two lawyers on one server with a login, each in a Chromium context of their own.

Alice's web uploads are hers. Bob, logged in beside her, neither reads one in an answer, finds
it among the documents, opens it by a key replayed from Alice's page, nor exports it; a matter
Alice shares with him shows him what is filed under it, until she unshares it. Alice removes an
upload from the Documents tab and it is gone: from her answers, her table and the disk.

The documents are made-up memos whose facts no corpus document holds, so an answer that states
one can only come from the upload. One server for the module: the security tier's small corpus
and fake embedder, so answers take a second.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chatbot.types import ABSTAIN_MESSAGE
from tests.browser.test_chat import ARTIFACTS, browser  # noqa: F401  (the fixture)
from tests.conftest import stop_service, submit_question
from tests.security.conftest import ALICE, BOB, launch

LAPTOP, PHONE = {"width": 1280, "height": 720}, {"width": 390, "height": 844}

MEMO_FILE = "halcyon-looms-settlement-memo.txt"
MEMO_FACT = "4,200,000 dollars"
MEMO_WORD = "quindecillion-marigold"
MEMO = ("Settlement memo for the Halcyon Looms matter.\n\n"
        f"The Halcyon Looms settlement floor is {MEMO_FACT}, code-named {MEMO_WORD}. "
        f"The client will not accept less than the {MEMO_WORD} floor at mediation.\n")
MEMO_QUESTION = "What is the Halcyon Looms settlement floor?"

MATTER = "Halcyon Looms"
WITNESS_FILE = "halcyon-witness-note.txt"
WITNESS_FACT = "Petronella Vasquez-Ostrander"
WITNESS = ("Witness note for the Halcyon Looms mediation.\n\n"
           f"The mediation witness is the loom engineer {WITNESS_FACT}, "
           "who will testify about the cracked warp beams of the Dunmore mill.\n")
WITNESS_QUESTION = "Who is the mediation witness who will testify about the cracked warp beams?"

# A word only a private upload holds: asking about it must tell Bob nothing, not even that it exists.
ORACLE_FILE = "brightwater-escrow-note.txt"
ORACLE_WORD = "tangerine-obelisk"
ORACLE = f"Escrow note. The Brightwater escrow release phrase is {ORACLE_WORD}, held by the custodian bank.\n"
ORACLE_QUESTION = f"What is {ORACLE_WORD}?"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`legalqa serve` with two users, alice and bob, on the small corpus."""
    server = launch(tmp_path_factory.mktemp("ownership"), auth=f"{ALICE[0]}:{ALICE[1]},{BOB[0]}:{BOB[1]}")
    yield server
    stop_service(server.proc)


def logged_in(browser, served, login: tuple[str, str]):  # noqa: F811
    """A page of its own browser context, logged in through Gradio's login page."""
    context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    page = context.new_page()
    page.goto(served.base)
    page.locator("input[type=password]").wait_for(timeout=30_000)
    page.locator("input[data-testid=textbox]").fill(login[0])
    page.locator("input[type=password]").fill(login[1])
    page.get_by_role("button", name="Login").click()
    page.wait_for_selector("#chat", timeout=30_000)
    page.wait_for_selector(".sidebar.open", timeout=10_000)  # the page's script has run
    return page


@pytest.fixture(scope="module")
def alice(browser, served):  # noqa: F811
    page = logged_in(browser, served, ALICE)
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def bob(browser, served):  # noqa: F811
    page = logged_in(browser, served, BOB)
    yield page
    page.context.close()


def upload(page, tmp_path: Path, name: str, text: str) -> str:
    """Upload a text file from the sidebar as it is set ("Visible to"); the status line it gets."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    page.locator("#upload input[type=file]").set_input_files(str(tmp_path / name))
    status = page.locator("#upload-status")
    page.wait_for_function("name => document.querySelector('#upload-status').innerText.includes(name)", arg=name,
                           timeout=60_000)
    return status.inner_text()


def choose(page, elem_id: str, label: str) -> None:
    """Pick ``label`` in the dropdown ``elem_id``, as a user does (again if the server refreshed
    its choices meanwhile, which resets the value)."""
    for attempt in range(3):
        page.locator(f"#{elem_id} input").click()
        page.get_by_role("option", name=label, exact=True).click()
        try:
            page.wait_for_function("([id, label]) => document.querySelector(`#${id} input`).value === label",
                                   arg=[elem_id, label], timeout=5_000)
            page.wait_for_timeout(300)
            if page.locator(f"#{elem_id} input").input_value() == label:
                return
        except Exception:
            if attempt == 2:
                raise
    raise AssertionError(f"#{elem_id} does not keep {label!r}")


@pytest.fixture(scope="module")
def memo(alice, served, tmp_path_factory) -> str:
    """Alice's private memo, uploaded with "Visible to" = Only me; its source."""
    assert alice.locator("#file-under input").input_value() == "Only me"
    status = upload(alice, tmp_path_factory.mktemp("alice-files"), MEMO_FILE, MEMO)
    source = f"uploads/u-alice/{MEMO_FILE}"
    assert f"✓ {source}: indexed" in status, status
    assert (served.own_uploads / MEMO_FILE).read_text(encoding="utf-8") == MEMO
    return source


def ask(page, question: str) -> dict:
    """Ask ``question`` in a new chat (no earlier turn to follow up on); the finished answer as shown."""
    page.get_by_role("tab", name="Chat").click()
    if page.locator("#chat .answer").count():
        page.locator("#new-chat").click()
        page.wait_for_function("() => !document.querySelector('#chat .answer')", timeout=10_000)
    submit_question(page, question)
    page.wait_for_function("() => document.querySelector('#chat .answer')", timeout=120_000)
    return page.evaluate("""() => {
        const answer = document.querySelector('#chat .answer');
        return {
            text: answer.innerText,
            abstained: answer.classList.contains('abstained'),
            sources: [...answer.querySelectorAll('.source-card .source-file')].map(e => e.textContent.trim()),
            links: [...answer.querySelectorAll('.source-card summary a')].map(a => a.getAttribute('href')),
            chat: document.querySelector('#chat').innerText,
        };
    }""")


def assert_abstains_without(shown: dict, *secrets: str) -> None:
    assert shown["abstained"] and shown["text"].startswith(ABSTAIN_MESSAGE), shown["text"]
    assert shown["sources"] == [], shown["sources"]
    for secret in secrets:
        assert secret not in shown["chat"], f"{secret!r} shown to another user: {shown['chat']}"


# The table's rows as text (the table also holds a status line that changes while a search runs).
ROWS_TEXT = "() => [...document.querySelectorAll('#documents .virtual-row')].map(row => row.innerText).join('\\n')"


def memo_source(shown: dict) -> str | None:
    return next((s for s in shown["sources"] if s.endswith(MEMO_FILE)), None)


def documents(page, search: str | None = None, expect: str | None = None) -> dict[str, str]:
    """The Documents tab's rows, file column (less its ' (private)' or ' (matter: …)') to the title's link.
    With ``search``, typed into the search box, once the table has changed for it; with ``expect``,
    once that file is listed (or after 30 s, for the caller's assertion to fail on)."""
    page.get_by_role("tab", name="Documents").click()
    page.locator("#documents table").wait_for(timeout=30_000)
    if search is not None:
        before = page.evaluate(ROWS_TEXT)
        page.locator("#doc-search input, #doc-search textarea").first.fill(search)
        page.wait_for_function(f"before => ({ROWS_TEXT})() !== before", arg=before, timeout=30_000)
    if expect is not None:
        try:
            page.wait_for_function(f"file => ({ROWS_TEXT})().includes(file)", arg=expect, timeout=30_000)
        except Exception:  # noqa: BLE001 - the caller's assertion shows the rows
            pass
    # A table updated while its tab was hidden is drawn again once shown: read it when it is still.
    page.evaluate(f"""() => new Promise(done => {{
        let last = null, still = 0;
        const look = () => {{
            const now = ({ROWS_TEXT})();
            still = now === last ? still + 1 : 0;
            last = now;
            if (still >= 3) done(); else setTimeout(look, 150);
        }};
        look();
    }})""")
    return {file.split(" (")[0]: link for file, link in rows(page)}


def rows(page) -> list[tuple[str, str]]:
    """The Documents table's rows as shown: (file column, title's link)."""
    return [tuple(row) for row in page.evaluate("""() => [...document.querySelectorAll('#documents .virtual-row')]
        .map(row => [[...row.querySelectorAll('[role=gridcell]')].pop().innerText.trim(),
                     row.querySelector('a[href]')?.getAttribute('href') || null])""")]


def key_of(link: str) -> str:
    return re.match(r"/(?:view|document)/([^/?#]+)", link).group(1)


def fetch(page, served, path: str):
    """GET ``path`` with the page's session, as its user's browser would."""
    response = page.request.get(served.base.rstrip("/") + path)
    return response.status, response.text()


def test_bob_gets_no_answer_from_alices_private_upload_nor_exports_it(alice, bob, memo):
    shown = ask(bob, MEMO_QUESTION)
    assert_abstains_without(shown, MEMO_FACT, MEMO_WORD, MEMO_FILE)
    bob.locator("#export").click()
    link = bob.locator("#export-file a").first
    link.wait_for(timeout=30_000)
    with bob.expect_download() as download:
        link.click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "## " + MEMO_QUESTION in exported and ABSTAIN_MESSAGE in exported
    for secret in (MEMO_FACT, MEMO_WORD, MEMO_FILE):
        assert secret not in exported, exported


def test_bob_does_not_find_it_among_the_documents(alice, bob, memo):
    bob.reload()  # the table as the server lists it after the upload, not as the page was first given
    bob.wait_for_selector("#chat", timeout=30_000)
    listed = documents(bob)
    assert "statute/fair-use.md" in listed and memo not in listed, listed
    assert not any(source.startswith("uploads/") for source in listed), listed
    assert documents(bob, search=MEMO_WORD) == {}
    assert MEMO_FILE not in bob.locator("#documents").inner_text()
    # Alice finds it by the same word.
    assert list(documents(alice, search=MEMO_WORD)) == [memo]
    assert [file for file, _ in rows(alice)] == [f"{memo} (private)"]
    alice.locator("#doc-search input, #doc-search textarea").first.fill("")


def test_alice_gets_her_upload_cited_and_bob_cannot_open_it_by_its_key(alice, bob, memo, served):
    shown = ask(alice, MEMO_QUESTION)
    assert not shown["abstained"] and memo in shown["sources"], shown
    assert MEMO_FACT in shown["text"]
    cited = shown["links"][shown["sources"].index(memo)]  # /view/<key>?chunk=…&quote=…#passage
    listed = documents(alice, expect=memo)[memo]  # /view/<key>
    key = key_of(listed)
    assert key_of(cited) == key
    replayed = [listed, f"/document/{key}", cited.split("#")[0]]
    for path in replayed:
        status, body = fetch(alice, served, path)
        assert status == 200 and MEMO_FACT in body, (path, status)
    for path in replayed:
        status, body = fetch(bob, served, path)
        assert status == 404, (path, status)
        assert MEMO_FACT not in body and MEMO_WORD not in body and MEMO_FILE not in body, body


def test_a_word_only_a_private_upload_holds_does_not_change_bobs_answer(alice, bob, tmp_path):
    before = ask(bob, ORACLE_QUESTION)
    assert_abstains_without(before, ORACLE_FILE)
    status = upload(alice, tmp_path, ORACLE_FILE, ORACLE)
    assert f"✓ uploads/u-alice/{ORACLE_FILE}: indexed" in status, status
    assert ask(alice, ORACLE_QUESTION)["sources"] == [f"uploads/u-alice/{ORACLE_FILE}"]
    after = ask(bob, ORACLE_QUESTION)
    assert ORACLE_FILE not in after["chat"] and "custodian bank" not in after["chat"]
    # Word weights count what bob may see: alice's upload tells him nothing, not even that it exists.
    assert after["abstained"] and after["text"] == before["text"], after


def test_a_matter_shows_bob_its_uploads_only_while_shared(alice, bob, served, tmp_path):
    alice.locator("#sharing").get_by_text("Share a matter").click()
    alice.locator("#matter-name input, #matter-name textarea").first.fill(MATTER)
    alice.locator("#matter-users input, #matter-users textarea").first.fill("")
    alice.locator("#share").click()
    share_status = alice.locator("#share-status")
    alice.wait_for_function("() => document.querySelector('#share-status').innerText.includes('shared with')",
                            timeout=30_000)
    assert share_status.inner_text().strip() == f"✓ {MATTER} is shared with no one else"

    choose(alice, "file-under", MATTER)
    status = upload(alice, tmp_path, WITNESS_FILE, WITNESS)
    witness = f"uploads/u-alice/{WITNESS_FILE}"
    assert f"✓ {witness}: indexed" in status, status
    key = key_of(documents(alice, expect=witness)[witness])
    assert fetch(bob, served, f"/view/{key}")[0] == 404
    assert_abstains_without(ask(bob, WITNESS_QUESTION), WITNESS_FACT, WITNESS_FILE)

    def offered_to_bob(offered: bool) -> None:
        """Bob's "Visible to" lists the matter as he opens it while it is shared, without a reload. An
        unshared one leaves the list the next time he opens it (Gradio redraws an open list that gains
        a choice, not one that loses one; the upload refuses it either way)."""
        for _ in range(1 if offered else 2):
            bob.locator("#question textarea").click()  # the list closed, and "Visible to" not focused
            bob.locator("#file-under input").click()
            bob.wait_for_timeout(500)
        option = bob.get_by_role("option", name=f"{MATTER} (alice)", exact=True)
        option.wait_for(state="visible" if offered else "detached", timeout=10_000)
        bob.keyboard.press("Escape")

    def members(button: str, users: str, expected: str) -> None:
        alice.locator("#matter-users input, #matter-users textarea").first.fill(users)
        alice.locator(f"#{button}").click()
        alice.wait_for_function("expected => document.querySelector('#share-status').innerText.includes(expected)",
                                arg=expected, timeout=30_000)

    members("share", "bob", f"✓ {MATTER} is shared with bob")
    offered_to_bob(True)
    shown = ask(bob, WITNESS_QUESTION)
    assert not shown["abstained"] and witness in shown["sources"], shown
    assert WITNESS_FACT in shown["text"]
    status_code, body = fetch(bob, served, f"/view/{key}")
    assert status_code == 200 and WITNESS_FACT in body
    # Only the matter's upload: Alice's private memo stays hers (the shared note may answer in its place).
    shown = ask(bob, MEMO_QUESTION)
    assert memo_source(shown) is None and MEMO_FACT not in shown["chat"] and MEMO_WORD not in shown["chat"], shown

    members("unshare", "bob", f"✓ {MATTER} is shared with no one else")
    offered_to_bob(False)
    assert_abstains_without(ask(bob, WITNESS_QUESTION), WITNESS_FACT, WITNESS_FILE)
    assert fetch(bob, served, f"/view/{key}")[0] == 404


def test_alice_sees_her_own_matter_named_as_she_named_it(alice):
    documents(alice)
    shown = [file for file, _ in rows(alice) if file.startswith(f"uploads/u-alice/{WITNESS_FILE}")]
    assert len(shown) == 1 and shown[0].startswith(f"uploads/u-alice/{WITNESS_FILE} (matter: {MATTER}"), shown
    assert shown[0] == f"uploads/u-alice/{WITNESS_FILE} (matter: {MATTER})"


def test_the_upload_and_share_controls_at_a_laptops_and_a_phones_size(alice):
    alice.get_by_role("tab", name="Chat").click()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for viewport in (LAPTOP, PHONE):
        alice.set_viewport_size(viewport)
        if not alice.locator(".sidebar.open").count():  # the page's script opens it on a wide screen only
            alice.locator(".sidebar .toggle-button").click()
        alice.wait_for_selector(".sidebar.open")
        if not alice.locator("#matter-name").is_visible():
            alice.locator("#sharing").get_by_text("Share a matter").click()
        alice.get_by_text("Add documents").evaluate("e => e.scrollIntoView({block: 'start'})")
        for elem_id in ("file-under", "upload", "matter-name", "matter-users", "share", "unshare"):
            box = alice.locator(f"#{elem_id}").bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1, (elem_id, box)
        alice.screenshot(path=str(ARTIFACTS / f"sharing-{viewport['width']}x{viewport['height']}.png"))
    alice.set_viewport_size(LAPTOP)


def test_alice_removes_her_upload_and_it_is_gone(alice, memo, served):
    assert memo in ask(alice, MEMO_QUESTION)["sources"]
    documents(alice)
    alice.locator("#removing").get_by_text("Remove one of your uploads").click()
    choose(alice, "remove-choice", memo)
    alice.locator("#remove").click()
    alice.wait_for_function("() => document.querySelector('#remove-status').innerText.includes('removed')",
                            timeout=60_000)
    assert alice.locator("#remove-status").inner_text().strip() == f"✓ removed {memo}"
    assert not (served.own_uploads / MEMO_FILE).exists()
    assert (served.own_uploads / WITNESS_FILE).exists()  # only the one removed
    listed = documents(alice)
    assert memo not in listed and f"uploads/u-alice/{WITNESS_FILE}" in listed, listed
    assert documents(alice, search=MEMO_WORD) == {}
    shown = ask(alice, MEMO_QUESTION)
    assert memo not in shown["sources"] and MEMO_FACT not in shown["chat"], shown


def test_a_second_upload_reports_only_the_new_file(alice, tmp_path):
    status = upload(alice, tmp_path, "second-note.txt", "A second note on the Dunmore mill's loom inventory.\n")
    assert "✓ uploads/u-alice/second-note.txt: indexed" in status, status
    assert status.strip() == "✓ uploads/u-alice/second-note.txt: indexed"
