"""Pure scoring functions over answers and gold questions (no I/O, no models)."""

from __future__ import annotations

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


def mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None
