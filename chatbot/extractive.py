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

from chatbot.answerers import AnswerContext, Answerer, AnswerRequest, register_answerer
from chatbot.query import asks_for_holding, sentence_bonus, states_holding
from chatbot.types import ABSTAIN_MESSAGE, Citation, Draft, Evidence
from ingest.chunking import sentence_spans
from ingest.lexical import LexicalIndex
from legalqa.settings import AnswerSettings
from ingest.tokenization import stem, tokenize
from ingest.types import SourceDocument, normalize_whitespace

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
    "United States Federal Register Panel Plaintiffs Defendants Order Opinion Appeals Judicial "
    # Dates narrow a question; they are matched by retrieval, not required in the passage.
    "January February March April May June July August September October November December".split()
)


# The similarity assumed for a chunk found by BM25 alone (the dense list did not reach it).
_UNMEASURED = 0.3
_COMPLETE = 0.999  # coverage of every distinctive term of the question
_BM25_ONLY_BUDGET = 8  # sentences embedded when no chunk came with a similarity (mode bm25)


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
    bonus: float = 0.0

    @property
    def prior(self) -> float:
        """The score expected before the sentence is embedded: its chunk's similarity stands in."""
        similarity = self.evidence.similarity
        return 0.6 * (_UNMEASURED if similarity is None else similarity) + 0.4 * self.coverage + self.bonus


