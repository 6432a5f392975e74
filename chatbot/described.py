"""Which of the indexed documents a question describes instead of naming: by the month or year of
a ruling ("the October 2023 order"), by its judge ("Judge Lee's ruling"), by what it decided or its
order ("the injunction ruling", "the first ruling"), by its court's seat, abbreviation or level
("the Tennessee court", "the appeals court"), or as the pleading ("the newspaper's complaint")."""

from __future__ import annotations

import re

from chatbot.courts import court_abbreviated, courts_deciding, seat_describes
from chatbot.names import CASE_NOISE, party_words, surname
from ingest.tokenization import tokenize
from ingest.types import SourceDocument


MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_MONTH_YEAR = re.compile(r"\b(%s)\s+(?:\d{1,2},\s+)?((?:19|20)\d\d)\b" % "|".join(MONTHS), re.I)


def dated_sources(question: str, sources: set[str], documents: dict[str, SourceDocument]) -> set[str]:
    """Of ``sources`` (the documents of the case a question names), those dated as the question
    dates its ruling: "the October 2023 order" of Andersen is the 2023-10-30 one, not the 2024
    one. All of them when the question gives no month and year, or none of them has it."""
    asked = {f"{year}-{MONTHS.index(month.lower()) + 1:02d}" for month, year in _MONTH_YEAR.findall(question)}
    # "The 2025 ROSS opinion", "its 2022 ruling": the year alone, beside a ruling's name.
    asked |= {y for pair in _YEAR_RULING.findall(question) for y in pair if y} if not asked else set()
    if not asked or len(sources) < 2:
        return sources
    dated = {s for s in sources if (d := documents.get(s)) and d.date and d.date[:len(min(asked))] in asked}
    return dated or sources


_YEAR_RULING = re.compile(r"\b((?:19|20)\d\d)\s+(?:\w+\s+)?(?:opinion|order|ruling|decision|memorandum)\b|"
                          r"\b(?:opinion|order|ruling|decision)\s+(?:of|from|in)\s+((?:19|20)\d\d)\b", re.I)


# "Judge Lee", "Judges Alsup and Chhabria": a judge the question names, with a capital.
_JUDGE_NAMED = re.compile(r"\b[Jj]udges?\s+([A-Z][a-z]+)(?:(?:,\s*|\s+and\s+)([A-Z][a-z]+))?")


def _judges_named(question: str) -> set[str]:
    """The surnames of the judges the question names, lower-cased ("lee" of "Judge Lee")."""
    return {name.lower() for pair in _JUDGE_NAMED.findall(question) for name in pair if name}


def judged_sources(question: str, sources: set[str], documents: dict[str, SourceDocument]) -> set[str]:
    """Of ``sources``, within each case, the documents of the judge the question names ("how
    Judge Lee handled vicarious infringement in the lyrics case" is her order, not the transfer
    order of the Tennessee judge before her). A case none of whose documents is that judge's,
    and a question that names no judge, keep every document."""
    named = _judges_named(question)
    if not named:
        return sources
    kept: set[str] = set()
    for case in by_case(sources, documents).values():
        theirs = {s for s in case if (d := documents.get(s)) and surname(d.judge) in named}
        kept |= theirs or case
    return kept


# What a ruling's title says it decided: "the injunction ruling", "the dismissal order".
_RULING_WORDS = frozenset({"injunct", "dismiss", "strike", "summari", "judgment", "transfer", "class", "certif",
                           "amend", "leav"})
_FIRST = re.compile(r"\b(?:first|initial|earlier|earliest|original)\s+(?:ruling|order|decision|opinion)\b", re.I)
_LAST = re.compile(r"\b(?:second|later|latest|last|most\s+recent|newer|subsequent)\s+(?:ruling|order|decision|opinion)\b",
                   re.I)


def judge_named_sources(question: str, documents: dict[str, SourceDocument]) -> set[str]:
    """The documents of the judges the question names ("Judge Orrick"), if any."""
    named = _judges_named(question)
    return {s for s, d in documents.items() if named and surname(d.judge) in named}


