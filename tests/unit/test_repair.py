"""Rejoining words split by text extraction (ingest/repair.py), as the cleaning step applies it."""

from __future__ import annotations

import pytest

from bench.repairs import find_repairs
from ingest.cleaning import strip_running_heads
from ingest.loaders import clean_pages, load_file
from ingest.repair import Vocabulary, repair_pages
from ingest.types import Page


def repaired(*texts: str) -> list[str]:
    pages, _ = repair_pages([Page(number=n, text=t) for n, t in enumerate(texts, 1)])
    return [p.text for p in pages]


@pytest.mark.parametrize(("split", "joined"), [
    ("Plaint iffs allege that", "Plaintiffs allege that"),
    ("the W orks at issue", "the Works at issue"),
    ("let alone diminish ing the value", "let alone diminishing the value"),
    ("books an d lyrics", "books and lyrics"),
    ("an omi ssion of fact", "an omission of fact"),
    ("to s tate a claim", "to state a claim"),  # "s" starts "state", not "tos"
    ("its ruling s on contributory liability", "its rulings on contributory liability"),
    ("copyrighted “cop ies” of the works", "copyrighted “copies” of the works"),
    ("the Plai nti ffs argue", "the Plaintiffs argue"),  # three parts
    ("ORDER ON MOTION S TO DISMISS", "ORDER ON MOTIONS TO DISMISS"),
    ("EFFECTIVE DATE OF 1995 A MENDMENT", "EFFECTIVE DATE OF 1995 AMENDMENT"),
    ("based on ly on the works", "based only on the works"),  # "only", not "lyon"
    ("infringed the se specified works", "infringed these specified works"),
])
def test_split_words_are_joined(split, joined):
    assert repaired(split) == [joined]


@pytest.mark.parametrize("text", [
    "put it in to the record", "a part of the work", "published on line and in print",
    "be cause for concern", "for ever after", "appearing pro se", "unlawful per se",
    "the same sum in equitable restitution", "all rights holders in its sector",
    "Compl. Ex. B at 2", "Exhibit J at 5", "Room S– 3323", "See John S. McCain Act",
    "Queen City Pizza, Inc. v. Domino s Pizza, Inc.",  # a lost apostrophe, not "Dominos"
    "the Motion S was filed",  # "MotionS" is no word; "Motions" would be a guess
    "after a rea - sonable effort",  # a word broken at a spaced hyphen, not "area"
    "Dkt. Nos. 112 & 11 5 and 56 6",  # numbers are never joined
    "in a new way", "may be held", "(a) and (d) apply",
])
def test_legitimate_text_is_left_alone(text):
    assert repaired(text) == [text]


def test_the_documents_own_vocabulary_decides_a_name():
    assert repaired("Plaintiff Kad rey alleges") == ["Plaintiff Kad rey alleges"]
    assert repaired("Plaintiff Kad rey alleges", "Kadrey v. Meta") == ["Plaintiff Kadrey alleges", "Kadrey v. Meta"]


def test_a_stray_first_letter_needs_the_word_in_the_document_unless_it_is_common():
    assert repaired("But t he Complaint") == ["But the Complaint"]  # "the" is very common
    assert repaired("filed B at noon") == ["filed B at noon"]  # a label, not "Bat"
    # "raining" is a word: "T raining" is "Training" only where the document says "training" unsplit.
    assert repaired("T raining data") == ["T raining data"]
    assert repaired("T raining data", "the training set") == ["Training data", "the training set"]


def test_a_stray_s_after_a_capitalised_word_needs_the_joined_word_in_the_document():
    assert repaired("Defendant s disagree") == ["Defendant s disagree"]
    assert repaired("Defendant s disagree", "Defendants move") == ["Defendants disagree", "Defendants move"]


def test_legal_terms_are_known_words():
    vocabulary = Vocabulary([])
    for word in ("plaintiffs", "infringement", "transformative", "copyrightable", "conclusory", "datasets"):
        assert vocabulary.frequency(word) > 0, word
    assert repaired("not trans formative") == ["not transformative"]


def test_repairs_are_reported_with_page_and_context():
    _, repairs = repair_pages([Page(number=3, text="The Plaint iffs allege"), Page(number=4, text="no split")])
    assert [(r.page, r.before, r.after, r.context) for r in repairs] == [
        (3, "Plaint iffs", "Plaintiffs", "The Plaintiffs allege")]


def test_the_cleaned_page_keeps_every_other_character_so_quotes_stay_verbatim(tmp_path):
    raw = ("1 2 3 4 5 6 7 8 9 10 The Plaint iffs allege that “Stable Diffusion contains compressed cop ies” of "
           "their W orks; defendant s disagree (Dkt. No. 56 6 at 4).")
    path = tmp_path / "order.txt"
    path.write_text(raw)
    text = load_file(path, "order.txt").pages[0].text
    assert text == ("The Plaintiffs allege that “Stable Diffusion contains compressed copies” of "
                    "their Works; defendants disagree (Dkt. No. 56 6 at 4).")
    quote = "“Stable Diffusion contains compressed copies” of their Works"
    assert quote in text
    assert [p.text for p in clean_pages([Page(number=1, text=raw)])] == [text]


def test_running_heads_can_be_stripped_without_repairing():
    pages = [Page(number=1, text="The Plaint iffs allege")]
    assert strip_running_heads(pages, repair_words=False)[0].text == "The Plaint iffs allege"
    assert strip_running_heads(pages)[0].text == "The Plaintiffs allege"


def test_find_repairs_counts_a_folder(tmp_path):
    (tmp_path / "court").mkdir()
    (tmp_path / "court" / "a.txt").write_text("The Plaint iffs an d the W orks.")
    (tmp_path / "b.md").write_text("# Notes\n\nNothing split here.")
    found = find_repairs(tmp_path)
    assert [(r.source, r.page, r.before, r.after) for r in found] == [
        ("court/a.txt", None, "Plaint iffs", "Plaintiffs"),
        ("court/a.txt", None, "an d", "and"),
        ("court/a.txt", None, "W orks.", "Works."),
    ]
