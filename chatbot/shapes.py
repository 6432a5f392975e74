"""Questions of a known shape, and the passages that answer them wherever the search ranked them.

- What a complaint pleads: "What counts does the Times plead?" is answered by the complaint's
  count headings ("COUNT V: Digital Millennium Copyright Act – Removal of Copyright Management
  Information"), all of them and in order, though the search finds only the few whose words the
  question shares, and a heading is otherwise never quoted as an answer.
- How a ruling disposed of a motion: "Which claims survived?" reads the conclusion and the lines
  that grant and deny, which the search may rank below the 12(b)(6) standard."""

from __future__ import annotations

import re

from chatbot.candidates import Candidate
from chatbot.query import disposes
from chatbot.types import Evidence
from ingest.types import SourceDocument

# A ruling's disposition: "the motion to dismiss Count I is DENIED", "IT IS SO ORDERED".
_DISPOSED = re.compile(r"\b(?:GRANTED|GRANTS|DENIED|DENIES|DISMISSED|AFFIRMED|REVERSED|REMANDED|SO ORDERED)\b")
_DISPOSING_WORDS = "granted denied dismissed ordered conclusion"
DISPOSING_DOCUMENTS = 3  # a question about more rulings than this is not about one ruling's outcome
_ASKS_COUNTS = re.compile(r"\b(?:counts?|causes?\s+of\s+action|claims?\s+for\s+relief|claims)\b", re.I)
_ORDINALS = ("FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH", "NINTH", "TENTH")
# "COUNT II: Vicarious Copyright Infringement", "FIRST CAUSE OF ACTION", "CLAIM 3".
_HEADING = re.compile(r"\b(?:(?:COUNT|CLAIM)\s+(?P<number>[IVXL]+|\d{1,2})\b|"
                      r"(?P<ordinal>%s)\s+(?:CAUSE\s+OF\s+ACTION|CLAIM\s+FOR\s+RELIEF)\b)" % "|".join(_ORDINALS))
# Where a heading ends: the numbered paragraph that follows it ("158."), or its line.
_HEADING_END = re.compile(r"\s\d{1,4}\.(?:\s|$)|\n")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}
_MOST_WORDS = 30
_SEARCHED = 40  # chunks of a complaint read for its headings, best BM25 match for "count" first


def asks_counts(question: str) -> bool:
    """Does the question ask what a pleading claims ("what counts", "which causes of action"),
    rather than how a ruling disposed of them ("which claims survived")?"""
    return bool(_ASKS_COUNTS.search(question)) and not disposes(question)


def pleaded(sources: set[str], documents: dict[str, SourceDocument]) -> set[str]:
    """Of ``sources``, the complaints."""
    return {s for s in sources if (d := documents.get(s)) and d.kind == "complaint"}


def count_chunks(lexical, index, sources: set[str]) -> list:
    """The chunks of ``sources`` that hold a count's heading, in the order of the counts."""
    if lexical is None or not sources:
        return []
    ids = [cid for cid, _ in lexical.search("count cause of action claim for relief against defendants",
                                            _SEARCHED, sources=sources)]
    found = {}
    for chunk in index.get_chunks(ids):
        for m in _HEADING.finditer(chunk.text):
            found.setdefault(_number(m), chunk)
    return [found[n] for n in sorted(found)]


def count_candidates(evidence: list[Evidence], sources: set[str]) -> list[Candidate]:
    """Each count's heading, once, as a quote of its own, in the order of the counts."""
    by_number: dict[int, Candidate] = {}
    for rank, ev in enumerate(evidence):
        if ev.chunk.source not in sources:
            continue
        text = ev.chunk.text
        for m in _HEADING.finditer(text):
            number = _number(m)
            if number in by_number:
                continue
            end = _HEADING_END.search(text, m.end())
            stop = end.start() if end else len(text)
            words = text[m.start():stop].split()
            if len(words) > _MOST_WORDS:
                stop = m.start() + len(" ".join(words[:_MOST_WORDS]))
            heading = text[m.start():stop].rstrip(" ,;")
            stop = m.start() + len(heading)
            by_number[number] = Candidate(rank, ev, m.start(), stop, heading, probability=1.0,
                                          window=(m.start(), stop))
    return [by_number[n] for n in sorted(by_number)]


def _number(m: re.Match) -> int:
    if m.group("ordinal"):
        return _ORDINALS.index(m.group("ordinal")) + 1
    text = m.group("number")
    if text.isdigit():
        return int(text)
    values = [_ROMAN[c] for c in text]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def disposition_chunks(lexical, index, sources: set[str], documents: dict[str, SourceDocument]) -> list[Evidence]:
    """The passages of the rulings in ``sources`` that dispose of the motions: the conclusion,
    then those with the most GRANTED, DENIED and DISMISSED in capitals, as courts write them."""
    if lexical is None:
        return []
    out: list[Evidence] = []
    for source in sorted(sources):
        doc = documents.get(source)
        if doc is None or doc.kind not in ("order", "opinion"):
            continue
        ids = [cid for cid, _ in lexical.search(_DISPOSING_WORDS, 12, sources={source})]
        chunks = sorted(index.get_chunks(ids), key=lambda c: (
            "CONCLUSION" not in c.text and "CONCLUSION" not in c.heading, -len(_DISPOSED.findall(c.text))))
        out += [Evidence(chunk=c, score=0.0) for c in chunks[:2] if _DISPOSED.search(c.text)]
    return out
