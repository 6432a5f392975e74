"""The default answerer: quote the sentences that best answer the question.

It never writes a sentence of its own, so it cannot invent a holding. Each quote is an exact slice
of a retrieved chunk, which is an exact slice of its page, and is checked again before it is returned.

Each candidate sentence is scored on its own merit: what it covers of the question (and of
each part of a several-part question), what the question asks for (a number, a date, a
name, a list, a holding) and its chunk's similarity, weighed by a logistic model fitted on
the gold sets' dev split (chatbot.calibration). Structural text (captions, header blocks,
tables of contents, headings, signature blocks) is never quoted. A second fitted model
decides whether the evidence answers the question at all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
import math

from chatbot.answerers import AnswerContext, Answerer, AnswerRequest, register_answerer
from chatbot.calibration import Calibration, load_calibration
from chatbot.candidates import (WIDEN_SHARE, Candidate, Examination, case_of, context_window,
                                holding_first, most_direct, overlaps, per_document, ruled, side_of, widen, window_text)
from chatbot.courts import asks_court
from chatbot.described import telling_words
from chatbot.query import asked_part, compares
from chatbot.mentions import (court_elsewhere, dates_missing, parties_unquoted, passage_words, phrases_missing,
                              question_names)
from chatbot.passages import Intent, heading_prefix, question_parts, quotable_spans, sentence_signals
from chatbot.shapes import (asks_counts, asks_section, count_candidates, demote_asides, prefer_latest_ruling,
                            section_candidates)
from chatbot.surveys import survey_topic
from chatbot.lookups import prefer_particulars
from chatbot.names import case_party_words, case_words, written_apart
from chatbot.wording import acronyms, spelled_out
from chatbot.parts import answers_part, answers_type, coverage, coverage_of
from chatbot.quotes import case_label, closest_note, merge_adjacent, quote_spans
from chatbot.types import ABSTAIN_MESSAGE, Citation, Draft, Evidence
from ingest.chunking import sentence_spans
from ingest.lexical import LexicalIndex
from ingest.tokenization import stem, tokenize
from ingest.types import normalize_whitespace

# Words that say what kind of answer is wanted, not what it is about.
_QUESTION_WORDS = frozenset(stem(w) for w in (  # and what the litigation is called ("Under the statute, …?")
    "did does do find found hold held say said rule ruled court judge decide decided whether tell explain describe "
    "mean means according about case happen happened statute statutory ruling rulings decision lawsuit party "
    "parties dispute me us please give summarize summarise overview anything something latest news update "
    "updates status story situation").split())
_UNMEASURED = 0.3  # the similarity assumed for a chunk found by BM25 alone
# Within the best quote's case a line needs less; one from another case can cost the answer its footing.
_SAME_CASE_FLOOR = 0.15
# Another case's line needs 60% of the best's: below, it was mostly a digression citing an unasked document
# (on dev, 0.5 -> 0.6 took accurate 0.571 -> 0.589 and lost no key fact; 0.7 lost conversation facts).
_RELATIVE_FLOOR = 0.6
_SIDE_FLOOR = 0.35  # cases side by side (each against its own best); a case's line for "which court decided?"


@register_answerer("extractive")
class ExtractiveAnswerer(Answerer):
    """Quotes the sentences of the evidence that best answer the question: it cannot invent a holding."""

    name = "extractive"

    def __init__(self, context: AnswerContext, calibration: Calibration | None = None):
        super().__init__(context)
        self.calibration = calibration or load_calibration()

    @property
    def lexical(self) -> LexicalIndex | None:
        return self.context.lexical()

    # -- weights ------------------------------------------------------------

    def term_weights(self, question: str, visible: set[str] | None = None) -> dict[str, float]:
        """IDF of each distinctive question term, over the documents ``visible`` (all when None);
        unseen terms weigh the most."""
        terms = [t for t in dict.fromkeys(tokenize(question)) if t not in _QUESTION_WORDS]
        n = self.lexical.chunk_count(visible) if self.lexical else 1
        weights = {}
        for term in terms:
            df = self.lexical.document_frequency(term, visible) if self.lexical else 0
            weights[term] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return weights

    def unseen_share(self, weights: dict[str, float], visible: set[str] | None = None, known=frozenset()) -> float:
        """IDF-weighted share of the question's terms that no chunk of the documents ``visible`` holds."""
        if not weights or self.lexical is None:
            return 0.0
        unseen = sum(w for t, w in weights.items()
                     if t not in known and t.isalpha() and self.lexical.document_frequency(t, visible) == 0)
        return unseen / sum(weights.values())

    coverage = staticmethod(coverage)
    coverage_of = staticmethod(coverage_of)

    # -- examining the evidence ---------------------------------------------

    def examine(self, request: AnswerRequest) -> Examination:
        """Every candidate sentence with its features and probability, and the evidence's."""
        question, evidence = request.question, request.evidence
        intent = Intent.of(question)
        # A survey's frame ("Which courts have ruled on whether …") is in every ruling: what it asks about is weighed.
        asked = spelled_out(survey_topic(question) if request.survey else question, [e.chunk.text for e in evidence])
        weights = self.term_weights(asked, request.visible)
        if request.focus and not compares(question) and (told := telling_words(question)):
            weights = {t: w for t, w in weights.items() if t not in told}  # "the Anthropic books case" found the case
        parts = question_parts(question)
        part_weights = [self.term_weights(p, request.visible) for p in parts] if len(parts) > 1 else []
        candidates = self._candidates(evidence, intent)
        boosts = {stem(t.lower()) for t in request.boost_terms}
        # "What did the court hold in Kadrey?" asks nothing but the case: its name picks no line of it.
        said = {} if weights and set(weights) <= case_party_words(evidence, request.focus) else weights
        for c in candidates:
            c.features = self._features(c, request, intent, said, part_weights, boosts)
            c.probability = self.calibration.sentence.probability(c.features)
        if self.calibration.rerank is not None and self.settings.rerank_sentences and candidates:
            self._rerank(candidates, request)
        demote_asides(candidates, question, request.focus)
        prefer_particulars(candidates, question)
        prefer_latest_ruling(candidates, intent, request.focus)
        features = self._answerable_features(question, evidence, weights, candidates, request, intent)
        return Examination(candidates, features, self.calibration.answerable.probability(features), parts, part_weights,
                           intent)

    def _features(self, c: Candidate, request: AnswerRequest, intent: Intent, weights, part_weights, boosts) -> dict:
        chunk = c.evidence.chunk
        signals = sentence_signals(c.text)
        similarity = c.evidence.similarity
        return {
            "similarity": _UNMEASURED if similarity is None else similarity,
            "rank": 1.0 / (1 + c.evidence_rank),
            "coverage": self.coverage(weights, c.text),
            "window_coverage": self.coverage(weights, window_text(c)),
            "part_coverage": max((self.coverage(w, c.text) for w in part_weights), default=0.0),
            "length": min(1.5, len(c.text.split()) / 40),
            "in_focus": float(chunk.source in request.focus),
            "number_match": float(intent.number and signals["number"]),
            "date_match": float(intent.date and signals["date"]),
            "person_match": float(intent.person and signals["person"]),
            "list_match": float(intent.listing and signals["enumerates"]),
            "holding_match": float((intent.holding or request.survey) and signals["holds"]),
            "holds": float(signals["holds"]),
            "cites": float(signals["cites"]),
            "opens_chunk": float(c.start <= 1),
            "names_boost": float(bool(boosts and boosts & set(tokenize(c.text)))),
        }

    def _rerank(self, candidates: list[Candidate], request: AnswerRequest) -> None:
        """Re-score the likeliest sentences with the second model, fitted on such shortlists;
        the rest fall below every re-scored one."""
        ranked = sorted(candidates, key=lambda c: -c.probability)
        shortlist = ranked[: self.settings.rerank_sentences]
        if request.survey:  # every case keeps its two best candidates, and no more
            per_case: dict[str, int] = {}
            shortlist = []
            for c in ranked:
                if per_case.setdefault(c.source, 0) < 2:
                    shortlist.append(c)
                per_case[c.source] += 1
        floor = 1.0
        for c in shortlist:
            c.features["first_pass"] = self.calibration.sentence.log_odds(c.features) / 10
            c.probability = self.calibration.rerank.probability(c.features)
            floor = min(floor, c.probability)
        chosen = {id(c) for c in shortlist}
        for c in candidates:
            if id(c) not in chosen:
                c.probability = min(c.probability, floor) * 0.5

    def _answerable_features(self, question, evidence, weights, candidates, request, intent) -> dict[str, float]:
        if request.focus:  # judged on the passages of what the question is about, first
            evidence = sorted(evidence, key=lambda e: e.chunk.source not in request.focus)
        sims = [e.similarity for e in evidence[:3] if e.similarity is not None]
        texts = [f"{e.chunk.header} {e.chunk.text}" for e in evidence]  # a passage with its document's header
        tokens = [set(tokenize(t)) for t in texts]
        written = set().union(*tokens)
        present = written | acronyms(texts, written) | written_apart(question, texts)  # "NYT", "Mosaic ML"
        names = question_names(question, request.focus_courts)
        if request.focus and self.lexical and names:  # a name the case's own documents hold ("the Facebook owner") is known
            present |= {t for t, share in self.lexical.shares(set().union(*names), request.focus).items() if share}
        likeliest = sorted(candidates, key=lambda c: -c.probability)
        windows = [c.features["window_coverage"] for c in likeliest]
        top_text = set(tokenize(" ".join(window_text(c) for c in likeliest[:3])))
        missing = {t: w for t, w in weights.items() if t not in top_text}
        typed_support = max(windows, default=0.0)
        # What each window holds, read once for the typed and the money features.
        signals = [sentence_signals(window_text(c)) for c in candidates] if (
            intent.number or intent.date or intent.person or intent.money) else []
        if intent.number or intent.date or intent.person:
            typed_support = max((c.features["window_coverage"] for c, s in zip(candidates, signals)
                                 if answers_type(intent, s)), default=0.0)
        return {
            "best_window": max(windows, default=0.0),
            "top_windows": sum(windows[:3]) / 3,
            "typed_support": typed_support,
            "dates_missing": dates_missing(question, texts),
            # Names the question uses that one passage holds together ("Disney ... Midjourney").
            "names_together": max((sum(bool(n & t) for n in names) / len(names) for t in tokens[:5]), default=0.0)
            if names else 1.0,
            "phrases_missing": phrases_missing(question, texts, request.focus_courts),
            "top_missing": sum(missing.values()) / sum(weights.values()) if weights else 0.0,
            "rarest_missing": max(missing.values(), default=0.0) / max(weights.values(), default=1.0),
            "top_similarity": max((e.similarity or 0.0) for e in evidence) if evidence else 0.0,
            "mean_similarity": sum(sims) / len(sims) if sims else 0.0,
            "best_coverage": max((self.coverage_of(weights, t) for t in tokens[:5]), default=0.0),
            # Names no passage mentions ("...breach of contract in Texas?"): the evidence is about something else.
            "unknown_names": min(sum(not n & present for n in names), 2) / 2,
            "unseen_terms": self.unseen_share(weights, request.visible, present),
            "best_sentence": max((c.probability for c in candidates), default=0.0),
            "focus": float(bool(request.focus)),
            "court_elsewhere": court_elsewhere(question, request.focus_courts, None if request.focus else texts,
                                               case_words(evidence)),
            # "How much did Anthropic pay to settle?": every word may be in the evidence, but no sum.
            "money_missing": 1.0 - max((c.features["window_coverage"] for c, s in zip(candidates, signals)
                                        if s["money"]), default=0.0) if intent.money else 0.0,
        }

    def _candidates(self, evidence: list[Evidence], intent: Intent) -> list[Candidate]:
        out: list[Candidate] = []
        seen: set[str] = set()
        for rank, ev in enumerate(evidence):
            text = ev.chunk.text
            spans = [(a, b) for a, b in sentence_spans(text)]
            quotable = quotable_spans(text, spans, intent)
            for i, (start, end) in enumerate(spans):
                if not quotable[i]:
                    continue
                start += heading_prefix(text[start:end])
                sentence = text[start:end]
                key = normalize_whitespace(sentence).lower()
                if key in seen or len(sentence.split()) < 5:
                    continue
                seen.add(key)
                window = context_window(text, spans, quotable, i, start, self.settings.context_sentences)
                out.append(Candidate(rank, ev, start, end, sentence, window=window))
        return out

    # -- answering ----------------------------------------------------------

    def answer(self, request: AnswerRequest) -> Draft:
        """Quote the sentences of the evidence that best answer the question, the most direct first.

        ``survey`` ("which courts have ruled on X?") gives one quote per case; ``boost_terms``
        favour sentences naming them (a judge's name, say); ``focus`` keeps the answer to the
        documents of the case the question names.
        """
        if not request.evidence:
            return Draft(ABSTAIN_MESSAGE, [], True)
        exam = self.examine(request)
        if not exam.candidates or exam.p_answerable < self.calibration.answerable.threshold:
            return Draft(closest_note(request.evidence), [], True)
        if request.survey:
            # "Which rulings discuss Sega v. Accolade?": each case's line names it.
            named = set().union(*question_names(survey_topic(request.question)))
            pool = [c for c in exam.candidates if not named or named & set(tokenize(window_text(c)))]
            return self._compose(per_document(pool, rulings=exam.intent.holding), survey=True)
        complaints = {e.chunk.source for e in request.evidence if e.chunk.source in request.focus and
                      e.chunk.document and e.chunk.document.kind == "complaint"}
        counts = count_candidates(request.evidence, complaints) if complaints and asks_counts(request.question) else []
        if len(counts) > 1:  # "What counts does the Times plead?": each count's heading, in order
            return self._compose(counts[:self.settings.max_quotes + 2], survey=False, in_order=True)
        section, budget = asks_section(request.question), self.settings.answer_words
        if words := section_candidates(request.evidence, section, budget, exam.intent) if section else []:
            return self._compose(words, survey=False, in_order=True)  # "What does section 107 say?": its words
        chosen, unanswered = self._select(exam, request)
        if missing := parties_unquoted(request.question, [(window_text(c), c.evidence.chunk.document) for c in chosen],
                                       [e.chunk.document for e in request.evidence]):
            # "Who is Anthropic's CEO?", answered from Google's case: only the party's own passages may answer it.
            held = [e for e in request.evidence if missing <= passage_words(e.chunk)]
            if not held or len(held) == len(request.evidence):
                return Draft(closest_note(request.evidence), [], True)
            return self.answer(replace(request, evidence=held))
        draft = self._compose(chosen, survey=False, intent=exam.intent)
        if unanswered:
            draft.text += "\n\nThe indexed documents retrieved do not address: " + "; ".join(
                f"“{p}”" for p in unanswered) + "."
        return draft

    def _select(self, exam: Examination, request: AnswerRequest) -> tuple[list[Candidate], list[str]]:
        pool = exam.candidates
        focus = request.focus
        if focus and not request.survey:
            focused = [c for c in pool if c.source in focus]
            pool = focused if len(focused) >= 2 else pool
        ranked = sorted(pool, key=lambda c: -c.probability)
        # Cases set side by side ("compare the Anthropic and Meta rulings") take turns, each
        # line measured against its own case's best: both cases are heard.
        side = case_of
        cases = {case_of(c) for c in ranked} if focus and pool is not exam.candidates else set()
        balanced = len(cases) > 1
        if not balanced and cases and len({side_of(c) for c in ranked}) > 1:
            # One case, its trial court and its appeals court: each court is heard.
            cases, balanced, side = {side_of(c) for c in ranked}, True, side_of
        best = {}
        for c in ranked:
            best.setdefault(side(c) if balanced else "", c.probability)
        if balanced:
            turn, count = {}, Counter()
            for c in ranked:
                turn[id(c)] = count[side(c)]
                count[side(c)] += 1
            ranked.sort(key=lambda c: turn[id(c)])  # stable: within a turn, the likelier first
        named = [c for c in ranked if c.features.get("names_boost")]
        # (A follow-up's carried-over case, "(Kadrey v. Meta)", is not a part of its own.)
        if named and sum(not p.startswith("(") for p in exam.parts) <= 1:
            # "Who was the judge?": the sentences that name the judge answer it, and nothing else.
            return named[:2], []
        budget = self.settings.answer_words
        # A question with more parts keeps the sentence naming the judge and answers the rest.
        chosen: list[Candidate] = named[:1]
        words = sum(len(window_text(c).split()) for c in chosen)
        lead_case, court_asked = side(ranked[0]) if ranked else None, asks_court(request.question)
        for c in ranked:
            if len(chosen) >= self.settings.max_quotes:
                break
            floor = _SAME_CASE_FLOOR if side(c) == lead_case else (
                _SIDE_FLOOR if balanced or court_asked and ruled(c) else _RELATIVE_FLOOR)
            if chosen and c.probability < floor * best[side(c) if balanced else ""]:
                continue
            size = len(window_text(c).split())
            if chosen and any(overlaps(c, x) for x in chosen):
                if c.probability >= WIDEN_SHARE * ranked[0].probability:
                    words += widen(chosen, c, budget - words)
                continue
            if chosen and words + size > budget:
                continue
            chosen.append(c)
            words += size
        unanswered = self._answer_parts(exam, chosen, ranked, request.visible)
        return holding_first(chosen, ranked, exam.intent, budget, side if balanced else None), unanswered

    def _answer_parts(self, exam: Examination, chosen: list[Candidate], ranked: list[Candidate],
                      visible: set[str] | None) -> list[str]:
        """Add to ``chosen`` the likeliest quote answering each part of the question none of it
        answers yet; the parts no quote answers. Words are weighed over the ``visible`` documents."""
        unanswered = []
        for part, weights in zip(exam.parts, exam.part_weights):
            if any(answers_part(part, weights, c, self.coverage) for c in chosen):
                continue
            # "A panel had to decide where the suits go. What did it decide": what it asks, without the facts told.
            asked = asked_part(part + "?")[:-1]
            if asked != part:  # its words weighed once, not for each quote
                asked_weights = self.term_weights(asked, visible)
                if any(answers_part(asked, asked_weights, c, self.coverage) for c in chosen):
                    continue
            best = max((c for c in ranked if answers_part(part, weights, c, self.coverage) and
                        not any(overlaps(c, x) for x in chosen)), key=lambda c: c.probability, default=None)
            if best is not None and len(chosen) < self.settings.max_quotes + 2:
                chosen.append(best)
            elif best is None and not part.startswith("("):  # a follow-up's subject, "(Kadrey v. Meta)", asks nothing
                unanswered.append(asked)
        return unanswered

    def _compose(self, chosen: list[Candidate], *, survey: bool, intent: Intent | None = None,
                 in_order: bool = False) -> Draft:
        """The best quote first; then the others, grouped by document (in the order of each
        document's best quote) and in reading order within a document. ``in_order``: as chosen."""
        if not chosen:
            return Draft(ABSTAIN_MESSAGE, [], True)
        lead = chosen[0] if survey or in_order else most_direct(chosen, intent)
        rest = [c for c in chosen if c is not lead]
        doc_order = {c.source: i for i, c in reversed(list(enumerate(chosen)))}
        if survey or in_order:
            ordered = chosen
        else:
            ordered = [lead] + sorted(rest, key=lambda c: (doc_order[c.source] if c.source != lead.source else -1,
                                                           c.evidence.chunk.page or 0, c.evidence.chunk.start, c.start))
        quotes = merge_adjacent(quote_spans(ordered, survey=survey))
        citations: list[Citation] = []
        lines: list[str] = []
        current_doc = None
        for n, (ev, start, end) in enumerate(quotes, start=1):
            chunk = ev.chunk
            quote = chunk.text[start:end]
            citations.append(Citation.of(n, chunk, quote))
            if survey:
                lines.append(f"{case_label(chunk.document, chunk.title)}: “{quote}” [{n}]")
                continue
            if (chunk.source, citations[-1].title) != current_doc:  # a section's notes are not the section
                if lines:
                    lines.append("")
                lines.append(f"{citations[-1].title}:")
                current_doc = (chunk.source, citations[-1].title)
            lines.append(f"“{quote}” [{n}]")
        return Draft("\n".join(lines), citations, False)
