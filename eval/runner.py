"""Run gold question sets through one or more configurations and score them.

Configurations: ``hybrid`` (the default pipeline), ``dense``, ``bm25``, ``hybrid+rerank``
(when a reranker is configured) and ``naive`` (the tutorial baseline in baseline.py).
Quote fidelity is recomputed from the source files, not trusted from the answers.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from chatbot.engine import Engine, get_engine
from eval.metrics import (
    abstention_precision_recall,
    citation_precision,
    citation_recall,
    hit_at_k,
    key_fact_recall,
    magesh_label,
    mean,
    ndcg_at_k,
    page_hit_at_k,
    percentile,
    recall_at_k,
    reciprocal_rank,
    source_matches,
)
from legalqa.settings import Settings
from ingest.types import normalize_whitespace

HIT_KS = (1, 3, 5)
RECALL_KS = (1, 3, 5, 10)
CONFIGS = ("hybrid", "dense", "bm25", "hybrid+rerank", "naive")
DEFAULT_CONFIGS = ("hybrid",)


class GoldQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    question: str
    gold_sources: list[str] = Field(default_factory=list)
    gold_pages: list[int | list] = Field(default_factory=list)
    key_facts: list[list[str]] = Field(default_factory=list)
    answerable: bool = True
    supporting_sources: list[str] = Field(default_factory=list, description="Other documents a citation may rightly name.")
    gold_answer: str | None = Field(None, description="A lawyer's answer, for the optional LLM judge.")

    def gold_page_pairs(self) -> list[tuple[str, int]]:
        """gold_pages holds plain page numbers (of the first gold source) or [source, page] pairs."""
        pairs = []
        for item in self.gold_pages:
            if isinstance(item, list):
                pairs.append((str(item[0]), int(item[1])))
            elif self.gold_sources:
                pairs.append((self.gold_sources[0], int(item)))
        return pairs


def load_questions(path: Path) -> list[GoldQuestion]:
    questions = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            questions.append(GoldQuestion.model_validate_json(line))
        except ValueError as exc:
            raise ValueError(f"{path}, line {n}: not a valid question ({exc})") from None
    return questions


def score(question: GoldQuestion, answer: dict, *, quotes_ok: bool = True, case_of: dict | None = None) -> dict:
    """Every per-question metric for one answer. ``case_of`` maps sources to case names, so a
    citation to another decision in the same case counts as on target."""
    retrieved_sources = [r["source"] for r in answer["retrieved"]]
    retrieved_pages = [(r["source"], r["page"]) for r in answer["retrieved"]]
    cited = [c["source"] for c in answer["citations"]]
    row: dict = {"abstention_correct": answer["abstained"] == (not question.answerable), "quotes_verbatim": quotes_ok}
    kfr = None
    on_target = True
    if question.answerable:
        for k in HIT_KS:
            row[f"hit@{k}"] = hit_at_k(retrieved_sources, question.gold_sources, k)
        for k in RECALL_KS:
            row[f"recall@{k}"] = recall_at_k(retrieved_sources, question.gold_sources, k)
        row["mrr"] = reciprocal_rank(retrieved_sources, question.gold_sources)
        row["ndcg@10"] = ndcg_at_k(retrieved_sources, question.gold_sources, 10)
        if question.gold_pages:
            for k in (1, 5):
                row[f"page_hit@{k}"] = page_hit_at_k(retrieved_pages, question.gold_page_pairs(), k)
        kfr = key_fact_recall(answer["answer"], question.key_facts) if not answer["abstained"] else (
            0.0 if question.key_facts else None)
        row["key_fact_recall"] = kfr
        allowed = question.gold_sources + question.supporting_sources
        row["citation_precision"] = citation_precision(cited, allowed)
        row["citation_recall"] = citation_recall(cited, question.gold_sources) if not answer["abstained"] else 0.0
        cases = {case_of.get(g) for g in allowed} - {None} if case_of else set()
        on_target = all(
            any(source_matches(s, g) for g in allowed) or (case_of and case_of.get(s) in cases) for s in cited
        )
    row["label"] = magesh_label(answerable=question.answerable, abstained=answer["abstained"], quotes_ok=quotes_ok,
                                citations_on_target=bool(on_target), key_fact_recall=kfr)
    row["timings_ms"] = answer.get("timings_ms", {})
    return row


class QuoteChecker:
    """Checks quotes against the text of the cited page, re-read from the source file."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._pages: dict[str, dict] = {}

    def page_text(self, source: str, page) -> str | None:
        from ingest.loaders import IngestError, load_file

        if source not in self._pages:
            doc = self.engine.documents.get(source)
            try:
                loaded = load_file(Path(doc.path), source) if doc and doc.path else None
            except IngestError:
                loaded = None
            self._pages[source] = {p.number: normalize_whitespace(p.text) for p in loaded.pages} if loaded else {}
        return self._pages[source].get(page)

    def __call__(self, answer: dict, page_text=None) -> bool:
        lookup = page_text or self.page_text
        for c in answer["citations"]:
            text = lookup(c["source"], c["page"])
            if text is None or normalize_whitespace(c["quote"]) not in text:
                return False
        return True


