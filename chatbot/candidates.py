"""A sentence the extractive answerer could quote, and how chosen quotes relate to each other."""

from __future__ import annotations

from dataclasses import dataclass, field

from chatbot.passages import Intent, sentence_signals
from chatbot.types import Evidence, case_key
from ingest.types import normalize_whitespace


@dataclass
class Candidate:
    """A sentence that could be quoted, with what the answer model knows about it."""

    evidence_rank: int
    evidence: Evidence
    start: int
    end: int
    text: str
    features: dict[str, float] = field(default_factory=dict)
    probability: float = 0.0
    window: tuple[int, int] = (0, 0)  # the sentence with the context quoted with it
    heading: str = ""  # a heading just before it ("Factor four (Thomson Reuters)."): what it is about, never quoted

    @property
    def source(self) -> str:
        return self.evidence.chunk.source


@dataclass
class Examination:
    """What the answerer saw in the evidence: every candidate, and whether to answer at all."""

    candidates: list[Candidate]
    answerable_features: dict[str, float]
    p_answerable: float
    parts: list[str]
    part_weights: list[dict[str, float]]
    intent: Intent


def most_direct(chosen: list[Candidate], intent: Intent | None) -> Candidate:
    """The quote an answer leads with: the likeliest that holds what the question asks for (the
    ruling for "what did the court hold", the enumeration for "what are the factors", a number,
    a date or a name), or simply the likeliest."""
    if intent is not None:
        dated = intent.signer and intent.date  # "When was the order decided?": its date, not its ruling
        wanted = ["date"] if dated else [signal for signal, asked in (
            ("holds", intent.holding), ("enumerates", intent.listing), ("number", intent.number),
            ("date", intent.date), ("person", intent.person)) if asked]
        floor = HOLDING_FLOOR if intent.holding else 0.5  # a ruling may lead from as low as it may join
        for c in chosen:
            if c.probability < floor * chosen[0].probability:
                break
            # Another document's date or name does not outrank the likeliest quote; a court's ruling
            # does outrank a report's or a statute's line when the question asks what was decided.
            if c.source != chosen[0].source and c.probability < 0.8 * chosen[0].probability and not (
                    intent.holding and ruled(c) and not ruled(chosen[0])):
                continue
            signals = sentence_signals(window_text(c) if dated else c.text)  # "Dated: …" may be context
            if intent.holding and signals["party_says"] and not dated:
                continue  # a party's contention is not the ruling asked for
            if wanted and any(signals[w] for w in wanted) and not _fragment(c):
                return c
    # A sentence the page break cut ("circumstances involving the plaintiff ...") does not lead.
    return next((c for c in chosen if not _fragment(c)), chosen[0])


HOLDING_FLOOR = 0.3  # of the likeliest quote's probability: a ruling this likely may lead
# A list's words are its items, not the question's: it shares fewer of them, and may come lower.
LIST_FLOOR = 0.25


def holding_first(chosen: list[Candidate], ranked: list[Candidate], intent: Intent, budget: int,
                  side=None) -> list[Candidate]:
    """For "was that fair use?", a ruling leads: when no chosen quote of the lead quote's case
    decides anything, the likeliest sentence of that case that does ("It weighs against fair use
    here.") joins them, if it comes within :data:`HOLDING_FLOOR` of the likeliest, and the last
    quotes make room for it. For "what are the four factors?", so does the line that lists them.
    With ``side`` (cases set side by side, told apart by it), each case gets its ruling so, against
    its own likeliest quote."""
    if side is not None and intent.holding:
        for case in dict.fromkeys(side(c) for c in chosen):
            own = [c for c in chosen if side(c) == case]
            rest = [c for c in chosen if side(c) != case]
            chosen = holding_first(own, [c for c in ranked if side(c) == case], intent, budget) + rest
        while len(chosen) > 2 and sum(len(window_text(c).split()) for c in chosen) > budget:
            chosen.pop()
        return chosen
    signal = "holds" if intent.holding else "enumerates" if intent.listing else None
    if not chosen or signal is None:
        return chosen
    lead = case_of(chosen[0])

    def answers(c: Candidate) -> bool:  # a party's "Anthropic maintains that … is fair use" decides nothing
        said = sentence_signals(c.text)
        return said[signal] and not (intent.holding and said["party_says"])

    if any(answers(c) for c in chosen if case_of(c) == lead):
        return chosen
    floor = (HOLDING_FLOOR if intent.holding else LIST_FLOOR) * chosen[0].probability
    # A list may be another document's: a statute's section, where the lead came from the whole title.
    ruling = next((c for c in ranked if (case_of(c) == lead or intent.listing and not intent.holding)
                   and c.probability >= floor and answers(c) and
                   not _fragment(c) and not any(overlaps(c, x) for x in chosen)), None)
    if ruling is None:
        return chosen
    kept = [ruling] + chosen
    while len(kept) > 2 and sum(len(window_text(c).split()) for c in kept) > budget:
        kept.pop()
    return kept


def _fragment(c: Candidate) -> bool:
    """Does the quote open mid-sentence (its page began there)?"""
    text = window_text(c).lstrip("“\"'([ ")
    return bool(text) and text[0].islower()


def window_text(c: Candidate) -> str:
    return c.evidence.chunk.text[c.window[0]:c.window[1]]


def overlaps(a: Candidate, b: Candidate) -> bool:
    if a.evidence.chunk.chunk_id != b.evidence.chunk.chunk_id:
        return normalize_whitespace(a.text) in normalize_whitespace(window_text(b))
    return a.window[0] < b.window[1] and b.window[0] < a.window[1]


def ruled(c: Candidate) -> bool:
    """Is the candidate from a case's document (a ruling, a complaint, a case's brief)?"""
    return bool(c.evidence.chunk.document and c.evidence.chunk.document.case_name)


def case_of(c: Candidate) -> str:
    """The case a candidate comes from (its document, when it has no case)."""
    return case_key(c.evidence.chunk)


def side_of(c: Candidate) -> str:
    """Its case and court: a case's trial and appeals courts are two sides."""
    doc = c.evidence.chunk.document
    return f"{case_of(c)} ({doc.court})" if doc and doc.court else case_of(c)
