"""The metric registry, and scoring with it: one row per answered gold question, one summary per run.

Each :class:`Metric` scores one answer to a gold question and aggregates those scores over a
run. :func:`score`, :func:`summarize`, the report table (eval.report) and the history headline
(eval.history) all go through :data:`METRICS`, so a new metric is one entry there (or one
:func:`register` call) and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from chatbot.types import Answer
from eval.gold import GoldQuestion
from eval.metrics import (
    abstention_precision_recall,
    citation_precision,
    citation_recall,
    facts_of_available,
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
    word_count,
)

HIT_KS = (1, 3, 5)
RECALL_KS = (1, 3, 5, 10)
PAGE_HIT_KS = (1, 5)
LABELS = ("accurate", "incomplete", "hallucinated")
STAGES = ("retrieve", "answer", "total")
PASSAGE_K = 8  # the retrieved chunks an answer is typically written from

SKIP = object()
"""What a per-question function returns when the metric does not apply to the question (the row
leaves the key out), and what an aggregate returns when the summary should leave it out."""


@dataclass(frozen=True)
class ScoreContext:
    """What scoring needs besides the question and the answer."""

    quotes_ok: bool = True  # every quote is in the page it cites, re-read from the file
    case_of: Mapping[str, str] = field(default_factory=dict)  # source -> case name
    judge_model: Any = None  # a LangChain chat model for the optional LLM judge
    passages: Sequence[str] | None = None  # the retrieved chunks' texts in rank order; None: not at hand


PerQuestion = Callable[[GoldQuestion, Answer, ScoreContext], Any]


@dataclass(frozen=True)
class Metric:
    """One figure of a run. ``per_question`` puts a value in each question's row under ``key``
    (metrics that share a key share its value, scored once); ``aggregate`` turns the rows into
    the summary's figure, by default the mean of the values under ``key``."""

    name: str
    label: str | None  # its line in the report table; None keeps it out of the table
    per_question: PerQuestion | None = None
    aggregate: Callable[[list[dict]], Any] | None = None
    row_key: str | None = None  # defaults to name
    headline: bool = False  # in every history line (and the trend plot when a score)
    chart: bool = False  # in the report's bar chart of scores
    unit: str = ""  # "" for a score from 0 to 1; "ms" for a latency; "words" for a length

    @property
    def key(self) -> str:
        return self.row_key or self.name

    def summarize(self, rows: list[dict]) -> Any:
        return self.aggregate(rows) if self.aggregate else mean_of(self.key, rows)


# -- per-question functions ----------------------------------------------------------------


def _answerable_only(fn: PerQuestion) -> PerQuestion:
    def per_question(question: GoldQuestion, answer: Answer, context: ScoreContext):
        return fn(question, answer, context) if question.answerable else SKIP

    return per_question


def _retrieved_sources(answer: Answer) -> list[str]:
    return [r.source for r in answer.retrieved]


def _cited_sources(answer: Answer) -> list[str]:
    return [c.source for c in answer.citations]


def _allowed_sources(question: GoldQuestion) -> list[str]:
    return question.gold_sources + question.supporting_sources


def answer_key_fact_recall(question: GoldQuestion, answer: Answer, _context: ScoreContext | None = None):
    """An abstention states none of the key facts."""
    if answer.abstained:
        return 0.0 if question.key_facts else None
    return key_fact_recall(answer.answer, question.key_facts)


def citations_on_target(question: GoldQuestion, answer: Answer, case_of: Mapping[str, str]) -> bool:
    """Every citation names a gold or supporting document, or another decision in the same case."""
    if not question.answerable:
        return True
    allowed = _allowed_sources(question)
    cases = {case_of.get(g) for g in allowed} - {None}
    return all(any(source_matches(s, g) for g in allowed) or (bool(case_of) and case_of.get(s) in cases)
               for s in _cited_sources(answer))


def answer_label(question: GoldQuestion, answer: Answer, context: ScoreContext) -> str:
    kfr = answer_key_fact_recall(question, answer) if question.answerable else None
    return magesh_label(answerable=question.answerable, abstained=answer.abstained, quotes_ok=context.quotes_ok,
                        citations_on_target=citations_on_target(question, answer, context.case_of),
                        key_fact_recall=kfr)


def _hit(k, q, a, _c):
    return hit_at_k(_retrieved_sources(a), q.gold_sources, k)


def _recall(k, q, a, _c):
    return recall_at_k(_retrieved_sources(a), q.gold_sources, k)


def _page_hit(k, q, a, _c):
    if not q.gold_pages:
        return SKIP
    return page_hit_at_k([(r.source, r.page) for r in a.retrieved], q.gold_page_pairs(), k)


