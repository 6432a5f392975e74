"""The default answerer: quote the sentences that best answer the question.

It never writes a sentence of its own, so it cannot invent a holding. Each
quote is an exact slice of a retrieved chunk, which is an exact slice of its
page, and is checked again before it is returned.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from chatbot.types import ABSTAIN_MESSAGE, Citation, Evidence
from ingest.chunking import sentence_spans
from ingest.embeddings import Embedder
from ingest.lexical import LexicalIndex
from ingest.settings import AnswerSettings
from ingest.tokenization import stem, tokenize
from ingest.types import normalize_whitespace

# Words that say what kind of answer is wanted, not what it is about.
_QUESTION_WORDS = frozenset(
    stem(w)
    for w in "did does do find found hold held say said rule ruled court judge decide decided whether tell "
    "explain describe mean means according about case".split()
)
_ALPHA = re.compile(r"[A-Za-z]")
# Capitalised words that name an entity the question is about ("Texas", "GDPR", "Chhabria"),
# not the first word of the question.
_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b([A-Z][A-Za-z]+|[A-Z]{2,})\b")
# Capitalised but generic in this domain: they do not name what a question is about.
_GENERIC_NAMES = frozenset(
    stem(w.lower())
    for w in "Court Courts Judge Justice Circuit District Supreme Congress Copyright Office Act AI Section Title "
    "United States Federal Register Panel Plaintiffs Defendants Order Opinion Appeals Judicial".split()
)


@dataclass
class _Sentence:
    evidence_rank: int
    evidence: Evidence
    start: int
    end: int
    text: str
    score: float = 0.0
    coverage: float = 0.0
    similarity: float = 0.0


@dataclass
class ExtractiveResult:
    text: str
    citations: list[Citation]
    abstained: bool


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, embedder: Embedder, lexical: LexicalIndex | None, settings: AnswerSettings):
        self.embedder = embedder
        self.lexical = lexical
        self.settings = settings

    # -- weights ------------------------------------------------------------

    def term_weights(self, question: str) -> dict[str, float]:
        """IDF of each distinctive question term; unseen terms weigh the most."""
        terms = [t for t in dict.fromkeys(tokenize(question)) if t not in _QUESTION_WORDS]
        n = self.lexical.n_chunks if self.lexical else 1
        weights = {}
        for term in terms:
            df = self.lexical.document_frequency(term) if self.lexical else 0
            weights[term] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return weights

    def unknown_names(self, question: str, evidence: list[Evidence]) -> list[str]:
        """Names in the question that no document of the evidence mentions anywhere.

        "...breach of contract in Texas?" retrieves limitation periods from Title 17;
        no retrieved document mentions Texas, so the evidence is about something else.
        """
        if self.lexical is None:
            return []
        evidence_sources = {e.chunk.source for e in evidence}
        unknown = []
        for name in dict.fromkeys(_NAME.findall(question)):
            tokens = [t for t in tokenize(name) if t not in _GENERIC_NAMES]
            if tokens and not any(self.lexical.sources_with(t) & evidence_sources for t in tokens):
                unknown.append(name)
        return unknown

    @staticmethod
    def coverage(weights: dict[str, float], text: str) -> float:
        total = sum(weights.values())
        if not total:
            return 0.0
        present = set(tokenize(text))
        return sum(w for t, w in weights.items() if t in present) / total

    # -- answering ----------------------------------------------------------

    def answer(self, question: str, evidence: list[Evidence], query_vector: np.ndarray | None = None) -> ExtractiveResult:
        if not evidence:
            return ExtractiveResult(ABSTAIN_MESSAGE, [], True)
        weights = self.term_weights(question)
        sentences = self._candidates(evidence)
        if not sentences:
            return ExtractiveResult(ABSTAIN_MESSAGE, [], True)
        q = self.embedder.embed([question])[0] if query_vector is None else query_vector
        vectors = self.embedder.embed([s.text for s in sentences])
        sims = vectors @ q
        for s, sim in zip(sentences, sims):
            s.similarity = float(sim)
            s.coverage = self.coverage(weights, s.text)
            # Retrieval rank breaks ties: the fused lists already weighed the whole chunk.
            s.score = 0.6 * s.similarity + 0.4 * s.coverage + 0.05 / (1 + s.evidence_rank)
        chosen = self._select(sentences)

        if self._weak(question, weights, evidence, float(sims.max())):
            return ExtractiveResult(ABSTAIN_MESSAGE, [], True)
        return self._compose(chosen)

    def _weak(self, question: str, weights: dict[str, float], evidence: list[Evidence], best_sentence: float) -> bool:
        """Abstain when no passage is close to the question, when no single passage covers
        most of its distinctive terms, or when it names something the evidence never mentions."""
        best_similarity = max(best_sentence, max((e.similarity or 0.0) for e in evidence))
        best_coverage = max(self.coverage(weights, f"{e.chunk.header} {e.chunk.text}") for e in evidence[:5])
        return (
            best_similarity < self.settings.min_similarity
            or best_coverage < self.settings.min_coverage
            or bool(self.unknown_names(question, evidence))
        )

    def _candidates(self, evidence: list[Evidence]) -> list[_Sentence]:
        out: list[_Sentence] = []
        seen: set[str] = set()
        for rank, ev in enumerate(evidence):
            text = ev.chunk.text
            for start, end in sentence_spans(text):
                sentence = text[start:end]
                words = sentence.split()
                key = normalize_whitespace(sentence).lower()
                if len(words) < 5 or len(words) > 120 or key in seen:
                    continue
                if len(_ALPHA.findall(sentence)) < 0.5 * len(sentence.replace(" ", "")):
                    continue  # tables of numbers, captions, signature lines
                if sum(w.isdigit() for w in words) > 0.25 * len(words):
                    continue  # pleading-paper line numbers "1 2 3 ... 28" run into the text
                seen.add(key)
                out.append(_Sentence(rank, ev, start, end, sentence))
        return out

    def _select(self, sentences: list[_Sentence]) -> list[_Sentence]:
        chosen: list[_Sentence] = []
        per_chunk: dict[str, int] = {}
        for s in sorted(sentences, key=lambda s: -s.score):
            cid = s.evidence.chunk.chunk_id
            if per_chunk.get(cid, 0) >= 2:
                continue
            chosen.append(s)
            per_chunk[cid] = per_chunk.get(cid, 0) + 1
            if len(chosen) >= self.settings.max_quotes:
                break
        return chosen

    def _compose(self, chosen: list[_Sentence]) -> ExtractiveResult:
        # Group by document (best document first), then in reading order within it.
        doc_order: dict[str, int] = {}
        for s in chosen:
            doc_order.setdefault(s.evidence.chunk.source, len(doc_order))
        ordered = sorted(
            chosen,
            key=lambda s: (doc_order[s.evidence.chunk.source], s.evidence.chunk.page or 0, s.evidence.chunk.start, s.start),
        )
        quotes = _merge_adjacent(ordered)
        citations: list[Citation] = []
        lines: list[str] = []
        current_doc = None
        for n, (ev, start, end) in enumerate(quotes, start=1):
            chunk = ev.chunk
            quote = chunk.text[start:end]
            citations.append(
                Citation(n=n, source=chunk.source, title=chunk.title, page=chunk.page, quote=quote, chunk_id=chunk.chunk_id)
            )
            if chunk.source != current_doc:
                if lines:
                    lines.append("")
                lines.append(f"{chunk.title}:")
                current_doc = chunk.source
            lines.append(f"“{quote}” [{n}]")
        return ExtractiveResult("\n".join(lines), citations, False)


def _merge_adjacent(ordered: list[_Sentence]) -> list[tuple[Evidence, int, int]]:
    """Consecutive chosen sentences of one chunk become one quote."""
    merged: list[tuple[Evidence, int, int]] = []
    for s in ordered:
        if merged:
            ev, start, end = merged[-1]
            gap = ev.chunk.text[end : s.start] if ev.chunk.chunk_id == s.evidence.chunk.chunk_id else None
            if gap is not None and s.start >= end and not gap.strip():
                merged[-1] = (ev, start, s.end)
                continue
        merged.append((s.evidence, s.start, s.end))
    return merged