def titled_sources(question: str, sources: set[str], documents: dict[str, SourceDocument],
                   only_told: bool = False) -> set[str]:
    """Within each case of ``sources``, the ruling the question describes by what it decided
    ("the injunction ruling" of the lyrics case is the order denying the injunction, not the
    one on the motion to dismiss) or by its order ("the first ruling on the artists' suit").
    A case whose documents the question does not tell apart keeps them all (``only_told``: is
    left out, unless no case was told apart)."""
    asked = set(tokenize(question)) & _RULING_WORDS
    first, last = bool(_FIRST.search(question)), bool(_LAST.search(question))
    if not (asked or first or last):
        return sources
    kept: set[str] = set()
    alike: set[str] = set()
    for case in by_case(sources, documents).values():
        told = case
        scores = {s: len(asked & set(tokenize(documents[s].title))) for s in case if s in documents}
        if scores and 0 < max(scores.values()) and len(set(scores.values())) > 1:
            told = {s for s, n in scores.items() if n == max(scores.values())}
        dated = sorted((documents[s].date, s) for s in told if s in documents and documents[s].date)
        if len(dated) > 1 and first != last:
            told = {dated[0][1] if first else dated[-1][1]}
        if told == case:
            alike |= case
        else:
            kept |= told
    return kept if only_told and kept else kept | alike


def by_case(sources: set[str], documents: dict[str, SourceDocument]) -> dict[str, set[str]]:
    """``sources`` grouped by case (a document without a case is a case of its own)."""
    cases: dict[str, set[str]] = {}
    for s in sources:
        doc = documents.get(s)
        cases.setdefault(doc.case_name if doc and doc.case_name else s, set()).add(s)
    return cases


_APPELLATE = re.compile(r"\b(?:appeals?\s+court|courts?\s+of\s+appeals|appellate|on\s+appeal|circuit\s+court|appeal)\b", re.I)


def described_sources(question: str, sources: set[str], documents: dict[str, SourceDocument]) -> set[str]:
    """Of ``sources`` (the retrieved documents, when the question names no case), those the
    question describes by their ruling's month ("the October 2023 order"), by their court, as it
    is abbreviated ("the D.D.C.") or where it sits ("the Tennessee court"), or by its level ("the
    appeals court"). All of them when it
    describes none, or none of them fits."""
    dated = dated_sources(question, sources, documents)
    courts = {s: d.court for s in dated if (d := documents.get(s)) and d.court}
    seated = {s for s, court in courts.items() if seat_describes(question, court) or
              court_abbreviated(court).search(question)}
    # "Did the Ninth Circuit affirm ... on appeal?" names its court: whichever appellate ruling was
    # retrieved is not the one asked about.
    appellate = {s for s, court in courts.items() if "cir." in court.lower()} if (
        _APPELLATE.search(question) and not courts_deciding(question)) else set()
    # The court told first: "the Tennessee lyrics case's motion to dismiss" is not the other court's.
    told = (seated & appellate if seated and appellate else seated or appellate) or dated
    return titled_sources(question, told, documents, only_told=True)


# "According to the newspaper's complaint": a pleading, not an amended one an order rules on.
_COMPLAINT = re.compile(r"(?<!amended )(?<!first )(?<!second )(?<!third )\bcomplaint\b", re.I)


def complaint_meant(question: str, focus: set[str], documents: dict[str, SourceDocument]) -> set[str]:
    """The indexed complaints of the cases a party the question names is in, when it asks what
    "the complaint" says and the case it names has none ("How much did Microsoft invest in
    OpenAI, according to the newspaper's complaint?" is not the MDL's transfer order's)."""
    if not _COMPLAINT.search(question) or any(documents[s].kind == "complaint" for s in focus if s in documents):
        return set()
    words = set(tokenize(question)) - CASE_NOISE
    return {s for s, d in documents.items() if d.kind == "complaint" and d.case_name and
            words & party_words(d.case_name, None)}


def court_described(question: str, court: str) -> bool:
    """Does the question describe ``court`` by its seat, abbreviation or level ("the appeals court",
    "the district court")?"""
    appellate = "cir." in court.lower()
    return bool(seat_describes(question, court) or court_abbreviated(court).search(question) or
                appellate and _APPELLATE.search(question) and not courts_deciding(question) or
                not appellate and _TRIAL_LEVEL.search(question) and not _APPELLATE.search(question))


_TRIAL_LEVEL = re.compile(r"\b(?:district|trial|lower)\s+court\b", re.I)


