"""Which parts of a several-part question the chosen quotes answer.

"Which judge decided the Meta case, and which side won?" has two parts. A part is answered by a
quote that holds most of its words, or by a quote of the kind it asks for that holds some of
them: a holding for "which side won", a date for "when", a court for "in which court". The case a
quote comes from answers for its own name: "how did the Bartz court apply it" is asked of every
passage of the Bartz ruling, which seldom repeats the name."""

from __future__ import annotations

import re
from collections.abc import Callable

from chatbot.candidates import Candidate, window_text
from chatbot.courts import asks_court
from chatbot.described import court_described
from chatbot.passages import SAME_NUMBER, Intent, sentence_signals
from ingest.tokenization import stem, tokenize

PART_COVERED = 0.5  # weighted share of a part's words a quote holds to answer it by its words alone
TYPED_COVERED = 0.25  # the share that does when the quote is of the kind the part asks for
# Words that ask for the outcome and that a ruling seldom repeats: "which side won?"
_OUTCOME_WORDS = frozenset(stem(w) for w in "side sides won win wins prevail prevailed outcome result lose lost".split())
_NAMES_A_COURT = re.compile(r"\b(?:District|Circuit|Court|Panel)\b")


def answers_part(part: str, weights: dict[str, float], c: Candidate,
                 coverage: Callable[[dict[str, float], str], float]) -> bool:
    """Does quote ``c`` answer ``part`` (its words weighted by ``weights``)?"""
    document = c.evidence.chunk.document
    text = window_text(c)
    read = f"{text} {document.case_name or ''}" if document else text
    if coverage(weights, read) >= PART_COVERED:
        return True
    intent, signals = Intent.of(part), sentence_signals(text)
    if signals["holds"] and document and document.court and court_described(part, document.court):
        return True  # "what did the appeals court add?" is answered by what the appeals court ruled
    if intent.person and signals["person"]:
        return True  # "which judge got them?" is answered by "assigned to the Honorable Sidney H. Stein"
    typed = (answers_type(intent, signals) or (intent.holding and signals["holds"]) or
             (asks_court(part) and bool(_NAMES_A_COURT.search(text))))
    if not typed:
        return False
    asked = {t: w for t, w in weights.items() if t not in _OUTCOME_WORDS}
    return not asked or coverage(asked, read) >= TYPED_COVERED


def answers_type(intent: Intent, signals: dict[str, bool]) -> bool:
    """Does a passage hold the kind of thing the question asks for (a number, a date, a name)?"""
    return (intent.number and signals["number"]) or (intent.date and signals["date"]) or (intent.person and signals["person"])


def coverage(weights: dict[str, float], text: str) -> float:
    """IDF-weighted share of the question's terms that ``text`` contains. A term also counts
    when one word holds the other ("children" in "schoolchildren", "compar" in "comparison")."""
    return coverage_of(weights, set(tokenize(text)))


def coverage_of(weights: dict[str, float], present: set[str]) -> float:
    """:func:`coverage` of a text already tokenized into ``present``."""
    total = sum(weights.values())
    if not total:
        return 0.0
    long_words = [p for p in present if len(p) >= 5]
    covered = 0.0
    for term, weight in weights.items():
        if term in present or (len(term) >= 5 and any(term in p or p in term for p in long_words)) or (
                (SAME_NUMBER.get(term, frozenset()) | _SAME_VERB.get(term, frozenset())) & present):
            covered += weight
    return covered / total


# A verb's forms the stemmer leaves apart: "how much did Anthropic spend" is answered by "Anthropic spent".
_IRREGULAR = ("spend spent", "pay paid", "buy bought", "sell sold", "win won", "lose lost", "seek sought",
              "bring brought", "write wrote written", "give gave given", "keep kept", "take took taken",
              "teach taught", "steal stole stolen", "make made", "tell told", "hold held", "find found")
_SAME_VERB = {w: frozenset(forms.split()) - {w} for forms in _IRREGULAR for w in forms.split()}
