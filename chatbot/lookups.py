"""Questions about one particular: what a name is, when a ruling was dated, and what the indexed
opinions say of a precedent the index does not hold.

- "What is LAION?": the sentence that introduces the name ("an organization (LAION, …)").
- "When was the Kadrey order decided?": the line that dates it ("Dated: June 25, 2025"), in the
  signature block or the caption, which shares no word with the question.
- "What did the Supreme Court hold in Campbell v. Acuff-Rose?": the passages that cite it."""

from __future__ import annotations

import re
from collections.abc import Callable

from chatbot.candidates import Candidate, case_of
from chatbot.mentions import GENERIC_NAMES
from chatbot.passages import RULED_WHEN, Intent
from chatbot.retrieval import following_chunks
from chatbot.types import Evidence
from ingest.tokenization import tokenize


def _found(lexical, index, query: str, k: int, sources: set[str] | None = None) -> list:
    """The chunks a BM25 search for ``query`` finds, best first."""
    return index.get_chunks([cid for cid, _ in lexical.search(query, k, sources=sources)])


def _lead_with(candidates: list[Candidate], says: Callable[[Candidate], bool], weight: float = 1.0) -> None:
    """The lines that ``says`` become likelier than the best line that does not (and ``weight``
    times as likely as they were, if more)."""
    best = max((c.probability for c in candidates), default=0.0)
    for c in candidates:
        if says(c):
            c.probability = min(1.0, max(c.probability * weight, best * 1.01))


def prefer_particulars(candidates: list[Candidate], question: str) -> None:
    """The line that says what a name is, or when a ruling was dated, or why a court ruled as it
    did, when that is what is asked."""
    prefer_definitions(candidates, question)
    prefer_dated(candidates, question)
    prefer_reasons(candidates, question)
    prefer_counsel(candidates, question)
    prefer_relief(candidates, question)


# "Why was the count dismissed?", "on what ground", "what led the court to refuse …".
_ASKS_WHY = re.compile(r"\bwhy\b|\bon\s+what\s+(?:grounds?|basis|bases)\b|\bwhat\s+led\b|\bfor\s+what\s+reasons?\b|"
                       r"\breasons?\s+(?:for|why)\b|\breasoning\b", re.I)
# A court giving its reason: "because", "fails to", "must show", "has not alleged", "conclusory".
_GIVES_REASON = re.compile(r"\b(?:because|since|fails?\s+to|failed\s+to|must\s+(?:show|allege|plead|establish)|"
                           r"(?:has|have|had|did|do|does)\s+not\s+(?:\w+\s+)?(?:alleged?|shown?|show|plead(?:ed)?|"
                           r"identif(?:y|ied)|explain(?:ed)?|establish(?:ed)?|demonstrat(?:e|ed)|submit(?:ted)?|presented?)|"
                           r"insufficient|conclusory|lacks?|without\s+(?:any\s+)?evidence|no\s+(?:meaningful\s+)?evidence)\b", re.I)
REASON_WEIGHT = 1.3  # a sentence that gives a reason, against one that does not, when the question asks why


def prefer_reasons(candidates: list[Candidate], question: str) -> None:
    """For "On what ground was the vicarious count dismissed?", the sentences that give the
    court's reason ("Plaintiffs must show substantial similarity …") weigh more: they seldom
    repeat the question's words, which the heading and the background do."""
    if not candidates or not _ASKS_WHY.search(question):
        return
    asked = case_of(max(candidates, key=lambda c: c.probability))  # the case the answer is of, not others'
    for c in candidates:
        if case_of(c) == asked and _GIVES_REASON.search(c.text):
            c.probability = min(1.0, c.probability * REASON_WEIGHT)


