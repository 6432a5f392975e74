"""Browser tier on corpus/sample: a conversation read the way a user reads it.

The twelve-turn walkthrough of eval/gold/walkthrough.json replayed in the chat, the latest
answer's start in view after each reply, screenshots at a laptop's and a phone's size, and
the page's controls (examples, export, sidebar, documents table, filters, uploads). Cited
documents are read from the page (each card's file name), never from the answer's prose.

One server for the module, on a private copy of the sample index.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from chatbot.types import ABSTAIN_MESSAGE
from tests.browser.test_chat import ARTIFACTS, browser  # noqa: F401  (the fixture)
from tests.conftest import ROOT, free_port, start_service, stop_service, submit_question
from tests.integration.test_sample_corpus import sample_index  # noqa: F401  (the fixture)

WALKTHROUGH_FILE = ROOT / "eval" / "gold" / "walkthrough.json"
# The first three turns of the walkthrough: a question, a follow-up, another case.
THREE_TURNS = ["Did Judge Alsup find that training on lawfully purchased books was fair use?",
               "What about the pirated books?", "What about Meta?"]
SCREENSHOTS = ROOT / "docs" / "screenshots"
LAPTOP, PHONE = {"width": 1280, "height": 720}, {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def sample_server(sample_index, tmp_path_factory):  # noqa: F811
    copy = tmp_path_factory.mktemp("served-sample") / "index"
    shutil.copytree(sample_index, copy)
    data = tmp_path_factory.mktemp("sample-data")
    port = free_port()
    env = {**os.environ, "LEGALQA_INDEX_DIR": str(copy), "LEGALQA_DATA_DIR": str(data)}
    proc = start_service([sys.executable, "-m", "chatbot.cli", "serve", "--port", str(port)], port, env=env,
                         timeout=180, name="legalqa serve")
    yield f"http://127.0.0.1:{port}/"
    stop_service(proc)


@pytest.fixture(scope="module")
def case_names(sample_index) -> dict[str, str | None]:  # noqa: F811
    """Each sample document's case name, as `legalqa docs` lists it."""
    env = {**os.environ, "LEGALQA_INDEX_DIR": str(sample_index)}
    out = subprocess.run([sys.executable, "-m", "chatbot.cli", "docs", "--json"], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return {d["source"]: d.get("case_name") for d in map(json.loads, out.splitlines())}


def open_page(browser, server, viewport):  # noqa: F811
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    page.goto(server)
    page.wait_for_selector("#chat")
    return page


@pytest.fixture
def laptop(browser, sample_server):  # noqa: F811
    page = open_page(browser, sample_server, LAPTOP)
    yield page
    page.context.close()


@pytest.fixture
def phone(browser, sample_server):  # noqa: F811
    page = open_page(browser, sample_server, PHONE)
    yield page
    page.context.close()


def ask(page, question: str) -> dict:
    """Type ``question``, wait until its answer is finished, and read the answer off the page."""
    before = page.locator("#chat .answer").count()
    submit_question(page, question)
    return latest_answer(page, before)


def latest_answer(page, before: int) -> dict:
    # The page marks an answer shown once it has scrolled to it, after the reply is finished.
    page.wait_for_function(f"() => Number(document.body.dataset.answersShown || 0) > {before}", timeout=120_000)
    return page.evaluate("""() => {
        const answers = document.querySelectorAll('#chat .answer');
        const answer = answers[answers.length - 1];
        return {
            text: answer.innerText,
            abstained: answer.classList.contains('abstained'),
            searched_for: answer.querySelector('.searched-for')?.innerText || null,
            sources: [...answer.querySelectorAll('.source-card .source-file')].map(e => e.textContent),
        };
    }""")


def party_names(case_name: str) -> set[str]:
    """The word each party is known by: 'Kadrey v. Meta Platforms, Inc.' -> {'Kadrey', 'Meta'}."""
    names = set()
    for side in case_name.split(" v. "):
        words = [w.strip(",.") for w in side.split() if w not in ("The", "In", "re", "New", "York")]
        if words:
            names.add(words[0])
    return names


def walkthrough_failures(turn: dict, shown: dict, case_names: dict) -> list[str]:
    """What is wrong with one shown answer, by the walkthrough's rules."""
    wrong, kind, expected = [], turn["kind"], set(turn["sources"])
    if shown["abstained"] or ABSTAIN_MESSAGE in shown["text"]:
        wrong.append("refused, though the documents answer it")
    cited = set(shown["sources"])
    if kind == "named":
        stray = {s for s in cited - expected if case_names.get(s)}
        if stray:
            wrong.append(f"cites other cases' documents: {sorted(stray)}")
    if kind == "elliptical" and not cited & expected:
        wrong.append(f"cites none of {sorted(expected)} (cited {sorted(cited)})")
    if kind in ("named", "topic") and shown["searched_for"]:
        own = set().union(*(party_names(case_names[s]) for s in expected if case_names.get(s)))
        others = set().union(*(party_names(c) for s, c in case_names.items() if c and s not in expected)) - own
        named = sorted(n for n in others if re.search(rf"\b{re.escape(n)}\b", shown["searched_for"], re.IGNORECASE))
        if named:
            wrong.append(f"searched for another case ({', '.join(named)}): {shown['searched_for']!r}")
    return wrong


def first_line_in_view(page) -> dict:
    """Where the first line of text of the latest answer is, against the window and the chat's box."""
    return page.evaluate("""() => {
        const answers = document.querySelectorAll('#chat .answer');
        const answer = answers[answers.length - 1];
        const walker = document.createTreeWalker(answer, NodeFilter.SHOW_TEXT,
            {acceptNode: n => n.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP});
        const range = document.createRange();
        range.selectNodeContents(walker.nextNode());
        const line = range.getClientRects()[0];
        let box = answer.parentElement;
        while (box && !(box.scrollHeight > box.clientHeight && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) {
            box = box.parentElement;
        }
        const frame = box ? box.getBoundingClientRect() : {top: 0, bottom: window.innerHeight};
        return {top: line.top, bottom: line.bottom, height: window.innerHeight, box_top: frame.top, box_bottom: frame.bottom};
    }""")


def test_the_walkthrough_conversation(laptop, case_names):
    assert WALKTHROUGH_FILE.is_file(), f"{WALKTHROUGH_FILE} is missing"
    failures = []
    for i, turn in enumerate(json.loads(WALKTHROUGH_FILE.read_text())["turns"], 1):
        shown = ask(laptop, turn["question"])
        failures += [f"turn {i} ({turn['kind']}) {turn['question']!r}: {w}"
                     for w in walkthrough_failures(turn, shown, case_names)]
    laptop.screenshot(path=str(ARTIFACTS / "walkthrough-last-turn.png"))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_after_three_turns_the_latest_answer_starts_in_view(size, request):
    page = request.getfixturevalue(size)
    for question in THREE_TURNS:
        ask(page, question)
    where = first_line_in_view(page)
    assert 0 <= where["top"] and where["bottom"] <= where["height"], where
    assert where["box_top"] <= where["top"] and where["bottom"] <= where["box_bottom"], where
    viewport = page.viewport_size
    name = f"chat-{viewport['width']}x{viewport['height']}.png"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))
    if os.environ.get("LEGALQA_UPDATE_SCREENSHOTS"):  # the README's pictures, refreshed on request
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name))


