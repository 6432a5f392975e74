"""Run gold question sets through one or more configurations and score them.

Configurations: ``hybrid`` (the default pipeline), ``dense``, ``bm25``, ``hybrid+rerank``
(when a reranker is configured) and ``naive`` (the tutorial baseline in baseline.py).
Quote fidelity is recomputed from the source files, not trusted from the answers.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from chatbot.engine import Engine, get_engine
from chatbot.types import Answer
from eval.gold import GoldQuestion, load_gold
from eval.history import append_history
from eval.scoring import score, summarize
from ingest.types import Chunk, SourceDocument, normalize_whitespace
from legalqa.settings import Settings

CONFIGS = ("hybrid", "dense", "bm25", "hybrid+rerank", "naive")
DEFAULT_CONFIGS = ("hybrid",)


class QuoteChecker:
    """Checks quotes against the text of the cited page, re-read from the source file."""

    def __init__(self, documents: Mapping[str, SourceDocument]):
        self.documents = documents
        self._pages: dict[str, dict] = {}

    def page_text(self, source: str, page) -> str | None:
        from ingest.loaders import IngestError, load_file

        if source not in self._pages:
            doc = self.documents.get(source)
            try:
                loaded = load_file(Path(doc.path), source) if doc and doc.path else None
            except IngestError:
                loaded = None
            self._pages[source] = {p.number: normalize_whitespace(p.text) for p in loaded.pages} if loaded else {}
        return self._pages[source].get(page)

    def __call__(self, answer: Answer, page_text=None) -> bool:
        lookup = page_text or self.page_text
        for c in answer.citations:
            text = lookup(c.source, c.page)
            if text is None or normalize_whitespace(c.quote) not in text:
                return False
        return True


@dataclass
class Configuration:
    """How one configuration answers (a question, as a follow-up to the earlier answers of its
    conversation), where its chunks are read back from, how its quotes are checked (None: against
    the files, as the project loads them), and what holds while it runs."""

    name: str
    ask: Callable[[str, Sequence[Answer]], Answer]
    get_chunks: Callable[[list[str]], list[Chunk]]
    page_text: Callable[[str, int | None], str | None] | None = None
    running: Callable[[], AbstractContextManager] = nullcontext


def configuration(name: str, engine: Engine, out_dir: Path) -> Configuration:
    if name == "naive":
        from eval.baseline import NaiveBaseline

        # The same embedding model as the index, so the comparison is of pipelines, not of models.
        baseline = NaiveBaseline(engine.documents, engine.embedder, out_dir / "naive-index")
        baseline.build()
        # The tutorial baseline keeps no conversation: a follow-up reaches it alone, as it would a user.
        return Configuration(name, lambda question, history: baseline.ask(question), baseline.get_chunks,
                             baseline.page_text)
    mode = name.split("+")[0]
    running = nullcontext if name.endswith("+rerank") else (lambda: without_reranker(engine))
    return Configuration(name, lambda question, history: engine.ask(question, mode=mode, history=history or None),
                         engine.get_chunks, running=running)


@contextmanager
def without_reranker(engine: Engine) -> Iterator[None]:
    """The default pipeline runs without a reranker, even when one is configured."""
    saved = engine.reranker
    engine.set_reranker(None)
    try:
        yield
    finally:
        engine.set_reranker(saved)


def record(answer: Answer, get_chunks: Callable[[list[str]], list[Chunk]]) -> dict:
    """The answer as results.jsonl holds it: each retrieved chunk with its text and offsets in its
    page, so any scorer can recompute overlap."""
    data = answer.model_dump()
    chunks = {c.chunk_id: c for c in get_chunks([r.chunk_id for r in answer.retrieved])}
    for r in data["retrieved"]:
        c = chunks.get(r["chunk_id"])
        if c is not None:
            r.update(text=c.text, start=c.start, end=c.end)
    return data


def run_eval(
    questions_file: Path | Sequence[Path],
    out_dir: Path,
    *,
    settings: Settings | None = None,
    engine: Engine | None = None,
    limit: int | None = None,
    configs: tuple[str, ...] = DEFAULT_CONFIGS,
    plots: bool = False,
    history: Path | None = None,
    judge_model=None,
    split: str | None = None,
    notify: Callable[[str], None] | None = None,
) -> dict:
    """Write results.jsonl (one line per question and configuration), report.json and, with
    several configurations or plots, report.md, for the questions of one or more gold files (of
    ``split`` only, when given). What reading them noticed goes to ``notify`` (default: stderr).
    Returns the default configuration's summary when one configuration runs, else {config: summary}."""
    gold = load_gold(questions_file, split=split)
    for note in gold.notes:
        (notify or (lambda m: print(m, file=sys.stderr)))(note)
    questions = gold.questions[:limit]
    engine = engine or get_engine(settings)
    engine.refresh()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    check_configs(configs, engine)
    check = QuoteChecker(engine.documents)
    case_of = {s: d.case_name for s, d in engine.documents.items() if d.case_name}
    summaries, per_config = {}, {}
    with (out_dir / "results.jsonl").open("w", encoding="utf-8") as fh:
        for name in configs:
            rows = run_configuration(configuration(name, engine, out_dir), questions, fh, check=check,
                                     case_of=case_of, judge_model=judge_model)
            summaries[name] = summarize(rows)
            per_config[name] = rows
    result = summaries[configs[0]] if len(configs) == 1 else summaries
    (out_dir / "report.json").write_text(json.dumps(result, indent=2) + "\n")
    if len(configs) > 1 or plots:
        from eval.report import write_report

        write_report(out_dir, summaries, per_config)
    if history is not None:
        append_history(summaries, history)
    return result


def check_configs(configs: tuple[str, ...], engine: Engine) -> None:
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        raise ValueError(f"unknown configuration(s) {', '.join(unknown)} (choose from {', '.join(CONFIGS)})")
    if "hybrid+rerank" in configs and not engine.settings.retrieval.reranker_model:
        raise ValueError("configuration hybrid+rerank needs LEGALQA_RETRIEVAL__RERANKER_MODEL (a local cross-encoder)")


def run_configuration(config: Configuration, questions: list[GoldQuestion], results: IO[str], *,
                      check: QuoteChecker, case_of: dict[str, str], judge_model=None) -> list[dict]:
    """Ask and score every question; one line per question goes to ``results``. Returns the rows
    the summary and the report are made from."""
    rows = []
    with config.running():
        for q in questions:
            answer = ask_in_conversation(config, q)
            recorded = record(answer, config.get_chunks)
            passages = [r.get("text", "") for r in recorded["retrieved"]]
            row = score(q, answer, quotes_ok=check(answer, config.page_text), case_of=case_of, judge_model=judge_model,
                        passages=passages)
            rows.append({"id": q.id, **row, "answer": answer.answer, "question": q.question})
            history = {"history": q.history} if q.history else {}
            results.write(json.dumps({"id": q.id, "config": config.name, **history, **recorded, "score": row}) + "\n")
    return rows


def ask_in_conversation(config: Configuration, question: GoldQuestion) -> Answer:
    """The answer to a follow-up: its history is asked first, in one conversation, each turn a
    follow-up to the turns before; only the last answer is returned (and scored)."""
    earlier: list[Answer] = []
    for turn in question.history:
        earlier.append(config.ask(turn, list(earlier)))
    return config.ask(question.question, earlier)
