"""What the web chat's events do: asking, the documents list, uploads, removal, sharing,
export and feedback (chatbot/layout.py builds the page and wires them).

Thin by design: every answer comes from the same ``Engine.ask_stream`` as the CLI, and the
conversation is kept on the server, so nothing a browser sends back is trusted as state.
With a login, each handler takes its user from Gradio's request, never from the page.
"""

import html
import json
import os
import tempfile
import time
from pathlib import Path

import gradio as gr

from chatbot.access import NOBODY, AccessError, Matters, Viewer
from chatbot.audit import AuditLog
from chatbot.engine import Engine
from chatbot.query import QuestionError, clean_question
from chatbot.render import answer_html, document_url, export_markdown, md_escape, partial_html
from chatbot.types import Answer, Filters, FilterError
from chatbot.uploads import UPLOAD_WAIT, upload_files
from ingest.metadata import kind_label
from legalqa.settings import Settings

EXAMPLES = [
    "Did Judge Alsup find that training on lawfully purchased books was fair use?",
    "What did the court hold in Kadrey v. Meta?",
    "Which courts have ruled on whether training on copyrighted works is fair use, and how?",
    "Can an AI system be the author of a copyrighted work?",
    "What are the four fair use factors?",
]

EXPORT_KEPT_S = 3600  # how long an exported conversation stays downloadable from Gradio's cache

PRIVATE = "Only me"  # an upload filed under no matter


def shown_answer(answer: Answer, engine: Engine) -> str:
    """A finished answer as the chat shows it, each source card with its document and paragraph."""
    documents, passages = {}, {}
    if answer.citations:
        passages = {c.chunk_id: c.text for c in engine.get_chunks([c.chunk_id for c in answer.citations])}
        documents = {c.source: engine.document(c.source) for c in answer.citations}
    return answer_html(answer, documents, passages)


