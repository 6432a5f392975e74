"""Reading a question: what it asks for, and which indexed cases it names."""

from __future__ import annotations

import re

from chatbot.courts import court_key, courts_named
from chatbot.described import (by_case, complaint_meant, court_described, dated_sources, described_case, party_case,
                               described_sources, judge_named_sources, titled_sources)
from chatbot.names import CASE_NOISE, mentioned_sources, office_sources, party_words, section_sources, surname
from chatbot.mentions import question_names
from chatbot.passages import JUDGE_ASKED, question_parts
from chatbot.types import Evidence, case_key
from legalqa.errors import LegalqaError
from ingest.tokenization import tokenize
from ingest.types import SourceDocument

_JUDGE = re.compile(
    r"\b(?:who|which)\b[^?]{0,40}\b(?:" + JUDGE_ASKED + r"|(?:wrote|authored|presided|signed|decided)\b)"
    r"|\bname of the judge\b|\bjudge'?s name\b",
    re.IGNORECASE,
)
class QuestionError(LegalqaError, ValueError):
    """A question that cannot be asked as it is (too long); the message is for the user."""


_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_question(text: str, limit: int) -> str:
    """The question as it will be searched: lone surrogates and control characters gone,
    and at most ``limit`` characters (a longer one is refused, not cut, so nothing the user
    asked is silently dropped)."""
    text = (text or "").encode("utf-8", "replace").decode("utf-8")  # a lone surrogate becomes "?"
    text = _UNPRINTABLE.sub(" ", text).strip()
    if len(text) > limit:
        raise QuestionError(
            f"the question is {len(text):,} characters long; the limit is {limit:,}. "
            "Ask about one point at a time, or quote the key passage only."
        )
    return text


def asks_for_judge(question: str) -> bool:
    return bool(_JUDGE.search(question))


_COMPARES = re.compile(r"\b(?:(?i:compar\w*|contrast\w*|versus|vs\.?|differ\w*|both|each|alike|similar\w*|between|"
                       r"(?:dis)?agree|(?:dis)?agreed|(?:dis)?agrees|consistent|inconsistent|"
                       r"same\s+(?:reasons?|grounds?|way|result|conclusion|analysis|test|standard))|"
                       # "the Bartz and ROSS courts", "the Anthropic and Meta rulings": two, side by side
                       r"[A-Z][\w.'’-]*\s+and\s+(?:the\s+)?[A-Z][\w.'’-]*\s+(?:courts|rulings|decisions|judges|"
                       r"opinions|orders|cases))\b")


def compares(question: str) -> bool:
    """Does the question set things side by side ("compare", "how did X and Y differ")?"""
    return bool(_COMPARES.search(question))


def party_sources(question: str, documents: dict[str, SourceDocument]) -> set[str]:
    """The documents of the cases a question sets side by side by a party or a judge ("the
    Anthropic and Meta rulings", "how did Alsup and Chhabria differ"), when it names two or more
    cases that way; otherwise none."""
    names = [n - CASE_NOISE for n in question_names(question)]
    cases: dict[str, set[str]] = {}
    named_by: dict[str, set[int]] = {}
    for source, doc in documents.items():
        if not doc.case_name:
            continue
        hits = _named_by(names, doc)
        if hits:
            cases.setdefault(doc.case_name, set()).add(source)
            named_by.setdefault(doc.case_name, set()).update(hits)
    # A case named by fewer of the names than another is not meant: "Concord's case against
    # Anthropic" names the one case, not Bartz v. Anthropic as well.
    meant = [c for c, hits in named_by.items() if not any(hits < other for other in named_by.values())]
    # Two cases, each named by a different name: not one case's two parties ("Kadrey ... Meta").
    if len(meant) < 2 or len({frozenset(named_by[c]) for c in meant}) < 2:
        return set()
    return set().union(*(cases[c] for c in meant))


_FRAME = {"judge", "judges", "case", "cases", "ruling", "rulings", "decision", "decisions", "order", "orders",
          "court", "courts", "lawsuit", "suit", "how", "did", "the", "and", "in", "versus", "vs"}


_CASE_DESCRIBED = re.compile(r"\b(?:the|its|their)\s+(?:[\w'’.-]+\s+){1,4}?(?:case|lawsuit|suit|litigation)\b", re.I)


