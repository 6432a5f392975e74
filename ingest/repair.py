"""Rejoin words that PDF text extraction split with a space: "Plaint iffs", "W orks", "an d".

A run of two to four adjacent tokens is joined when the joined form is a known word and
the split form is not plausible text: at least one part is a fragment (not a word, or a
suffix such as "ing"), or a stray single letter. Two real words are never joined ("in to",
"a part", "be cause"), nor are numbers ("56 6" may be a page and a footnote), nor tokens
with punctuation between them. A join that rests on a stray letter alone must be attested
in the document itself ("t he" when "the" occurs unsplit) or be a very common word ("an d").
Known words are the document's own vocabulary, pyspellchecker's English word frequencies
(shipped in the package) and a short list of legal terms that list lacks.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import cache
from typing import NamedTuple

from ingest.types import Page

__all__ = ["Repair", "Vocabulary", "repair_pages", "repair_text", "word_frequency"]

# A word this common in the word list (counts from subtitles, total ~1.6e9; 50 is its floor)
# stands on its own. Short bits ("ry", "ir", "ind") need more, rare long words ("equitable",
# "holders") less: "in equitable" and "rights holders" are text, not splits.
_SOLID_FREQUENCY = 100
_SOLID_FREQUENCY_SHORT = 1000
# A join resting on a stray letter alone, not attested in the document, must be this common.
_COMMON_FREQUENCY = 100_000
_MAX_PARTS = 4
_LEGAL_TERM_FREQUENCY = 100
# A name or term used this often in the document stands on its own even if no list knows it.
_DOCUMENT_SOLID_COUNT = 5
_TOKEN = re.compile(r"([^\w]*)([A-Za-z]+)([^\w]*)")
_ACRONYM_PLURAL = re.compile(r"[A-Z]{2,}s")
_ONE_LETTER_WORDS = ("a", "A", "I", "v")  # "v" as in "Bartz v Anthropic"
# Bits of words common enough in the word list (names, interjections, foreign words) to pass
# for words, but never a word of their own in legal prose ("diminish ing", "the se").
_FRAGMENTS = frozenset(
    "ing ings ed er ers es al ly ion ions tion tions ment ments ness ity ities ive ous ance ence ship se".split()
)
# Pairs of words that legitimately stand apart although their join is a word.
_KEEP_APART = frozenset({("pro", "se"), ("per", "se"), ("in", "re"), ("ad", "hoc"), ("a", "priori")})
# Legal and technical terms the general word list lacks (or has only at its floor count).
_LEGAL_TERMS = frozenset("""
    affirmance alia amici amicus anticompetitive appellees arbitrable caselaw chatbot chatbots conclusory
    copyrightability copyrightable dataset datasets declaratory dispositive duplicative facie infringer
    infringers licensor licensors metadata minimis mootness movant multidistrict noncommercial nonexclusive
    noninfringement noninfringing nonmovant phonorecord phonorecords preemption pretrained pretraining prima
    protectable recordation redressability rulemaking scienter severability sponte sublicense sublicensed
    substantiality tokenization tokenized torrented torrenting transformative uncopyrightable vacatur
""".split())


class Repair(NamedTuple):
    """One join: the page it is on, the split text, the joined text, and the joined text in context."""

    page: int | None
    before: str
    after: str
    context: str


@cache
def _word_frequencies() -> dict[str, int]:
    from spellchecker import SpellChecker  # loads its shipped English list; nothing is downloaded

    return dict(SpellChecker(language="en", distance=1).word_frequency.dictionary)


def word_frequency(word: str) -> int:
    """How common ``word`` (lower-case) is in everyday English, by the shipped word list (0: not listed)."""
    return _word_frequencies().get(word, 0)


class Vocabulary:
    """The words of one document (as written, and lower-cased when not all capitals) and the word list."""

    def __init__(self, texts: list[str], *, words: dict[str, int] | None = None):
        self.words = _word_frequencies() if words is None else words
        self.exact: Counter[str] = Counter()
        for text in texts:
            for token in text.split(" "):
                match = _TOKEN.fullmatch(token)
                if match:
                    self.exact[match.group(2)] += 1
        self._kinds: dict[str, str] = {}
        self.lower: Counter[str] = Counter()
        for word, n in self.exact.items():
            if not word.isupper() or len(word) == 1:  # "TOS" does not attest "tos"
                self.lower[word.lower()] += n

    def frequency(self, word: str) -> int:
        """The word list's count for ``word`` (any case); legal terms count as moderately common."""
        lower = word.lower()
        return self.words.get(lower) or (_LEGAL_TERM_FREQUENCY if lower in _LEGAL_TERMS else 0)

    def kind(self, word: str) -> str:
        """'L' a stray letter, 'W' a word that stands on its own, 'F' a fragment."""
        if word not in self._kinds:
            self._kinds[word] = self._kind(word)
        return self._kinds[word]

    def _kind(self, word: str) -> str:
        if len(word) == 1:
            return "W" if word in _ONE_LETTER_WORDS else "L"
        lower = word.lower()
        if lower in _FRAGMENTS:
            return "F"
        frequency = self.frequency(lower)
        if frequency >= (_SOLID_FREQUENCY_SHORT if len(word) <= 3 else _SOLID_FREQUENCY):
            return "W"
        if len(word) > 3 and self.exact[word] >= _DOCUMENT_SOLID_COUNT and (frequency or not word.islower()):
            return "W"  # a rare term or a name the document uses often: "infringer", "Thaler"
        return "F"

    def in_document(self, word: str) -> bool:
        """Whether the document uses ``word`` unsplit; of the oddly cased only an acronym's plural
        counts ("LLMs"): a glued "GmbHv." elsewhere does not make "GmbH v." a split."""
        if _natural_case(word):
            return self.exact[word] > 0 or self.lower[word.lower()] > 0
        return _ACRONYM_PLURAL.fullmatch(word) is not None and self.exact[word] > 0


