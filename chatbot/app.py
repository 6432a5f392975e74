"""The web chat (Gradio). Thin: every answer comes from the same Engine.ask as the CLI."""

from __future__ import annotations

import html
import os

from chatbot.engine import Engine, get_engine
from chatbot.types import Answer
from ingest.settings import Settings

EXAMPLES = [
    "Did Judge Alsup find that training on lawfully purchased books was fair use?",
    "What did the court hold in Kadrey v. Meta?",
    "Can an AI system be the author of a copyrighted work?",
    "What are the four fair use factors?",
]

NOTICE = (
    "Answers quote the indexed court filings, Copyright Office documents and statutes, "
    "with the page of each quote. They are not legal advice."
)


def render_markdown(answer: Answer) -> str:
    """Quotes with [n] markers, then a numbered source list. Document text is HTML-escaped."""
    if answer.abstained:
        return html.escape(answer.answer)
    lines = []
    current = None
    for c in answer.citations:
        if c.source != current:
            lines.append(f"\n**{html.escape(c.title)}**")
            current = c.source
        lines.append(f"> “{html.escape(c.quote)}” **[{c.n}]**\n")
    lines.append("\n**Sources**")
    for c in answer.citations:
        page = f", p. {c.page}" if c.page is not None and not c.cite else ""
        lines.append(f"{c.n}. {html.escape(c.label())}{page} — `{html.escape(c.source)}`")
    return "\n".join(lines).strip()


def build_app(settings: Settings, engine: Engine | None = None):
    import gradio as gr

    engine = engine or get_engine(settings)

    def respond(message: str, history: list):
        history = list(history or [])
        if not (message or "").strip():
            return "", history
        answer = engine.ask(message)
        history.append({"role": "user", "content": message})
        history.append({"role": "assistant", "content": render_markdown(answer)})
        return "", history

    def ask_json(question: str) -> dict:
        """The `legalqa ask --json` contract, for scripts using gradio_client."""
        return engine.ask(question).model_dump()

    with gr.Blocks(title="legalqa", analytics_enabled=False) as demo:
        gr.Markdown(f"## legalqa\n{NOTICE}")
        chat = gr.Chatbot(label="legalqa", height=520, elem_id="chat", feedback_options=None)
        box = gr.Textbox(
            placeholder="Ask about the AI-training copyright cases…",
            label="Question",
            elem_id="question",
            submit_btn=True,
        )
        gr.Examples(EXAMPLES, inputs=box, label="Try")
        box.submit(respond, [box, chat], [box, chat], api_name=False)
        gr.api(ask_json, api_name="ask")
    return demo


def serve(settings: Settings, *, host: str | None = None, port: int | None = None, block: bool = True):
    import gradio as gr

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    engine = get_engine(settings)  # load model and index before the port opens
    demo = build_app(settings, engine)
    # System fonts only: the default theme would fetch web fonts from a CDN.
    theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
    return demo.launch(
        server_name=host or settings.ui.host,
        server_port=port or settings.ui.port,
        theme=theme,
        footer_links=[],
        prevent_thread_lock=not block,
        quiet=not block,
    )
