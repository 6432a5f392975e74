"""Questions of a known shape, and the passages that answer them wherever the search ranked them.

- What a complaint pleads: "What counts does the Times plead?" is answered by its count headings
  ("COUNT V: Digital Millennium Copyright Act – Removal of Copyright Management Information"), all
  of them and in order, though the search finds a few and a heading is otherwise never quoted; "what
  relief does it seek?" by its prayer for relief.
- How a ruling disposed of a motion: "Which claims survived?" reads the conclusion and the lines
  that grant and deny, which the search may rank below the 12(b)(6) standard.
- What a statute says: "What does section 107 say?" is the section's text; the editorial notes under
  it (the House Report, amendments) come after it, unless asked for ("the classroom guidelines").
- What a ruling decided: "What did Judge Alsup decide about the scanned books?" reads its conclusion.
- What a document asks answers nothing: a notice of inquiry's questions, a court's "Was scanning
  transformative?", unless the question is about what was asked.
- Surveys: "Which courts have ruled on whether training is fair use?" is one line a case, searched
  for what it asks about ("training is fair use"), not for its frame, and a case is listed by a
  line that decides."""

from __future__ import annotations

import re

from chatbot.candidates import Candidate
from chatbot.names import cited_section, unindexed_lawsuit
from chatbot.lookups import (asks_date, asks_relief, asks_when_ruled, dated_chunks, dated_passages, precedent_chunks,
                             relief_chunks)
from chatbot.passages import Intent, is_quotable, sentence_signals
from chatbot.types import Evidence, in_notes
from ingest.chunking import sentence_spans
from ingest.headings import next_code_heading
from ingest.types import SourceDocument

# A ruling's disposition: "the motion to dismiss Count I is DENIED", "IT IS SO ORDERED".
_DISPOSED = re.compile(r"\b(?:GRANTED|GRANTS|DENIED|DENIES|DISMISSED|AFFIRMED|REVERSED|REMANDED|SO ORDERED)\b")
_DISPOSING_WORDS = "granted denied dismissed ordered conclusion affirmed foregoing reasons"
# A conclusion with no heading: "V For the foregoing reasons, the denial … is affirmed. So ordered."
_CONCLUDES = re.compile(r"\bFor\s+(?:all\s+)?(?:the|these|those)\s+(?:foregoing\s+)?reasons\b")
_CONCLUSION = re.compile(r"^\W*(?:[IVX]+\.\s*)?conclusions?\W*$", re.I)  # a part headed "Conclusion" or "V. Conclusion"
_ANY = Intent()
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


_DISPOSES = re.compile(r"\b(?:surviv\w*|throw\w*\s+out|thrown\s+out|far(?:e|ed|es)|what\s+happened\s+to|"
                       r"dismiss\w*|grant\w*|den(?:y|ied|ies)|rul(?:e|ed|ing)\s+on|outcome|disposition|"
                       # "Which claims remain?", "the remaining claims", "still alive", "allowed to proceed"
                       r"remain(?:s|ed|ing)?|still\s+alive|(?:left|allowed)\s+to\s+proceed|is\s+left\s+of)\b", re.I)


def disposes(question: str) -> bool:
    """Does the question ask how a ruling disposed of something ("which claims survived")?"""
    return bool(_DISPOSES.search(question))


def disposition_chunks(lexical, index, sources: set[str], documents: dict[str, SourceDocument], *,
                       conclusion: bool = False) -> list[Evidence]:
    """The passages of the rulings in ``sources`` that dispose of the motions: the conclusion,
    then those with the most GRANTED, DENIED and DISMISSED in capitals, as courts write them.
    With ``conclusion``, only the ruling's conclusion, headed "Conclusion" in capitals or not:
    what it decided is said there, though it may grant nothing in capitals ("This order grants
    summary judgment for Anthropic that the training use was a fair use")."""
    if lexical is None:
        return []
    out: list[Evidence] = []
    for source in sorted(sources):
        doc = documents.get(source)
        if doc is None or doc.kind not in ("order", "opinion"):
            continue
        ids = [cid for cid, _ in lexical.search(_DISPOSING_WORDS, 12, sources={source})]
        chunks = index.get_chunks(ids)
        concluding = {c.chunk_id for c in chunks if "CONCLUSION" in c.text or "CONCLUSION" in c.heading or
                      conclusion and (_CONCLUSION.search(c.heading) or _CONCLUDES.search(c.text))}
        chunks.sort(key=lambda c: (c.chunk_id not in concluding, -len(_DISPOSED.findall(c.text))))
        # A conclusion that decides in words ("this case will be transferred") disposes as well as capitals do.
        out += [Evidence(chunk=c, score=0.0) for c in chunks[:1 if conclusion else 2]
                if c.chunk_id in concluding and _decides(c.text) or not conclusion and _DISPOSED.search(c.text)]
    return out


