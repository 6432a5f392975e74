"""The CLI on a terminal: ingest's progress bars, and the chat's greeting, turns and cited documents.

A chat's turns come from a prompt or from lines of a pipe; each question is asked as a
follow-up to the conversation so far. "new" starts another conversation, "exit" or "quit" (or
the end of input) ends it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from chatbot.types import Answer, Filters
from ingest.indexing import counted

if TYPE_CHECKING:
    from chatbot.engine import Engine
    from ingest.types import SourceDocument

LEAVE = ("exit", "quit")
NEW = "new"


class ProgressBars:
    """Progress bars for files and chunks on a terminal (tqdm); nothing otherwise."""

    def __init__(self):
        from tqdm import tqdm

        self._tqdm = tqdm
        self.files = None
        self.chunks = None

    def start(self, files: int) -> None:
        self.files = self._tqdm(total=files, unit="file", desc="files", position=0, leave=False)

    def file_done(self, source: str) -> None:
        self.files.update(1)
        if self.chunks is not None:
            self.chunks.close()
            self.chunks = None

    def chunks_embedded(self, n: int, total: int) -> None:
        if self.chunks is None:
            self.chunks = self._tqdm(total=total, unit="chunk", desc="embedding", position=1, leave=False)
        self.chunks.n = n
        self.chunks.refresh()

    def write(self, message: str) -> None:
        self._tqdm.write(message, file=sys.stderr)

    def close(self) -> None:
        for bar in (self.chunks, self.files):
            if bar is not None:
                bar.close()


def greeting(engine: Engine, filters: Filters | None = None) -> str:
    """What the chat answers from and how to leave it."""
    only = f", only {filters.describe()}" if filters and filters.active() else ""
    return (
        f"Answers quote the {counted(len(engine.documents), 'document')} in the index "
        f"({engine.settings.index_dir}){only}. Follow-up questions keep their context.\n"
        f'Type "{NEW}" to start a new conversation; Ctrl-D, "exit" or "quit" to leave.'
    )


def conversation(engine: Engine, lines: Iterable[str], *, filters: Filters | None = None,
                 say: Callable[[str], None] = lambda message: None) -> Iterator[Answer]:
    """The answer to each question of ``lines``, a follow-up to the answers before it. Blank
    lines are skipped; a refused question (too long) and a new conversation are told to ``say``."""
    from chatbot.query import QuestionError, clean_question

    history: list[Answer] = []
    for line in lines:
        command = line.strip().lower()
        if command in LEAVE:
            return
        if command == NEW:
            history = []
            say("new conversation")
            continue
        try:
            question = clean_question(line, engine.settings.ui.max_question_chars)
        except QuestionError as exc:
            say(f"not asked: {exc}")
            continue
        if not question:
            continue
        answer = engine.ask(question, history=history, filters=filters)
        history.append(answer)
        yield answer


def cited_documents(engine: Engine, answer: Answer) -> Mapping[str, SourceDocument | None]:
    """The indexed document of each cited source (court, date), for the CLI's source lines."""
    return {c.source: engine.document(c.source) for c in answer.citations}
