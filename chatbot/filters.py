"""What a user types in a filter, read the way a lawyer means it: dates in the usual forms,
courts by name, abbreviation or state.

Dates become ISO days: a From date is the first day of the period typed ("June 2025" ->
2025-06-01), a To date its last (-> 2025-06-30). Courts are resolved with courts-db to the
citation forms documents carry ("Delaware", "District of Delaware", "ddel" -> "D. Del."),
its 2 MB table read once, on the first court filter, and each typed name resolved once.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from functools import lru_cache

from legalqa.errors import LegalqaError

DATE_FORMS = "YYYY-MM-DD, YYYY-MM, YYYY, June 2025, June 5, 2025, 5 June 2025 or 6/5/2025 (month/day/year)"

_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>[a-z]+)\.?"
_YEAR = r"(?P<year>\d{4})"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_DATE_FORMS = [re.compile(rf"^{form}$", re.IGNORECASE) for form in (
    rf"{_YEAR}(?:[-/.](?P<nmonth>\d{{1,2}})(?:[-/.]{_DAY})?)?",  # 2025, 2025-06, 2025-06-05
    rf"{_MONTH},?\s+{_YEAR}",                                     # June 2025, Jun. 2025
    rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}",                            # June 5, 2025
    rf"{_DAY}\s+{_MONTH},?\s+{_YEAR}",                            # 5 June 2025
    rf"(?P<nmonth>\d{{1,2}})/(?:{_DAY}/)?{_YEAR}",                # 6/5/2025 (US order), 6/2025
)]


class FilterError(LegalqaError, ValueError):
    """A filter value that cannot be read; the message names the field, the value and what is accepted."""

    @classmethod
    def from_validation(cls, exc) -> FilterError:
        """The first problem pydantic found, told without pydantic's dump."""
        error = exc.errors()[0]
        raised = (error.get("ctx") or {}).get("error")
        if isinstance(raised, FilterError):
            return raised
        field = ".".join(str(part) for part in error.get("loc", ())) or "filters"
        return cls(f"filter '{field}': {error.get('msg', 'invalid value')} (got {error.get('input')!r}).")


def parse_date(text: str, *, end: bool, field: str) -> str:
    """``text`` as an ISO day: the first day of the period it names, or the last with ``end``.

    Raises :class:`FilterError` for an impossible or unreadable date ("2025-13-45", "soon")."""
    value = " ".join(str(text).split())
    year, month, day = _date_parts(value)
    if year is None:
        raise FilterError(f"{field} date '{value}' is not a date legalqa can read; use {DATE_FORMS}.")
    if year < 1 or month is not None and not 1 <= month <= 12:
        missing = f"month {month}" if year >= 1 else f"year {year}"
        raise FilterError(f"{field} date '{value}' is not a real date: there is no {missing}; use {DATE_FORMS}.")
    if month is None:
        month = 12 if end else 1
    last = calendar.monthrange(year, month)[1]
    if day is not None and not 1 <= day <= last:
        raise FilterError(f"{field} date '{value}' is not a real date: {calendar.month_name[month]} {year} "
                          f"has {last} days; use {DATE_FORMS}.")
    return date(year, month, day if day is not None else last if end else 1).isoformat()


