"""Pure scoring functions over answers and gold questions (no I/O, no models)."""

from __future__ import annotations

import re
from collections.abc import Sequence


def source_matches(source: str, gold: str) -> bool:
    """Gold sources are paths relative to some corpus root; an index may hold them under a longer path."""
    return source == gold or source.endswith("/" + gold) or gold.endswith("/" + source)


def hit_at_k(retrieved_sources: Sequence[str], gold_sources: Sequence[str], k: int) -> bool:
    return any(source_matches(s, g) for s in retrieved_sources[:k] for g in gold_sources)


def page_hit_at_k(retrieved: Sequence[tuple[str, int | None]], gold_pages: Sequence[tuple[str, int]], k: int) -> bool:
    """A retrieved chunk from a gold document on a gold page."""
    return any(
        source_matches(s, gs) and p == gp for s, p in retrieved[:k] for gs, gp in gold_pages
    )


def fact_present(answer: str, alternatives: Sequence[str]) -> bool:
    text = answer.lower()
    return any(alt.lower() in text for alt in alternatives)


def key_fact_recall(answer: str, key_facts: Sequence[Sequence[str]]) -> float | None:
    """Share of key facts present in the answer; None when the question has none."""
    if not key_facts:
        return None
    return sum(fact_present(answer, alts) for alts in key_facts) / len(key_facts)


def facts_of_available(answer: str, passages: str, key_facts: Sequence[Sequence[str]]) -> tuple[int, int]:
    """(key facts in both the answer and the passages, key facts in the passages): how much of
    what retrieval put within reach the answer went on to state."""
    available = [alts for alts in key_facts if fact_present(passages, alts)]
    return sum(fact_present(answer, alts) for alts in available), len(available)


def word_count(text: str) -> int:
    """Words of an answer: whitespace-separated tokens with a letter or digit, [n] markers left out."""
    return sum(any(ch.isalnum() for ch in token) for token in re.sub(r"\[\d+\]", " ", text).split())


def mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def distinct_sources(retrieved: Sequence[str]) -> list[str]:
    """Retrieved chunk sources with repeats removed, in rank order: the document ranking."""
    return list(dict.fromkeys(retrieved))


def recall_at_k(retrieved_sources: Sequence[str], gold_sources: Sequence[str], k: int) -> float:
    """Share of gold documents among the first k distinct retrieved documents."""
    if not gold_sources:
        return 0.0
    top = distinct_sources(retrieved_sources)[:k]
    return sum(any(source_matches(s, g) for s in top) for g in gold_sources) / len(gold_sources)


def reciprocal_rank(retrieved_sources: Sequence[str], gold_sources: Sequence[str]) -> float:
    for rank, s in enumerate(distinct_sources(retrieved_sources), start=1):
        if any(source_matches(s, g) for g in gold_sources):
            return 1.0 / rank
    return 0.0


def ndcg_at_k(retrieved_sources: Sequence[str], gold_sources: Sequence[str], k: int = 10) -> float:
    """Binary-relevance nDCG over distinct documents."""
    import math

    top = distinct_sources(retrieved_sources)[:k]
    dcg = sum(1.0 / math.log2(i + 2) for i, s in enumerate(top) if any(source_matches(s, g) for g in gold_sources))
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(gold_sources))))
    return dcg / ideal if ideal else 0.0


def citation_precision(cited_sources: Sequence[str], gold_sources: Sequence[str]) -> float | None:
    """Share of citations that point at a gold document; None when nothing is cited."""
    if not cited_sources:
        return None
    return sum(any(source_matches(s, g) for g in gold_sources) for s in cited_sources) / len(cited_sources)


def citation_recall(cited_sources: Sequence[str], gold_sources: Sequence[str]) -> float | None:
    """Share of gold documents that the answer cites."""
    if not gold_sources:
        return None
    return sum(any(source_matches(s, g) for s in cited_sources) for g in gold_sources) / len(gold_sources)


def magesh_label(*, answerable: bool, abstained: bool, quotes_ok: bool, citations_on_target: bool,
                 key_fact_recall: float | None) -> str:
    """Magesh et al.'s categories, as this project applies them.

    hallucinated: something false: a quote that is not in the page it cites (re-read from the
    file), which also covers citations to documents that are not there;
    accurate: every key fact present and every citation to a gold, supporting or same-case
    document; or a correct abstention;
    incomplete: nothing false, but key facts missing, citations off target, an abstention on an
    answerable question, or quotes offered for a question the documents do not answer.
    An extractive answer's claims are its quotes, so a verbatim quote supports itself; for LLM
    answers the runtime verification has already removed unsupported sentences.
    """
    if not quotes_ok:
        return "hallucinated"
    if not answerable:
        return "accurate" if abstained else "incomplete"
    if abstained or not citations_on_target:
        return "incomplete"
    return "accurate" if (key_fact_recall is None or key_fact_recall >= 1.0) else "incomplete"


def percentile(values: Sequence[float], q: float, *, method: str = "nearest") -> float | None:
    """The q-th percentile (q in 0..100), None for no values. ``nearest`` is the nearest-rank
    value, which evaluation reports; ``linear`` interpolates between ranks as numpy does, which
    the benchmark reports."""
    import math

    data = sorted(values)
    if not data:
        return None
    if method == "linear":
        import numpy as np

        return float(np.percentile(data, q))
    if method != "nearest":
        raise ValueError(f"unknown percentile method '{method}' (nearest or linear)")
    rank = max(1, math.ceil(q / 100 * len(data)))
    return data[rank - 1]


def abstention_precision_recall(rows: Sequence[tuple[bool, bool]]) -> tuple[float | None, float | None]:
    """From (answerable, abstained) pairs: how many abstentions were right, how many were made."""
    abstained = [a for a, ab in rows if ab]
    unanswerable = [ab for a, ab in rows if not a]
    precision = sum(not a for a in abstained) / len(abstained) if abstained else None
    recall = sum(unanswerable) / len(unanswerable) if unanswerable else None
    return precision, recall