def topic(question: str, documents: list[SourceDocument]) -> str:
    """What a comparison asks about once the cases it names are taken out: "Compare how Judge
    Lee handled vicarious infringement in the lyrics case versus the Google case" is "handled
    vicarious infringement lyrics" for each case's own search."""
    from ingest.tokenization import tokenize

    names = set().union(*(party_words(d.case_name, d.judge) for d in documents if d.case_name))
    # "the Anthropic lyrics case", "the Google generative AI case": words that say which case, not what about it.
    question = _CASE_DESCRIBED.sub(" ", question)
    words = [w for w in re.findall(r"[\w'’-]+", question)
             if w.lower() not in _FRAME and not _COMPARES.fullmatch(w) and not set(tokenize(w)) & names]
    return " ".join(words) or question


def _named_by(names: list[set[str]], doc: SourceDocument) -> frozenset[int]:
    """Which of the question's ``names`` (by index) name ``doc``'s case, by a party or its judge."""
    words = party_words(doc.case_name or "", doc.judge)
    return frozenset(i for i, n in enumerate(names) if n and n & words)


def _retrieved_of_alike(question: str, sources: set[str], retrieved: set[str],
                        documents: dict[str, SourceDocument]) -> set[str]:
    """Of cases the question names by the same words ("the Anthropic ruling" is Bartz's and
    Concord's), those the search found, when it found some: comparing "the Anthropic and Meta
    rulings" on shadow libraries is Bartz against Kadrey, not the lyrics case too."""
    names = [n - CASE_NOISE for n in question_names(question)]
    alike: dict[frozenset[int], list[set[str]]] = {}
    for case in by_case(sources, documents).values():
        alike.setdefault(_named_by(names, documents[min(case)]), []).append(case)
    kept: set[str] = set()
    for cases in alike.values():
        found = [case for case in cases if case & retrieved]
        kept |= set().union(*(found or cases))
    return kept


def judge_surname(question: str, lead: Evidence | None) -> str | None:
    """For "who was the judge?", the surname of the judge of the lead passage's document
    (:func:`lead_source`), if known."""
    if lead is None or not asks_for_judge(question):
        return None
    doc = lead.chunk.document
    return surname(doc.judge) if doc else None


def lead_source(evidence: list[Evidence], query: str = "", documents: dict[str, SourceDocument] | None = None,
                top: int = 5) -> Evidence:
    """The passage that says which document a question is about: the best-ranked one of the case
    the best passages hold most of (by reciprocal rank). The single best passage may be another
    case citing it: "(discussing music publishers' motion ...)" in Kadrey, for the lyrics case.
    Of the documents the question describes ("the Tennessee lyrics case"), when some are found."""
    if documents is not None:
        found = {e.chunk.source for e in evidence}
        described = described_sources(query, found, documents)
        evidence = [e for e in evidence if e.chunk.source in described] or evidence
    votes: dict[str, float] = {}
    for rank, e in enumerate(evidence[:top]):
        votes[case_key(e.chunk)] = votes.get(case_key(e.chunk), 0.0) + 1 / (rank + 1)
    best = max(votes, key=votes.get)  # on a tie, the case found first (votes keep that order)
    return next(e for e in evidence if case_key(e.chunk) == best)


def case_sources(evidence: list[Evidence], lead: Evidence | None) -> set[str]:
    """The documents of ``lead``'s case among ``evidence`` (none without a lead)."""
    return {e.chunk.source for e in evidence if case_key(e.chunk) == case_key(lead.chunk)} if lead else set()


def _named_and_told(query: str, documents: dict[str, SourceDocument], lexical) -> tuple[set[str], set[str]]:
    """The documents of the case the question names, and of the case it tells by what it is about."""
    named = mentioned_sources(query, documents)
    # "The lyrics case": told by what it is about, not named (beside a case named, when compared).
    # A judge named tells the case asked about: "how did Judge Alsup distinguish the Westlaw case" is his.
    alone = not (named or judge_named_sources(query, documents))
    told = described_case(query, lexical, documents) if alone or compares(query) else set()
    if not alone and len(by_case(named, documents)) == 1 and not compares(query) and (
            other := party_case(query, lexical, documents)) and not other & named:
        # "OpenAI's motions to dismiss the authors' complaints": In re OpenAI by its name, but of
        # OpenAI's cases the words tell the authors' suit.
        named = other
    return named, told


