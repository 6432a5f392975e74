"""How a question is worded, apart from what it asks: the words that say how to put the answer
("in plain English"), and the acronyms a question or a passage uses for a longer name ("NYT",
"the UCL claim")."""

from __future__ import annotations

import re

from ingest.tokenization import tokenize


# How the answer should be put, not what it is about: "in plain English", "in a nutshell", "briefly".
_STYLE = re.compile(r",?\s*\b(?:in\s+(?:plain|simple|everyday)\s+(?:English|terms|language|words)|"
                    r"in\s+lay(?:man|person)?['’]?s?\s+terms|in\s+a\s+nutshell|briefly|in\s+brief|"
                    r"for\s+a\s+(?:non-?lawyer|layperson|layman|law\s+student|client))\b", re.I)


def without_style(question: str) -> str:
    """``question`` without the words that say how to put the answer ("Explain the Bartz decision
    in plain English"): "English" is no name the documents must hold."""
    return _STYLE.sub("", question).strip(" ,;:") or question


_TITLED_RUN = re.compile(r"[A-Z][a-z]+(?:\s+(?:(?:of|on|for|and|the)\s+)?[A-Z][a-z]+)+")


def acronyms(texts: list[str], written: set[str] | None = None) -> set[str]:
    """The acronyms of three letters or more that the capitalised names in ``texts`` make, as
    tokens: "The New York Times" makes "nyt" (and "tnyt"), "Judicial Panel on Multidistrict
    Litigation" "jpml". A question's "NYT" then names what the passages name in full. ``written``:
    the tokens of ``texts``, when the caller has them already."""
    out: set[str] = set()
    for text in texts:
        for run in _TITLED_RUN.findall(text):
            initials = [w[0] for w in run.split() if w[0].isupper()]
            out.update("".join(initials[i:j]) for i in range(len(initials)) for j in range(i + 3, len(initials) + 1))
    # Lawyers' acronyms of words a passage writes in lower case: "the UCL claim" is its "unfair competition".
    if written is None:
        written = set(tokenize(" ".join(texts))) if texts else set()
    out.update(a for a, words in _LEGAL_ACRONYMS.items() if set(tokenize(words)) <= written)
    return set(tokenize(" ".join(out)))


def spelled_out(question: str, texts: list[str] = ()) -> str:
    """``question`` with the lawyers' acronyms it uses spelled out after it, where none of ``texts``
    (the passages) writes the acronym: "the UCL claim" then also asks about "unfair competition",
    which they write instead. Where they write "DMCA", its words would only weigh the act's name."""
    asked = {a: words for a, words in _LEGAL_ACRONYMS.items() if re.search(rf"\b{a}\b", question)}
    if not asked:  # most questions: the passages need not be read
        return question
    written = set(tokenize(" ".join(texts))) if texts else set()
    spelled = [words for a, words in asked.items() if a.lower() not in written]
    return f"{question} ({'; '.join(spelled)})" if spelled else question


_LEGAL_ACRONYMS = {"UCL": "unfair competition", "CMI": "copyright management information", "TOS": "terms of service",
                   "DMCA": "digital millennium", "MDL": "multidistrict litigation", "APA": "administrative procedure",
                   "LLM": "language model", "LLMs": "language models", "NOI": "notice of inquiry",
                   "MTD": "motion to dismiss", "MSJ": "summary judgment", "PI": "preliminary injunction"}
