import pytest

from ingest.cleaning import clean_page_text, strip_running_heads
from ingest.loaders import load_file
from ingest.metadata import read_sidecar
from ingest.text_metadata import extract_metadata, find_case_name, find_court
from ingest.types import Page, SourceDocument

KADREY_CAPTION = (
    "UNITED STATES DISTRICT COURT NORTHERN DISTRICT OF CALIFORNIA RICHARD KADREY, et al. , Plaintiff s, v. "
    "META PLATFORMS, INC. , Defendant . Case No. 23-cv-03417 -VC ORDER DENYING THE PLAINTIFFS’ MOTION "
    "Re: Dkt. Nos. 482, 501 Companies are presently racing"
)


@pytest.mark.parametrize(
    "caption, case",
    [
        (KADREY_CAPTION, "Kadrey v. Meta Platforms, Inc."),
        ("IN THE UNITED STATES DISTRICT COURT FOR THE DISTRICT OF DELAWARE THOMSON REUTERS ENTERPRISE CENTRE GMBH "
         "and WEST PUBLISHING CORP., Plaintiffs, v. ROSS INTELLIGENCE INC., Defendant. No. 1:20-cv-613-SB",
         "Thomson Reuters Enterprise Centre GmbH v. ROSS Intelligence Inc."),
        ("United States Court of Appeals FOR THE DISTRICT OF COLUMBIA CIRCUIT Argued September 19, 2024 No. 23- 5233 "
         "STEPHEN THALER , AN INDIVIDUAL , APPELLANT v. SHIRA PERLMUTTER , IN HER OFFICIAL CAPACITY, APPELLEES Appeal",
         "Thaler v. Perlmutter"),
        ("UNITED STATES JUDICIAL PANEL on MULTIDISTRICT LITIGATION IN RE: OPENAI, INC., COPYRIGHT INFRINGEMENT "
         "LITIGATION MDL No. 3143 TRANSFER ORDER", "In re OpenAI, Inc., Copyright Infringement Litigation"),
    ],
)
def test_case_names_from_captions(caption, case):
    assert find_case_name(caption) == case


def test_courts_in_citation_form():
    assert find_court(KADREY_CAPTION) == "N.D. Cal."
    assert find_court("IN THE UNITED STATES DISTRICT COURT FOR THE DISTRICT OF DELAWARE") == "D. Del."
    assert find_court("United States Court of Appeals FOR THE DISTRICT OF COLUMBIA CIRCUIT") == "D.C. Cir."
    assert find_court("UNITED STATES DISTRICT COURT MIDDLE DISTRICT OF TENNESSEE NASHVILLE DIVISION") == "M.D. Tenn."


def test_stamp_gives_docket_and_date_signature_gives_judge():
    stamp = "Case 3:23-cv-03417-VC Document 598 Filed 06/25/25 Page 1 of 40"
    meta = extract_metadata(KADREY_CAPTION, f"{KADREY_CAPTION} {stamp}", "IT IS SO ORDERED. VINCE CHHABRIA United States District Judge", "x.txt")
    assert meta["docket"] == "3:23-cv-03417-VC"
    assert meta["date"] == "2025-06-25"
    assert meta["judge"] == "Vince Chhabria"
    assert meta["kind"] == "order"
    # A hyphenated surname split by extraction is rejoined: the judge is named, accents and all.
    from ingest.text_metadata import find_judge
    assert find_judge("IT IS SO ORDERED. ARACELI MARTÍNEZ -OLGUÍN United States District Judge") == (
        "Araceli Martínez-Olguín")


def test_citation_form():
    doc = SourceDocument(source="b.pdf", title="t", sha256="0", case_name="Bartz v. Anthropic PBC",
                         docket="3:24-cv-05417-WHA", court="N.D. Cal.", date="2025-06-23")
    assert doc.cite(12) == "Bartz v. Anthropic PBC, No. 3:24-cv-05417-WHA (N.D. Cal. June 23, 2025), at 12"
    assert doc.model_copy(update={"date": "2025-09-11"}).cite() .endswith("(N.D. Cal. Sept. 11, 2025)")


def test_sidecar_overrides_what_the_text_says(tmp_path):
    root = tmp_path / "corpus"
    (root / "news").mkdir(parents=True)
    page = root / "news" / "story.html"
    page.write_text("<html><head><title>Page title</title></head><body><p>Studios object to the model.</p></body></html>")
    (root / "manifest.toml").write_text(
        '["news/story.html"]\ntitle = "Studios v. ByteDance: the coalition speaks"\nkind = "news"\n'
        'publisher = "Example Wire"\ndate = 2026-02-14\n'
    )
    (page.parent / "story.html.meta.toml").write_text('url = "https://example.org/story"\n')
    meta = read_sidecar(page, root)
    assert meta == {
        "title": "Studios v. ByteDance: the coalition speaks", "kind": "news", "publisher": "Example Wire",
        "date": "2026-02-14", "url": "https://example.org/story",
    }
    doc = load_file(page, "news/story.html", sidecar=meta).document
    assert (doc.title, doc.kind, doc.date, doc.publisher) == (
        "Studios v. ByteDance: the coalition speaks", "news", "2026-02-14", "Example Wire")


def test_bad_sidecar_is_an_error_naming_the_field(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("text")
    (tmp_path / "a.txt.meta.toml").write_text('colour = "red"\n')
    with pytest.raises(ValueError, match="unknown metadata field"):
        read_sidecar(f, tmp_path)


def test_cleaning_removes_line_numbers_stamps_and_line_hyphens():
    raw = ("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 The court’s infor- mation "
           "about the cross -motion Case 3:23-cv-03417-VC Document 598 Filed 06/25/25 Page 2 of 40 continues, "
           "pre- and post-trial, WEST PUBLISH- ING.")
    assert clean_page_text(raw) == (
        "The court’s information about the cross-motion continues, pre- and post-trial, WEST PUBLISHING."
    )


def test_running_heads_and_page_numbers_are_stripped():
    bodies = ["The parties agree.", "Turning to factor one,", "Meta argues that", "In sum", "So ordered."]
    pages = [Page(number=n, text=f"{n} United States District Court Northern District of California {bodies[n - 1]}")
             for n in range(1, 6)]
    assert [p.text for p in strip_running_heads(pages)] == bodies
