"""The Gradio page: a filter sidebar, the chat tab and the documents tab, and what their events do.

Thin by design: every answer comes from the same ``Engine.ask_stream`` as the CLI, and the
conversation is kept on the server, so nothing a browser sends back is trusted as state.
"""

import html
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from chatbot.engine import Engine
from chatbot.query import QuestionError, clean_question
from chatbot.render import NOTICE, answer_html, export_markdown, partial_html
from chatbot.types import Answer, Filters
from chatbot.uploads import upload_files
from ingest.metadata import KINDS, kind_label
from legalqa.settings import Settings

EXAMPLES = [
    "Did Judge Alsup find that training on lawfully purchased books was fair use?",
    "What did the court hold in Kadrey v. Meta?",
    "Which courts have ruled on whether training on copyrighted works is fair use, and how?",
    "Can an AI system be the author of a copyrighted work?",
    "What are the four fair use factors?",
]

ANSWERS_AT_ONCE = 4
EXPORT_KEPT_S = 3600  # how long an exported conversation stays downloadable from Gradio's cache

DOCUMENT_COLUMNS = ["title", "kind", "case", "court", "date", "source"]


def shown_answer(answer: Answer, engine: Engine) -> str:
    """A finished answer as the chat shows it, each source card with its document and paragraph."""
    documents, passages = {}, {}
    if answer.citations:
        passages = {c.chunk_id: c.text for c in engine.get_chunks([c.chunk_id for c in answer.citations])}
        documents = {c.source: engine.document(c.source) for c in answer.citations}
    return answer_html(answer, documents, passages)