def summarize(rows: list[dict]) -> dict:
    answerable = [r for r in rows if "hit@1" in r]
    report: dict = {"questions": len(rows), "answerable": len(answerable)}
    for key in [f"hit@{k}" for k in HIT_KS] + [f"recall@{k}" for k in RECALL_KS] + ["mrr", "ndcg@10"]:
        report[key] = mean([float(r[key]) for r in answerable])
    for key in ("page_hit@1", "page_hit@5"):
        report[key] = mean([float(r[key]) for r in answerable if key in r])
    report["key_fact_recall"] = mean([r.get("key_fact_recall") for r in answerable])
    report["citation_precision"] = mean([r.get("citation_precision") for r in answerable])
    report["citation_recall"] = mean([r.get("citation_recall") for r in answerable])
    report["quotes_verbatim"] = mean([float(r["quotes_verbatim"]) for r in rows])
    report["abstention_accuracy"] = mean([float(r["abstention_correct"]) for r in rows])
    pairs = [("hit@1" in r, r["abstention_correct"] != ("hit@1" in r)) for r in rows]
    report["abstention_precision"], report["abstention_recall"] = abstention_precision_recall(pairs)
    for label in ("accurate", "incomplete", "hallucinated"):
        report[label] = sum(r["label"] == label for r in rows) / len(rows) if rows else None
    judged = [r["judge"]["verdict"] for r in rows if "judge" in r]
    if judged:
        report["judge_correct"] = judged.count("CORRECT") / len(judged)
        report["judge_partial"] = judged.count("PARTIAL") / len(judged)
        report["judged"] = len(judged)
    for stage in ("retrieve", "answer", "total"):
        values = [r["timings_ms"][stage] for r in rows if stage in r.get("timings_ms", {})]
        report[f"{stage}_ms_p50"] = percentile(values, 50)
        report[f"{stage}_ms_p95"] = percentile(values, 95)
    return report


def _with_chunks(answer: dict, engine: Engine) -> dict:
    """Each retrieved chunk's text and offsets in its page, so any scorer can recompute overlap."""
    chunks = {c.chunk_id: c for c in engine.store.get_chunks([r["chunk_id"] for r in answer["retrieved"]])}
    for r in answer["retrieved"]:
        c = chunks.get(r["chunk_id"])
        if c is not None:
            r.update(text=c.text, start=c.start, end=c.end)
    return answer


def run_eval(
    questions_file: Path,
    out_dir: Path,
    *,
    settings: Settings | None = None,
    engine: Engine | None = None,
    limit: int | None = None,
    configs: tuple[str, ...] = DEFAULT_CONFIGS,
    plots: bool = False,
    history: Path | None = None,
    judge_model=None,
) -> dict:
    """Write results.jsonl (one line per question and configuration), report.json and, with
    several configurations or plots, report.md. Returns the default configuration's summary
    when one configuration runs, else {config: summary}."""
    engine = engine or get_engine(settings)
    engine.refresh()
    questions = load_questions(questions_file)[:limit]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        raise ValueError(f"unknown configuration(s) {', '.join(unknown)} (choose from {', '.join(CONFIGS)})")
    if "hybrid+rerank" in configs and not engine.settings.retrieval.reranker_model:
        raise ValueError("configuration hybrid+rerank needs LEGALQA_RETRIEVAL__RERANKER_MODEL (a local cross-encoder)")
    check = QuoteChecker(engine)
    case_of = {s: d.case_name for s, d in engine.documents.items() if d.case_name}
    summaries, per_config = {}, {}
    with (out_dir / "results.jsonl").open("w", encoding="utf-8") as fh:
        for config in configs:
            answer_fn, page_text = _config(config, engine, out_dir)
            rows = []
            for q in questions:
                answer = answer_fn(q.question)
                row = score(q, answer, quotes_ok=check(answer, page_text), case_of=case_of)
                if judge_model is not None and q.gold_answer:
                    from eval.judge import judge

                    row["judge"] = judge(judge_model, q.question, q.gold_answer, answer["answer"])
                rows.append({"id": q.id, **row, "answer": answer["answer"], "question": q.question})
                fh.write(json.dumps({"id": q.id, "config": config, **answer, "score": row}) + "\n")
            summaries[config] = summarize(rows)
            per_config[config] = rows
    (out_dir / "report.json").write_text(json.dumps(summaries if len(configs) > 1 else summaries[configs[0]], indent=2) + "\n")
    if len(configs) > 1 or plots:
        from eval.report import write_report

        write_report(out_dir, summaries, per_config)
    if history is not None:
        _append_history(summaries, history)
    return summaries if len(configs) > 1 else summaries[configs[0]]


def _config(config: str, engine: Engine, out_dir: Path):
    """The function that answers a question under ``config``, and how its quotes are checked."""
    if config == "naive":
        from eval.baseline import NaiveBaseline

        baseline = NaiveBaseline(engine.documents, engine.embedder, out_dir / "naive-index")
        baseline.build()
        return baseline.ask, baseline.page_text
    mode = config.split("+")[0]
    rerank = config.endswith("+rerank")

    def ask(question: str) -> dict:
        saved = engine._reranker
        if not rerank:
            engine._reranker = None  # the default pipeline runs without one, even when one is configured
        try:
            return _with_chunks(engine.ask(question, mode=mode).model_dump(), engine)
        finally:
            engine._reranker = saved

    return ask, None


HISTORY = Path(__file__).resolve().parent / "history.jsonl"


def _append_history(summaries: dict, path: Path) -> None:
    """One line per run: version, commit, and the headline figures of each configuration."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=Path(__file__).parent, timeout=10).stdout.strip()
    except OSError:
        commit = ""
    try:
        ver = version("legalqa")
    except PackageNotFoundError:
        ver = "unknown"
    headline = ("hit@5", "key_fact_recall", "quotes_verbatim", "abstention_accuracy", "hallucinated", "total_ms_p50")
    line = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "version": ver, "commit": commit,
            "configs": {c: {k: s.get(k) for k in headline} for c, s in summaries.items()}}
    with Path(path).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")