# "What is LAION?", "Who is Shira Perlmutter?": a name, asked to be explained.
_ASKS_WHAT = re.compile(
    # "How does the Copyright Act define a derivative work?", "What is the definition of …?"
    r"\bhow\s+(?:does|do|did)\s+(?:[\w.§ ]+?\s+)?define\s+(?:an?\s+|the\s+)?(?P<defined>[^?,]{2,50}?)\s*\??\s*$|"
    r"\bwhat\s+is\s+the\s+(?:statutory\s+|legal\s+)?definition\s+of\s+(?:an?\s+|the\s+)?"
    r"(?P<definition>[^?,]{2,50}?)(?:\s+(?:in|under)\s+[^?]*)?\s*\??\s*$|"
    r"^\s*(?:what|who)\s+(?:is|are|was|were)\s+(?:an?\s+|the\s+)?(?P<term>[^?,]{2,50}?)\s*\??\s*$", re.I)
DEFINES_WEIGHT = 3.0  # a sentence that says what the name is, against one that only uses it


def prefer_definitions(candidates: list[Candidate], question: str) -> None:
    """For "What is LAION?", the sentence that says what it is ("an organization (LAION, Large-Scale
    Artificial Intelligence Open Network)", "Shira Perlmutter, Register of Copyrights") weighs
    more than those that only use the name."""
    if defines := _definition(question):
        _lead_with(candidates, lambda c: bool(defines.search(c.text)), DEFINES_WEIGHT)


def _asked_term(question: str) -> str | None:
    """The name a question asks to be explained or defined ("LAION", "derivative work")."""
    asked = _ASKS_WHAT.search(question)
    return asked and (asked["term"] or asked["defined"] or asked["definition"])


def _definition(question: str) -> re.Pattern | None:
    """How a passage says what the name a question asks about is; None when it asks about none."""
    named = _asked_term(question)
    if not named or len(named.split()) > 5:
        return None
    term = re.escape(named).replace("\\ ", r"\s+")
    return re.compile(rf"\(\s*{term}\b|\b{term}\s*\(|\b{term}\s*,\s*(?:an?\s|the\s|its\s|their\s|(?-i:[A-Z]))|"
                      rf"\b{term}[”\"]?\s+(?:is|was|are|were|means)\s+(?:an?|the)\s|"  # A “derivative work” is a …
                      rf"\b(?:called|named|known\s+as|is\s+an?)\s+(?:the\s+)?[“\"]?{term}", re.I)


DEFINING_PASSAGES = 2  # passages that define the name asked about, found by its words when the search missed them


def defining_chunks(lexical, index, question: str, evidence: list[Evidence], sources: set[str] | None) -> list[Evidence]:
    """For "How does the Copyright Act define a derivative work?": the passages that define it
    ("A “derivative work” is a work based upon …"), when none of the evidence does."""
    defines = _definition(question)
    if lexical is None or defines is None or any(defines.search(e.chunk.text) for e in evidence):
        return []
    if _ACT_NAMED.search(question):  # "How does the Copyright Act define …?": the statute's definitions
        sources = {s for s, d in index.documents.items() if d.kind == "statute" and (sources is None or s in sources)}
    # A definitions section holds many terms, so ranks low for any one: read deep.
    chunks = _found(lexical, index, _asked_term(question), 40, sources)
    return [Evidence(chunk=c, score=0.0) for c in chunks if defines.search(c.text)][:DEFINING_PASSAGES]


_ACT_NAMED = re.compile(r"\b(?:Copyright\s+Act|statute|statutory|U\.?S\.?C\.?|Title\s+17|the\s+Act)\b", re.I)


def particular_chunks(lexical, index, query: str, evidence: list[Evidence], sources: set[str] | None,
                      focus: set[str] = frozenset()) -> list[Evidence]:
    """The passages that name the person or define the term a question asks about, or sign for a
    party, when the search missed them."""
    return (named_chunks(lexical, index, query, evidence, sources) +
            defining_chunks(lexical, index, query, evidence, sources) + counsel_chunks(lexical, index, query, focus))


# "Who represented the Times?", "which law firm", "the plaintiffs' lawyers": who signed the filing for a party.
_ASKS_COUNSEL = re.compile(r"\brepresent(?:s|ed|ing)?\b|\bcounsel\b|\blawyers?\b|\battorneys?\b|\blaw\s+firms?\b", re.I)
_SIGNS_FOR = re.compile(r"/s/|\bAttorneys?\s+for\b|\bCounsel\s+for\b")


