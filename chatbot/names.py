"""Which indexed cases a question names: by a party, by the side sued, by a report's part, or as
a lawsuit between two sides."""

from __future__ import annotations

import re
from functools import lru_cache

from chatbot.mentions import GENERIC_NAMES
from ingest.types import SourceDocument


CASE_NOISE = {
    "v", "in", "re", "inc", "llc", "ltd", "corp", "corporation", "company", "co", "pbc", "gmbh", "the", "of",
    "and", "ai", "litig", "litigation", "copyright", "infring", "infringement", "group", "platform", "platforms",
    "enterpris", "centr", "intellig", "music", "generat", "generative", "llm", "lp", "u.s.", "studio", "mpa",
    # Words questions use for other things: "the new defendant" is not The New York Times Company.
    "new", "first", "unit", "state", "american", "nation", "general",
    "compani", "corpor", "incorpor", "limit",  # stems, as tokenize leaves them
}


# A word written as a name: capitalised, and not the first word of a sentence.
_CAPITALISED = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][\w’'-]*")
_NAME = re.compile(r"\b[A-Z][\w’'-]*")  # a word written as a name, first word of the question included
# "Tremblay v. OpenAI, Inc.": group 1 is the first party, by which the case is named.
_V_CAPTION = re.compile(r"([\w.'’&-]+)\s+v\.\s+[\w.'’&-]+(?:,?\s+(?:Inc|LLC|Ltd|Corp|PBC|Platforms)\.?)*")
_SECTION_ASKED = re.compile(r"(?:§|\b[Ss]ection)\s*(\d{2,4})\b")
_SECTIONS_TITLED = re.compile(r"§§?\s*(\d+(?:\s*(?:[-–,]|and)\s*\d+)*)")
_PART = re.compile(r"\bPart\s+(\d{1,2}|[IVX]{1,4})\b")  # "Part 2" of the Office's report
_DOCKET = re.compile(r"\bMDL\s+(?:No\.\s*)?(\d{3,5})\b|\b(\d{1,2}:\d{2}-[a-z]{2}-\d{3,5})\b|\bNo\.\s*(\d{2}-\d{3,5})\b")
_AGAINST = re.compile(r"\bagainst\s+((?:[A-Z][\w.&'’-]*(?:,?\s+(?:and\s+|&\s+)?)?)+)")


# A company a person has left, named for the post held there: "the former Google executive the AI
# company hired" is a person, not Google's case ("the ROSS founders" are still ROSS's).
_ROLE = re.compile(r"(?<=\bformer\s)[A-Z][\w&-]*(?=\s+(?:executives?|employees?|engineers?|researchers?|"
                   r"scientists?|founders?|co-founders?|lawyers?|officers?|managers?|staffers?|head)\b)|"
                   r"\bex-[A-Z][\w&-]*")


def other_names(question: str, documents: dict[str, SourceDocument]) -> str:
    """``question`` without the parties it writes as part of a longer name their case is not
    called by: "Google Books" is a precedent, not In re Google Generative AI; "Stability AI" is still
    Stability's case, and "Meta's" still Meta's."""
    from ingest.tokenization import tokenize

    for name in {_case_name(d) for d in documents.values()} - {None}:
        called = set(tokenize(name))
        for party in {w for w in re.findall(r"[A-Z][\w&-]+", name)} - {"In", "Re", "The", "Inc", "Ltd", "Corp"}:
            def other(m: re.Match) -> str:
                then = set(tokenize(m.group(1)))
                return " " if then and not then & (called | CASE_NOISE | GENERIC_NAMES) else m.group(0)
            question = re.sub(rf"\b{re.escape(party)}\s+([A-Z][a-z]+)\b", other, question)
    return question


def _initials_written(question: str, name: str) -> str | None:
    """The acronym of ``name``'s first party the question writes ("NYT", or "nyt", no everyday
    word), as a token; None when it writes none."""
    from ingest.repair import word_frequency

    made = _initials(name)
    for word in re.findall(r"\b[A-Za-z]{3,6}\b", question):
        if word.lower() in made and (word.isupper() or not word_frequency(word.lower())):
            return word.lower()
    return None


@lru_cache(maxsize=1024)
def _initials(name: str) -> frozenset[str]:
    """The acronyms of ``name``'s first party from its first word on: "nyt", "nytc", not "ytc"."""
    party = re.split(r"\s+v\.\s+", name)[0]
    initials = "".join(w[0] for w in re.findall(r"\b[A-Z][\w&'’-]*", party) if w != "The").lower()
    return frozenset(initials[:n] for n in range(3, len(initials) + 1))


def mentioned_sources(question: str, documents: dict[str, SourceDocument]) -> set[str]:
    """Documents whose case the question names ("Kadrey", "Thomson Reuters", "Thaler"), or whose
    title has the part of a report it names ("Part 2")."""
    from ingest.tokenization import tokenize

    from chatbot.courts import without_places

    question = _ROLE.sub(" ", question)  # "a former Google executive" is a person, not Google's case
    question = other_names(question, documents)  # nor is "Google Books" (a precedent) Google's case
    words = set(tokenize(without_places(question)))  # "New York" the place is not The New York Times
    # "The New York Times Company" is also "the Times": a party's last word names it too, when
    # the question writes it as a name ("the Times' complaint", not "how many times").
    capitalised = set(tokenize(" ".join(_CAPITALISED.findall(question))))
    found: dict[str, str] = {}  # source -> the word the question names its case by
    names = {source: _case_name(doc) for source, doc in documents.items()}
    # The side sued names its case too ("why didn't Sega rescue ROSS?"), when it is sued in one case
    # only: "Anthropic" is the defendant of two, and names neither.
    defendants: dict[str, set[str]] = {}
    for name in set(names.values()) - {None}:
        defendants.setdefault(_defendant_word(name), set()).add(name)
    named_as = set(tokenize(" ".join(_NAME.findall(question))))
    # … unless the question names a party of another case as well: "how did Alsup distinguish the
    # ruling against ROSS when deciding the Anthropic case" is about the Anthropic case.
    parties = {name: party_words(name, None) for name in set(names.values()) - {None}}
    # "Getty Images' lawsuit against Stability AI" is not the suit of Stability's indexed case.
    sides = [[set(tokenize(g)) for g in m.groups() if g] for m in _LAWSUIT.finditer(question)]
    for source, name in names.items():
        if not name:
            continue
        first, last = _case_key(name), _party_last_word(name)
        if first in words or last in capitalised:
            found[source] = first if first in words else last
        elif _named_as_sued(name, named_as, defendants, parties, sides):
            found[source] = _defendant_word(name)
        elif initials := _initials_written(question, name):  # "the NYT complaint": The New York Times's
            found[source] = initials
    for part in _PART.findall(question):  # "Part 2" of the Office's report: the document so titled
        found |= {s: "part" for s, d in documents.items() if d.is_part(part)}
    if not found:  # "the four factors in 17 U.S.C. § 107": the documents titled with that section
        found = section_sources(question, documents)
    # "Tremblay v. OpenAI" names Tremblay's case, not In re OpenAI as well: a case is not meant
    # when its word appears only as the second party of another case the question names, or
    # as the side a case is brought against ("what does the Times allege against Microsoft and OpenAI").
    outside = set(tokenize(_V_CAPTION.sub(lambda m: m.group(1), question)))
    against = set(tokenize(" ".join(_AGAINST.findall(question))))
    # Nor is "In re OpenAI" meant by "the claims against OpenAI", when OpenAI is sued in another case too.
    return {s for s, key in found.items() if key in outside and not (
        key in against and key == _case_key(names[s] or "") and (
            any(k not in against for k in found.values()) or defendants.get(key, set()) - {names[s]}))
            } | docketed_sources(question, documents)


# The Copyright Office speaking for itself ("What did the Copyright Office ask about licensing?",
# "in the Copyright Office's view"): its own documents say it, not a case that quotes it.
_OFFICE_SPEAKS = re.compile(
    r"\bCopyright\s+Office(?:['’]s)?\s+(?:\w+\s+){0,2}?(?:ask\w*|say\w*|said|conclu\w*|recommend\w*|identif\w*|"
    r"find\w*|found|propos\w*|suggest\w*|not(?:e|ed|es)|explain\w*|seek\w*|sought|view\w*|reports?|notices?|"
    r"inquiry|position|guidance|think\w*|believ\w*|want\w*)\b|"
    r"\b(?:according\s+to|in\s+the\s+view\s+of)\s+the\s+(?:U\.S\.\s+)?Copyright\s+Office\b", re.I)


def office_sources(question: str, documents: dict[str, SourceDocument]) -> set[str]:
    """The Copyright Office's own documents (no case's), when the question asks what the Office said."""
    if not _OFFICE_SPEAKS.search(question):
        return set()
    return {s for s, d in documents.items() if not d.case_name and re.search(r"\bCopyright\s+Office\b", d.title)}


def docketed_sources(question: str, documents: dict[str, SourceDocument]) -> set[str]:
    """The documents filed under a docket number the question gives ("MDL No. 3143",
    "No. 3:24-cv-05417", "No. 23-5233"): a lawyer names a case so."""
    numbers = {re.sub(r"\D", "", next(g for g in m.groups() if g)) for m in _DOCKET.finditer(question)}
    if not numbers and _THE_MDL.search(question):
        # "The MDL", where the index holds one multidistrict litigation: that one.
        mdl = {s for s, d in documents.items() if d.case_name and re.search(r"\bMDL\b", f"{d.title} {d.docket or ''}")}
        return mdl if len({documents[s].case_name for s in mdl}) == 1 else set()
    return {s for s, d in documents.items() if d.docket and numbers & {
        re.sub(r"\D", "", d.docket), re.sub(r"\D", "", re.sub(r"-[A-Z]{2,4}$", "", d.docket))}} if numbers else set()


_THE_MDL = re.compile(r"\b(?:the|this|that)\s+(?:MDL|multidistrict\s+litigation)\b", re.I)


def _named_as_sued(name: str, named_as: set[str], defendants: dict[str, set[str]],
                   parties: dict[str, frozenset[str]], sides: list[list[set[str]]]) -> bool:
    """Does the question name ``name``'s case by the side sued in it (``named_as``: the words it
    writes as names)? Only when that side is sued in no other case, no party of another case is
    named, and no lawsuit the question names puts that side against someone else."""
    sued = _defendant_word(name)
    if sued not in named_as or len(defendants[sued]) != 1:
        return False
    if any(named_as & words for other, words in parties.items() if other != name):
        return False
    return not any(sued in both and not (both - {sued}) & parties[name] for both in (set().union(*p) for p in sides))


@lru_cache(maxsize=65536)
def party_words(case_name: str, judge: str | None) -> frozenset[str]:
    """The words a question may name a case by: its parties' and its judge's surname."""
    from ingest.tokenization import tokenize

    judge_name = surname(judge)
    words = set(tokenize(case_name)) | (set(tokenize(judge_name)) if judge_name else set())
    return frozenset(words - CASE_NOISE)


def _party_last_word(name: str) -> str | None:
    """The last distinctive word of a case's first party ("times" of The New York Times Company)."""
    keys = _distinctive(name.split(" v. ")[0])
    return keys[-1] if keys else None


def section_sources(question: str, documents: dict[str, SourceDocument]) -> dict[str, str]:
    """The documents titled with a section of the Code the question cites ("§ 107"), each with
    the section's number."""
    return {s: section for section in _SECTION_ASKED.findall(question)
            for s, d in documents.items() if section in titled_sections(d.title)}


# "The fair use statute", "the exclusive rights provision": a section of the Code told by its title.
_SECTION_TOLD = re.compile(r"\bthe\s+((?:(?!the\b)[\w-]+\s+){0,3}?[\w-]+)\s+(?:statute|provision|section)\b(?!\s*\d)",
                           re.I)


def with_section_cited(question: str, documents: dict[str, SourceDocument]) -> str:
    """``question`` with the section it tells by its title cited after it ("What purposes does the
    fair use statute list? (§ 107)"), when one section's print is titled so; else unchanged."""
    from ingest.tokenization import tokenize

    m = _SECTION_TOLD.search(question)
    if m is None or _SECTION_ASKED.search(question):
        return question
    words = set(tokenize(m.group(1))) - {"copyright", "feder", "code"}
    sections = {n for d in documents.values() if d.kind == "statute" and words and words <= set(tokenize(d.title))
                for n in titled_sections(d.title)}
    return f"{question} (§ {sections.pop()})" if len(sections) == 1 else question


def cited_section(question: str, focus: set[str], documents: dict[str, SourceDocument]) -> str | None:
    """The section of the Code a question cites ("§ 107"), when the question is about the documents
    titled with it (it names no case): what it asks is in that section's words. A section no
    document is titled with ("how have courts handled § 1202(b) claims?") is asked of the cases."""
    cited = _SECTION_ASKED.search(question)
    return cited.group(1) if cited and focus and focus <= set(section_sources(question, documents)) else None


def titled_sections(title: str) -> set[str]:
    """The sections of the Code a title names: "17 U.S.C. §§ 106-107: digest" names 106 and 107."""
    found: set[str] = set()
    for run in _SECTIONS_TITLED.findall(title):
        numbers = [int(n) for n in re.findall(r"\d+", run)]
        if re.search(r"\d\s*[-–]\s*\d", run) and len(numbers) == 2 and 0 <= numbers[1] - numbers[0] <= 20:
            numbers = list(range(numbers[0], numbers[1] + 1))
        found |= {str(n) for n in numbers}
    return found


def _case_name(doc: SourceDocument) -> str | None:
    """The case a document is of; a digest of a dispute names it in its title ("Studios and the
    MPA v. ByteDance over …")."""
    head = doc.title.split(":")[0]
    return doc.case_name or (head if " v. " in head else None)


def _defendant_word(name: str) -> str | None:
    """The first distinctive word of a case's second party ("ross" of … v. ROSS Intelligence Inc.)."""
    keys = _distinctive(name.split(" v. ", 1)[1]) if " v. " in name else ()
    return keys[0] if keys else None


def _case_key(name: str) -> str | None:
    """The word a question names a case by: its first distinctive token."""
    keys = _distinctive(name)
    return keys[0] if keys else None


@lru_cache(maxsize=65536)
def _distinctive(text: str) -> tuple[str, ...]:
    """The tokens of a case name (or of one of its parties) that can name it, in order. Cached:
    every question reads every document's case name (at 100k chunks, tokenizing them took 40 ms
    a question)."""
    from ingest.tokenization import tokenize

    return tuple(t for t in tokenize(text) if t not in CASE_NOISE and len(t) > 2)


def surname(judge: str | None) -> str | None:
    """A judge's surname, lower-cased ("lee" of "Eumi K. Lee"); None when none is known."""
    words = (judge or "").split()
    return words[-1].lower() if words else None


# A lawsuit named by its sides: "Disney and Universal v. Midjourney", "Disney and Universal's copyright
# lawsuit against Midjourney", "what did Disney allege in its suit against Midjourney", "Getty sued Stability".
_SIDE = (r"(?!(?:What|Which|Who|Whom|How|When|Why|Where|Did|Does|Do|Was|Were|Is|Are|Has|Have|Had|Can|In|On|The)\b)"
         r"[A-Z][\w.&'’-]*(?:\s+(?:and\s+|&\s+)?[A-Z][\w.&'’-]*)*")
_LAWSUIT = re.compile(rf"(?P<a>{_SIDE})\s+v\.\s+(?P<b>{_SIDE})|"
                      rf"(?P<c>{_SIDE})(?:'s|’s|(?<=s)['’])\s+"
                      rf"(?:[\w-]+\s+){{0,3}}(?:lawsuit|suit|case|complaint|action|claims?)\s+"
                      rf"against\s+(?P<d>{_SIDE})|"
                      rf"(?P<e>{_SIDE})\s+(?:[\w-]+\s+){{0,3}}(?:in\s+)?(?:their|its)\s+(?:[\w-]+\s+){{0,2}}"
                      rf"(?:lawsuit|suit|case|complaint|action)\s+against\s+(?P<f>{_SIDE})|"
                      rf"(?P<g>{_SIDE})\s+(?:sued|sues|suing)\s+(?P<h>{_SIDE})")


def _lawsuits(question: str):
    """Each lawsuit the question names by its sides: the match, the sides as written, and each
    side's distinctive words (both non-empty)."""
    from ingest.tokenization import tokenize

    for m in _LAWSUIT.finditer(question):
        pair = [g for g in m.groups() if g]
        sides = [frozenset(set(tokenize(s)) - CASE_NOISE - GENERIC_NAMES) for s in pair]
        if len(sides) == 2 and all(sides):
            yield m, pair, sides


def _indexed_between(sides: list[frozenset[str]], documents: dict[str, SourceDocument]) -> bool:
    """Is an indexed document of a case between the two sides?"""
    return any(sides[0] & words and sides[1] & words
               for words in (party_words(d.case_name, None) for d in documents.values() if d.case_name))


def absent_lawsuit(question: str, documents: dict[str, SourceDocument], passages: list[str]) -> str | None:
    """The lawsuit a question names by its sides ("Disney and Universal's suit against Midjourney")
    when no indexed document is of a case between them and no retrieved passage names both
    sides: the documents cannot say what happened in it. None when the question names no lawsuit
    so, or the index has it."""
    from ingest.tokenization import tokenize

    for _, pair, sides in _lawsuits(question):
        if _indexed_between(sides, documents):
            continue
        # A passage names a side by all its words: "Getty Images" is not any passage with "images".
        naming = [text for text in passages if sides[0] <= (toks := set(tokenize(text))) and sides[1] <= toks]
        # A ruling asked for is told only by a passage reporting one: not by a list of the MDL's actions.
        if naming and not (_ASKS_RULING.search(question) and not any(_reports_ruling(t, sides) for t in naming)):
            continue
        return f"{pair[0]} against {pair[1]}"
    return None


_ASKS_RULING = re.compile(r"\b(?:hold|held|holds|rule|ruled|rules|ruling|decide|decided|decides|decision|award|"
                          r"awarded|grant|granted|deny|denied|dismiss|dismissed|conclude|concluded|find|finds|found)\b", re.I)
_REPORTS_RULING = re.compile(r"\b(?:held|holds|holding|concluded|concluding|found|finding|ruled|decided|affirmed|"
                             r"reversed|rejected|dismissed|granted|denied)\b", re.I)


def _reports_ruling(text: str, sides: list[frozenset[str]]) -> bool:
    """Does a sentence of ``text`` naming both ``sides``, with the one after it, report a ruling
    ("In Doe v. GitHub, … There, the court concluded …")?"""
    from ingest.chunking import sentence_spans
    from ingest.tokenization import tokenize

    spans = sentence_spans(text)
    for i, (start, _) in enumerate(spans):
        window = text[start:spans[min(i + 1, len(spans) - 1)][1]]
        if _REPORTS_RULING.search(window) and sides[0] <= (toks := set(tokenize(window))) and sides[1] <= toks:
            return True
    return False


def unindexed_lawsuit(question: str, documents: dict[str, SourceDocument]) -> list[frozenset[str]] | None:
    """The two sides' distinctive words of a lawsuit the question names as "X v. Y" ("Campbell v.
    Acuff-Rose", "Authors Guild v. Google") when no indexed document is of it: a precedent the
    indexed opinions may discuss. None when the question names no such lawsuit."""
    named = (sides for m, _, sides in _lawsuits(question) if m.group("a"))  # "X v. Y" only
    return next((sides for sides in named if not _indexed_between(sides, documents)), None)


def case_words(evidence) -> set[str]:
    """The tokens of the case names of the documents ``evidence`` is from: a passage citing a
    ruling beside one of them ("Anthropic … (6th Cir. 2019)") reports no ruling on that case."""
    from ingest.tokenization import tokenize

    names = {e.chunk.document.case_name for e in evidence if e.chunk.document and e.chunk.document.case_name}
    return set(tokenize(" ".join(sorted(names))))


def written_apart(question: str, texts: list[str]) -> set[str]:
    """The question's words the passages hold only written apart ("MosaicML" as "Mosaic ML", a
    name split by text extraction), as tokens."""
    from ingest.tokenization import tokenize

    squashed = "".join("".join(texts).lower().split())
    return {t for t in tokenize(question) if len(t) >= 5 and t.isalpha() and t in squashed}


def case_party_words(evidence, sources: set[str]) -> frozenset[str]:
    """The words naming the parties of the cases of ``sources``, read from the evidence's documents."""
    return frozenset().union(*(party_words(e.chunk.document.case_name, None) for e in evidence
                               if e.chunk.source in sources and e.chunk.document and e.chunk.document.case_name))
