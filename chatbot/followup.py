"""Follow-ups: when a question leans on the conversation, and what it leans on.

A question is made to stand alone only when it needs to be. One that names its own case,
party or judge is about that, and never inherits the case before it ("What about Meta?"
after a Bartz answer is about Kadrey v. Meta). One that names nothing and does not point
back ("Can an AI be an author?") starts a new topic. Only an elliptical question ("Who was
the judge?", "What about the pirated books?", "Was that appealed?") carries the subject over.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from chatbot.names import other_names
from chatbot.query import compares
from chatbot.surveys import is_survey
from chatbot.types import Answer
from ingest.types import SourceDocument

# A question that opens by pointing back: "And the judge?", "What about the pirated books?"
_LEAD = re.compile(r"^\s*(?:and|but|also|so|then|what about|how about|what of|same for|ok(?:ay)?,?)\b[\s,]*",
                   re.IGNORECASE)
_REFERENCE_NOUNS = (
    r"court|judge|justice|case|suit|lawsuit|action|order|opinion|ruling|decision|holding|judgment|verdict|"
    r"motion|injunction|appeal|panel|complaint|claims?|plaintiffs?|defendants?|parties|company|companies|"
    r"settlement|trial|jury|damages|dismissal|dispute|litigation|argument|reasoning|works|copies"
)
# Words that point back at something said before. "That" and "this" count when they stand
# for a thing ("decided that?", "Was that appealed?", "that ruling"), not when they start a
# clause ("found that the copies …").
_ANAPHORA = re.compile(
    r"\b(?:it|its|it's|they|them|their|theirs|he|she|him|his|her|hers|these|those|the same|there)\b"
    r"|\b(?:that|this|so)\s*(?:[?.!,;]|$)"
    r"|^\s*(?:why\s+|how\s+|when\s+)?(?:was|is|were|did|does|do|has|had|will|would|could|can)\s+(?:that|this)\b"
    r"|\b(?:that|this)\s+(?:was|is|mean|matter|apply|applies|affect|hold|happen|happened|end|ended)\b"
    rf"|\b(?:that|this|these|those)\s+(?:\w+\s+){{0,2}}(?:{_REFERENCE_NOUNS})\b"
    rf"|\bthe\s+(?:[\w-]+\s+){{0,2}}(?:{_REFERENCE_NOUNS})\b"
    # "Which books were at issue?", "What claim is still left to resolve?": in the case just discussed.
    r"|\bat\s+issue\b|\bstill\s+(?:left|pending|open|alive)\b|\bleft\s+to\s+(?:resolve|decide|be\s+decided)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’.-]*[A-Za-z]|[A-Za-z]")
_PROPER = re.compile(r"\b[A-Z][A-Za-z]*[A-Z]?[a-z]*[A-Za-z]\b")
_CASE_SPAN = re.compile(r"\b(?:in\s+(?:re\s+)?)?[A-Z][\w.&,'’-]*(?:\s+[A-Z][\w.&,'’-]*)*\s+v\.?\s+[A-Z][\w.&'’-]*"
                        r"(?:\s+[A-Z][\w.&'’-]*)*")
_JUDGE_NAME = re.compile(r"\b(?:Judge|Justice|Chief Judge|Magistrate Judge)\s+[A-Z][a-zA-Z'’-]+")
# Capitalised words that name no case: question words, courts, statutes, months, offices.
_NOT_NAMES = {
    "a", "an", "and", "are", "but", "can", "could", "did", "do", "does", "for", "had", "has", "have", "how",
    "i", "if", "in", "is", "it", "of", "on", "or", "please", "should", "so", "tell", "the", "then", "to",
    "was", "were", "what", "when", "where", "which", "who", "whom", "whose", "why", "will", "would", "also",
    "judge", "justice", "court", "courts", "circuit", "district", "supreme", "appeals", "ninth", "second",
    "federal", "copyright", "copyrights", "office", "register", "act", "section", "title", "u.s.c", "usc",
    "dmca", "congress", "constitution", "u.s", "us", "united", "states", "american", "english", "ai", "llm",
    "llms", "gpt", "chatgpt", "fair", "use", "okay", "ok", "same", "summary", "judgment", "plaintiffs",
    "defendants", "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "northern", "southern", "eastern", "western", "central", "california",
    "new", "york", "delaware", "columbia", "no", "yes", "give", "list", "explain", "describe", "compare",
    "according", "under", "after", "before", "between", "during", "from", "with", "about", "any", "all",
}
# Words of a case name that do not tell one case from another.
_CASE_NOISE = {
    "v", "vs", "in", "re", "inc", "llc", "ltd", "corp", "corporation", "company", "co", "pbc", "gmbh", "the",
    "of", "and", "ai", "litig", "litigation", "copyright", "infringement", "group", "platform", "platforms",
    "enterprise", "enterprises", "centre", "center", "intelligence", "music", "generative", "llm", "lp", "et",
    "al", "u.s", "office", "register", "copyrights", "doe", "international", "holdings", "technologies",
    "technology", "labs", "studios", "pictures", "entertainment", "media", "news", "digest", "brief", "case",
    "project", "written", "report", "part", "notice", "inquiry", "fair", "use", "statute", "precedents",
    "leading", "over", "and", "on", "for", "with", "a", "an", "to", "by", "its", "his", "her", "their", "new",
    "authors", "artists", "musicians", "publishers", "association", "america",
}


@dataclass(frozen=True)
class Subject:
    """What an earlier turn was about: a case (by name) or, for a question about no case, the question."""

    label: str
    sources: frozenset[str]
    is_case: bool


def rewrite_followup(question: str, history: Sequence[Answer], documents: dict[str, SourceDocument]) -> str:
    """``question`` made to stand alone, if it leans on the conversation; else unchanged.

    - It names a case, party or judge: it is about that. A bare "What about Meta?" keeps the
      earlier topic ("… (Kadrey v. Meta Platforms, Inc.; the pirated books)"); a case named only
      by a party or judge gets its full name, so that the search finds it.
    - It names nothing and points back (a pronoun, "the court", "what about …", or a word or
      two): the earlier turn's case, or its question when it was about no case, is added.
    - Otherwise it is a new topic, and left as it is.
    """
    if not history:
        return question
    names = NameIndex.of(documents)
    named = names.named_sources(question)
    previous = history[-1]
    if named:
        subject = conversation_subject(history, documents, question)
        if subject and subject.is_case and compares(question) and _POINTS_BACK.search(question) and not (
                named & subject.sources):
            return f"{question} ({subject.label})"  # "How does that compare with the Meta ruling?": both
        if subject and subject.is_case and len({names.case_of(s) for s in named}) > 1 and named & subject.sources:
            named &= subject.sources  # "Anthropic" after a Bartz answer is Bartz, not Concord
        labels = [names.case_label(s) for s in sorted(named)]
        if len({names.case_of(s) or s for s in named}) > 1 or not _is_bare_switch(question, names):
            # "OpenAI" is a party to several cases; "Did any factor go ROSS's way?" says enough:
            # the question's own words choose, as they would in a first question.
            labels = []
        typed_case = _CASE_SPAN.search(question)  # the user wrote the case name out: nothing to add
        labels = [x for x in dict.fromkeys(labels) if x and not typed_case and x.lower() not in question.lower()]
        extra = []
        if _is_bare_switch(question, names):
            topic = _topic(previous, names)
            if topic:
                extra.append(topic)
        if not labels and not extra:
            return question
        return f"{question} ({'; '.join(labels + extra)})"
    if _OTHER_AUTHORITY.search(question):
        return question  # about the Copyright Office, Congress or the statute, not the case before
    if _unknown_name(question, names) and (_LEAD.match(question) or not _POINTS_BACK.search(question)):
        # A case or party the index does not hold ("What about Getty?") is not answered with
        # the conversation's; "Why there rather than San Francisco?" still leans on it.
        return question
    if not is_elliptical(question) or is_survey(question):
        return question  # "Which of those cases went for the AI company?" asks of every case, not the last
    subject = conversation_subject(history, documents, question)
    if subject is None or subject.label.lower() in question.lower():
        return question
    # "What did he say about it?" after "Which judge disagreed about market dilution?": what "it" is.
    topic = _topic(previous, names) if _ABOUT_IT.search(question) and _says_nothing(question) else None
    topic = topic and _ASKED.sub("", topic)  # "disagreed about market dilution", not "Which judge …"
    return f"{question} ({subject.label}; {topic})" if topic else f"{question} ({subject.label})"


# A question whose only matter is a pronoun for the last one's: "What did he say about it?".
_ABOUT_IT = re.compile(r"\b(?:about|of|on|with|to|treat\w*|handl\w*|address\w*|explain\w*|view\w*|approach\w*)\s+"
                       r"(?:it|that|this|them)\s*[?.!]?\s*$", re.I)
_ASKED = re.compile(r"^(?:which|what|who|whom|how|when|why|where)(?:\s+(?:judges?|courts?|cases?|part(?:y|ies)))?\s+",
                    re.I)
_FRAMING = {"he", "she", "they", "say", "said", "about", "think", "thought", "treat", "view", "explain", "mean",
            "respond", "address", "handl", "deal", "approach", "court", "judg", "feel", "make"}


def _says_nothing(question: str) -> bool:
    """Does the question hold no word of its own besides who said or did something?"""
    from ingest.tokenization import tokenize

    return set(tokenize(question)) <= _FRAMING


def is_elliptical(question: str) -> bool:
    """Does the question lean on an earlier turn: it opens with "and"/"what about", points back
    with a pronoun or "the court", or is a word or two ("Why?", "Damages?")?"""
    words = _WORD.findall(question)
    if _LEAD.match(question) or len(words) <= 2 or len(words) <= 4 and _CONTINUES.match(question):
        return True
    # After "a judge", "an AI company", "any work", a pronoun points inside the question:
    # "Can an AI company be liable for what users prompt its model to produce?"
    generic = _INDEFINITE.search(question)
    return any(generic is None or m.start() < generic.start() for m in _ANAPHORA.finditer(question))


# A question that carries on the last answer's sentence: "From which sites?", "In what year?", "By when?".
_CONTINUES = re.compile(r"^\s*(?:from|in|on|by|for|with|to|at|under|after|before|since|until|of)\s+"
                        r"(?:which|what|whom|when|where|how)\b", re.I)
_INDEFINITE = re.compile(r"\b(?:a|an|any|every|each|some)\s+(?!few\b|lot\b)[a-z]", re.IGNORECASE)


def conversation_subject(history: Sequence[Answer], documents: dict[str, SourceDocument],
                         question: str = "") -> Subject | None:
    """What the conversation is about, for ``question``: the case the latest turns name (in what
    was searched for); else, when the question asks about a case ("Who was the judge?") and the
    latest answer rested on one, that case; else the latest question that stood on its own."""
    names = NameIndex.of(documents)
    anchor = None
    for answer in reversed(history):
        named = names.named_sources(answer.rewritten_query or answer.question)
        if named:
            # "Who wrote that opinion?": "Anthropic" named two cases, and the answer, quoting only
            # the lyrics case, said which.
            cited = {c.source for c in answer.citations if c.source in named} if (
                _THAT_RULING.search(question) and not answer.abstained) else set()
            if len({names.case_of(s) for s in named}) > 1 and len({names.case_of(s) for s in cited}) == 1:
                case = names.case_of(next(iter(cited)))
                named = {s for s in named if names.case_of(s) == case}
            return names.subject(named)
        if not is_elliptical(answer.question):
            anchor = answer
            break
    latest = next((a for a in reversed(history) if a.citations and not a.abstained), None)
    if latest is not None and _ABOUT_A_CASE.search(question or ""):
        lead = min(latest.citations, key=lambda c: c.n).source
        case = names.case_of(lead)
        if case:
            return names.subject({s for s in names.documents if names.case_of(s) == case})
    anchor = anchor or history[-1]
    label = re.sub(r"\s+", " ", anchor.question).strip()
    return Subject(label, frozenset(c.source for c in anchor.citations), False) if label else None


# One ruling pointed back to: "that opinion", "the judge", "who wrote it".
_THAT_RULING = re.compile(r"\b(?:that|this|the)\s+(?:opinion|order|ruling|decision|judge)\b|"
                          r"\bwho\s+(?:wrote|signed|authored|decided|issued)\b", re.IGNORECASE)
# A question about a case rather than a topic: its judge, court, parties or ruling.
_ABOUT_A_CASE = re.compile(
    r"\b(?:judge|justice|court|rul(?:e|ed|ing)|h[eo]ld|held|decid(?:e|ed)|decision|opinion|order|plaintiffs?|"
    r"defendants?|parties|case|lawsuit|suit|appeal(?:ed)?|trial|jury|settle(?:d|ment)?|injunction|motion|"
    r"dismiss(?:ed|al)?|he|she|him|his|her|filed|sued)\b",
    re.IGNORECASE,
)
# Authorities that are no case: a question naming one is about it ("And the Copyright Office?").
# A statute is not one of them: "how did the judge read section 1202(b)?" is still about the case.
_OTHER_AUTHORITY = re.compile(r"\b(?:Copyright Office|Register of Copyrights|Congress|Federal Register)\b")
# Pronouns that can only point back to an earlier turn.
_POINTS_BACK = re.compile(r"\b(?:it|its|they|them|their|he|she|him|his|her|there|that|this|so)\b(?!\s+(?:the|a|an)\b)",
                          re.IGNORECASE)


_SUFFIX = re.compile(
    r",|\b(?:Inc|LLC|Ltd|Corp|Corporation|Company|Co|PBC|GmbH|L\.?P|Platforms|Enterprises?|Centre|Center|"
    r"Intelligence|Group|Holdings|Technologies|Labs)\b\.?")


def short_case_name(case_name: str) -> str:
    """ "Thomson Reuters Enterprise Centre GmbH v. ROSS Intelligence Inc." -> "Thomson Reuters v. ROSS"."""
    parties = re.split(r"\s+v\.?\s+", case_name, maxsplit=1)
    if len(parties) < 2:
        return case_name
    short = []
    for party in parties:
        party = re.sub(r"^(?:The)\s+", "", party.strip())
        cut = _SUFFIX.search(party)
        head = (party[:cut.start()] if cut else party).strip()
        short.append(head or party)
    return " v. ".join(short)


def _is_bare_switch(question: str, names: NameIndex) -> bool:
    """ "What about Meta?", "And Anthropic?", "How about in Kadrey?": a new case, the same question."""
    lead = _LEAD.match(question)
    if not lead:
        return False
    rest = question[lead.end():]
    left = [w for w in _WORD.findall(_CASE_SPAN.sub(" ", rest))
            if w.lower().strip("'’s") not in names.tokens and w.lower() not in _FILLER]
    return not left


_FILLER = {"the", "in", "case", "for", "with", "of", "about", "at", "on", "to", "s", "v", "vs", "re", "a", "an",
           "one", "lawsuit", "suit", "court", "that", "this", "matter", "litigation", "what", "how"}


def _topic(previous: Answer, names: NameIndex) -> str | None:
    """The earlier question without its case: what a bare "What about X?" asks again."""
    topic = _strip_names(previous.question, names)
    lead = _LEAD.match(topic)
    if lead:
        topic = topic[lead.end():]
    topic = topic.strip(" ?.!,;")
    return topic or None


def _strip_names(text: str, names: NameIndex) -> str:
    """``text`` with its case names, judges and parties taken out ("the court" for a judge)."""
    text = _JUDGE_NAME.sub("the court", text)
    text = _CASE_SPAN.sub("", text)
    words = []
    for w in text.split():
        bare = re.sub(r"[^\w'’]", "", w).lower()
        bare = re.sub(r"['’]s$", "", bare)
        if bare in names.tokens and w[:1].isupper():
            continue
        words.append(w)
    text = " ".join(words)
    text = re.sub(r"\b(in|of|for|by|against)\s+(?=[?.!,;]|$)", "", text)
    return re.sub(r"\s+([?.!,;])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()


def _unknown_name(question: str, names: NameIndex) -> bool:
    """A proper name (not the first word) that is no indexed case, party, court or statute:
    "What about Getty?" when Getty is not indexed."""
    lead = _LEAD.match(question)
    body = question[lead.end():] if lead else question
    words = _PROPER.findall(body)
    if not lead and words and body.startswith(words[0]):
        words = words[1:]
    return any(w.lower() not in _NOT_NAMES and w.lower().strip("'’s") not in names.tokens
               and not w.isupper() for w in words)


class NameIndex:
    """The names that pick out an indexed case: distinctive words of case names ("kadrey",
    "meta"), judges' surnames ("alsup"), and proper names in the titles of documents about no
    case ("bytedance")."""

    def __init__(self, documents: dict[str, SourceDocument]):
        self.documents = documents
        self.tokens: dict[str, set[str]] = {}
        self._case: dict[str, str | None] = {}
        self._phrases: dict[str, set[str]] = {}
        for source, doc in documents.items():
            self._case[source] = doc.case_name
            if doc.case_name:
                self._phrases[source] = {doc.case_name.lower(), short_case_name(doc.case_name).lower()}
            for token in self._document_tokens(doc):
                self.tokens.setdefault(token, set()).add(source)

    @staticmethod
    def _document_tokens(doc: SourceDocument) -> set[str]:
        if doc.case_name:
            words = {w.lower().strip(".,'’") for w in doc.case_name.replace(",", " ").split()}
        else:  # a digest of a dispute, titled "Studios and the MPA v. ByteDance over …"
            span = _CASE_SPAN.search(doc.title)
            words = {w.lower().strip(".,'’") for w in span.group(0).split()} if span else set()
            words -= _NOT_NAMES
        if doc.judge:
            words.add(doc.judge.split()[-1].lower().strip(".,"))
        return {w for w in words if len(w) > 2 and w not in _CASE_NOISE and not w.isdigit()}

    @classmethod
    def of(cls, documents: dict[str, SourceDocument]) -> NameIndex:
        """Built once per set of documents (an upload makes a new one)."""
        key = tuple(sorted((s, d.sha256, d.case_name, d.title, d.judge) for s, d in documents.items()))
        index = _BUILT.get(key)
        if index is None:
            if len(_BUILT) >= 8:
                _BUILT.clear()
            index = _BUILT[key] = cls(dict(documents))
        return index

    def named_sources(self, question: str) -> set[str]:
        """Documents the question names. When several cases share a word ("Anthropic"), the
        cases the question names most specifically win ("Concord v. Anthropic" is Concord). A
        party in a longer name its case is not called by ("Google Books") names none."""
        question = other_names(question, self.documents)
        words = {re.sub(r"['’]s$", "", w.lower().strip(".'’")) for w in _WORD.findall(question) if w[0].isupper()}
        scores: dict[str, int] = {}
        for word in words & set(self.tokens):
            for source in self.tokens[word]:
                scores[source] = scores.get(source, 0) + 1
        lowered = question.lower()
        written_out = {s for s, phrases in self._phrases.items() if any(p in lowered for p in phrases)}
        if written_out:  # the cases written out in full, as a rewrite writes them
            cases = {self._case[s] for s in written_out}
            return {s for s, case in self._case.items() if case in cases}
        if not scores:
            return set()
        by_case: dict[str, int] = {}
        for source, score in scores.items():
            key = self._case.get(source) or source
            by_case[key] = max(by_case.get(key, 0), score)
        best = max(by_case.values())
        return {s for s, score in scores.items() if by_case[self._case.get(s) or s] == best}

    def case_of(self, source: str) -> str | None:
        return self._case.get(source)

    def case_label(self, source: str) -> str | None:
        """The case as a search names it: "Kadrey v. Meta", not "Kadrey v. Meta Platforms, Inc."
        (a word no passage holds, like "PBC", would read as a fact the documents lack)."""
        doc = self.documents.get(source)
        if doc is None:
            return None
        if doc.case_name:
            return short_case_name(doc.case_name)
        return re.sub(r"\s*\(project-written\)", "", doc.title.split(":")[0]).strip()

    def subject(self, sources: set[str]) -> Subject:
        labels = list(dict.fromkeys(self.case_label(s) for s in sorted(sources)))
        return Subject("; ".join(x for x in labels if x), frozenset(sources),
                       any(self.case_of(s) for s in sources))


_BUILT: dict[tuple, NameIndex] = {}