def _decides(text: str) -> bool:
    """Does a quotable sentence of ``text`` decide something (not only "IT IS SO ORDERED")?"""
    return any(is_quotable(text[a:b], _ANY) and sentence_signals(text[a:b])["holds"] for a, b in sentence_spans(text))


# What a document asks (a notice of inquiry's questions, a court's "Was scanning … transformative?")
# answers nothing, unless the question is about what was asked.
_ASKS_QUESTIONS = re.compile(r"\b(?:asks?|asked|asking|questions?|inquir\w*|comments?|commenters?|seek\w*|sought|"
                             r"solicit\w*|request\w*)\b", re.I)
QUESTION_WEIGHT = 0.5  # a sentence that asks, against one that states, when the question is not about what was asked


def demote_questions(candidates: list[Candidate], question: str) -> None:
    """Halve the probability of sentences that ask rather than state, unless the question is
    about what was asked ("What did the Office ask commenters?")."""
    if _ASKS_QUESTIONS.search(question):
        return
    for c in candidates:
        if c.text.rstrip(" ”\"')]").endswith("?"):
            c.probability *= QUESTION_WEIGHT


# Legislative history asked for: the notes are then what the question is about.
_ASKS_NOTES = re.compile(r"\b(?:house|senate|committee|conference)\s+reports?\b|\blegislative\s+history\b|"
                         r"\b(?:editorial|revision|historical)\s+notes?\b|\bguidelines\b|"
                         r"\bcongress\w*\s+(?:meant|intended)|"
                         r"\bamend(?:ed|ment|ments)\b", re.I)
NOTES_WEIGHT = 0.5  # a note's probability, against the section's text, when the question does not ask for notes


def demote_notes(candidates: list[Candidate], question: str) -> None:
    """Halve the probability of sentences from a Code section's editorial notes, unless the
    question asks for legislative history: the statute's own words answer first."""
    if _ASKS_NOTES.search(question):
        return
    for c in candidates:
        if in_notes(c.evidence.chunk, c.start):
            c.probability *= NOTES_WEIGHT


def demote_asides(candidates: list[Candidate], question: str, focus: set[str]) -> None:
    """Lines that are not what the question asks for count less: a Code section's notes, a
    document's own questions, a complaint's allegations (see each)."""
    demote_notes(candidates, question)
    demote_questions(candidates, question)
    demote_allegations(candidates, focus)


ALLEGED_WEIGHT = 0.6  # a complaint's line, against a ruling's or a report's, when no case is named


def demote_allegations(candidates: list[Candidate], focus: set[str]) -> None:
    """For a question of law that names no case ("Is a chatbot company subject to personal
    jurisdiction wherever users reach its website?"), a complaint's lines count less: they say
    what a party claims, where a ruling says what the law is."""
    if focus:
        return
    for c in candidates:
        if c.evidence.chunk.document and c.evidence.chunk.document.kind == "complaint":
            c.probability *= ALLEGED_WEIGHT


EARLIER_WEIGHT = 0.8  # an earlier ruling's line, against the latest's, when the question names no ruling


def prefer_latest_ruling(candidates: list[Candidate], intent: Intent, focus: set[str]) -> None:
    """For "what did the court hold in X?" over several rulings of one case, the latest leads:
    an earlier ruling's lines count less."""
    if not intent.holding or len(focus) < 2:
        return
    docs = {c.source: c.evidence.chunk.document for c in candidates if c.source in focus and c.evidence.chunk.document}
    dated = {s: d.date for s, d in docs.items() if d.date}
    if len({d.case_name for d in docs.values()}) != 1 or len(dated) < 2:
        return
    latest = max(dated, key=dated.get)
    for c in candidates:
        if c.source in dated and c.source != latest:
            c.probability *= EARLIER_WEIGHT