def prefer_counsel(candidates: list[Candidate], question: str) -> None:
    """For "Who represented the Times?", the lines counsel sign a filing with lead: likelier than
    the best line that only names the party."""
    if _ASKS_COUNSEL.search(question) and Intent.of(question).signer:
        _lead_with(candidates, lambda c: bool(_SIGNS_FOR.search(c.text)))


def counsel_chunks(lexical, index, query: str, focus: set[str]) -> list[Evidence]:
    """For "Who represented the Times?": the signature blocks of the case's filings, where counsel
    sign "/s/ …, Attorneys for Plaintiff"; a search for the question's meaning seldom reaches them."""
    if lexical is None or not focus or not _ASKS_COUNSEL.search(query):
        return []
    chunks = _found(lexical, index, "dated attorneys counsel plaintiff defendants pro hac vice telephone", 8, focus)
    return [Evidence(chunk=c, score=0.0) for c in chunks if _SIGNS_FOR.search(c.text)][:2]


PRECEDENT_PASSAGES = 6  # passages that discuss a precedent the question names, best BM25 match first


def precedent_chunks(lexical, index, sides: list[frozenset[str]]) -> list[Evidence]:
    """The passages that name the first side of a lawsuit no indexed document is of (the short
    form "Campbell, 510 U.S. at 579" as well as the full citation), where the opinions discuss it."""
    if lexical is None:
        return []
    found = _found(lexical, index, " ".join(sorted(sides[0] | sides[1])), 4 * PRECEDENT_PASSAGES)
    chunks = [c for c in found if sides[0] <= set(tokenize(c.text))]
    return [Evidence(chunk=c, score=0.0) for c in chunks[:PRECEDENT_PASSAGES]]


_RULED_WHEN = re.compile(RULED_WHEN, re.I)


def asks_when_ruled(question: str) -> bool:
    """Does the question ask when a ruling was decided, issued, entered or signed?"""
    return bool(_RULED_WHEN.search(question))


_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
# The line that dates a ruling: "Dated: June 25, 2025", "Decided March 18, 2025", "Entered: …".
_DATED = re.compile(rf"\b(?:Dated|Decided|Entered|Filed|Signed)\b:?\s+(?:on\s+|this\s+)?(?:\w+\s+)?{_MONTHS}\s+"
                    r"\d{1,2},\s+\d{4}")


def dated_chunks(lexical, index, sources: set[str]) -> list[Evidence]:
    """Each document's passage that dates it (its signature block or caption), where it has one."""
    if lexical is None:
        return []
    out: list[Evidence] = []
    for source in sorted(sources):
        chunks = sorted(index.get_chunks(lexical.chunk_ids(source)), key=lambda c: (c.page or 0, c.start))
        ends = chunks[-3:][::-1] + chunks[:2]  # the signature block, else the caption
        out += [Evidence(chunk=c, score=0.0) for c in ends if _DATED.search(c.text)][:1]
    return out


_A_DATE = re.compile(rf"\b{_MONTHS}\s+(?:\d{{1,2}},\s+)?\d{{4}}\b")
DATED_PASSAGES = 2  # passages that date what a "when" question asks about


# "When were comments due?", "…, and when was it filed?", "what year": a date asked for, not "what
# happened when an applicant tried to register …".
_ASKS_DATE = re.compile(r"(?:^|[,;]|\band)\s*when\s+(?:was|were|did|does|do|is|are|will|had|has|have)\b|"
                        r"\b(?:what|which)\s+(?:date|day|year|month)\b|\bby\s+when\b", re.I)


def asks_date(question: str) -> bool:
    """Does the question ask for a date ("When were comments due?")?"""
    return bool(_ASKS_DATE.search(question))


def dated_passages(lexical, index, query: str, sources: set[str]) -> list[Evidence]:
    """For "When were comments on the notice due?": the passages of ``sources`` that match the
    question's words best and give a date ("due no later than … October 18, 2023"). A search for
    the meaning finds the passages about comments; the one that dates them says little else."""
    if lexical is None or not sources:
        return []
    chunks = _found(lexical, index, query, 4 * DATED_PASSAGES, sources)
    return [Evidence(chunk=c, score=0.0) for c in chunks if _A_DATE.search(c.text)][:DATED_PASSAGES]


