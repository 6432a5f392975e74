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
    sentences = split_sentences(draft)
    # One embedding pass for all claims and all passage sentences.
    passage_spans = [sentence_spans(e.chunk.text) or [(0, len(e.chunk.text))] for e in evidence]
    planted = [[addresses_the_model(e.chunk.text[s:t]) for s, t in spans] for e, spans in zip(evidence, passage_spans)]
    passage_spans = [[span for span, bad in zip(spans, flags) if not bad] for spans, flags in zip(passage_spans, planted)]
    passage_sentences = [[e.chunk.text[s:t] for s, t in spans] for e, spans in zip(evidence, passage_spans)]
    evidence_text = [" ".join(group) for group in passage_sentences]
    claims = [_MARKER.sub("", s).strip() for s in sentences]
    flat = [s for group in passage_sentences for s in group]
    vectors = embedder.embed(claims + flat) if claims else np.zeros((0, 1))
    claim_vecs, flat_vecs = vectors[: len(claims)], vectors[len(claims) :]
    offsets = np.cumsum([0] + [len(g) for g in passage_sentences])

    kept: list[str] = []
    removed: list[tuple[str, str]] = []
    citations: list[Citation] = []
    numbering: dict[tuple[int, int], int] = {}
    for i, (sentence, claim) in enumerate(zip(sentences, claims)):
        markers = [int(n) for n in _MARKER.findall(sentence)]
        if not markers:
            removed.append((sentence, "it cites no passage"))
            continue
        bad = [n for n in markers if not 1 <= n <= len(evidence)]
        if bad:
            removed.append((sentence, f"it cites [{bad[0]}], which is not among the passages"))
            continue
        support, best = 0.0, {}
        for n in dict.fromkeys(markers):
            lo, hi = offsets[n - 1], offsets[n]
            if hi == lo:
                continue
            sims = flat_vecs[lo:hi] @ claim_vecs[i]
            j = int(np.argmax(sims))
            score = 0.5 * lexical_support(claim, evidence_text[n - 1]) + 0.5 * float(sims[j])
            best[n] = j
            support = max(support, score)
        if support < min_support:
            if any(any(planted[n - 1]) for n in markers):
                why = "its cited passage holds instructions to the model, which are not evidence"
            else:
                why = "the cited passage does not support it"
            removed.append((sentence, why))
            continue
        new_markers = []
        for n, j in best.items():
            key = (n, j)
            if key not in numbering:
                numbering[key] = len(numbering) + 1
                ev = evidence[n - 1]
                start, end = passage_spans[n - 1][j]
                citations.append(
                    Citation(
                        n=numbering[key], source=ev.chunk.source, title=ev.chunk.title, page=ev.chunk.page,
                        quote=ev.chunk.text[start:end], chunk_id=ev.chunk.chunk_id,
                    )
                )
            new_markers.append(numbering[key])
        marks = "".join(f"[{m}]" for m in new_markers)
        claim = claim.rstrip()
        kept.append(f"{claim[:-1]} {marks}{claim[-1]}" if claim[-1:] in ".!?" else f"{claim} {marks}")
    return Verified(" ".join(kept), citations, removed)
