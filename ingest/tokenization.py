"""A tokenizer for legal text that keeps the most precise query terms intact.

General tokenizers drop '§' and split "17 U.S.C." and "3:23-cv-03417-VC" into
noise. Here '§' is a token, abbreviations with dots stay whole, docket numbers
stay whole (and also yield their core "23-cv-03417" so that "No. 23-cv-03417"
finds "Case 3:23-cv-03417-VC").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TOKEN = re.compile(
    r"""
    (?P<cite>cite:\S+)                                                    # a whole citation, see citations.py
  | (?P<docket>\b(?:\d{1,2}:)?\d{2}-[a-z]{2,4}-\d{3,6}(?:-[a-z]{1,4})*\b)   # 3:23-cv-03417-VC
  | (?P<section>§+)                                                     # § and §§
  | (?P<abbr>\b(?:[a-z]\.){2,}(?![a-z]))                                # U.S.C. / U.S.
  | (?P<word>[a-z0-9]+(?:['’][a-z]+)?)
    """,
    re.VERBOSE | re.IGNORECASE,
)

_DOCKET_CORE = re.compile(r"\d{2}-[a-z]{2,4}-\d{3,6}", re.IGNORECASE)

STOPWORDS = frozenset(
    """a an and are as at be been but by can could did do does for from had has have how i if in into is it its
    of on or that the their them then there these they this those to was were what when where which who whom why
    will with would you your""".split()
)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """'accused', 'accuses' and 'accusing' all become 'accus'. Numbers and short words stay as they are."""
    return word if len(word) < 4 or not word.isalpha() else _stemmer().stemWord(word)


def fold_accents(text: str) -> str:
    """``text`` without its accents: "Martínez-Olguín" is searched as "Martinez-Olguin" is typed."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def tokenize(text: str, *, keep_stopwords: bool = False) -> list[str]:
    tokens: list[str] = []
    for m in _TOKEN.finditer(fold_accents(text)):
        kind = m.lastgroup
        value = m.group().lower()
        if kind == "cite":
            tokens.append(value)
        elif kind == "docket":
            tokens.append(value)
            core = _DOCKET_CORE.search(value)
            if core and core.group() != value:
                tokens.append(core.group().lower())
        elif kind == "section":
            tokens.append("§")
        elif kind == "abbr":
            tokens.append(value)
        else:
            value = value.replace("’", "'")
            if value.endswith("'s"):
                value = value[:-2]
            if keep_stopwords or value not in STOPWORDS:
                tokens.append(stem(value))
    return tokens