def test_a_marker_opens_its_card_and_cards_start_closed(laptop):
    ask(laptop, THREE_TURNS[0])
    card = laptop.locator("#chat .answer .source-card").first
    assert card.get_attribute("open") is None and not card.locator(".passage").is_visible()
    laptop.locator("#chat .answer a.cite-marker").first.click()
    assert card.locator(".passage mark").is_visible()


def test_clicking_an_example_asks_it(phone):
    example = "What did the court hold in Kadrey v. Meta?"
    phone.locator("#chat button", has_text=example).click()
    shown = latest_answer(phone, 0)
    assert "kadrey-v-meta-brief.md" in shown["sources"]
    assert example in phone.locator("#chat").inner_text()


def test_the_export_box_appears_only_after_export(laptop):
    assert not laptop.locator("#export-file").is_visible()
    assert not laptop.locator("#comment").is_visible()  # the comment box waits in a closed accordion
    ask(laptop, THREE_TURNS[0])
    assert not laptop.locator("#export-file").is_visible()
    laptop.locator("#export").click()
    laptop.locator("#export-file a").first.wait_for(timeout=30_000)
    laptop.locator("#new-chat").click()
    laptop.locator("#export-file").wait_for(state="hidden", timeout=10_000)


def test_the_sidebar_starts_closed_on_a_phone_and_open_on_a_laptop(phone, laptop):
    laptop.wait_for_selector(".sidebar.open", timeout=10_000)
    phone.wait_for_timeout(1000)  # time for the page's script, which would open it on a wide screen
    assert phone.locator(".sidebar.open").count() == 0
    assert phone.locator("#question textarea").is_visible()