class Handlers:
    """What the page's events do, for one engine and its settings.

    With a login (``users``: who can log in), every handler takes the user from Gradio's
    request, which the login set, never from anything the page sends, and sees only what
    that user may (chatbot/access.py)."""

    def __init__(self, settings: Settings, engine: Engine, users=None):
        self.settings, self.engine = settings, engine
        self.login = users is not None
        # Who can log in: a function (read when a matter is shared, so new users count) or a list.
        self.users = users if callable(users) else (lambda: frozenset(users or []))
        self.matters = Matters(settings)
        self.audit = AuditLog(settings)

    def user(self, request: gr.Request | None) -> str | None:
        """The logged-in user (None without a login). With a login, a request without a user
        (which the login guard lets through to no handler) gets a name no document has."""
        if not self.login:
            return None
        name = getattr(request, "username", None) if request is not None else None
        return str(name).lower() if name else NOBODY

    def viewer(self, request: gr.Request | None) -> Viewer:
        return self.matters.viewer(self.user(request))  # NOBODY is in no matter: the shared corpus only

    def respond(self, message, chat, history, kinds, case, court, date_from, date_to, request: gr.Request = None):
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
        for part in self.engine.ask_stream(question, history=previous, filters=filters, viewer=self.viewer(request)):
            if isinstance(part, Answer):
                chat[-1] = {"role": "assistant", "content": shown_answer(part, self.engine)}
                history.append(part.model_dump())
                self.audit.asked(self.user(request), question, part)
            else:
                chat[-1] = {"role": "assistant", "content": partial_html(part)}
            yield "", chat, chat, history

    def ask_example(self, data: gr.SelectData, chat, history, kinds, case, court, date_from, date_to,
                    request: gr.Request = None):
        """An example clicked in the empty chat is asked as if typed (the example is looked up here
        by its index, so the browser only says which one)."""
        index = data.index if isinstance(data.index, int) else -1
        question = EXAMPLES[index] if 0 <= index < len(EXAMPLES) else ""
        yield from self.respond(question, chat, history, kinds, case, court, date_from, date_to, request)

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

    def documents_table(self, query="", request: gr.Request = None):
        """Every document the user may see, its title a link that opens it; ``query`` keeps those
        whose title or metadata contain it, or whose text does (when the engine can tell)."""
        self.engine.refresh()
        viewer = self.viewer(request)
        q = " ".join((query or "").lower().split())
        in_text = set(self.engine.documents_matching(q, viewer=viewer)) if q else set()
        rows = []
        for d in sorted(self.engine.visible(viewer).values(), key=lambda d: (d.date or "", d.source)):
            fields = [d.title, kind_label(d.kind), d.case_name or "", d.court or "", d.date or "", d.source]
            if not q or q in " ".join(fields).lower() or d.source in in_text:
                rows.append([f"[{md_escape(d.title)}]({document_url(d, None, '')})", *fields[1:-1],
                             d.source + self.shared_as(d, viewer.user)])
        return rows

    def shared_as(self, doc, user: str | None) -> str:
        """' (private)', ' (matter: Acme)' or, another's matter, ' (matter: Acme (alice))' after an owned
        upload's file name; '' for the shared corpus."""
        if not self.login or doc.owner is None:
            return ""
        return f" (matter: {matter_label(doc.matter, user)})" if doc.matter else " (private)"

    def upload(self, files, query, file_under, request: gr.Request = None):
        user = self.user(request)
        matter = None
        if self.login and file_under and file_under != PRIVATE:
            if user == NOBODY or not self.matters.may_file_under(user, file_under):
                return ("✗ nothing was added: that matter is not yours or shared with you.",
                        self.documents_table(query, request), self.removable(request), None)
            matter = file_under
        owner = user if self.login else None
        viewer = self.viewer(request)
        before = set(self.engine.visible(viewer))
        report = upload_files(files or [], self.settings, self.engine, owner=owner, matter=matter, viewer=viewer)
        for source in sorted(set(self.engine.visible(self.viewer(request))) - before):
            self.audit.record(user, "upload", file=source, matter=matter)
        # The file box is emptied (Gradio's copies are gone: sent again, they would only be refused),
        # and the remove box lists the new upload, in this one event: every event more is one more
        # round trip on the page's event stream.
        return report, self.documents_table(query, request), self.removable(request), None

    def page_loaded(self, query="", request: gr.Request = None):
        """What a page shows of this user's library once it opens: the documents, the remove box's
        uploads and where an upload can be filed (one event, not three)."""
        return self.documents_table(query, request), self.removable(request), self.matter_choices(request)

    def removable(self, request: gr.Request = None):
        """The choices of the remove box: the uploads this user may remove."""
        viewer = self.viewer(request)
        self.engine.refresh()
        sources = sorted(s for s, d in self.engine.visible(viewer).items() if viewer.can_remove(d))
        return gr.Dropdown(choices=sources, value=None)

    def remove(self, source, query, request: gr.Request = None):
        """Remove one of the user's own uploads: chunks, BM25 rows and the stored file. The
        source is checked here against what this user may remove; the page's list is no proof."""
        from ingest.store import IndexBusyError

        viewer, user = self.viewer(request), self.user(request)
        self.engine.refresh()
        doc = self.engine.visible(viewer).get(source or "")
        if doc is None or not viewer.can_remove(doc):
            status = "✗ not removed: choose one of your own uploads."
        else:
            try:
                removed = self.engine.remove_uploads([doc.source], lock_timeout=UPLOAD_WAIT)
            except IndexBusyError:
                removed = []
            if removed:
                self.audit.record(user, "remove", file=doc.source)
                status = f"✓ removed {html.escape(doc.source)}"
            else:
                status = "✗ not removed: the library is busy; try again in a minute."
        return status, self.documents_table(query, request), self.removable(request)

    def matter_choices(self, request: gr.Request = None):
        """Where an upload can be filed: the user's own space, or a matter they own or share."""
        return gr.Dropdown(choices=self._filing_choices(request), value=PRIVATE)

    def matters_now(self, request: gr.Request = None):
        """The same choices as the user opens the list, the value left as it is: a matter shared
        with them since the page loaded shows without a reload."""
        return gr.Dropdown(choices=self._filing_choices(request))

    def _filing_choices(self, request) -> list:
        user = self.user(request)
        matters = sorted(self.matters.of(user)) if self.login and user != NOBODY else []
        return [PRIVATE, *((matter_label(m, user), m) for m in matters)]

    def share(self, name, users, request: gr.Request = None):
        return self._sharing(name, users, request, unshare=False)

    def unshare(self, name, users, request: gr.Request = None):
        return self._sharing(name, users, request, unshare=True)

    def _sharing(self, name, users, request, *, unshare: bool):
        user = self.user(request)
        if not self.login or user == NOBODY:
            return "Sharing needs a login: without one, every upload is already shared.", self.matter_choices(request)
        names = sorted({u.strip().lower() for u in str(users or "").replace(";", ",").split(",") if u.strip()})
        try:
            if unshare:
                matter, members = self.matters.unshare(user, name, names)
            else:
                matter, members = self.matters.share(user, name, names, set(self.users()))
        except AccessError as exc:
            return f"✗ {html.escape(str(exc))}", self.matter_choices(request)
        self.audit.record(user, "unshare" if unshare else "share", matter=matter, users=names)
        shown = ", ".join(members) or "no one else"
        return (f"✓ {html.escape(matter.partition('/')[2])} is shared with {html.escape(shown)}",
                self.matter_choices(request))

    def ask_json(self, question: str, request: gr.Request = None) -> dict:
        """The `legalqa ask --json` contract, for scripts using gradio_client."""
        try:
            question = clean_question(question if isinstance(question, str) else "", self.settings.ui.max_question_chars)
        except QuestionError as exc:
            raise gr.Error(str(exc)) from None
        answer = self.engine.ask(question, viewer=self.viewer(request))
        self.audit.asked(self.user(request), question, answer)
        return answer.model_dump()


def matter_label(matter: str, user: str | None) -> str:
    """'Acme' for the user's own matter (an id is ``owner/name``), 'Acme (alice)' for one shared with them."""
    owner, _, name = matter.partition("/")
    return name if owner == user else f"{name} ({owner})"


