import pytest

from ingest.formats.base import Extracted
from ingest.formats.text import split_ecf_pages
from ingest.loaders import (
    SUPPORTED_SUFFIXES,
    IngestError,
    load_file,
    loader_for,
    register_loader,
    title_from_filename,
    unregister_loader,
)
from tests.corpus_fixture import NEWS_HTML, order_text
from ingest.types import Page
from legalqa.errors import LegalqaError
from tests.pdfs import write_pdf


def test_ecf_stamps_split_pages_and_are_removed():
    pages = split_ecf_pages(order_text())
    assert [p.number for p in pages] == [1, 2, 3]
    assert pages[0].text.startswith("UNITED STATES DISTRICT COURT")
    assert "Document 88" not in " ".join(p.text for p in pages)
    # The next page's number, printed after the stamp, starts the next page.
    assert pages[1].text.startswith("2 The court holds")


def test_loaded_pages_are_clean_and_carry_headings(tmp_path):
    path = tmp_path / "order.txt"
    path.write_text(order_text())
    loaded = load_file(path, "order.txt")
    assert loaded.pages[1].text.startswith("The court holds")  # the printed page number is furniture
    assert [h.text for h in loaded.pages[0].headings] == ["Introduction"]


def test_page_number_glued_to_the_total_is_not_part_of_it():
    text = "one USCA Case #23-5233 Document #2106229 Filed: 03/18/2025 Page 1 of 242 two " \
           "USCA Case #23-5233 Document #2106229 Filed: 03/18/2025 Page 2 of 243 three " \
           "USCA Case #23-5233 Document #2106229 Filed: 03/18/2025 Page 3 of 24"
    pages = split_ecf_pages(text)
    assert [(p.number, p.text) for p in pages] == [(1, "one"), (2, "2 two"), (3, "3 three")]


def test_text_without_stamps_is_one_unpaged_page():
    pages = split_ecf_pages("Just a note. Page 3 of the brief says so.")
    assert [(p.number, p.text) for p in pages] == [(None, "Just a note. Page 3 of the brief says so.")]


def test_pdf_keeps_page_numbers(tmp_path):
    path = write_pdf(tmp_path / "b.pdf", ["alpha page", "beta page"])
    loaded = load_file(path, "b.pdf")
    assert [(p.number, p.text) for p in loaded.pages] == [(1, "alpha page"), (2, "beta page")]
    assert loaded.document.paged and loaded.document.n_pages == 2


def test_html_drops_scripts_and_styles(tmp_path):
    path = tmp_path / "n.html"
    path.write_text(NEWS_HTML)
    loaded = load_file(path, "n.html")
    assert loaded.document.title == "Studios object to video model"
    text = loaded.pages[0].text
    assert "cease-and-desist" in text
    assert "__pwned" not in text and "injected" not in text and "color" not in text


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.txt", b"", "the file is empty"),
        ("binary.txt", b"\x00\x01\x02abc", "binary content"),
        ("fake.pdf", b"this is not a pdf at all", "not a readable PDF"),
        ("data.csv", b"a,b", "unsupported file type '.csv'"),
        ("blank.pdf", None, "no text layer (a scanned PDF needs OCR first)"),
    ],
)
def test_bad_files_raise_ingest_error_naming_the_file(tmp_path, name, content, reason):
    path = tmp_path / name
    if content is None:
        write_pdf(path, [""])
    else:
        path.write_bytes(content)
    with pytest.raises(IngestError) as err:
        load_file(path, name)
    assert err.value.path == name
    assert reason in err.value.reason


def test_non_utf8_text_is_decoded(tmp_path):
    path = tmp_path / "w.txt"
    path.write_bytes("The court’s order — § 107".encode("cp1252"))
    assert load_file(path, "w.txt").pages[0].text == "The court’s order — § 107"


def test_title_from_filename():
    from pathlib import Path

    assert title_from_filename(Path("bartz-v-anthropic_2025-06-23_order-on-fair-use.pdf")) == (
        "Bartz v. Anthropic, 2025-06-23, order on fair use"
    )


def test_missing_pages_keep_the_numbers_of_the_pages_present():
    stamp = "Case 3:23-cv-03417-VC Document 598 Filed 06/25/25 Page {} of 40"
    text = " ".join(f"body {n} {stamp.format(n)}" for n in (1, 2, 17, 36, 40))
    assert [p.number for p in split_ecf_pages(text)] == [1, 2, 17, 36, 40]


