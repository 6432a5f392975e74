"""Courts as questions name them: which court a question asks to have decided ("did the Ninth
Circuit reverse"), where a court sits ("the Tennessee court"), and how a passage cites a court's
ruling."""

from __future__ import annotations

import re
from functools import lru_cache

from ingest.tokenization import tokenize

_CIRCUIT_NUMBER = {"first": "1st", "second": "2d", "2nd": "2d", "third": "3d", "3rd": "3d", "fourth": "4th",
                   "fifth": "5th", "sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th",
                   "eleventh": "11th", "federal": "fed.", "d.c.": "d.c.", "dc": "d.c.", "d. c.": "d.c."}
_COURT_NAMED = re.compile(
    r"\b(?P<circuit>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|federal|d\.\s?c\.|dc|"
    r"1st|2d|2nd|3d|3rd|4th|5th|6th|7th|8th|9th|10th|11th)\s+circuit\b|\b(?P<supreme>supreme\s+court)\b|"
    r"\b(?P<other>(?:high|regional|internet|constitutional|state|superior)\s+court|court\s+of\s+(?:justice|appeal))\b", re.I)
# The court is the one deciding: "did the Ninth Circuit reverse", "the Third Circuit ruled", "the
# Supreme Court take up", not "Alsup relied on the Ninth Circuit's Kelly decision".
_DECIDES_AFTER = re.compile(r"^\s*(?:\w+\s+){0,2}?(?:hold|held|holds|rule|ruled|rules|decide|decided|decides|say|said|"
                            r"affirm\w*|revers\w*|vacat\w*|remand\w*|grant\w*|den(?:y|ied|ies)|take\s+up|took\s+up|"
                            r"agree\w*|hear|heard|find|found|conclud\w*|vote\w*|do|did|make\s+of)\b", re.I)
# ... nor "which Supreme Court decision did the ROSS court rely on": that court's ruling is what was cited.
_CITED_RULING = re.compile(r"^\s*(?:decisions?|cases?|opinions?|precedents?|rulings?)\s+(?:did|does|do|has|have)\b", re.I)
_DECIDES_BEFORE = re.compile(r"\b(?:did|does|has|have|will|would|how\s+did|what\s+did|when\s+did)\s+the\s+(?:\w+\s+)?$",
                             re.I)


def courts_deciding(question: str) -> set[str]:
    """The courts a question asks about as deciders ("What did the Ninth Circuit hold…?"), each
    as a key that :func:`court_key` gives a document's court."""
    return courts_named(question, deciding=True)


def courts_named(question: str, *, deciding: bool = False) -> set[str]:
    """The courts a question names ("the D.C. Circuit's opinion"), as :func:`court_key` keys; with
    ``deciding``, only those it asks about as deciders."""
    keys = set()
    for m in _COURT_NAMED.finditer(question):
        after = question[m.end():]
        if deciding and (_CITED_RULING.match(after) or not (
                _DECIDES_AFTER.match(after) or _DECIDES_BEFORE.search(question[:m.start()]))):
            continue
        if m.group("circuit"):
            number = re.sub(r"\s+", " ", m.group("circuit").lower())
            keys.add(f"{_CIRCUIT_NUMBER.get(number, number)} cir.")
        elif m.group("supreme"):
            keys.add("u.s.")
        else:
            keys.add(re.sub(r"\s+", " ", m.group("other").lower()))
    return keys


def court_key(court: str) -> str:
    """A document's court as :func:`courts_deciding` names it: "9th Cir." -> "9th cir.",
    "2nd Cir." -> "2d cir.", "S. Ct." -> "u.s."."""
    key = re.sub(r"\s+", " ", court.strip().lower()).replace("2nd ", "2d ").replace("3rd ", "3d ")
    return "u.s." if key in ("s. ct.", "s.ct.", "supreme court", "u.s. supreme court") else key


@lru_cache(maxsize=1024)
def court_abbreviated(court: str) -> re.Pattern:
    """A court as a question abbreviates it: "D.D.C.", "N.D. Cal.", "D.C. Cir." (or "D.C. Circuit"),
    spaced or not. "D.C." alone is neither the D.D.C. nor the D.C. Circuit."""
    parts = [p for p in re.split(r"[\s.]+", court) if p]
    pattern = r"\.?\s?".join(re.escape(p) + ("(?:cuit)?" if p.lower() == "cir" else "") for p in parts)
    return re.compile(r"(?<![\w.])" + pattern + r"(?![\w])\.?", re.I if len(parts) > 2 else 0)


COURT_WORDS = {"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
               "feder", "suprem", "high", "circuit", "court", "cir"}


def court_mention(key: str) -> re.Pattern:
    """How a passage cites a ruling of the court ``key``: "(2d Cir. 2015)", "598 U.S. 508",
    "143 S. Ct. 1258". "Courts within the Ninth Circuit" names the court but reports no ruling."""
    if key == "u.s.":
        return re.compile(r"\b\d+\s+U\.\s?S\.\s+\d+|\b\d+\s+S\.\s?Ct\.\s+\d+")
    if key.endswith(" cir."):
        return re.compile(r"\b%s\s?Cir\.\s*\d{4}\b" % re.escape(key.removesuffix(" cir.")), re.I)
    return re.compile(r"\b" + r"\s+".join(map(re.escape, key.split())) + r"\b", re.I)


