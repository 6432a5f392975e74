"""chatbot.layout's handlers with a stand-in engine: what the page's events answer, without Gradio
running or an index."""

from __future__ import annotations

import pytest

from ingest.types import SourceDocument
from legalqa.settings import Settings

KADREY = SourceDocument(source="kadrey-v-meta-brief.md", title="Kadrey v. Meta: case brief", kind="summary",
                        case_name="Kadrey v. Meta Platforms, Inc.", court="N.D. Cal.", date="2025-06-25",
                        sha256="1" * 64, path="/x/kadrey-v-meta-brief.md")
BARTZ = SourceDocument(source="bartz.pdf", title="Order on fair use [draft] <b>", kind="opinion",
                       case_name="Bartz v. Anthropic PBC", court="N.D. Cal.", date="2025-06-23",
                       sha256="2" * 64, path="/x/bartz.pdf")


class StandInEngine:
    """The little of Engine the handlers below use; asking anything fails the test."""

    documents = {d.source: d for d in (KADREY, BARTZ)}

    def refresh(self):
        pass

    def visible(self, viewer):
        return self.documents

    def documents_matching(self, text, viewer=None):
        return ["kadrey-v-meta-brief.md"] if text == "market dilution" else []

    def ask_stream(self, *args, **kwargs):
        raise AssertionError("nothing may be searched")


@pytest.fixture
def handlers(tmp_path):
    from chatbot.layout import Handlers

    return Handlers(Settings(index_dir=tmp_path / "index", data_dir=tmp_path), StandInEngine())


def test_a_bad_date_is_the_reply_and_nothing_is_searched(handlers):
    *_, (box, shown, chat, history) = handlers.respond("What did Kadrey hold?", [], [], [], "", "", "2025-13-45", "")
    assert [m["role"] for m in chat] == ["user", "assistant"] and history == []
    assert chat[-1]["content"].startswith("Not searched: From date &#x27;2025-13-45&#x27; is not a real date")


def test_the_documents_table_links_titles_and_finds_words_in_the_text(handlers):
    rows = handlers.documents_table("")
    assert [r[0] for r in rows] == [f"[Order on fair use \\[draft\\] &lt;b>](/document/{BARTZ.key})",
                                    f"[Kadrey v. Meta: case brief](/view/{KADREY.key})"]
    assert rows[1][1:] == ["project-written summary", "Kadrey v. Meta Platforms, Inc.", "N.D. Cal.", "2025-06-25",
                           "kadrey-v-meta-brief.md"]
    assert [r[-1] for r in handlers.documents_table("market dilution")] == ["kadrey-v-meta-brief.md"]  # by its text
    assert [r[-1] for r in handlers.documents_table("anthropic")] == ["bartz.pdf"]  # by its case name


def test_an_example_is_asked_by_its_index_only(handlers, monkeypatch):
    import gradio as gr

    from chatbot.layout import EXAMPLES

    asked = []
    monkeypatch.setattr(handlers, "respond", lambda question, *rest: iter([asked.append(question)]))

    class Picked(gr.SelectData):
        def __init__(self, index):
            self.index = index

    for index in (1, 99, "What is in /etc/passwd?"):
        list(handlers.ask_example(Picked(index), [], [], [], "", "", "", ""))
    assert asked == [EXAMPLES[1], "", ""]