def test_the_documents_table_fits_and_a_title_opens_the_document(laptop):
    laptop.get_by_role("tab", name="Documents").click()
    table = laptop.locator("#documents table")
    table.wait_for()
    right = laptop.evaluate("() => Math.max(...[...document.querySelectorAll('#documents th')]"
                            ".map(th => th.getBoundingClientRect().right))")
    assert right <= LAPTOP["width"]
    assert laptop.evaluate("() => document.documentElement.scrollWidth") <= LAPTOP["width"]
    with laptop.context.expect_page() as opened:
        laptop.locator("#documents a", has_text="Kadrey v. Meta").first.click()
    view = opened.value
    view.wait_for_load_state()
    assert view.title().startswith("Kadrey v. Meta") and "/view/" in view.url
    assert view.locator("p").count() > 20  # a Markdown brief shows its paragraphs
    view.close()
    laptop.locator("#doc-search input, #doc-search textarea").first.fill("market dilution")
    laptop.wait_for_function("() => !document.querySelector('#documents').innerText.includes('thaler-v-perlmutter')",
                             timeout=30_000)
    assert "kadrey-v-meta-brief.md" in laptop.locator("#documents").inner_text()


def test_a_bad_date_is_named_in_the_chat_and_nothing_is_searched(laptop):
    laptop.locator("#filter-from input, #filter-from textarea").first.fill("2025-13-45")
    box = laptop.locator("#question textarea")
    box.fill("What did the court hold in Kadrey v. Meta?")
    box.press("Enter")
    laptop.wait_for_function("() => document.querySelector('#chat').innerText.includes('2025-13-45')", timeout=30_000)
    chat = laptop.locator("#chat").inner_text()
    assert "not a real date" in chat and "Traceback" not in chat
    assert laptop.locator("#chat .answer").count() == 0
    # After an answer, the error that follows it is what the chat shows.
    laptop.locator("#filter-from input, #filter-from textarea").first.fill("")
    ask(laptop, THREE_TURNS[0])
    laptop.locator("#filter-from input, #filter-from textarea").first.fill("June 45, 2025")
    box.fill("What about the pirated books?")
    box.press("Enter")
    error = laptop.locator("#chat .bot-row", has_text="June 45, 2025").last
    error.wait_for(timeout=30_000)
    laptop.wait_for_timeout(500)
    top, bottom = error.evaluate("e => [e.getBoundingClientRect().top, e.getBoundingClientRect().bottom]")
    frame = laptop.locator("#chat").bounding_box()
    assert frame["y"] <= top and bottom <= frame["y"] + frame["height"]


def test_an_uploaded_file_name_is_shown_in_full(laptop, tmp_path):
    name = "a-memo-with-a-long-name-on-zebra-licensing-markets-for-training-data.md"
    (tmp_path / name).write_text("# Zebra licensing\n\nA memo on zebra licensing markets for training data.\n")
    laptop.locator("#upload input[type=file]").set_input_files(str(tmp_path / name))
    laptop.wait_for_function(f"() => document.querySelector('#upload-status').innerText.includes('{name}')",
                             timeout=120_000)
    # The file box is emptied once the upload is taken (sent again, its files would only be refused):
    # the status line names the file, in full and not cut off.
    laptop.wait_for_function("() => !document.querySelector('#upload .filename')", timeout=30_000)
    shown = laptop.locator("#upload-status")
    assert name in shown.inner_text().replace("\n", "")
    assert shown.evaluate("e => [e, ...e.querySelectorAll('*')].every(c => c.scrollWidth <= c.clientWidth + 1)")
