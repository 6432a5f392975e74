"""The Gradio page: a filter sidebar, the chat tab and the documents tab, and which handler
(chatbot/handlers.py) each of their events calls.

The page holds no state a browser could forge: the conversation is kept on the server, and
what one user may see is filled in per user when the page loads, never rendered into it.
"""

from dataclasses import dataclass

import gradio as gr

from chatbot.engine import Engine
from chatbot.handlers import EXAMPLES, EXPORT_KEPT_S, PRIVATE, Handlers, matter_label, shown_answer
from chatbot.queue_watch import WAKE_CSS, WAKE_ID
from chatbot.render import NOTICE
from ingest.metadata import KINDS
from legalqa.settings import Settings

__all__ = ["EXAMPLES", "PRIVATE", "Handlers", "build_blocks", "matter_label", "shown_answer"]

ANSWERS_AT_ONCE = 4

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
""" + WAKE_CSS

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


@dataclass
class Sidebar:
    kinds: gr.CheckboxGroup
    case: gr.Textbox
    court: gr.Textbox
    date_from: gr.Textbox
    date_to: gr.Textbox
    files: gr.File
    upload_status: gr.Markdown
    file_under: gr.Dropdown
    matter: gr.Textbox
    members: gr.Textbox
    share: gr.Button
    unshare: gr.Button
    share_status: gr.Markdown


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
    removing: gr.Accordion
    removable: gr.Dropdown
    remove: gr.Button
    remove_status: gr.Markdown


def sidebar(login: bool) -> Sidebar:
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
        # With a login an upload is the uploader's alone, or filed under a matter they share.
        file_under = gr.Dropdown([PRIVATE], value=PRIVATE, label="Visible to", elem_id="file-under", visible=login)
        files = gr.File(label="PDF, text, Markdown or HTML", file_count="multiple", elem_id="upload")
        upload_status = gr.Markdown(elem_id="upload-status")
        with gr.Accordion("Share a matter", open=False, elem_id="sharing", visible=login):
            matter = gr.Textbox(label="Matter", placeholder="Acme v. Widget", elem_id="matter-name")
            members = gr.Textbox(label="With users (comma-separated)", placeholder="bob, carol", elem_id="matter-users")
            with gr.Row():
                share = gr.Button("Share", size="sm", elem_id="share")
                unshare = gr.Button("Unshare", size="sm", elem_id="unshare")
            share_status = gr.Markdown(elem_id="share-status")
    return Sidebar(kinds, case, court, date_from, date_to, files, upload_status, file_under, matter, members, share,
                   unshare, share_status)


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


def documents_tab() -> DocumentsTab:
    with gr.Tab("Documents"):
        search = gr.Textbox(label="Search the documents: titles, cases, courts and their text", elem_id="doc-search")
        # Filled per user when the page loads (Handlers.documents_table): what one user may see is
        # never rendered into the page that every visitor gets.
        table = gr.Dataframe(headers=DOCUMENT_COLUMNS, value=[], interactive=False,
                             elem_id="documents", wrap=True, column_widths=DOCUMENT_COLUMN_WIDTHS,
                             datatype=["markdown", "str", "str", "str", "str", "str"], max_height=2000)
        with gr.Accordion("Remove one of your uploads", open=False, elem_id="removing") as removing:
            with gr.Row():
                removable = gr.Dropdown([], label="Upload", elem_id="remove-choice", scale=4)
                remove = gr.Button("Remove", variant="stop", size="sm", elem_id="remove", scale=1)
            remove_status = gr.Markdown(elem_id="remove-status")
    return DocumentsTab(search, table, removing, removable, remove, remove_status)


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
    side.files.upload(handlers.upload, [side.files, docs.search, side.file_under],
                      [side.upload_status, docs.table, docs.removable, side.files], api_name=False)
    # Opening the box lists the user's uploads as they are now (another tab may have added some).
    docs.removing.expand(handlers.removable, None, docs.removable, api_name=False)
    docs.remove.click(handlers.remove, [docs.removable, docs.search], [docs.remove_status, docs.table, docs.removable],
                      api_name=False)
    side.file_under.focus(handlers.matters_now, None, side.file_under, api_name=False, show_progress="hidden")
    side.share.click(handlers.share, [side.matter, side.members], [side.share_status, side.file_under], api_name=False)
    side.unshare.click(handlers.unshare, [side.matter, side.members], [side.share_status, side.file_under],
                       api_name=False)
    gr.api(handlers.ask_json, api_name="ask", concurrency_limit=ANSWERS_AT_ONCE, concurrency_id="answer")


def build_blocks(settings: Settings, engine: Engine, users=None) -> gr.Blocks:
    """The whole page, its handlers bound to ``engine``; ``users``: who can log in, a list or a
    function giving it (None: no login)."""
    handlers = Handlers(settings, engine, users)
    # Files Gradio serves (exports) leave its cache after an hour: conversations do not pile up on disk.
    with gr.Blocks(title="legalqa", analytics_enabled=False, delete_cache=(EXPORT_KEPT_S, EXPORT_KEPT_S)) as demo:
        history = gr.State([])
        chat_state = gr.State([])  # what the Chatbot shows, kept on the server
        side = sidebar(handlers.login)
        tab = chat_tab()
        docs = documents_tab()
        wire(handlers, side, tab, docs, chat_state, history)
        demo.load(None, None, None, js=PAGE_JS, api_name=False)
        # Pressed by the page's queue watch (chatbot/queue_watch.py) to bring a lost result.
        gr.Button("wake", elem_id=WAKE_ID).click(lambda: None, None, None, api_name=False, show_progress="hidden",
                                                 concurrency_limit=None)
        demo.load(handlers.page_loaded, docs.search, [docs.table, docs.removable, side.file_under], api_name=False)
    return demo