def _judged(q: GoldQuestion, a: Answer, c: ScoreContext):
    if c.judge_model is None or not q.gold_answer:
        return SKIP
    from eval.judge import judge

    return judge(c.judge_model, q.question, q.gold_answer, a.answer)


def _passage_text(c: ScoreContext) -> str:
    return "\n".join(c.passages[:PASSAGE_K])


def _passage_key_facts(q: GoldQuestion, a: Answer, c: ScoreContext):
    """Whether retrieval put the key facts within the answerer's reach, whatever it then wrote."""
    return SKIP if c.passages is None else key_fact_recall(_passage_text(c), q.key_facts)


def _facts_of_available(q: GoldQuestion, a: Answer, c: ScoreContext):
    if c.passages is None or not q.key_facts:
        return SKIP
    return list(facts_of_available("" if a.abstained else a.answer, _passage_text(c), q.key_facts))


def _answer_words(q: GoldQuestion, a: Answer, c: ScoreContext):
    return SKIP if a.abstained or not a.answer.strip() else word_count(a.answer)


# -- aggregates -----------------------------------------------------------------------------


def is_answerable(row: dict) -> bool:
    """Whether a row is an answerable question's: retrieval is scored for those only."""
    return f"hit@{HIT_KS[0]}" in row


def mean_of(key: str, rows: list[dict]) -> float | None:
    """The mean of the values under ``key`` in the rows that hold one (None values skipped)."""
    return mean([None if r[key] is None else float(r[key]) for r in rows if key in r])


def _abstention(which: int, rows: list[dict]):
    pairs = [(is_answerable(r), r["abstention_correct"] != is_answerable(r)) for r in rows]
    return abstention_precision_recall(pairs)[which]


def _abstained_share(answerable: bool, rows: list[dict]):
    """The share of (un)answerable questions the answer abstained on."""
    group = [r["abstention_correct"] != answerable for r in rows if is_answerable(r) == answerable]
    return sum(group) / len(group) if group else None


def _ratio_of_sums(key: str, rows: list[dict]):
    """sum of the first numbers over sum of the second: questions weigh by how many facts they have."""
    pairs = [r[key] for r in rows if key in r]
    available = sum(p[1] for p in pairs)
    return sum(p[0] for p in pairs) / available if available else None


def _by_kind(rows: list[dict]):
    kinds = sorted({r["kind"] for r in rows if "kind" in r})
    if not kinds:
        return SKIP
    groups = {kind: [r for r in rows if r.get("kind") == kind] for kind in kinds}
    return {kind: {"questions": len(group), "accurate": _label_share("accurate", group),
                   "key_fact_recall": mean_of("key_fact_recall", group)} for kind, group in groups.items()}


def _label_share(label: str, rows: list[dict]):
    return sum(r["label"] == label for r in rows) / len(rows) if rows else None


def _judge_figure(name: str, rows: list[dict]):
    verdicts = [r["judge"]["verdict"] for r in rows if "judge" in r]
    if not verdicts:
        return SKIP
    return len(verdicts) if name == "judged" else verdicts.count(name.removeprefix("judge_").upper()) / len(verdicts)


def _latency(stage: str, q: float, rows: list[dict]):
    return percentile([r["timings_ms"][stage] for r in rows if stage in r.get("timings_ms", {})], q)


def _answer_length(q: float, rows: list[dict]):
    return percentile([r["answer_words"] for r in rows if "answer_words" in r], q)


# -- the registry ---------------------------------------------------------------------------


def _retrieval_metrics() -> list[Metric]:
    metrics = [Metric(f"hit@{k}", f"document hit@{k}" if k != 3 else None, _answerable_only(partial(_hit, k)),
                      headline=k == 5, chart=k == 5) for k in HIT_KS]
    metrics += [Metric(f"recall@{k}", f"recall@{k}", _answerable_only(partial(_recall, k)), chart=k == 5)
                for k in RECALL_KS]
    metrics += [
        Metric("mrr", "MRR", _answerable_only(lambda q, a, c: reciprocal_rank(_retrieved_sources(a), q.gold_sources)),
               chart=True),
        Metric("ndcg@10", "nDCG@10", _answerable_only(lambda q, a, c: ndcg_at_k(_retrieved_sources(a), q.gold_sources, 10))),
    ]
    metrics += [Metric(f"page_hit@{k}", f"page hit@{k}", _answerable_only(partial(_page_hit, k))) for k in PAGE_HIT_KS]
    return metrics


