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
from eval.metrics import source_matches
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
    warn: Callable[[str], None] | None = None,
) -> dict:
    """Write results.jsonl (one line per question and configuration), report.json and, with
    several configurations or plots, report.md, for the questions of one or more gold files (of
    ``split`` only, when given). What reading them noticed goes to ``notify``, and gold documents
    the index lacks to ``warn`` (both default to stderr); each summary counts those questions
    (``gold_not_indexed``). Returns the default configuration's summary when one configuration
    runs, else {config: summary}."""
    gold = load_gold(questions_file, split=split)
    for note in gold.notes:
        (notify or _to_stderr)(note)
    questions = gold.questions[:limit]
    engine = engine or get_engine(settings)
    engine.refresh()
    missing = gold_not_indexed(questions, engine.documents)
    if missing:
        (warn or _to_stderr)(missing_gold_warning(missing, questions, engine.settings))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    check_configs(configs, engine)
    check = QuoteChecker(engine.documents)
    case_of = {s: d.case_name for s, d in engine.documents.items() if d.case_name}
    summaries, per_config = {}, {}
    with (out_dir / "results.jsonl").open("w", encoding="utf-8") as fh:
        for name in configs:
            rows = run_configuration(configuration(name, engine, out_dir), questions, fh, check=check,
                                     case_of=case_of, judge_model=judge_model, missing={q.id for q in missing})
            summaries[name] = {**summarize(rows), "gold_not_indexed": len(missing)}
            per_config[name] = rows
    result = summaries[configs[0]] if len(configs) == 1 else summaries
    (out_dir / "report.json").write_text(json.dumps(result, indent=2) + "\n")
    if len(configs) > 1 or plots:
        from eval.report import write_report

        write_report(out_dir, summaries, per_config)
    if history is not None:
        append_history(summaries, history)
    return result


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def gold_not_indexed(questions: Sequence[GoldQuestion], documents: Mapping[str, SourceDocument]) -> list[GoldQuestion]:
    """The questions none of whose gold sources the index holds: they can only score 0 (the
    index was built from other documents)."""
    return [q for q in questions
            if q.gold_sources and not any(source_matches(s, g) for g in q.gold_sources for s in documents)]


def missing_gold_warning(missing: Sequence[GoldQuestion], questions: Sequence[GoldQuestion],
                         settings: Settings) -> str:
    """What the user is told: how many questions, a few of the sources, and an index that holds them if one is near."""
    with_gold = sum(1 for q in questions if q.gold_sources)
    sources = list(dict.fromkeys(g for q in missing for g in q.gold_sources))
    shown = ", ".join(sources[:3]) + (f" and {len(sources) - 3} more" if len(sources) > 3 else "")
    message = (f"{len(missing)} of {with_gold} questions with gold sources have none of them in the index "
               f"{settings.index_dir} (missing: {shown}); their documents cannot be found. Evaluate against "
               "the index built from the documents this gold set was written for")
    found = index_holding(sources, settings)
    if found:
        where, held = found
        return message + f": {where} holds {held} of these {len(sources)} sources (--index-dir {where})."
    return message + " (--index-dir)."


def index_holding(sources: Sequence[str], settings: Settings) -> tuple[Path, int] | None:
    """Among the other indexes beside this one or in the data folder, the one holding most of
    ``sources``, and how many; None if none holds any. Read without loading a model."""
    from chatbot.engine import list_documents

    if settings.chroma_host:  # a Chroma server: its other indexes are not folders here
        return None
    here = Path(settings.index_dir).resolve()
    folders = {p for root in (here.parent, Path(settings.data_dir)) if root.is_dir()
               for p in root.iterdir() if (p / "chroma").is_dir() and p.resolve() != here}
    best = None
    for folder in sorted(folders)[:10]:
        try:
            held = {d.source for d in list_documents(settings.model_copy(update={"index_dir": folder}))}
        except Exception:  # noqa: BLE001 - only advice: an index that cannot be read is not suggested
            continue
        count = sum(1 for g in sources if any(source_matches(s, g) for s in held))
        if count and (best is None or count > best[1]):
            best = (folder, count)
    return best


def check_configs(configs: tuple[str, ...], engine: Engine) -> None:
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        raise ValueError(f"unknown configuration(s) {', '.join(unknown)} (choose from {', '.join(CONFIGS)})")
    if "hybrid+rerank" in configs and not engine.settings.retrieval.reranker_model:
        raise ValueError("configuration hybrid+rerank needs LEGALQA_RETRIEVAL__RERANKER_MODEL (a local cross-encoder)")


def run_configuration(config: Configuration, questions: list[GoldQuestion], results: IO[str], *,
                      check: QuoteChecker, case_of: dict[str, str], judge_model=None,
                      missing: set[str] = frozenset()) -> list[dict]:
    """Ask and score every question; one line per question goes to ``results`` (with
    ``gold_indexed`` false for the ids in ``missing``). Returns the rows the summary and the
    report are made from."""
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
            indexed = {"gold_indexed": q.id not in missing} if q.gold_sources else {}
            results.write(json.dumps({"id": q.id, "config": config.name, **history, **indexed, **recorded,
                                      "score": row}) + "\n")
    return rows


def ask_in_conversation(config: Configuration, question: GoldQuestion) -> Answer:
    """The answer to a follow-up: its history is asked first, in one conversation, each turn a
    follow-up to the turns before; only the last answer is returned (and scored)."""
    earlier: list[Answer] = []
    for turn in question.history:
        earlier.append(config.ask(turn, list(earlier)))
    return config.ask(question.question, earlier)