def test_markdown_is_read_as_text_with_its_heading_as_title(tmp_path):
    path = tmp_path / "brief.md"
    path.write_text("# Smith v. Acme — brief\n\n## Holdings\n\nThe use was **fair**, see [the order](http://x/y.pdf) at *9*.\n> Quoted.\n"
                    "- first item\n- second item.\n1. numbered\n")
    loaded = load_file(path, "brief.md")
    assert loaded.document.title == "Smith v. Acme — brief"
    assert loaded.pages[0].text == (
        "Smith v. Acme — brief. Holdings. The use was fair, see the order at 9. Quoted. "
        "first item. second item. numbered."
    )


class ToyLoader:
    """A made-up format: pages separated by form feeds, the first line the title."""

    suffixes = frozenset({".toy"})

    def read(self, data: bytes, source: str) -> Extracted:
        text = data.decode()
        pages = [Page(number=n, text=page.strip()) for n, page in enumerate(text.split("\f"), start=1)]
        return Extracted(pages=pages, title=text.splitlines()[0])


def test_a_new_format_is_one_loader_class_and_one_registry_entry(tmp_path):
    path = tmp_path / "memo.toy"
    path.write_text("Zebra memo\nThe first page.\fThe second page.")
    assert loader_for(path) is None
    with pytest.raises(IngestError, match="unsupported file type '.toy'"):
        load_file(path, "memo.toy")
    toy = register_loader(ToyLoader())
    try:
        assert loader_for(tmp_path / "MEMO.TOY") is toy and ".toy" in SUPPORTED_SUFFIXES
        loaded = load_file(path, "memo.toy")
        assert [(p.number, p.text) for p in loaded.pages] == [(1, "Zebra memo The first page."), (2, "The second page.")]
        assert loaded.document.title == "Zebra memo" and loaded.document.n_pages == 2
    finally:
        unregister_loader(toy)
    assert loader_for(path) is None and ".toy" not in SUPPORTED_SUFFIXES


def test_a_suffix_keeps_its_loader():
    with pytest.raises(ValueError, match=r"\.pdf already read by PdfLoader"):
        register_loader(type("OtherPdf", (ToyLoader,), {"suffixes": frozenset({".pdf"})})())
    assert type(loader_for("x.pdf")).__name__ == "PdfLoader"


def test_ingest_errors_are_errors_for_the_user(tmp_path):
    with pytest.raises(LegalqaError) as err:
        load_file(tmp_path / "note.docx", "note.docx")
    assert isinstance(err.value, IngestError) and str(err.value) == "note.docx: unsupported file type '.docx'"


def test_a_split_word_in_the_caption_title_is_joined(tmp_path):
    """The title is read from the caption before cleaning; its split words are joined as the text's are."""
    text = ("UNITED STATES DISTRICT COURT NORTHERN DISTRICT OF CALIFORNIA\nSARAH ANDERSEN, et al., Plaintiffs, "
            "v. STABILITY AI LTD., et al., Defendants.\nCase No. 23-cv-00201-WHO\nORDER ON MOTION S TO DISMISS AND "
            "STRIKE\n" + "The motions to dismiss are granted in part. " * 5 + "Motions like these are common.\n")
    path = tmp_path / "andersen-v-stability_2023-10-30_order.txt"
    path.write_text(text, encoding="utf-8")
    title = load_file(path, path.name).document.title
    assert "Motions to Dismiss" in title and "Motion S" not in title


def test_the_code_s_editorial_notes_are_not_the_statute_s_text(tmp_path):
    """USLM: a section's text is indexed; its notes (a 1976 report's superseded figures) are not."""
    path = tmp_path / "usc17.xml"
    path.write_text(
        '<uscDoc xmlns="http://xml.house.gov/schemas/uslm/1.0"><meta><title>Title 17</title></meta><main>'
        "<section><num>§ 504.</num><heading>Remedies for infringement</heading><content>statutory damages "
        "in a sum of not less than $750 or more than $30,000 as the court considers just.</content>"
        '<notes type="uscNote"><note><p>the court is obliged to award between $250 and $10,000.</p></note></notes>'
        "</section><section><num>§ 505.</num><content>Costs and attorney's fees.</content></section></main></uscDoc>",
        encoding="utf-8")
    document = load_file(path, path.name)
    text = " ".join(p.text for p in document.pages)
    assert document.document.title == "Title 17, United States Code"
    assert "not less than $750" in text and "Costs and attorney's fees." in text
    assert "$250 and $10,000" not in text