def cited_beside(mention: re.Pattern, names: set[str], text: str, reach: int = 200) -> bool:
    """Does ``text`` cite the court (``mention``, from :func:`court_mention`) within ``reach``
    characters of one of ``names``?"""
    for m in mention.finditer(text):
        if names & set(tokenize(text[max(0, m.start() - reach):m.end() + reach])):
            return True
    return False


# Where federal courts sit, as users describe them ("a federal judge in San Francisco", "the
# Nashville court", "the Northern District of California"): the opinion's text seldom names its
# district, and never its city.
_SEATS = {
    "n.d. cal.": ("Northern District of California", "San Francisco", "Oakland", "San Jose", "Northern California",
                  "Bay Area", "Silicon Valley", "California"),
    "c.d. cal.": ("Central District of California", "Los Angeles", "Central California", "California"),
    "s.d. cal.": ("Southern District of California", "San Diego", "Southern California", "California"),
    "e.d. cal.": ("Eastern District of California", "Sacramento", "Eastern California", "California"),
    "9th cir.": ("San Francisco", "Pasadena", "California", "West Coast"),
    "s.d.n.y.": ("Southern District of New York", "Manhattan", "New York"),
    "e.d.n.y.": ("Eastern District of New York", "Brooklyn", "New York"),
    "2d cir.": ("Manhattan", "New York"),
    "d. del.": ("District of Delaware", "Delaware", "Wilmington"),
    "3d cir.": ("Philadelphia", "Delaware"),
    "m.d. tenn.": ("Middle District of Tennessee", "Nashville", "Tennessee"),
    "6th cir.": ("Cincinnati", "Tennessee"),
    "d.d.c.": ("Washington, D.C.", "District of Columbia"),
    "d.c. cir.": ("Washington, D.C.", "District of Columbia"),
    "d. mass.": ("District of Massachusetts", "Boston", "Massachusetts"),
    "n.d. ill.": ("Northern District of Illinois", "Chicago", "Illinois"),
    "w.d. wash.": ("Western District of Washington", "Seattle",),
    "n.d. tex.": ("Northern District of Texas", "Dallas", "Texas"),
    "s.d. tex.": ("Southern District of Texas", "Houston", "Texas"),
    "w.d. tex.": ("Western District of Texas", "San Antonio", "Texas"),
    "e.d. tex.": ("Eastern District of Texas", "Texas",),
    "s.d. fla.": ("Miami", "Florida"),
    "n.d. ga.": ("Atlanta", "Georgia"),
}


def court_seats(question: str, courts: frozenset[str]) -> list[str]:
    """The places in ``question`` where one of ``courts`` sits; not a place that opens a longer
    name ("the New York Times", "a Washington Post report")."""
    places = {p for c in courts for p in _SEATS.get(court_key(c), ())}
    return sorted(p for p in places if re.search(r"\b%s\b(?!\s+[A-Z])" % re.escape(p), question))


_COURT_WORD = r"\b(?:court|judges?|bench|case|lawsuit|suit|ruling|order|opinion)\b"


def seat_describes(question: str, court: str) -> bool:
    """Does the question describe ``court`` by where it sits ("the Tennessee court", "a judge in
    San Francisco")? A place beside no court word ("why New York over California?") does not."""
    return any(_beside_a_court_word(place).search(question) for place in court_seats(question, frozenset({court})))


@lru_cache(maxsize=256)
def _beside_a_court_word(place: str) -> re.Pattern:
    """``place`` within a few words of a court word, before or after it."""
    p = re.escape(place)
    return re.compile(rf"\b{p}\b(?:\s+\S+){{0,2}}?\s+{_COURT_WORD}|{_COURT_WORD}(?:\s+\S+){{0,3}}?\s+{p}\b", re.I)


_ANY_PLACE = re.compile(r"\b(?:%s)\b(?!\s+[A-Z])" % "|".join(
    sorted({re.escape(p) for seats in _SEATS.values() for p in seats}, key=len, reverse=True)))


_PLACES = frozenset(p.lower() for seats in _SEATS.values() for p in seats)


def is_place(words: str) -> bool:
    """Is ``words`` a place a court sits in ("California", "San Francisco")?"""
    return words.lower() in _PLACES


def without_places(question: str) -> str:
    """``question`` with the places courts sit in taken out, where they name the place and not a
    longer name: "why New York over California?" names no party, "the New York Times" does."""
    return _ANY_PLACE.sub(" ", question)


_ASKS_COURT = re.compile(r"\b(?:which|what)\s+(?:\w+\s+)?court\b|\bwho\s+(?:decided|ruled)\b", re.I)


def asks_court(question: str) -> bool:
    """Does the question ask which court decided ("Which court decided that?")?"""
    return bool(_ASKS_COURT.search(question))
