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
from chatbot.render import NOTICE, answer_html, document_url, export_markdown, md_escape, partial_html
from chatbot.types import Answer, Filters, FilterError
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

DOCUMENT_COLUMNS = ["title", "kind", "case", "court", "date", "file"]
# Fits 1280 px beside the sidebar: long titles and case names wrap, short fields stay narrow.
DOCUMENT_COLUMN_WIDTHS = ["33%", "11%", "20%", "10%", "10%", "16%"]

NARROW_PX = 768  # below this the filter sidebar starts closed: open, it would cover the page

# The chat takes the window's height less what sits above it (tabs, title line) and below it
# (the question box), so an answer is read in the window, not in a small box.
PAGE_CSS = """
#chat {height: calc(100dvh - 230px) !important; min-height: 280px;}
#title-line p {margin: 0; font-size: 0.9em; color: #57606a;}
#upload .filename {overflow: visible; flex-wrap: wrap;}
#upload .filename .stem {white-space: normal; overflow: visible; overflow-wrap: anywhere; text-overflow: clip;}
#chat .bubble.bot-row {max-width: calc(100% - 24px);}
#chat .scroll-down-button-container {left: auto; right: 12px; transform: none;}  /* not over the text */
@media (max-width: 767px) {
  #chat .message-row {margin: 8px 2px !important;}
  #chat .bubble.bot-row {max-width: 100%;}
  #title-line p {font-size: 0.8em;}
}
#documents th, #documents .body-cell {overflow-wrap: break-word;}
#documents .virtual-row, #documents .virtual-row *, #documents th, #documents th * {font-family: inherit !important;}
@media (max-width: 767px) {  /* a phone keeps title, case and date */
  #documents th:nth-child(2), #documents .body-cell:nth-child(2), #documents th:nth-child(4),
  #documents .body-cell:nth-child(4), #documents th:nth-child(6), #documents .body-cell:nth-child(6) {display: none;}
}
"""

# Runs once the page is loaded: opens the sidebar on a wide screen, lets a title in the
# documents table open its document, and makes an answer's [n] open and show its card (the
# answer's own: every answer numbers its sources from 1).
PAGE_JS = f"""
() => {{
  if (window.innerWidth >= {NARROW_PX}) {{
    let tries = 0;
    const openSidebar = () => {{
      const toggle = document.querySelector('.sidebar:not(.open) .toggle-button');
      if (toggle) toggle.click();
      else if (!document.querySelector('.sidebar.open') && tries++ < 50) setTimeout(openSidebar, 100);
    }};
    openSidebar();
  }}
  // A document's title in the documents table opens it: the table would take the press and
  // the click to select the cell.
  document.addEventListener('mousedown', (event) => {{
    if (event.target.closest && event.target.closest('#documents a[href]')) event.stopPropagation();
  }}, true);
  document.addEventListener('click', (event) => {{
    const title = event.target.closest && event.target.closest('#documents a[href]');
    if (title) {{
      event.preventDefault();
      event.stopPropagation();
      window.open(title.href, '_blank', 'noopener');
      return;
    }}
    const link = event.target.closest && event.target.closest('a.cite-marker');
    if (!link) return;
    const card = link.closest('.answer')?.querySelector(link.getAttribute('href'));
    if (!card) return;
    event.preventDefault();
    event.stopPropagation();
    card.open = true;
    card.scrollIntoView({{block: 'nearest'}});
  }}, true);
}}
"""

