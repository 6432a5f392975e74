"""What a question names that the passages it is answered from must speak of too: the years and
months it gives, the court it asks to have decided, and its names ("Sentencing Guidelines",
"Judge Alsup"). Each is a reason to doubt that the evidence answers it."""

from __future__ import annotations

import re

from chatbot.courts import COURT_WORDS, cited_beside, court_key, court_mention, court_seats, courts_deciding, is_place
from ingest.tokenization import fold_accents, stem, tokenize
from ingest.types import normalize_whitespace


_DATE_WORD = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
                        r"December|(?:19|20)\d\d)\b")


def dates_missing(question: str, texts: list[str]) -> float:
    """Share of the years and months the question names that no retrieved passage mentions."""
    wanted = set(_DATE_WORD.findall(question))
    present = {word for text in texts for word in _DATE_WORD.findall(text)} if wanted else set()
    return len(wanted - present) / len(wanted) if wanted else 0.0


# -- which court a question asks about -----------------------------------------------------

def court_elsewhere(question: str, courts: frozenset[str], reported_in: list[str] | None = None, own=frozenset()) -> float:
    """1 when the question asks what a court decided ("Did the Ninth Circuit reverse…?") and the documents
    the answer can draw on (the named case's, else the retrieved ones) all come from other courts.

    ``reported_in``: when no case is named, the retrieved passages. A passage that cites a
    ruling of the asked court beside a name from the question ("Authors Guild v. Google, 804
    F.3d 202 (2d Cir. 2015)") reports it as precedent, and the question is answerable from it; a
    name of the indexed cases (``own``) is no precedent's."""
    asked = courts_deciding(question)
    if not asked or not courts or asked & {court_key(c) for c in courts}:
        return 0.0
    if reported_in:
        names = set().union(*question_names(question, courts)) - COURT_WORDS - own
        mentions = [court_mention(key) for key in asked]
        if any(cited_beside(mention, names, text) for mention in mentions for text in reported_in):
            return 0.0
    return 1.0


# -- the names a question is about ----------------------------------------------------------

# Capitalised words that name an entity the question is about ("Texas", "GDPR", "Chhabria"),
# not the first word of the question.
_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b([A-Z][A-Za-z]+|[A-Z]{2,})\b")
# Capitalised but generic in this domain: they do not name what a question is about.
GENERIC_NAMES = frozenset(
    stem(w.lower())
    for w in "Court Courts Judge Justice Circuit District Supreme Congress Copyright Office Act AI Section Title "
    "United States Federal Register Panel Plaintiffs Defendants Order Opinion Appeals Judicial What Which Who "
    "How When Why Did Does Was Were Is Are The And But Also If In On For Under "
    # Dates narrow a question; they are matched by retrieval, not required in the passage.
    "January February March April May June July August September October November December".split()
)
# Runs of capitalised words after the question's first word: "Sentencing Guidelines", "EU AI Act".
_PHRASE = re.compile(r"(?<=\s)(?:[A-Z][^\W\d_]*|\d+)(?:\s+(?:[A-Z][^\W\d_]*|\d+))+")
_STATUTE_CITED = re.compile(r"^[A-Z]{2,}\s+\d{3,}$")  # "DMCA 1202": an act and its section, written many ways
# A judge's title is the question's, not the opinion's: Judge Alsup's own order never says
# "Judge Alsup". Only the name after it is looked for.
_TITLE = re.compile(r"^(?:(?:Chief|Senior|Magistrate|District|Circuit)\s+)*(?:Judges?|Justices?)\s+")


def question_names(question: str, courts: frozenset[str] = frozenset()) -> list[set[str]]:
    """The names a question is about ("Texas", "Midjourney", "Ninth Circuit"), each as its
    distinctive tokens; generic court words and dates are not names here, and neither is the
    seat of one of ``courts`` ("a judge in San Francisco" of an N.D. Cal. order)."""
    seats = set().union(*(tokenize(p) for p in court_seats(question, courts))) if courts else set()
    names = [{t for t in tokenize(n) if t not in GENERIC_NAMES} for n in dict.fromkeys(_NAME.findall(question))]
    return [n for n in names if n and not n <= seats]


def _placed(phrase: str) -> bool:
    """A place and generic words, no name: "a California AI company" (a place alone may be where a
    court sits, which the passages must then say)."""
    rest = " ".join(w for w in phrase.split() if stem(w.lower()) not in GENERIC_NAMES)
    return rest != phrase and is_place(rest) and not _COURT_NAMED.search(phrase)


_COURT_NAMED = re.compile(r"\b(?:Courts?|Supreme|Circuit|District|Judges?|Justices?|Panel|Appeals)\b")


def phrases_missing(question: str, texts: list[str], courts: frozenset[str] = frozenset()) -> float:
    """Share of the question's multi-word names ("Sentencing Guidelines", "High Court") that no
    retrieved passage holds as a phrase, though it may hold each word somewhere; of "Judge
    Alsup", the name alone. The seat of one of ``courts`` ("San Francisco") is not looked for."""
    seats = court_seats(question, courts) if courts else []
    # A date is no part of a name: "the August 2024 Andersen order" names Andersen (dates_missing
    # reads the date).
    pieces = [q.strip() for p in _PHRASE.findall(question) for q in _DATE_WORD.split(p)]
    phrases = [_TITLE.sub("", p) if _TITLE.match(p) else p for p in pieces
               if len(p.split()) >= 2 and not any(p in seat for seat in seats) and not _STATUTE_CITED.match(p)
               and not _placed(p)]
    if not phrases:
        return 0.0
    text = fold_accents(" ".join(normalize_whitespace(t).lower() for t in texts))  # "Martínez" is "Martinez"
    return sum(fold_accents(p.lower()) not in text and not _one_name_held(p, text) for p in phrases) / len(phrases)


_WRITTEN_SHORT = frozenset({"mdl", "llm", "llms", "ai"})  # "the OpenAI MDL", "Meta's LLM": a name and what it is


def _one_name_held(phrase: str, text: str) -> bool:
    """Is ``phrase`` one name the passages hold and a word for what it is ("OpenAI MDL")?"""
    words = phrase.split()
    rest = [w for w in words if w.lower() not in _WRITTEN_SHORT]
    return len(rest) == 1 and len(words) > 1 and fold_accents(rest[0].lower()) in text


def parties_unquoted(question: str, quoted: list[tuple[str, object]], evidence_documents: list) -> frozenset[str]:
    """The parties the question names ("Anthropic") of the cases in the evidence that no quoted
    passage (text, document) holds, in its words or its document's title and case: an answer
    from another party's case ("Who is Anthropic's CEO?" answered with Google's)."""
    from chatbot.names import party_words

    names = set().union(*question_names(question))
    cases = {party_words(d.case_name, None) for d in evidence_documents if d is not None and d.case_name}
    asked = names & set().union(*cases) if cases else set()
    if not any(asked <= words for words in cases):  # parties of two cases: set side by side, or carried over
        return frozenset()
    for text, doc in quoted:
        asked -= _words_with_title(text, doc)
    return frozenset(asked)


def passage_words(chunk) -> set[str]:
    """The words of a passage and of its document's title and case."""
    return _words_with_title(chunk.text, chunk.document)


def _words_with_title(text: str, doc) -> set[str]:
    """The words of ``text`` and of ``doc``'s title and case name, when there is a document."""
    return set(tokenize(text)) | (set(tokenize(f"{doc.title} {doc.case_name or ''}")) if doc else set())