class Handlers:
    """What the page's events do, for one engine and its settings."""

    def __init__(self, settings: Settings, engine: Engine):
        self.settings, self.engine = settings, engine

    def respond(self, message, chat, history, kinds, case, court, date_from, date_to):
        # ``chat`` and ``history`` are session state kept on the server: the browser's copy of
        # the Chatbot is never read back, so no client can slip a file path into it.
        chat, history = list(chat or []), list(history or [])
        try:
            question = clean_question(message or "", self.settings.ui.max_question_chars)
        except QuestionError as exc:
            chat.append({"role": "assistant", "content": html.escape(f"Not asked: {exc}")})
            yield "", chat, chat, history
            return
        if not question:
            yield "", chat, chat, history
            return
        chat.append({"role": "user", "content": html.escape(question)})
        chat.append({"role": "assistant", "content": "…"})
        filters = Filters(kind=list(kinds or []), case=case or None, court=court or None,
                          date_from=date_from or None, date_to=date_to or None)
        previous = [Answer.model_validate(h) for h in history]
        for part in self.engine.ask_stream(question, history=previous, filters=filters):
            if isinstance(part, Answer):
                chat[-1] = {"role": "assistant", "content": shown_answer(part, self.engine)}
                history.append(part.model_dump())
            else:
                chat[-1] = {"role": "assistant", "content": partial_html(part)}
            yield "", chat, chat, history

    def new_chat(self):
        return [], [], [], ""

    def export(self, history):
        """The conversation as a Markdown file. Gradio copies it into its cache to serve it, so the
        copy written here is removed once served; Gradio's cache forgets it after EXPORT_KEPT_S."""
        folder = Path(tempfile.gettempdir()) / "legalqa-exports"
        folder.mkdir(mode=0o700, exist_ok=True)
        for old in folder.glob("legalqa-conversation-*.md"):  # earlier exports, already served
            if time.time() - old.stat().st_mtime > 60:
                old.unlink(missing_ok=True)
        fd, path = tempfile.mkstemp(prefix="legalqa-conversation-", suffix=".md", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(export_markdown(history or []))
        return path

    def feedback(self, data: gr.LikeData, history, comment):
        comment, limit = comment or "", self.settings.ui.max_comment_chars
        if len(comment) > limit:
            return comment, f"Not saved: a comment can be at most {limit:,} characters."
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turns = history or []
        turn = turns[index // 2] if isinstance(index, int) and 0 <= index // 2 < len(turns) else None
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "liked": bool(data.liked),
            "comment": comment,
            "question": turn["question"] if turn else None,
            "answer": turn["answer"] if turn else None,
            "citations": [c["cite"] or c["source"] for c in turn["citations"]] if turn else [],
        }
        data_dir = Path(self.settings.data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        with (data_dir / "feedback.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
        return "", "Thank you: feedback saved."

    def documents_table(self, query=""):
        self.engine.refresh()
        rows = []
        q = (query or "").lower()
        for d in sorted(self.engine.documents.values(), key=lambda d: (d.date or "", d.source)):
            row = [d.title, kind_label(d.kind), d.case_name or "", d.court or "", d.date or "", d.source]
            if not q or q in " ".join(row).lower():
                rows.append(row)
        return rows

    def upload(self, files, query):
        report = upload_files(files or [], self.settings, self.engine)
        return report, self.documents_table(query)

    def ask_json(self, question: str) -> dict:
        """The `legalqa ask --json` contract, for scripts using gradio_client."""
        try:
            question = clean_question(question if isinstance(question, str) else "", self.settings.ui.max_question_chars)
        except QuestionError as exc:
            raise gr.Error(str(exc)) from None
        return self.engine.ask(question).model_dump()


@dataclass
class Sidebar:
    kinds: gr.CheckboxGroup
    case: gr.Textbox
    court: gr.Textbox
    date_from: gr.Textbox
    date_to: gr.Textbox
    files: gr.File
    upload_status: gr.Markdown


@dataclass
class ChatTab:
    chat: gr.Chatbot
    box: gr.Textbox
    new: gr.Button
    export_button: gr.Button
    export_file: gr.File
    comment: gr.Textbox
    feedback_status: gr.Markdown


@dataclass
class DocumentsTab:
    search: gr.Textbox
    table: gr.Dataframe


def sidebar() -> Sidebar:
    with gr.Sidebar(open=True):
        gr.Markdown("### Filters")
        kinds = gr.CheckboxGroup(list(KINDS), label="Document kind", elem_id="filter-kind")
        case = gr.Textbox(label="Case name contains", elem_id="filter-case")
        court = gr.Textbox(label="Court", placeholder="N.D. Cal.", elem_id="filter-court")
        with gr.Row():
            date_from = gr.Textbox(label="From", placeholder="YYYY-MM-DD")
            date_to = gr.Textbox(label="To", placeholder="YYYY-MM-DD")
        gr.Markdown("### Add documents")
        files = gr.File(label="PDF, text, Markdown or HTML", file_count="multiple", elem_id="upload")
        upload_status = gr.Markdown(elem_id="upload-status")
    return Sidebar(kinds, case, court, date_from, date_to, files, upload_status)


def chat_tab() -> ChatTab:
    with gr.Tab("Chat"):
        gr.Markdown(f"## legalqa\n{NOTICE}")
        chat = gr.Chatbot(label="legalqa", height=560, elem_id="chat", sanitize_html=True,
                          feedback_options=("Like", "Dislike"))
        box = gr.Textbox(placeholder="Ask about the AI-training copyright cases…", label="Question",
                         elem_id="question", submit_btn=True)
        gr.Examples(EXAMPLES, inputs=box, label="Try one of these")
        with gr.Row():
            new = gr.Button("New chat", elem_id="new-chat")
            export_button = gr.Button("Export as Markdown", elem_id="export")
        export_file = gr.File(label="Conversation, with full citations (Markdown)", elem_id="export-file",
                              interactive=False)
        comment = gr.Textbox(label="Comment on an answer (optional), then click thumbs up or down under it",
                             elem_id="comment")
        feedback_status = gr.Markdown(elem_id="feedback-status")
    return ChatTab(chat, box, new, export_button, export_file, comment, feedback_status)


def documents_tab(handlers: Handlers) -> DocumentsTab:
    with gr.Tab("Documents"):
        search = gr.Textbox(label="Search the documents", elem_id="doc-search")
        table = gr.Dataframe(headers=DOCUMENT_COLUMNS, value=handlers.documents_table, interactive=False,
                             elem_id="documents", wrap=True)
    return DocumentsTab(search, table)


def wire(handlers: Handlers, side: Sidebar, tab: ChatTab, docs: DocumentsTab, chat_state, history) -> None:
    """Connect the events. None is a public API endpoint but ``ask``."""
    inputs = [tab.box, chat_state, history, side.kinds, side.case, side.court, side.date_from, side.date_to]
    # A few answers at once share the CPU better than a queue of one (retrieval waits on disk).
    tab.box.submit(handlers.respond, inputs, [tab.box, tab.chat, chat_state, history], api_name=False,
                   concurrency_limit=ANSWERS_AT_ONCE, concurrency_id="answer")
    tab.new.click(handlers.new_chat, None, [tab.chat, chat_state, history, tab.box], api_name=False)
    tab.export_button.click(handlers.export, [history], tab.export_file, api_name=False)
    tab.chat.like(handlers.feedback, [history, tab.comment], [tab.comment, tab.feedback_status], api_name=False)
    docs.search.change(handlers.documents_table, docs.search, docs.table, api_name=False)
    side.files.upload(handlers.upload, [side.files, docs.search], [side.upload_status, docs.table], api_name=False)
    gr.api(handlers.ask_json, api_name="ask", concurrency_limit=ANSWERS_AT_ONCE, concurrency_id="answer")


def build_blocks(settings: Settings, engine: Engine) -> gr.Blocks:
    """The whole page, its handlers bound to ``engine``."""
    handlers = Handlers(settings, engine)
    # Files Gradio serves (exports) leave its cache after an hour: conversations do not pile up on disk.
    with gr.Blocks(title="legalqa", analytics_enabled=False, delete_cache=(EXPORT_KEPT_S, EXPORT_KEPT_S)) as demo:
        history = gr.State([])
        chat_state = gr.State([])  # what the Chatbot shows, kept on the server
        side = sidebar()
        tab = chat_tab()
        docs = documents_tab(handlers)
        wire(handlers, side, tab, docs, chat_state, history)
    return demo