# Runs when an answer is finished: the chat shows the start of the latest answer (its
# question above it, when short), not its last source card.
SHOW_LATEST_ANSWER_JS = """
() => {
  const answers = document.querySelectorAll('#chat .answer');
  const replies = document.querySelectorAll('#chat .bot-row');  // answers, and replies such as a filter's error
  const reply = replies[replies.length - 1];
  if (!reply) return;
  const answer = reply.querySelector('.answer') || reply;
  let box = answer.parentElement;
  while (box && !(box.scrollHeight > box.clientHeight && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) {
    box = box.parentElement;
  }
  // Its question stays in view above it when short.
  let question = answer.closest('.message-row')?.previousElementSibling;
  while (question && !question.classList.contains('user-row')) question = question.previousElementSibling;
  const short = question && question.getBoundingClientRect().height <= 90;
  const anchor = short ? question : answer;
  if (box) box.scrollTop += anchor.getBoundingClientRect().top - box.getBoundingClientRect().top - (short ? 36 : 24);  // below the chat's toolbar
  const top = answer.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight - 80) window.scrollBy(0, top - 80);
  document.body.dataset.answersShown = answers.length;  // for scripts that wait for the reply
}
"""


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
        try:
            filters = Filters.from_form(kinds, case, court, date_from, date_to)
        except FilterError as exc:  # a filter that cannot be read: say which, and search nothing
            chat.append({"role": "assistant", "content": html.escape(f"Not searched: {exc}")})
            yield "", chat, chat, history
            return
        chat.append({"role": "assistant", "content": "…"})
        previous = [Answer.model_validate(h) for h in history]
        for part in self.engine.ask_stream(question, history=previous, filters=filters):
            if isinstance(part, Answer):
                chat[-1] = {"role": "assistant", "content": shown_answer(part, self.engine)}
                history.append(part.model_dump())
            else:
                chat[-1] = {"role": "assistant", "content": partial_html(part)}
            yield "", chat, chat, history

    def ask_example(self, data: gr.SelectData, chat, history, kinds, case, court, date_from, date_to):
        """An example clicked in the empty chat is asked as if typed (the example is looked up here
        by its index, so the browser only says which one)."""
        index = data.index if isinstance(data.index, int) else -1
        question = EXAMPLES[index] if 0 <= index < len(EXAMPLES) else ""
        yield from self.respond(question, chat, history, kinds, case, court, date_from, date_to)

    def new_chat(self):
        return [], [], [], "", gr.File(value=None, visible=False)

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
        return gr.File(value=path, visible=True)

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
        """Every indexed document, its title a link that opens it; ``query`` keeps those whose
        title or metadata contain it, or whose text does (when the engine can tell)."""
        self.engine.refresh()
        q = " ".join((query or "").lower().split())
        in_text = set(self.engine.documents_matching(q)) if q else set()
        rows = []
        for d in sorted(self.engine.documents.values(), key=lambda d: (d.date or "", d.source)):
            fields = [d.title, kind_label(d.kind), d.case_name or "", d.court or "", d.date or "", d.source]
            if not q or q in " ".join(fields).lower() or d.source in in_text:
                rows.append([f"[{md_escape(d.title)}]({document_url(d, None, '')})", *fields[1:]])
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
    # Closed at first; the page's script opens it on a wide screen (see PAGE_JS), so on a phone
    # it never covers the chat.
    with gr.Sidebar(open=False, elem_id="sidebar"):
        gr.Markdown("### Filters")
        kinds = gr.CheckboxGroup(list(KINDS), label="Document kind", elem_id="filter-kind")
        case = gr.Textbox(label="Case name contains", elem_id="filter-case")
        court = gr.Textbox(label="Court", placeholder="N.D. Cal.", elem_id="filter-court")
        with gr.Row():
            date_from = gr.Textbox(label="From", placeholder="YYYY-MM-DD", elem_id="filter-from")
            date_to = gr.Textbox(label="To", placeholder="YYYY-MM-DD", elem_id="filter-to")
        gr.Markdown("### Add documents")
        files = gr.File(label="PDF, text, Markdown or HTML", file_count="multiple", elem_id="upload")
        upload_status = gr.Markdown(elem_id="upload-status")
    return Sidebar(kinds, case, court, date_from, date_to, files, upload_status)


def chat_tab() -> ChatTab:
    with gr.Tab("Chat"):
        gr.Markdown(f"**legalqa** · {NOTICE}", elem_id="title-line")
        # autoscroll=False: the end of a reply is its last source card; SHOW_LATEST_ANSWER_JS
        # shows the answer's start instead. The height is set by PAGE_CSS (the window's, less the rest).
        chat = gr.Chatbot(label="legalqa", elem_id="chat", sanitize_html=True, autoscroll=False,
                          feedback_options=("Like", "Dislike"), show_label=False,
                          examples=[{"text": e} for e in EXAMPLES])
        box = gr.Textbox(placeholder="Ask about the AI-training copyright cases…", show_label=False,
                         elem_id="question", submit_btn=True)
        with gr.Row():
            new = gr.Button("New chat", elem_id="new-chat", size="sm")
            export_button = gr.Button("Export as Markdown", elem_id="export", size="sm")
        export_file = gr.File(label="Conversation, with full citations (Markdown)", elem_id="export-file",
                              interactive=False, visible=False)
        with gr.Accordion("Comment on an answer", open=False, elem_id="feedback"):
            comment = gr.Textbox(label="Your comment (optional), then click thumbs up or down under the answer",
                                 elem_id="comment")
        feedback_status = gr.Markdown(elem_id="feedback-status")
    return ChatTab(chat, box, new, export_button, export_file, comment, feedback_status)


def documents_tab(handlers: Handlers) -> DocumentsTab:
    with gr.Tab("Documents"):
        search = gr.Textbox(label="Search the documents: titles, cases, courts and their text", elem_id="doc-search")
        table = gr.Dataframe(headers=DOCUMENT_COLUMNS, value=handlers.documents_table, interactive=False,
                             elem_id="documents", wrap=True, column_widths=DOCUMENT_COLUMN_WIDTHS,
                             datatype=["markdown", "str", "str", "str", "str", "str"], max_height=2000)
    return DocumentsTab(search, table)


def wire(handlers: Handlers, side: Sidebar, tab: ChatTab, docs: DocumentsTab, chat_state, history) -> None:
    """Connect the events. None is a public API endpoint but ``ask``."""
    filters = [side.kinds, side.case, side.court, side.date_from, side.date_to]
    outputs = [tab.box, tab.chat, chat_state, history]
    # A few answers at once share the CPU better than a queue of one (retrieval waits on disk).
    asked = tab.box.submit(handlers.respond, [tab.box, chat_state, history, *filters], outputs, api_name=False,
                           concurrency_limit=ANSWERS_AT_ONCE, concurrency_id="answer")
    picked = tab.chat.example_select(handlers.ask_example, [chat_state, history, *filters], outputs, api_name=False,
                                     concurrency_limit=ANSWERS_AT_ONCE, concurrency_id="answer")
    for event in (asked, picked):
        event.then(None, None, None, js=SHOW_LATEST_ANSWER_JS, api_name=False)
    tab.new.click(handlers.new_chat, None, [tab.chat, chat_state, history, tab.box, tab.export_file], api_name=False)
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
        demo.load(None, None, None, js=PAGE_JS, api_name=False)
    return demo
