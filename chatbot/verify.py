"""Check a drafted answer against its evidence, sentence by sentence.

A sentence survives only if it cites passages that exist and that support it, by
word overlap and by embedding similarity. Whatever is removed is reported. Each
surviving citation quotes the passage sentence closest to the claim, verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from chatbot.types import Citation, Evidence
from ingest.chunking import sentence_spans
from ingest.embeddings import Embedder
from ingest.tokenization import tokenize

_MARKER = re.compile(r"\s*\[(\d+)\]")

# Text in a document that speaks to the model ("ignore previous instructions and...") is
# never evidence: it cannot support a claim, and it is never quoted as support.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}?\b(?:previous|prior|above|earlier|all|your|the)\b.{0,20}?"
    r"\b(?:instructions?|prompts?|rules|directions|guidelines)\b"
    r"|\byou are now\b|\b(?:system|developer)\s+(?:prompt|mode|message)\b|\bnew instructions\b"
    r"|\bas an ai(?: language)? model\b",
    re.IGNORECASE,
)


def addresses_the_model(sentence: str) -> bool:
    """True for a sentence that gives the model instructions (a prompt injection), not facts."""
    return bool(_INSTRUCTION.search(sentence))


@dataclass
class Verified:
    text: str
    citations: list[Citation]
    removed: list[tuple[str, str]] = field(default_factory=list)  # (sentence, reason)


def split_sentences(text: str) -> list[str]:
    sentences = []
    for start, end in sentence_spans(text.strip()):
        sentence = text.strip()[start:end].strip()
        if sentence:
            sentences.append(sentence)
    return sentences


def lexical_support(claim: str, passage: str) -> float:
    """Share of the claim's content words that the passage contains."""
    words = set(tokenize(claim))
    if not words:
        return 0.0
    return len(words & set(tokenize(passage))) / len(words)


def verify_citations(draft: str, evidence: list[Evidence], embedder: Embedder, *, min_support: float) -> Verified:
    """Keep the draft's sentences whose cited passages support them, each re-cited to the passage
    sentence that supports it best; say why every other sentence was removed."""
    sentences = split_sentences(draft)
    claims = [_MARKER.sub("", s).strip() for s in sentences]
    passages = _Passages(evidence, claims, embedder)
    kept: list[str] = []
    removed: list[tuple[str, str]] = []
    citations: list[Citation] = []
    numbering: dict[tuple[int, int], int] = {}
    for i, (sentence, claim) in enumerate(zip(sentences, claims)):
        markers = [int(n) for n in _MARKER.findall(sentence)]
        problem = _marker_problem(markers, len(evidence))
        if problem:
            removed.append((sentence, problem))
            continue
        support, best = passages.support(i, claim, markers)
        if support < min_support:
            removed.append((sentence, passages.why_unsupported(markers)))
            continue
        new_markers = []
        for n, j in best.items():
            if (n, j) not in numbering:
                numbering[(n, j)] = len(numbering) + 1
                citations.append(passages.citation(numbering[(n, j)], n, j))
            new_markers.append(numbering[(n, j)])
        marks = "".join(f"[{m}]" for m in new_markers)
        claim = claim.rstrip()
        kept.append(f"{claim[:-1]} {marks}{claim[-1]}" if claim[-1:] in ".!?" else f"{claim} {marks}")
    return Verified(" ".join(kept), citations, removed)


def _marker_problem(markers: list[int], passages: int) -> str | None:
    if not markers:
        return "it cites no passage"
    bad = [n for n in markers if not 1 <= n <= passages]
    return f"it cites [{bad[0]}], which is not among the passages" if bad else None


class _Passages:
    """The evidence split into sentences (planted instructions left out), embedded once with the claims."""

    def __init__(self, evidence: list[Evidence], claims: list[str], embedder: Embedder):
        self.evidence = evidence
        spans = [sentence_spans(e.chunk.text) or [(0, len(e.chunk.text))] for e in evidence]
        self.planted = [[addresses_the_model(e.chunk.text[s:t]) for s, t in group] for e, group in zip(evidence, spans)]
        self.spans = [[span for span, bad in zip(group, flags) if not bad] for group, flags in zip(spans, self.planted)]
        sentences = [[e.chunk.text[s:t] for s, t in group] for e, group in zip(evidence, self.spans)]
        self.text = [" ".join(group) for group in sentences]
        flat = [s for group in sentences for s in group]
        vectors = embedder.embed(claims + flat) if claims else np.zeros((0, 1))
        self.claim_vecs, self.flat_vecs = vectors[: len(claims)], vectors[len(claims) :]
        self.offsets = np.cumsum([0] + [len(g) for g in sentences])

    def support(self, i: int, claim: str, markers: list[int]) -> tuple[float, dict[int, int]]:
        """The best support any cited passage gives claim ``i`` (mean of word overlap and the
        similarity of its closest sentence), and that closest sentence per passage."""
        support, best = 0.0, {}
        for n in dict.fromkeys(markers):
            lo, hi = self.offsets[n - 1], self.offsets[n]
            if hi == lo:
                continue
            sims = self.flat_vecs[lo:hi] @ self.claim_vecs[i]
            j = int(np.argmax(sims))
            score = 0.5 * lexical_support(claim, self.text[n - 1]) + 0.5 * float(sims[j])
            best[n] = j
            support = max(support, score)
        return support, best

    def why_unsupported(self, markers: list[int]) -> str:
        if any(any(self.planted[n - 1]) for n in markers):
            return "its cited passage holds instructions to the model, which are not evidence"
        return "the cited passage does not support it"

    def citation(self, number: int, n: int, j: int) -> Citation:
        ev = self.evidence[n - 1]
        start, end = self.spans[n - 1][j]
        return Citation.of(number, ev.chunk, ev.chunk.text[start:end])