def prefer_dated(candidates: list[Candidate], question: str) -> None:
    """For "When was the order decided?", the line that dates a ruling ("Dated: June 25, 2025",
    "Decided March 18, 2025") becomes the likeliest line: it shares no word with the question."""
    if asks_when_ruled(question):
        # The sentence or the context before it ("Dated: June 23, 2025." is too short to be quoted alone).
        _lead_with(candidates, lambda c: bool(_DATED.search(c.evidence.chunk.text[c.window[0]:c.end])))


NAMED_PASSAGES = 2  # passages that name someone the question names and no passage found does
RARE_NAME = 5  # chunks: a name in at most this many is looked up by itself
_FULL_NAME = re.compile(r"(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+")


def named_chunks(lexical, index, query: str, evidence: list[Evidence], sources: set[str] | None) -> list[Evidence]:
    """For "Who is Tom Turvey?": the passages that name him, when none of the evidence does. A
    search for the meaning ("what was he hired to do") finds work made for hire, not the man."""
    runs = _FULL_NAME.findall(query)
    if lexical is None or not evidence or not runs:
        return []
    found = set().union(*(tokenize(f"{e.chunk.title} {e.chunk.text}") for e in evidence))
    out: list[Evidence] = []
    for run in runs:
        # A full name ("Tom Turvey") few passages hold and none found; one word ("Texas") names too much.
        name = {t for t in tokenize(run) if t not in GENERIC_NAMES}
        rarest = min((lexical.document_frequency(t, sources) for t in name), default=0)
        if len(name) < 2 or name <= found or not 0 < rarest <= RARE_NAME:
            continue
        chunks = _found(lexical, index, run, 4, sources)
        out += [Evidence(chunk=c, score=0.0) for c in chunks if name <= set(tokenize(c.text))][:NAMED_PASSAGES]
    return out


# "What remedy does the Times seek?", "what relief did the authors ask for?", "what damages do they demand?"
_ASKS_RELIEF = re.compile(r"\b(?:remed(?:y|ies)|relief)\b|\b(?:seek|seeks|sought|demand|demands|demanded|ask\w*\s+for)\b"
                          r"[^?]*\b(?:damages|injunction|judgment|order|destruction|relief)\b|"
                          r"\b(?:ask\w*|want\w*|urg\w*)\s+the\s+court\s+to\b", re.I)  # "asking the court to destroy"
_PRAYS = re.compile(r"\bPRAYER\s+FOR\s+RELIEF\b|\bWHEREFORE\b")


def asks_relief(question: str) -> bool:
    """Does the question ask what a complaint asks the court for?"""
    return bool(_ASKS_RELIEF.search(question))


# A prayer's lines: "WHEREFORE, The Times demands …", "Ordering destruction …", "Awarding The Times …".
_PRAYED = re.compile(r"\bWHEREFORE\b|^\W*(?:[A-Za-z]\.|\(?\w\))?\s*(?:Awarding|Ordering|Enjoining|Declaring|"
                     r"Permanently\s+enjoining|Granting|Directing|Requiring)\b")


def prefer_relief(candidates: list[Candidate], question: str) -> None:
    """For "What remedies does the Times want?", the prayer for relief's lines lead: a complaint's
    history of the newspaper shares more of the question's words ("New York Times")."""
    if asks_relief(question):
        _lead_with(candidates, lambda c: bool(_PRAYED.search(c.text)))


def relief_chunks(lexical, index, complaints: set[str]) -> list[Evidence]:
    """Each complaint's prayer for relief ("WHEREFORE, The Times demands judgment …") and the
    passage after it, where its list of demands runs on."""
    if lexical is None:
        return []
    out: list[Evidence] = []
    for source in sorted(complaints):
        found = _found(lexical, index, "prayer for relief wherefore demands judgment", 6, {source})
        praying = [Evidence(chunk=c, score=0.0) for c in found if _PRAYS.search(c.text)][:1]
        out += praying + following_chunks(lexical, index.get_chunks, praying, best=1)
    return out
