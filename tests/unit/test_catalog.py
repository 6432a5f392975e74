"""The catalogue's rules: official sites for court and government documents, allowed hosts,
publishers for news, file names that stay inside the destination (corpus/catalog.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from corpus.catalog import PUBLISHER_DOMAINS, CatalogError, is_official, link_problem, load_catalog
from legalqa.errors import LegalqaError
from tests.conftest import ROOT


def test_every_court_or_government_entry_links_to_an_official_site():
    entries = load_catalog()
    assert len(entries) >= 40
    for e in entries:
        if e.is_government:
            assert is_official(e.url), e.id
            assert e.download is None or is_official(e.download), e.id
        if e.kind == "news":
            assert e.publisher and e.url.startswith("https://"), e.id
        for link in filter(None, (e.url, e.download)):
            assert link_problem(link, e.allowed_domains) is None, e.id


def test_every_listed_publisher_is_used_by_a_news_entry():
    """The publishers' hosts are listed one by one; a host no entry uses would only widen what may be fetched."""
    news_hosts = {urlsplit(e.url).hostname for e in load_catalog() if e.kind == "news"}
    assert {d for d in PUBLISHER_DOMAINS if any(h == d or h.endswith("." + d) for h in news_hosts)} == set(PUBLISHER_DOMAINS)


def test_catalogue_covers_the_reference_mirror_with_hashes():
    import csv

    files = {e.file: e for e in load_catalog() if e.sha256}
    manifest = ROOT.parent / "shared" / "corpus-real" / "MANIFEST.tsv"
    if manifest.is_file():
        with open(manifest, newline="") as fh:
            paths = {row["path"] for row in csv.DictReader(fh, delimiter="\t")}
        assert paths <= set(files)
    assert len(files) >= 24
    ids = {e.id for e in load_catalog()}
    for needed in ("usco-2024-07-31-ai-report-part-1", "usco-2025-01-29-ai-report-part-2",
                   "usco-2025-05-09-ai-report-part-3", "usco-2023-02-21-zarya-of-the-dawn",
                   "usco-2023-03-16-registration-guidance", "warhol-v-goldsmith-2023", "authors-guild-v-google-2015"):
        assert needed in ids


def test_unofficial_court_url_is_refused(tmp_path):
    bad = tmp_path / "catalog.toml"
    bad.write_text('[[document]]\nid = "x"\ntitle = "X"\nkind = "order"\nurl = "https://example.com/x.pdf"\n')
    with pytest.raises(ValueError, match="not on an official site"):
        load_catalog(bad)


def test_sample_pdfs_match_their_sources():
    """corpus/make_pdfs.py regenerates the committed PDFs byte for byte, and pypdf reads them."""
    import importlib.util

    from pypdf import PdfReader

    spec = importlib.util.spec_from_file_location("make_pdfs", ROOT / "corpus" / "make_pdfs.py")
    make_pdfs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_pdfs)
    sources = sorted((ROOT / "corpus" / "src").glob("*.md"))
    assert len(sources) >= 5
    for source in sources:
        pdf = ROOT / "corpus" / "sample" / (source.stem + ".pdf")
        assert pdf.read_bytes() == make_pdfs.build(source), pdf.name
        text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
        assert "(project-written summary)" in text, pdf.name
    first = " ".join(PdfReader(ROOT / "corpus/sample/tremblay-v-openai-brief.pdf").pages[0].extract_text().split())
    assert "(Judge Araceli Martínez-Olguín)" in first  # WinAnsi accents survive
    assert "Bus. & Prof. Code § 17200" in first


def test_a_summary_says_so_on_its_card_and_in_its_citation():
    from chatbot.render import source_card
    from chatbot.types import Citation
    from ingest.types import SourceDocument

    doc = SourceDocument(source="concord-v-anthropic-brief.pdf", title="Concord v. Anthropic: case brief (project-written)",
                         kind="summary", case_name="Concord Music Group, Inc. v. Anthropic PBC", court="N.D. Cal.",
                         docket="5:24-cv-03811-EKL", date="2025-03-26", sha256="0" * 64, n_pages=3, paged=True)
    assert doc.cite(2) == "Concord v. Anthropic: case brief (project-written), at 2"
    c = Citation(n=1, source=doc.source, title=doc.title, page=2, quote="no preliminary injunction",
                 chunk_id="c1", cite=doc.cite(2), kind="summary")
    card = source_card(c, doc)
    assert "project-written summary · N.D. Cal. · 2025-03-26 · p. 2" in card


@pytest.mark.parametrize(("link", "problem"), [
    ("http://127.0.0.1:8080/1.html", "http://127.0.0.1:8080/1.html is not an https address (scheme 'http'); only https is fetched"),
    ("https://unlisted.example/story", "unlisted.example is not an allowed host (allowed: "),
])
def test_catalogue_with_a_news_link_off_the_publisher_list_is_refused(tmp_path, link, problem):
    """Finding 1 at load time: news entries are no longer exempt from the host list."""
    bad = tmp_path / "catalog.toml"
    bad.write_text(f'[[document]]\nid = "story"\ntitle = "S"\nkind = "news"\npublisher = "P"\nurl = "{link}"\n')
    with pytest.raises(CatalogError) as caught:
        load_catalog(bad)
    assert str(caught.value).startswith(f"catalog.toml: 'story' (news): {problem}")


@pytest.mark.parametrize(("file", "problem"), [
    ("/tmp/evil.pdf", "is an absolute path; it must be relative to the destination folder"),
    ("../../evil.pdf", "climbs out of the destination folder with '..'"),
    ("court/../../evil.pdf", "climbs out of the destination folder with '..'"),
    ("court\\..\\..\\evil.pdf", "has a backslash or a NUL character; folders are separated with '/'"),
    ("court/..", "climbs out of the destination folder with '..'"),
])
def test_catalogue_with_a_file_outside_the_destination_is_refused(tmp_path, file, problem):
    """Finding 2 at load time: the entry is named, with what is wrong with its file."""
    bad = tmp_path / "catalog.toml"
    bad.write_text('[[document]]\nid = "escape"\ntitle = "E"\nkind = "order"\nurl = "https://www.govinfo.gov/e.pdf"\n'
                   f'download = "https://www.govinfo.gov/e.pdf"\nfile = \'{file}\'\n')  # a literal string: no escapes
    with pytest.raises(CatalogError) as caught:
        load_catalog(bad)
    assert str(caught.value) == f"catalog.toml: 'escape': file '{file}' {problem}"


def test_a_broken_catalogue_is_an_error_for_the_user(tmp_path):
    """The CLI reports any LegalqaError as a message; CatalogError stays a ValueError too."""
    bad = tmp_path / "catalog.toml"
    bad.write_text("[[document]\n")
    with pytest.raises(CatalogError) as caught:
        load_catalog(bad)
    assert isinstance(caught.value, LegalqaError) and isinstance(caught.value, ValueError)
    assert str(caught.value).startswith(f"cannot read the catalogue {bad}: ")