# "What does section 107 say?", "the text of § 106": the whole section is what speaks. Not "which
# subsections of § 1202 does the Times say were violated", nor a subsection ("§ 504(c)").
_ASKS_SECTION = re.compile(r"(?:\bsection|§|\bU\.S\.C\.)\s?(\d+[A-Za-z]?)\s+(?:say|says|provide|provides|state|"
                           r"states|read|reads|list|lists|cover|covers|prohibit|prohibits|require|requires|forbid|forbids|"
                           r"describe|describes|define|defines|give|gives|grant|grants|allow|allows|permit|permits)\b|"
                           r"\b(?:text|wording|words)\s+of\s+(?:17\s+U\.S\.C\.\s+)?(?:section|§)\s?(\d+[A-Za-z]?)\b|"
                           # "What are the four factors in § 107?": the list is the section's own words.
                           r"\bwhat\s+are\s+the\s+(?:\w+\s+){0,2}(?:factors|rights|requirements|elements|exceptions|limitations)"
                           r"\s+(?:in|of|under|listed\s+in)\s+(?:17\s+U\.S\.C\.\s+)?(?:section|§)\s?(\d+[A-Za-z]?)\b(?!\s*\()",
                           re.I)


def asks_section(question: str) -> str | None:
    """The section of the Code whose own words the question asks for ("107"), if any."""
    m = _ASKS_SECTION.search(question)
    return next(g for g in m.groups() if g) if m else None


def section_chunks(lexical, index, section: str, documents: dict[str, SourceDocument]) -> list[Evidence]:
    """The chunks of one indexed print of the Code that hold section ``section``'s own text: the
    one its heading opens in, and those under it, in reading order."""
    statutes = {s for s, d in documents.items() if d.kind == "statute"}
    if lexical is None or not statutes:
        return []
    ids = [cid for cid, _ in lexical.search(f"§ {section} {section} section", _SEARCHED, sources=statutes)]
    prints = {c.source for c in index.get_chunks(ids) if _holds_section(c, section)}
    if not prints:
        return []
    # One print: the web page (unpaged) when there is one, as its text has no running heads.
    chosen = min(prints, key=lambda s: (documents[s].n_pages > 1, s))
    chunks = sorted(index.get_chunks(lexical.chunk_ids(chosen)), key=lambda c: (c.page or 0, c.start))
    held = [i for i, c in enumerate(chunks) if _holds_section(c, section)]
    if not held:
        return []
    # A print whose chunks carry no heading (the whole title in one file): the section runs on
    # into the chunks after its heading's, to the next section's heading.
    last = held[-1]
    while last + 1 < len(chunks) and last - held[0] < _SECTION_CHUNKS and not chunks[last].heading and (
            last == held[-1] or next_code_heading(chunks[last].text) is None):
        last += 1
    return [Evidence(chunk=c, score=0.0) for i, c in enumerate(chunks) if i in held or held[-1] < i <= last]


_SECTION_CHUNKS = 6  # the most chunks a section's text is read from after its heading's


def section_candidates(evidence: list[Evidence], section: str, budget: int,
                       intent: Intent | None = None) -> list[Candidate]:
    """Section ``section``'s own text, sentence by sentence in reading order from its heading to
    its notes (or to the next section's heading), from one print of it, within ``budget`` words:
    "What does section 107 say?" is answered in the section's words. For a list ("what are the
    four factors in § 107?"), the sentence that lists them leads."""
    out = _section_sentences(evidence, section, budget)
    if intent is not None and intent.listing:
        out.sort(key=lambda c: not sentence_signals(c.text)["enumerates"])  # stable: the rest in reading order
    return out


def _section_sentences(evidence: list[Evidence], section: str, budget: int) -> list[Candidate]:
    held = [i for i, ev in enumerate(evidence) if _holds_section(ev.chunk, section)]
    if not held:
        return []
    source = evidence[held[0]].chunk.source
    order = sorted((i for i, ev in enumerate(evidence) if ev.chunk.source == source),
                   key=lambda i: (evidence[i].chunk.page or 0, evidence[i].chunk.start))
    # In reading order from the heading's passage: those under the heading, and in a print without
    # headings the chunks that run on from it (its later subsections do not name the section).
    run = []
    held = [i for i in held if evidence[i].chunk.source == source]  # one print of it
    for i in order[order.index(min(held, key=order.index)):]:
        chunk = evidence[i].chunk
        prev = evidence[run[-1]].chunk if run else None
        if i in held or prev is not None and not chunk.heading and not prev.heading and (
                chunk.page == prev.page and chunk.start <= prev.end + 2):  # chunks may abut, not overlap
            run.append(i)
        elif run:
            break
    first = run[0]
    out: list[Candidate] = []
    seen: set[str] = set()
    words = 0
    for rank in run:
        ev = evidence[rank]
        text = ev.chunk.text
        opening = _section_heading(section).search(text)
        begin = opening.start() if opening else 0
        stop = next_code_heading(text, opening.end() if opening else 0)
        end = len(text) if stop is None else stop
        for a, b in sentence_spans(text):
            a, b = max(a, begin), min(b, end)
            sentence = text[a:b].strip() if a < b else ""
            key = " ".join(sentence.split()).lower()
            if len(sentence.split()) < 3 or key in seen or _SOURCE_CREDIT.match(sentence):
                continue  # "(Pub. L. 94–553, title I, §101, …)" is the section's history, not its words
            if words + len(sentence.split()) > budget:
                return out
            seen.add(key)
            words += len(sentence.split())
            a = text.index(sentence, a)
            out.append(Candidate(rank, ev, a, a + len(sentence), sentence, probability=1.0,
                                 window=(a, a + len(sentence))))
        if stop is not None and rank != first:
            return out  # the next section begins
    return out