@register_answerer("extractive")
class ExtractiveAnswerer(Answerer):
    """Quotes the sentences of the evidence that best answer the question: it cannot invent a holding."""

    name = "extractive"

    def __init__(self, context: AnswerContext):
        super().__init__(context)
        self.embedder = context.embedder

    @property
    def lexical(self) -> LexicalIndex | None:
        return self.context.lexical()

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
        """Names in the question that no retrieved passage mentions, in its text or its
        document header (title, court, judge).

        "...breach of contract in Texas?" retrieves limitation periods from Title 17 and a
        contract claim in Andersen; neither passage mentions Texas, so the evidence is about
        something else.
        """
        present: set[str] = set()
        for e in evidence:
            present.update(tokenize(f"{e.chunk.header} {e.chunk.text}"))
        unknown = []
        for name in dict.fromkeys(_NAME.findall(question)):
            tokens = [t for t in tokenize(name) if t not in _GENERIC_NAMES]
            if tokens and not any(t in present for t in tokens):
                unknown.append(name)
        return unknown

    @staticmethod
    def coverage(weights: dict[str, float], text: str) -> float:
        """IDF-weighted share of the question's terms that ``text`` contains. A term also counts
        when one word holds the other ("children" in "schoolchildren", "compar" in "comparison")."""
        total = sum(weights.values())
        if not total:
            return 0.0
        present = set(tokenize(text))
        long_words = [p for p in present if len(p) >= 5]
        covered = 0.0
        for term, weight in weights.items():
            if term in present or (len(term) >= 5 and any(term in p or p in term for p in long_words)):
                covered += weight
        return covered / total

    # -- answering ----------------------------------------------------------

    def answer(self, request: AnswerRequest) -> Draft:
        """Quote the sentences of the evidence that best answer the question.

        ``survey`` ("which courts have ruled on X?") gives one quote per document;
        ``boost_terms`` favour sentences naming them (a judge's name, say); ``focus``
        favours the documents of the case the question names.
        """
        question, evidence = request.question, request.evidence
        if not evidence:
            return Draft(ABSTAIN_MESSAGE, [], True)
        weights = self.term_weights(question)
        sentences = self._candidates(evidence)
        if not sentences:
            return Draft(ABSTAIN_MESSAGE, [], True)
        boosts = [stem(t.lower()) for t in request.boost_terms]
        asks_holding = asks_for_holding(question)
        for s in sentences:
            s.coverage = self.coverage(weights, s.text)
            s.bonus = sentence_bonus(
                s.evidence_rank, names_boost=bool(boosts and set(boosts) & set(tokenize(s.text))),
                in_focus=s.evidence.chunk.source in request.focus,
                holds=(request.survey or asks_holding) and states_holding(s.text),
            )
        sims = self._similarities(sentences, evidence, question, request.query_vector, survey=request.survey)
        confidence = max(s.score for s in sentences)
        for s in sentences:
            s.score += s.bonus
        if self._weak(question, weights, evidence, float(sims.max()), confidence):
            return Draft(closest_note(evidence), [], True)
        return self._compose(self._choose(sentences, boosts, request), survey=request.survey)

    def _similarities(self, sentences: list[_Sentence], evidence: list[Evidence], question: str, query_vector,
                      *, survey: bool) -> np.ndarray:
        """Each sentence's similarity to the question, and its score before bonuses (0.6 x similarity
        + 0.4 x coverage). Leaves ``sentences`` as the ones measured."""
        budget = self.settings.embed_sentences
        if not budget and all(e.similarity is None for e in evidence):
            budget = _BM25_ONLY_BUDGET  # retrieval measured no similarity at all: measure the sentences'
        if budget:
            # Embedding sentences would be nine tenths of an answer's cost: only the likeliest
            # are embedded, chosen by what is known without the model (terms covered, the
            # chunk's similarity, the bonuses).
            sentences[:] = self._shortlist(sentences, budget, survey=survey)
            q = self.embedder.embed([question])[0] if query_vector is None else query_vector
            sims = self.embedder.embed([s.text for s in sentences], batch_size=len(sentences)) @ q
        else:
            # A sentence stands in its chunk's place: the chunk's similarity, which retrieval
            # measured, plus what the sentence itself covers. On the gold set this loses
            # 0.02 of key-fact recall against embedding eight sentences, and saves ~150 ms.
            sims = np.array([s.evidence.similarity if s.evidence.similarity is not None else _UNMEASURED
                             for s in sentences])
        for s, sim in zip(sentences, sims):
            s.similarity = float(sim)
            s.score = 0.6 * s.similarity + 0.4 * s.coverage
        return sims

    def _choose(self, sentences: list[_Sentence], boosts: list[str], request: AnswerRequest) -> list[_Sentence]:
        focus = request.focus
        if focus and not request.survey:
            # A question that names its case is answered from that case.
            focused = [x for x in sentences if x.evidence.chunk.source in focus]
            sentences = focused if len(focused) >= 2 else sentences
        if request.survey:
            return self._select_per_document(sentences)
        if boosts and (named := [x for x in sentences if set(boosts) & set(tokenize(x.text))]):
            # "Who was the judge?": the sentences that name the judge, best first, answer it,
            # from the case the question is about when it names one.
            named = [x for x in named if focus and x.evidence.chunk.source in focus] or named
            return sorted(named, key=lambda x: -x.score)[:2]
        return self._select(sentences)

    def _weak(
        self, question: str, weights: dict[str, float], evidence: list[Evidence], best_sentence: float, confidence: float
    ) -> bool:
        """Abstain when nothing retrieved is close to the question (unless a passage holds every
        one of its distinctive terms: "What are the DBRX models?"); when it names something no
        passage mentions; or when no passage covers most of its distinctive terms and no sentence
        scores high enough to make up for it. Thresholds were calibrated on eval/gold/real.jsonl
        and eval/gold/sample.jsonl (85 questions, 22 unanswerable)."""
        best_similarity = max(best_sentence, max((e.similarity or 0.0) for e in evidence))
        best_coverage = max(self.coverage(weights, f"{e.chunk.header} {e.chunk.text}") for e in evidence[:5])
        return (
            (best_similarity < self.settings.min_similarity and best_coverage < _COMPLETE)
            or bool(self.unknown_names(question, evidence))
            or (best_coverage < self.settings.min_coverage and confidence < self.settings.min_confidence)
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
                    continue  # tables of numbers, captions
                if sum(w.isdigit() for w in words) > 0.25 * len(words):
                    continue  # runs of numbers left by page layout
                seen.add(key)
                out.append(_Sentence(rank, ev, start, end, sentence))
        return out

    def _shortlist(self, sentences: list[_Sentence], budget: int, *, survey: bool) -> list[_Sentence]:
        """The sentences worth embedding: the best by prior overall, and for a survey the
        best of each document, so that every case keeps a candidate."""
        ranked = sorted(sentences, key=lambda s: -s.prior)
        if not survey:
            return ranked[:budget]
        per_document: dict[str, int] = {}
        keep = []
        for s in ranked:
            source = s.evidence.chunk.source
            if per_document.get(source, 0) < 3:
                keep.append(s)
                per_document[source] = per_document.get(source, 0) + 1
        return keep

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

    def _with_context(self, sentence: _Sentence) -> _Sentence:
        """Extend a quote by the sentences that follow it in its chunk, so it reads in context."""
        spans = sentence_spans(sentence.evidence.chunk.text)
        following = [sp for sp in spans if sp[0] >= sentence.end][: self.settings.context_sentences]
        if not following:
            return sentence
        end = following[-1][1]
        if len(sentence.evidence.chunk.text[sentence.start : end].split()) > 90:
            return sentence
        return _Sentence(sentence.evidence_rank, sentence.evidence, sentence.start, end,
                         sentence.evidence.chunk.text[sentence.start : end], sentence.score)

    def _select_per_document(self, sentences: list[_Sentence]) -> list[_Sentence]:
        """One line per case: the best sentence of each case, for cases whose best comes close
        to the overall best."""
        best: dict[str, _Sentence] = {}
        for s in sorted(sentences, key=lambda s: -s.score):
            doc = s.evidence.chunk.document
            best.setdefault(doc.case_name if doc and doc.case_name else s.evidence.chunk.source, s)
        top = max(s.score for s in best.values())
        keep = [s for s in best.values() if s.score >= 0.6 * top]
        return sorted(keep, key=lambda s: -s.score)[:12]

    def _compose(self, chosen: list[_Sentence], *, survey: bool) -> Draft:
        # Group by document; documents in order of court (statute, Supreme Court, appeals,
        # district, others) and date; quotes in reading order within a document.
        def doc_key(chunk):
            doc = chunk.document
            return (court_rank(doc), (doc.date if doc and doc.date else "9999"), chunk.source)

        ordered = sorted(
            chosen,
            key=lambda s: (doc_key(s.evidence.chunk), s.evidence.chunk.page or 0, s.evidence.chunk.start, s.start),
        )
        if self.settings.context_sentences and not survey:
            ordered = [self._with_context(x) for x in ordered]
        quotes = _merge_adjacent(ordered)
        citations: list[Citation] = []
        lines: list[str] = []
        current_doc = None
        for n, (ev, start, end) in enumerate(quotes, start=1):
            chunk = ev.chunk
            quote = chunk.text[start:end]
            citations.append(Citation.of(n, chunk, quote))
            if survey:
                lines.append(f"{_case_label(chunk.document, chunk.title)}: “{quote}” [{n}]")
                continue
            if chunk.source != current_doc:
                if lines:
                    lines.append("")
                lines.append(f"{chunk.title}:")
                current_doc = chunk.source
            lines.append(f"“{quote}” [{n}]")
        return Draft("\n".join(lines), citations, False)


def court_rank(doc: SourceDocument | None) -> int:
    if doc is None:
        return 9
    if doc.kind == "statute":
        return 0
    court = doc.court or ""
    if court in {"U.S.", "S. Ct."}:
        return 1
    if court.endswith("Cir."):
        return 2
    if court.startswith(("D.", "N.D.", "S.D.", "E.D.", "W.D.", "M.D.", "C.D.")):
        return 3
    if court:
        return 4
    return 5 if doc.kind in {"agency_report", "agency_notice"} else 6


def _case_label(doc: SourceDocument | None, fallback: str) -> str:
    if doc is None or not doc.case_name:
        return fallback
    detail = doc.court_and_date()
    return f"{doc.case_name} ({detail})" if detail else doc.case_name


def closest_note(evidence: list[Evidence]) -> str:
    """The abstention, with what the index holds that comes closest."""
    titles = []
    for e in evidence:
        doc = e.chunk.document
        title = doc.title if doc else e.chunk.title
        if title not in titles:
            titles.append(title)
        if len(titles) == 3:
            break
    if not titles:
        return ABSTAIN_MESSAGE
    return ABSTAIN_MESSAGE + " The closest indexed documents are: " + "; ".join(titles) + "."


def _merge_adjacent(ordered: list[_Sentence]) -> list[tuple[Evidence, int, int]]:
    """Consecutive chosen sentences of one chunk become one quote."""
    merged: list[tuple[Evidence, int, int]] = []
    for s in ordered:
        if merged:
            ev, start, end = merged[-1]
            gap = ev.chunk.text[end : s.start] if ev.chunk.chunk_id == s.evidence.chunk.chunk_id else None
            if gap is not None and (s.start < end or not gap.strip()):
                merged[-1] = (ev, start, max(end, s.end))
                continue
        merged.append((s.evidence, s.start, s.end))
    return merged