def _is_title(word: str) -> bool:
    return word[0].isupper() and (len(word) == 1 or word[1:].islower())


def _natural_case(word: str) -> bool:
    """lower, Title or CAPITALS: a join that yields "MotionS" or "theW" is not a word."""
    return word.islower() or word.isupper() or _is_title(word)


def _join_score(parts: list[str], kinds: list[str], vocabulary: Vocabulary) -> float:
    """How much joining ``parts`` (bare words of those kinds) improves the text; 0 when not justified."""
    if "F" not in kinds and "L" not in kinds or kinds.count("W") > 1:
        return 0.0
    if len(parts) == 2 and (parts[0].lower(), parts[1].lower()) in _KEEP_APART:
        return 0.0
    joined = "".join(parts)
    in_document = vocabulary.in_document(joined)
    frequency = vocabulary.frequency(joined) if _natural_case(joined) else 0
    if "F" in kinds:
        known = in_document or frequency > 0
    elif kinds[0] == "W":  # a stray last letter: "allege d", "MOTION S"; after a name it may be a lost
        # apostrophe ("Domino s Pizza" is "Domino's", not "Dominos"), so a capitalised join must be attested
        known = in_document or (frequency > 0 and (parts[0].islower() or parts[0].isupper()))
    else:  # a stray first letter: "t he" is "the" if the document says "the"; "B at" is not "Bat"
        known = in_document or (frequency >= _COMMON_FREQUENCY and parts[0].islower())
    if not known:
        return 0.0
    gain = 2.0 * kinds.count("F") + kinds.count("L") - 0.25 * kinds.count("W")
    if kinds[-1] == "L" and kinds[0] == "W":
        gain += 0.1  # a stray letter ends a word more often than it starts one: "ruling s on" is "rulings on"
    # Between overlapping joins ("on ly on": "only" or "lyon") prefer the attested, common word.
    return gain + 0.2 * in_document + 0.005 * math.log10(frequency + 1)


def _group_parts(raw: list[str], tokens: list[re.Match | None], start: int, size: int) -> list[str] | None:
    """The bare words of tokens[start:start+size] if punctuation only wraps the group, else None."""
    group = tokens[start:start + size]
    if len(group) < size or any(m is None for m in group):
        return None
    # Part of a word broken at a spaced hyphen ("a rea - sonable"): joining "a rea" would make "area".
    if (start > 0 and raw[start - 1].endswith("-")) or (start + size < len(raw) and raw[start + size].startswith("-")):
        return None
    if group[0].group(3) or group[-1].group(1) or any(m.group(1) or m.group(3) for m in group[1:-1]):
        return None
    return [m.group(2) for m in group]


def repair_text(text: str, vocabulary: Vocabulary) -> tuple[str, list[tuple[str, str, int]]]:
    """``text`` (single-spaced) with split words joined, and each join as (before, after, offset in the result)."""
    raw = text.split(" ")
    tokens = [_TOKEN.fullmatch(t) for t in raw]
    kinds = [vocabulary.kind(m.group(2)) if m else "" for m in tokens] + [""]
    n = len(raw)
    best = [0.0] * (n + 1)  # best[i]: the best total gain over raw[:i]
    choice = [1] * (n + 1)  # choice[i]: how many tokens the last group of raw[:i] takes
    for i in range(n):
        if best[i] > best[i + 1]:
            best[i + 1], choice[i + 1] = best[i], 1
        if not kinds[i] or kinds[i] == kinds[i + 1] == "W":  # most of the text: no group can start here
            continue
        for size in range(2, _MAX_PARTS + 1):
            parts = _group_parts(raw, tokens, i, size)
            score = _join_score(parts, kinds[i:i + size], vocabulary) if parts else 0.0
            if score > 0 and best[i] + score > best[i + size]:
                best[i + size], choice[i + size] = best[i] + score, size
    groups, i = [], n
    while i > 0:
        groups.append((i - choice[i], i))
        i -= choice[i]
    out, joins, offset = [], [], 0
    for start, end in reversed(groups):
        word = "".join(raw[start:end])
        if end - start > 1:
            joins.append((" ".join(raw[start:end]), word, offset))
        out.append(word)
        offset += len(word) + 1
    return " ".join(out), joins


def repair_pages(pages: list[Page], *, words: dict[str, int] | None = None) -> tuple[list[Page], list[Repair]]:
    """Join split words on every page, against the vocabulary of the whole document."""
    vocabulary = Vocabulary([p.text for p in pages], words=words)
    repaired, repairs = [], []
    for page in pages:
        text, joins = repair_text(page.text, vocabulary)
        repaired.append(page.model_copy(update={"text": text}))
        repairs += [Repair(page.number, before, after, _context(text, at, len(after))) for before, after, at in joins]
    return repaired, repairs


def _context(text: str, at: int, length: int, width: int = 60) -> str:
    return text[max(0, at - width):at + length + width]
