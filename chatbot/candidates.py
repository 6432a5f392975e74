"""A sentence the extractive answerer could quote, and how chosen quotes relate to each other."""

from __future__ import annotations

from dataclasses import dataclass, field

from chatbot.passages import Intent, heading_prefix, opens_with_citation, sentence_signals
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
        cases = [holding_first([c for c in chosen if side(c) == case], [c for c in ranked if side(c) == case], intent,
                               budget) for case in dict.fromkeys(side(c) for c in chosen)]
        # The cases take turns again, so that the last quotes, not one case's, make room.
        chosen = [own[turn] for turn in range(max(map(len, cases))) for own in cases if turn < len(own)]
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


WIDEN_SHARE = 0.8  # a sentence next to a chosen quote widens it when nearly as likely as the best


def widen(chosen: list[Candidate], c: Candidate, room: int) -> int:
    """Quote sentence ``c`` by widening the chosen quote of its chunk whose context overlaps its
    own ("Three authors … filed" just before "They claimed …"), if that fits in ``room`` words;
    the words added."""
    host = next((x for x in chosen if x.evidence.chunk.chunk_id == c.evidence.chunk.chunk_id and overlaps(c, x)), None)
    if host is None or host.window[0] <= c.start and c.end <= host.window[1]:
        return 0  # another chunk's, or already quoted
    before = len(window_text(host).split())
    window = (min(host.window[0], c.start), max(host.window[1], c.end))
    added = len(host.evidence.chunk.text[window[0]:window[1]].split()) - before
    if added > room:
        return 0
    host.window = window
    return added


def context_window(text: str, spans: list[tuple[int, int]], quotable: list[bool], i: int, start: int,
                   context: int) -> tuple[int, int]:
    """The sentence with the context quoted around it: with two or more context sentences,
    the one before it (what a holding answers, or the subject a sentence continues) and the
    rest after it; quotable sentences of the same chunk only, within 90 words."""
    before = int(context >= 2 and i > 0 and quotable[i - 1] and not opens_with_citation(text[slice(*spans[i - 1])]))
    window_start = spans[i - 1][0] + heading_prefix(text[spans[i - 1][0]:spans[i - 1][1]]) if before else start
    window_end = spans[i][1]
    for j in range(i + 1, min(len(spans), i + 1 + context - before)):
        if not quotable[j] or len(text[window_start:spans[j][1]].split()) > 90:
            break
        window_end = spans[j][1]
    if len(text[window_start:window_end].split()) > 90:
        window_start = start
    return window_start, window_end


def per_document(candidates: list[Candidate], *, rulings: bool = False) -> list[Candidate]:
    """One line per case: each case's likeliest sentence, preferring one that decides
    something, for the cases whose line comes close to the best case's. With ``rulings``
    ("Which courts have ruled on X?"), a case is listed only by a line that decides: one
    whose passages only tell the facts or the pleadings has not ruled on it."""
    def merit(c: Candidate) -> float:
        # The sentence itself must speak to the question: its neighbours cannot carry it here.
        said = sentence_signals(c.text)
        return ((c.features["coverage"] + 0.5 * c.probability) * (1.5 if said["holds"] else 1.0)
                * (0.5 if said["party_says"] or said["cites"] else 1.0))

    best: dict[str, Candidate] = {}
    for c in sorted(candidates, key=lambda c: -merit(c)):
        said = sentence_signals(c.text)
        if not rulings or said["holds"] and not said["party_says"]:
            best.setdefault(case_of(c), c)
    if not best:
        return []
    top = max(merit(c) for c in best.values())
    keep = [c for c in best.values() if merit(c) >= 0.5 * top]
    return sorted(keep, key=lambda c: -merit(c))[:12]