def focus_of(query: str, evidence: list[Evidence], documents: dict[str, SourceDocument],
           parties: set[str], narrow: bool = True, lexical=None) -> tuple[set[str], list[set[str]]]:
    """The documents a question is about, and those whose own best passages should join the
    evidence (retrieval may have found little of them); only the named case's unless ``narrow``."""
    named, told = _named_and_told(query, documents, lexical)
    if named and compares(query) and (office := office_sources(query, documents)):
        # "What did the Office's training report and the Kadrey court each say?": both are heard.
        told |= told_by_title(query, office, documents)
    named |= told
    office = office_sources(query, documents) if not named and narrow and not parties and evidence else set()
    if office and evidence[0].chunk.source not in office:
        # "What did the Copyright Office ask about licensing?", and a case quoting the Office was
        # found first: the Office's own words, in the likeliest of its documents.
        office = next(({e.chunk.source} for e in evidence if e.chunk.source in office), office)
        return office, [office]
    focus = titled_sources(query, _of_court_told(query, dated_sources(query, named, documents), documents), documents)
    if not narrow:
        return focus, []
    if complaint := complaint_meant(query, focus, documents):
        return complaint, [complaint]
    # A case named, and a party of another ("Judge Stein's ruling on OpenAI's motion in the New
    # York Times case"): the named case, unless the question compares.
    cases = by_case(focus, documents)
    if parties and len(cases) < 2 and (not named or compares(query)):
        focus = _retrieved_of_alike(query, parties, {e.chunk.source for e in evidence}, documents)
        cases = by_case(focus, documents)
    if len(cases) > 1 and (focus == parties or compares(query)):
        return focus, list(cases.values())  # cases side by side: each is heard
    courts = _by_court(focus, documents) if len(cases) == 1 and compares(query) else {}
    if len(courts) > 1:
        return focus, list(courts.values())  # "compare how the district court and the D.C. Circuit ..."
    if focus != named or told or (focus and focus <= set(section_sources(query, documents))):
        # The case's ruling of the month the question gives ("the October 2023 order"), or the print
        # of the section cited ("the four factors in § 107"): its own passages join.
        return focus, [focus]
    if not focus and (judges := judge_named_sources(query, documents)):
        # "Why did Judge Orrick throw out the 1202(b) claims?": the judge's rulings.
        focus = titled_sources(query, dated_sources(query, judges, documents), documents)
        return focus, [focus]
    if not focus:
        # A case described, not named ("the October 2023 order", "the Tennessee court", "the
        # appeals court"): the retrieved documents it describes.
        retrieved = {e.chunk.source for e in evidence}
        described = described_sources(query, retrieved, documents)
        if described != retrieved:
            return described, [described]
        # The court described may have ruled in a case found, unsearched: "the appellate opinion" is the appeal's.
        cases = {documents[s].case_name for s in retrieved if s in documents} - {None}
        missed = {s for s, d in documents.items() if d.case_name in cases and d.court and s not in retrieved and
                  court_described(query, d.court)}
        if missed:
            return missed, [missed]
    return focus, []


def told_by_title(question: str, sources: set[str], documents: dict[str, SourceDocument]) -> set[str]:
    """Of ``sources``, those whose titles hold the most words of the question that not all of their
    titles hold ("the training report" is Part 3's); all of them when none is told apart."""
    titles = {s: _title_words(documents[s].title) for s in sources}
    common = set.intersection(*titles.values()) if titles else set()
    asked = _title_words(question) - common
    held = {s: len(words & asked) for s, words in titles.items()}
    most = max(held.values(), default=0)
    return {s for s, n in held.items() if n == most} if most else sources


def _title_words(text: str) -> set[str]:
    """Stems and whole words: "copyrightability" stems to "copyright", which every Office title holds."""
    return set(tokenize(text)) | set(re.findall(r"[a-z]{4,}", text.lower()))


def _of_court_told(query: str, sources: set[str], documents: dict[str, SourceDocument]) -> set[str]:
    """Of a case's documents, those of the court the question names ("the D.C. Circuit's opinion")
    or describes ("the Tennessee lyrics case"); all of them when it tells none, or compares."""
    if compares(query):
        return sources
    # "What did the district court hold, and what did the appeals court add?": each part tells its court.
    told = set().union(*({s for s in sources if (d := documents.get(s)) and d.court and (
        court_key(d.court) in courts_named(part) or court_described(part, d.court))} for part in question_parts(query)))
    return told or sources