# "The lyrics case", "the book-scanning lawsuit": a case told by what it is about, not by a party.
_CASE_TOLD = re.compile(r"\b(?:the|its|their)\s+((?:[\w'’.-]+\s+){1,4}?)(?:case|lawsuit|suit|litigation|dispute)\b", re.I)
# "The Delaware court", "the Nashville federal court": a court told by where it sits.
_COURT_TOLD = re.compile(r"\b(?:the|a)\s+((?:[\w'’.-]+\s+){1,2}?)(?:federal\s+)?(?:court|judge)\b", re.I)
_NOT_ABOUT = frozenset(tokenize("court courts judge judges ruling order opinion decision same other this that first "
                                "second last latest earlier later recent famous big new old whole entire federal"))
DESCRIBES = 3.0  # the case told holds the words this many times as often, for its size, as any other


def described_case(question: str, lexical, documents: dict[str, SourceDocument]) -> set[str]:
    """The documents of the case a question tells by what it is about ("the lyrics case" is the one
    whose passages say "lyrics" far more often, for their number, than any other case's; "the
    Anthropic books case" is, of Anthropic's two cases, the one about books); none when no word of
    the description picks one case out."""
    if lexical is None:
        return set()
    # Every document competes (a brief of precedents may be what "the parody case" is told by), but
    # only a case is picked.
    every = list(by_case(set(documents), documents).values())
    best, best_ratio = None, DESCRIBES
    for m in _CASE_TOLD.finditer(question):
        words = [t for t in tokenize(m.group(1)) if t.isalpha() and t not in _NOT_ABOUT and t not in CASE_NOISE]
        # A party the description names, of several cases, leaves those to choose from by its other words.
        parties = [c for c in every if (name := documents[min(c)].case_name) and set(words) & party_words(name, None)]
        cases = parties if len(parties) > 1 else every
        words = [w for w in words if not any(w in party_words(documents[min(c)].case_name, None) for c in parties)]
        if not words or len(cases) < 2:
            continue
        shares = [lexical.shares(words, sources) for sources in cases]
        for word in words:
            ranked = sorted(range(len(cases)), key=lambda i: -shares[i][word])
            top, second = shares[ranked[0]][word], shares[ranked[1]][word]
            if top > 0 and (second == 0 or top / second >= best_ratio):
                best, best_ratio = cases[ranked[0]], top / second if second else float("inf")
    return best if best and documents[min(best)].case_name else set()


# A word of the question picks one of a party's cases when it is common in that case's passages and
# rare in the others': "the publishers" (in 46% of the lyrics case's, 6% of the books case's).
PARTY_TELLS = 5.0
TELLING_SHARE = 0.2


def party_case(question: str, lexical, documents: dict[str, SourceDocument]) -> set[str]:
    """Of the cases of the one party a question names ("Anthropic"), the one its other words
    tell ("What did the publishers ask the court to stop Anthropic from doing?" is the lyrics
    case's); none when the party has one case, or no word tells them apart."""
    if lexical is None:
        return set()
    words = {t for t in tokenize(question) if t.isalpha() and t not in _NOT_ABOUT and t not in CASE_NOISE}
    cases = [c for c in by_case(set(documents), documents).values()
             if (name := documents[min(c)].case_name) and words & party_words(name, None)]
    told = set().union(*(words & party_words(documents[min(c)].case_name, None) for c in cases)) if cases else set()
    if len(cases) < 2 or len(told) != 1:  # two parties named: cases compared, or one case's two sides
        return set()
    words -= told
    shares = [lexical.shares(words, c) for c in cases]
    telling = set()  # the cases each telling word points to: one, or the words disagree and tell none
    for word in words:
        ranked = sorted(range(len(cases)), key=lambda i: -shares[i][word])
        top, second = shares[ranked[0]][word], shares[ranked[1]][word]
        if top >= TELLING_SHARE and (second == 0 or top / second >= PARTY_TELLS):
            telling.add(ranked[0])
    return cases[telling.pop()] if len(telling) == 1 else set()


def telling_words(question: str) -> set[str]:
    """The words that tell which case a question is about ("the Anthropic books case"): they found
    the case, and say nothing of what is asked about it."""
    told = [t for pattern in (_CASE_TOLD, _COURT_TOLD) for m in pattern.finditer(question)
            for t in tokenize(m.group(1)) if t not in _NOT_ABOUT]
    # "what did Google argue in the Google case": Google is asked about
    asked = tokenize(_COURT_TOLD.sub(" ", _CASE_TOLD.sub(" ", question)))
    return set(told) - set(asked)