def _date_parts(value: str) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) of a typed date, None where the form leaves it out; (None, ...) if no form fits."""
    for form in _DATE_FORMS:
        m = form.match(value)
        if not m:
            continue
        parts = m.groupdict()
        if parts.get("month") is not None:
            month = _MONTHS.get(parts["month"].lower())
            if month is None:
                return None, None, None
        else:
            month = int(parts["nmonth"]) if parts.get("nmonth") else None
        day = int(parts["day"]) if parts.get("day") else None
        return int(parts["year"]), month, day
    return None, None, None


def date_span(iso: str | None) -> tuple[str, str] | None:
    """The first and last day of a document's date, which may be a year or a month ('2023' ->
    2023-01-01..2023-12-31); None when it is missing or unreadable."""
    m = re.match(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", iso or "")
    if not m:
        return None
    try:
        return parse_date(m.group(), end=False, field="document"), parse_date(m.group(), end=True, field="document")
    except FilterError:
        return None


# -- courts -------------------------------------------------------------------------------

_ORDINALS = {"first": "1st", "second": "2d", "third": "3d", "fourth": "4th", "fifth": "5th", "sixth": "6th",
             "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th", "eleventh": "11th",
             "2nd": "2d", "3rd": "3d", "circuit": "cir"}
# Federal district courts are named both ways: "S.D. New York", "Southern District of New York".
_DIRECTIONS = {"n": "northern", "s": "southern", "e": "eastern", "w": "western", "c": "central", "m": "middle"}
_FEDERAL_APPEALS = re.compile(r"^ca(\d+|dc|fc)$")  # a court of appeals' location is only its seat
_NATIONAL = {"scotus", "jpml", "cit", "uscfc", "cafc"}


def court_key(text: str | None) -> str:
    """A court name with case, spaces and punctuation gone, and 'Second' and '2nd' read as '2d':
    'N.D. Cal.' and 'ndcal' have the same key."""
    return "".join(_ORDINALS.get(w, w) for w in re.findall(r"[a-z0-9]+", (text or "").lower()))


def _words(text: str) -> str:
    """A court name as lower-case words, with 'N.D.' written out and ordinals as in citations."""
    text = re.sub(r"\b([nsewcm])\.\s*d\.\s*", lambda m: f"{_DIRECTIONS[m.group(1).lower()]} district of ",
                  text.lower())
    text = re.sub(r"\bd\.\s+(?=[a-z])", "district of ", text)
    words = [_ORDINALS.get(w, w) for w in re.findall(r"[a-z0-9]+", text)]
    return " " + " ".join(words) + " "


@lru_cache(maxsize=1)
def _court_table() -> list[tuple[str, set[str], str, str, bool]]:
    """(citation form, keys of its citation forms, name as words, state, in that state) per court,
    federal courts first, and within each, courts still sitting before abolished ones."""
    import courts_db

    table = []
    for court in courts_db.courts:
        citation = (court.get("citation_string") or "").strip()
        if not citation or court.get("type") == "bankruptcy":
            continue
        keys = {court_key(c) for c in [citation, court["id"], *court.get("cites", [])]} - {""}
        local = not _FEDERAL_APPEALS.match(court["id"]) and court["id"] not in _NATIONAL
        table.append((citation, keys, _words(court.get("name") or ""), (court.get("location") or "").lower(), local,
                      (court.get("system") != "federal", _abolished(court))))
    return [row[:5] for row in sorted(table, key=lambda row: (row[5], row[0]))]


def _abolished(court: dict) -> bool:
    """A court that no longer sits (the old federal circuit courts, say): listed after those that do."""
    spans = court.get("dates") or []
    return court.get("active") is False or bool(spans) and all(span.get("end") for span in spans)


@lru_cache(maxsize=1)
def _locations() -> frozenset[str]:
    """Where courts-db says its courts sit, lower case: the states, for a filter typed as a state.
    The District of Columbia is left to the name search: its location also holds national courts."""
    import courts_db

    return frozenset((c.get("location") or "").lower() for c in courts_db.courts) - {""}


@lru_cache(maxsize=1024)
def resolve_court(text: str) -> frozenset[str]:
    """Keys (see :func:`court_key`) of the citation forms of the courts ``text`` names: an
    abbreviation ('N.D. Cal', 'ndcal', '9th Cir.'), a name or part of one ('District of Delaware',
    'Ninth Circuit') or a state ('Delaware': its district and state courts). Empty when none."""
    key = court_key(text)
    if not key:
        return frozenset()
    table = _court_table()
    found = {k for _, keys, _, _, _ in table if key in keys for k in keys}
    plain = " ".join(re.findall(r"[a-z0-9]+", text.lower().replace(".", " ")))
    if plain in _locations():  # "Ohio" is a state as well as the citation of its supreme court
        found |= {k for _, keys, _, where, local in table if local and where == plain for k in keys}
    if found:
        return frozenset(found)
    words = _words(text)
    return frozenset(k for _, keys, name, _, _ in table if words in name for k in keys)


def court_matches(typed: str, court: str | None) -> bool:
    """True when a document of ``court`` (its citation form) is one of the courts ``typed`` names,
    or, as before courts were resolved, ``typed`` is part of it (spaces aside)."""
    if not court:
        return False
    if court_key(court) in resolve_court(typed):
        return True
    return typed.lower().replace(" ", "") in court.lower().replace(" ", "")


def court_citations(typed: str) -> list[str]:
    """The citation forms of the courts ``typed`` names, for describing a filter."""
    keys = resolve_court(typed)
    return list(dict.fromkeys(citation for citation, ks, _, _, _ in _court_table() if ks & keys))