def _by_court(sources: set[str], documents: dict[str, SourceDocument]) -> dict[str, set[str]]:
    """``sources`` grouped by their court (those with none left out)."""
    courts: dict[str, set[str]] = {}
    for s in sources:
        if (doc := documents.get(s)) and doc.court:
            courts.setdefault(doc.court, set()).add(s)
    return courts


_EVERYWHERE = 0.3  # a word in more than this share of a case's passages does not pick one out


def searches(query, more_from, documents, retriever, lexical, query_vector, mode, parts_within=None):
    """The searches whose passages join the evidence: (documents, query, its vector or None).

    Each group of ``more_from`` is searched for what the question asks of it: cases side by side
    for the topic, their names taken out. With ``parts_within``, each part of a several-part
    question is searched there too ("When did the court rule, and when was the amended complaint due?"),
    by its words alone (its vector None)."""
    if len(more_from) < 2:
        out = [(chosen, query, query_vector) for chosen in more_from]
    else:
        about = topic(query, [documents[s] for s in set().union(*more_from)])
        vector = query_vector if about == query or mode == "bm25" else retriever.embed_query(about)
        out = [(chosen, within_sources(lexical, about, chosen), vector) for chosen in more_from]
    return out + [(parts_within, part, None) for part in several_parts(query)] if parts_within else out


def within_sources(lexical, query: str, sources: set[str]) -> str:
    """``query`` for a search inside ``sources``, without the words most of their chunks hold:
    within the lyrics case, "lyrics" finds every passage and says nothing of the question."""
    if lexical is None:
        return query
    share = lexical.shares({t for w in query.split() for t in tokenize(w)}, sources)
    words = [w for w in query.split() if not any(share[t] > _EVERYWHERE for t in tokenize(w))]
    return " ".join(words) or query


def several_parts(question: str) -> list[str]:
    """The parts of a question that asks several things, each to be searched; none for a question
    with one. A follow-up's carried-over case, "(Kadrey v. Meta)", is not a part of its own."""
    parts = question_parts(_CARRIED.sub("", question))
    if len(parts) > 1:
        return parts
    # "A startup copied a rival's headnotes to train its tool. Did the court accept its fair use
    # defense?": the facts told first fill the search; what is asked is searched on its own.
    asked = asked_part(question)
    return [asked] if asked != question else []


def asked_part(question: str) -> str:
    """What a question asks, without the facts it tells first ("A startup copied a rival's
    headnotes. Did the court accept its fair use defense?" asks the last sentence)."""
    sentences = _SENTENCE_END.split(question.strip())
    return sentences[-1] if len(sentences) > 1 and sentences[-1].endswith("?") else question


_CARRIED = re.compile(r"\s*\([^()]*\)\s*$")
# A sentence's end, not an abbreviation's ("Thomson Reuters v. ROSS", "Meta Platforms, Inc. argued").
_SENTENCE_END = re.compile(r"(?<!\bv\.)(?<!\bvs\.)(?<!\bInc\.)(?<!\bCo\.)(?<!\bCorp\.)(?<!\bNo\.)(?<!\bDr\.)"
                           r"(?<!\bLtd\.)(?<!\bal\.)(?<!\bU\.S\.)(?<!\bJ\.)(?<=[.!])\s+(?=[A-Z])")


# "Did the district court point to …", "what did the judge say …": the question is about a court's words.
_A_COURTS_WORDS = re.compile(r"\b(?:the|a)\s+(?:district\s+|trial\s+|appeals?\s+|appellate\s+)?(?:court|judge|panel)\b",
                             re.I)


def rulings_unheard(query: str, evidence: list[Evidence], documents: dict[str, SourceDocument]) -> set[str]:
    """The courts' rulings, when the question asks what a court said and none of the best passages
    is from one (the Office's notice of inquiry took every place for "what earlier cases about
    non-human creators did the district court point to?"); else nothing."""
    if not _A_COURTS_WORDS.search(query) or any(e.chunk.document and e.chunk.document.kind in ("opinion", "order")
                                                 for e in evidence[:5]):
        return set()
    return {s for s, d in documents.items() if d.kind in ("opinion", "order") and d.court}
