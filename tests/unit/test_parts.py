"""Which parts of a several-part question the chosen quotes answer."""

from __future__ import annotations

import pytest

from chatbot.candidates import Candidate
from chatbot.extractive import ExtractiveAnswerer
from chatbot.parts import answers_part
from chatbot.types import Evidence
from ingest.types import Chunk, SourceDocument

_KADREY = SourceDocument(source="kadrey.txt", title="Order on fair use", case_name="Kadrey v. Meta Platforms, Inc.",
                         sha256="0" * 64)


def _quote(text: str, document: SourceDocument | None = None) -> Candidate:
    chunk = Chunk(chunk_id=text[:8], source="kadrey.txt", title="Order", page=3, start=0, end=len(text), text=text,
                  doc_sha256="0" * 64, document=document)
    return Candidate(0, Evidence(chunk=chunk, score=1.0), 0, len(text), text, probability=0.5, window=(0, len(text)))


def _answers(part: str, quote: Candidate, weights: dict[str, float]) -> bool:
    return answers_part(part, weights, quote, ExtractiveAnswerer.coverage)


def test_a_part_is_answered_by_most_of_its_words():
    weights = {"scan": 2.0, "book": 1.0, "purchas": 1.0}
    assert _answers("what about the purchased books that were scanned",
                    _quote("Scanning the purchased print books was a fair use."), weights)
    assert not _answers("what about the purchased books that were scanned",
                        _quote("The pirated copies were kept in a central library."), weights)


def test_which_side_won_is_answered_by_a_holding_not_by_its_words():
    weights = {"side": 1.5, "won": 2.0}
    assert _answers("which side won", _quote("Meta is entitled to summary judgment on its fair use defense."), weights)
    assert not _answers("which side won", _quote("Thirteen authors sued Meta over the books used to train Llama."),
                        weights)


def test_a_court_part_is_answered_by_a_quote_naming_a_court():
    assert _answers("in which court", _quote("The actions are transferred to the Southern District of New York."), {})
    assert not _answers("in which court", _quote("Twelve actions are pending."), {})


def test_the_quoted_case_answers_for_its_own_name():
    weights = {"bartz": 3.0, "appli": 1.0}
    said = "In sum, the first factor points against fair use for the pirated library copies."
    assert _answers("how did the Bartz court apply it", _quote(said, _KADREY.model_copy(
        update={"case_name": "Bartz v. Anthropic PBC"})), weights)
    assert not _answers("how did the Bartz court apply it", _quote(said, _KADREY), weights)



def test_a_part_that_describes_a_court_is_answered_by_that_courts_ruling():
    appeal = SourceDocument(source="dccir.txt", title="Opinion", case_name="Thaler v. Perlmutter", court="D.C. Cir.",
                            sha256="0" * 64)
    trial = SourceDocument(source="ddc.txt", title="Opinion", case_name="Thaler v. Perlmutter", court="D.D.C.",
                           sha256="1" * 64)
    weights = {"appeal": 1.0, "add": 3.0}
    ruled = "We affirm the denial of Dr. Thaler's copyright application."
    assert _answers("what did the appeals court add", _quote(ruled, appeal), weights)
    assert not _answers("what did the appeals court add", _quote(ruled, trial), weights)  # another court's
    assert not _answers("what did the appeals court add", _quote("Thaler applied in 2018.", appeal), weights)


def test_a_verbs_irregular_form_covers_it():
    from chatbot.parts import coverage

    weights = {"spend": 2.0, "book": 1.0}
    assert coverage(weights, "Anthropic spent many millions of dollars to purchase print books.") == 1.0
    assert coverage(weights, "Anthropic bought print books.") == pytest.approx(1 / 3)