def _answer_metrics() -> list[Metric]:
    metrics = [
        Metric("key_fact_recall", "key-fact recall", _answerable_only(answer_key_fact_recall), headline=True, chart=True),
        Metric("passage_key_facts", f"key facts in top-{PASSAGE_K} passages", _answerable_only(_passage_key_facts)),
        Metric("key_facts_of_available", f"key facts stated of those in top-{PASSAGE_K}",
               _answerable_only(_facts_of_available), aggregate=partial(_ratio_of_sums, "key_facts_of_available")),
        Metric("citation_precision", "citation precision", _answerable_only(
            lambda q, a, c: citation_precision(_cited_sources(a), _allowed_sources(q))), chart=True),
        Metric("citation_recall", "citation recall", _answerable_only(
            lambda q, a, c: 0.0 if a.abstained else citation_recall(_cited_sources(a), q.gold_sources))),
        Metric("quotes_verbatim", "quote fidelity", lambda q, a, c: c.quotes_ok, headline=True, chart=True),
        Metric("abstention_accuracy", None, lambda q, a, c: a.abstained == (not q.answerable),
               row_key="abstention_correct", headline=True),
        Metric("abstention_precision", "abstention precision", aggregate=partial(_abstention, 0)),
        Metric("abstention_recall", "abstention recall", aggregate=partial(_abstention, 1)),
        Metric("abstained_answerable", "abstained on answerable", aggregate=partial(_abstained_share, True)),
        # The same figure as abstention_recall, under the plain name; one line in the table is enough.
        Metric("abstained_unanswerable", None, aggregate=partial(_abstained_share, False)),
    ]
    metrics += [Metric(label, "accurate (Magesh)" if label == "accurate" else label, answer_label,
                       aggregate=partial(_label_share, label), row_key="label", headline=label == "hallucinated",
                       chart=label == "accurate") for label in LABELS]
    metrics += [Metric(name, None, _judged, aggregate=partial(_judge_figure, name), row_key="judge")
                for name in ("judge_correct", "judge_partial", "judged")]
    return metrics


def _cost_metrics() -> list[Metric]:
    metrics = [Metric(f"{stage}_ms_p{q}", None if stage == "answer" else f"{stage} p{q} (ms)",
                       lambda q_, a, c: dict(a.timings_ms), aggregate=partial(_latency, stage, q),
                       row_key="timings_ms", headline=(stage, q) == ("total", 50), unit="ms")
                for stage in STAGES for q in (50, 95)]
    metrics += [Metric(f"answer_words_p{q}", f"answer words p{q}", _answer_words,
                       aggregate=partial(_answer_length, q),
                       row_key="answer_words", unit="words") for q in (50, 90)]
    return metrics


def _default_metrics() -> list[Metric]:
    by_kind = Metric("by_kind", None, lambda q, a, c: q.kind or SKIP, aggregate=_by_kind, row_key="kind")
    return _retrieval_metrics() + _answer_metrics() + _cost_metrics() + [by_kind]


METRICS: list[Metric] = _default_metrics()
"""Every metric, in the order of report.json; the report table and history lines keep this order."""


def register(metric: Metric) -> Metric:
    """Add a metric to every run, summary, report table (when it has a label) and history line
    (when it is a headline)."""
    if any(m.name == metric.name for m in METRICS):
        raise ValueError(f"a metric named '{metric.name}' is already registered")
    METRICS.append(metric)
    return metric


def unregister(name: str) -> None:
    METRICS[:] = [m for m in METRICS if m.name != name]


def table_metrics() -> list[Metric]:
    return [m for m in METRICS if m.label]


def headline_metrics() -> list[Metric]:
    return [m for m in METRICS if m.headline]


# -- scoring --------------------------------------------------------------------------------


def score(question: GoldQuestion, answer: Answer, *, quotes_ok: bool = True, case_of: Mapping[str, str] | None = None,
          judge_model=None, passages: Sequence[str] | None = None) -> dict:
    """Every per-question value for one answer. ``case_of`` maps sources to case names, so a
    citation to another decision in the same case counts as on target; ``passages`` are the
    retrieved chunks' texts in rank order (without them, the passage metrics are left out)."""
    context = ScoreContext(quotes_ok=quotes_ok, case_of=case_of or {}, judge_model=judge_model, passages=passages)
    row: dict = {}
    scored: set[str] = set()
    for metric in METRICS:
        if metric.per_question is None or metric.key in scored:
            continue
        scored.add(metric.key)
        value = metric.per_question(question, answer, context)
        if value is not SKIP:
            row[metric.key] = value
    return row


def summarize(rows: list[dict]) -> dict:
    """Every registered metric over the rows of one run (a metric that does not apply is left out)."""
    summary: dict = {"questions": len(rows), "answerable": sum(map(is_answerable, rows))}
    for metric in METRICS:
        value = metric.summarize(rows)
        if value is not SKIP:
            summary[metric.name] = value
    return summary