_SOURCE_CREDIT = re.compile(r"^\(Pub\.\s?L\.")


def _section_heading(section: str) -> re.Pattern:
    """"§ 107. Limitations on …": the heading a section's text opens with (at a chunk's end, alone)."""
    return re.compile(r"§\s?%s\.(?:\s+[A-Z]|\s*$)" % re.escape(section))


def _holds_section(chunk, section: str) -> bool:
    """Does the chunk hold some of the section's own text: its heading opens in it, or the chunk
    lies under that heading?"""
    under = re.fullmatch(r"§\s?%s" % re.escape(section), (chunk.heading or "").split(" › ")[0])
    return bool(under or _section_heading(section).search(chunk.text))


def leading_shapes(query: str, evidence: list[Evidence], focus: set[str], documents: dict[str, SourceDocument],
                   lexical, index) -> list[Evidence]:
    """The passages that answer a question of a known shape go first, wherever the search
    ranked them: a complaint's counts, a section's text, a ruling's disposition or conclusion."""
    leading: list[Evidence] = []
    if (complaints := pleaded(focus, documents)) and asks_counts(query):
        # "What counts does the Times plead?": every count's heading, not only those the search found.
        leading += [Evidence(chunk=c, score=0.0) for c in count_chunks(lexical, index, complaints)]
    elif complaints and asks_relief(query):  # "What remedy does the Times seek?": its prayer for relief
        leading += relief_chunks(lexical, index, complaints)
    if section := asks_section(query) or cited_section(query, focus, documents):
        # "What does section 107 say?", "What are the four factors in § 107?": the section's own
        # words, not the notes printed under it.
        leading += section_chunks(lexical, index, section, documents)
    if not focus and (sides := unindexed_lawsuit(query, documents)):
        # "What did the Supreme Court hold in Campbell v. Acuff-Rose?": the opinions that discuss it.
        leading += precedent_chunks(lexical, index, sides)
    if focus and len(focus) <= DISPOSING_DOCUMENTS and asks_when_ruled(query):
        # "When was the Kadrey order decided?": its signature block's "Dated: June 25, 2025".
        leading += dated_chunks(lexical, index, focus)
    elif asks_date(query) and evidence:
        # "When were comments due?": the passage that dates it, in the case asked about or the best passage's.
        within = focus if focus and len(focus) <= DISPOSING_DOCUMENTS else {evidence[0].chunk.source}
        leading += dated_passages(lexical, index, query, within)
    # No case named, but the search found one ruling's passages throughout: that is the ruling asked about.
    ruling = focus or _dominant(evidence)
    if ruling and len(ruling) <= DISPOSING_DOCUMENTS and disposes(query):
        # "Which claims survived?": the lines that grant and deny.
        leading += disposition_chunks(lexical, index, ruling, documents)
    elif ruling and len(ruling) <= DISPOSING_DOCUMENTS and Intent.of(query).holding:
        # "What did Judge Alsup decide about the scanned books?": what the ruling concluded.
        leading += disposition_chunks(lexical, index, ruling, documents, conclusion=True)
    leading = [e for e in leading if e.chunk.source in documents]  # only listed documents are cited
    ids = {e.chunk.chunk_id for e in leading}
    return leading + [e for e in evidence if e.chunk.chunk_id not in ids]


_DOMINANT = 5  # the best passages that must all be one document's for it to be the one asked about


def _dominant(evidence: list[Evidence]) -> set[str]:
    """The document all the best passages come from, if there is one."""
    sources = {e.chunk.source for e in evidence[:_DOMINANT]}
    return sources if len(evidence) >= _DOMINANT and len(sources) == 1 else set()
