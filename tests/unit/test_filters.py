"""Filters as users type them: dates in the usual forms, courts by name, abbreviation or state."""

from __future__ import annotations

import pytest

from chatbot.filters import parse_date, resolve_court
from chatbot.types import Filters, FilterError
from ingest.types import SourceDocument
from legalqa.errors import LegalqaError


def doc(court: str | None = None, date: str | None = None, **fields) -> SourceDocument:
    return SourceDocument(source="x.txt", title="X", sha256="0", court=court, date=date, **fields)


@pytest.mark.parametrize(("typed", "start", "end"), [
    ("2025-06-05", "2025-06-05", "2025-06-05"),
    ("2025-06", "2025-06-01", "2025-06-30"),
    ("2025", "2025-01-01", "2025-12-31"),
    ("June 2025", "2025-06-01", "2025-06-30"),
    ("Jun 2025", "2025-06-01", "2025-06-30"),
    ("Sept. 2025", "2025-09-01", "2025-09-30"),
    ("June 5, 2025", "2025-06-05", "2025-06-05"),
    ("5 June 2025", "2025-06-05", "2025-06-05"),
    ("6/5/2025", "2025-06-05", "2025-06-05"),  # US order: month/day/year
    ("2024-02", "2024-02-01", "2024-02-29"),
])
def test_a_from_date_starts_and_a_to_date_ends_the_period_typed(typed, start, end):
    filters = Filters.from_form([], None, None, typed, typed)
    assert (filters.date_from, filters.date_to) == (start, end)


@pytest.mark.parametrize(("typed", "why"), [
    ("2025-13-45", "no month 13"),
    ("2025-02-30", "February 2025 has 28 days"),
    ("June 31, 2025", "June 2025 has 30 days"),
    ("soon", "not a date legalqa can read"),
    ("Smarch 2025", "not a date legalqa can read"),
])
def test_an_impossible_or_unreadable_date_names_the_field_the_value_and_the_forms(typed, why):
    with pytest.raises(FilterError) as caught:
        Filters.from_form(date_to=typed)
    message = str(caught.value)
    assert message.startswith(f"To date '{typed}'") and why in message
    assert "YYYY-MM-DD" in message and "June 2025" in message and "pydantic" not in message


def test_the_plain_constructor_checks_the_same_and_its_error_is_for_the_user():
    with pytest.raises(FilterError, match="^From date '2025-13-45'") as caught:
        Filters(date_from="2025-13-45")
    assert isinstance(caught.value, LegalqaError) and isinstance(caught.value, ValueError)
    assert "validation error" not in str(caught.value)
    assert Filters(date_from="June 2025").date_from == "2025-06-01"


def test_from_after_to_is_an_error():
    with pytest.raises(FilterError, match=r"From date \(2025-07-01\) is after the To date \(2025-06-30\)"):
        Filters.from_form(date_from="July 2025", date_to="June 2025")
    assert Filters.from_form(date_from="June 2025", date_to="June 2025").date_to == "2025-06-30"


def test_unknown_kind_and_unknown_field_are_clean_errors():
    with pytest.raises(FilterError, match="unknown document kind 'memo'"):
        Filters.from_form(kinds=["memo"])
    with pytest.raises(FilterError, match="^filter 'judge': Extra inputs"):
        Filters(judge="Alsup")


def test_blanks_are_no_filter():
    filters = Filters.from_form([], "  ", "", "", None)
    assert not filters.active()
    assert Filters.from_form(None, " Kadrey ", None, None, None).case == "Kadrey"


def test_june_2025_finds_a_decision_of_june_23():
    june = Filters.from_form(date_from="June 2025", date_to="June 2025")
    assert june.matches(doc(date="2025-06-23"))
    assert not june.matches(doc(date="2025-07-01")) and not june.matches(doc(date=None))
    assert Filters.from_form(date_from="June 2025").matches(doc(date="2025"))  # a year overlaps its months


@pytest.mark.parametrize(("typed", "court"), [
    ("Delaware", "D. Del."),
    ("D. Del.", "D. Del."),
    ("District of Delaware", "D. Del."),
    ("N.D. Cal", "N.D. Cal."),
    ("N.D. Cal.", "N.D. Cal."),
    ("Northern District of California", "N.D. Cal."),
    ("ndcal", "N.D. Cal."),
    ("California", "N.D. Cal."),
    ("California", "C.D. Cal."),
    ("9th Cir.", "9th Cir."),
    ("Ninth Circuit", "9th Cir."),
    ("SDNY", "S.D.N.Y."),
    ("Southern District of New York", "S.D.N.Y."),
    ("2nd Cir.", "2d Cir."),
    ("D.C. Cir.", "D.C. Cir."),
    ("J.P.M.L.", "J.P.M.L."),
    ("Ohio", "S.D. Ohio"),  # a state whose name is also its supreme court's citation
    ("Ohio", "Ohio"),
])
def test_a_court_by_name_abbreviation_or_state_matches_its_citation_form(typed, court):
    assert Filters.from_form(court=typed).matches(doc(court=court))


@pytest.mark.parametrize(("typed", "court"), [
    ("Delaware", "N.D. Cal."),
    ("N.D. Cal.", "C.D. Cal."),
    ("District of Delaware", "S.D.N.Y."),
    ("California", "9th Cir."),  # a court of appeals sits in a state but is not that state's court
    ("Ninth Circuit", "N.D. Cal."),
])
def test_a_court_does_not_match_another(typed, court):
    assert not Filters.from_form(court=typed).matches(doc(court=court))


def test_a_court_nothing_knows_is_not_an_error_but_the_note_says_so():
    filters = Filters.from_form(court="Narnia High Court")
    assert not filters.matches(doc(court="N.D. Cal."))
    assert filters.describe() == "court 'Narnia High Court' (which matched no known court)"
    assert Filters(court="ndcal").describe() == "court 'ndcal' (N.D. Cal.)"
    assert Filters(court="N.D. Cal.").describe() == "court 'N.D. Cal.'"


def test_court_resolution_is_cached_per_string():
    resolve_court.cache_clear()
    resolve_court("Delaware")
    resolve_court("Delaware")
    assert resolve_court.cache_info().hits == 1


def test_parse_date_rounds_by_end():
    assert parse_date("2025", end=False, field="From") == "2025-01-01"
    assert parse_date("2025", end=True, field="To") == "2025-12-31"
