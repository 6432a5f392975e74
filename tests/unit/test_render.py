"""chatbot.render: one renderer per format, each pinned to the exact text a person sees.

A citation the registry knows is named by its legal citation with its pinpoint page; one it
does not know (a removed upload) by its title, the page beside it."""

from __future__ import annotations

import re

import pytest

from chatbot.types import Answer, Citation
from ingest.types import Chunk, Page, SourceDocument

BARTZ = SourceDocument(source="opinions/bartz.txt", title="Order on fair use", kind="opinion",
                       case_name="Bartz v. Anthropic PBC", court="N.D. Cal.", docket="3:24-cv-05417-WHA",
                       date="2025-06-23", sha256="0" * 64, n_pages=2, paged=True, path="/x/opinions/bartz.txt")
BARTZ_CITE = "Bartz v. Anthropic PBC, No. 3:24-cv-05417-WHA (N.D. Cal. June 23, 2025), at 12"


@pytest.fixture
def answer() -> Answer:
    cited = Citation(n=1, source=BARTZ.source, title=BARTZ.title, page=12, quote="exceedingly transformative",
                     chunk_id="c1", cite=BARTZ.cite(12), kind="opinion")
    unknown = Citation(n=2, source="uploads/memo.txt", title="Memo <draft>", page=3, quote="a memo", chunk_id="c2")
    return Answer(question="Was it fair use?", answer="Training was fair use [1].\nSee also [2].", abstained=False,
                  citations=[cited, unknown], rewritten_query="Bartz fair use training", notes=["1 quote removed"])


def test_a_citation_is_named_by_its_cite_else_its_title(answer):
    cited, unknown = answer.citations
    assert cited.label() == cited.label(pinpoint=False) == BARTZ_CITE
    assert unknown.label() == "Memo <draft>, p. 3"
    assert unknown.label(pinpoint=False) == "Memo <draft>"


def test_the_cli_text(answer):
    from chatbot.render import answer_text

    assert answer.render_text() == answer_text(answer) == (
        "(searched for: Bartz fair use training)\n\n"
        "Training was fair use [1].\nSee also [2].\n\n"
        f"Sources:\n[1] {BARTZ_CITE} — opinions/bartz.txt\n[2] Memo <draft>, p. 3 — uploads/memo.txt\n\n"
        "Note: 1 quote removed"
    )
    assert answer.sources_text() == f"[1] {BARTZ_CITE} — opinions/bartz.txt\n[2] Memo <draft>, p. 3 — uploads/memo.txt"


def test_the_cli_source_lines_give_court_date_page_and_file_from_the_documents(answer):
    from chatbot.render import answer_text, sources_text

    brief = SourceDocument(source="bartz-brief.md", title="Bartz v. Anthropic: case brief", kind="summary",
                           case_name="Bartz v. Anthropic PBC", court="N.D. Cal.", date="2025-06-23", sha256="1" * 64)
    summary = Citation(n=3, source=brief.source, title=brief.title, page=None, quote="q", chunk_id="c3",
                       cite=brief.cite(), kind="summary")
    documents = {BARTZ.source: BARTZ, brief.source: brief}
    assert sources_text([*answer.citations, summary], documents) == (
        "[1] Bartz v. Anthropic PBC (N.D. Cal. 2025-06-23), p. 12 — opinions/bartz.txt\n"
        "[2] Memo <draft>, p. 3 — uploads/memo.txt\n"  # not in the index any more: its own label
        "[3] Bartz v. Anthropic: case brief (N.D. Cal. 2025-06-23) — bartz-brief.md"  # a summary, by its title
    )
    assert "[1] Bartz v. Anthropic PBC (N.D. Cal. 2025-06-23), p. 12 — opinions/bartz.txt" in answer_text(answer, documents)


def test_the_chat_html_links_markers_to_escaped_source_cards(answer):
    from chatbot.render import answer_html

    shown = answer_html(answer, {BARTZ.source: BARTZ}, {"c1": "The use was exceedingly transformative here."})
    assert shown == (
        '<div class="answer">'
        '<i class="searched-for">Searched for: Bartz fair use training</i><br><br>'
        '<span class="answer-text">Training was fair use <a href="#source-1" class="cite-marker">[1]</a>.'
        '<br>See also <a href="#source-2" class="cite-marker">[2]</a>.</span><br><br>'
        '<i>Note: 1 quote removed</i><div class="answer-sources"><b>Sources (2)</b>'
        '<details class="source-card" id="source-1"><summary><b>[1]</b> '
        f'<a href="/view/{BARTZ.key}?chunk=c1&amp;quote=exceedingly+transformative#passage" target="_blank">{BARTZ_CITE}</a> '
        '<span class="meta">opinion · N.D. Cal. · 2025-06-23 · p. 12 · <span class="source-file">opinions/bartz.txt'
        '</span></span></summary>'
        '<div class="passage">…The use was <mark>exceedingly transformative</mark> here.…</div></details>'
        '<details class="source-card" id="source-2"><summary><b>[2]</b> <a href="#" target="_blank">Memo &lt;draft&gt;</a> '
        '<span class="meta">other · p. 3 · <span class="source-file">uploads/memo.txt</span></span></summary>'
        '<div class="passage"><mark>a memo</mark></div></details></div></div>'
    )


def test_a_pdf_opens_at_the_cited_page():
    from chatbot.render import document_url

    pdf = BARTZ.model_copy(update={"path": "/x/opinions/bartz.PDF"})
    assert document_url(pdf, 12, "c1") == f"/document/{BARTZ.key}#page=12"
    assert document_url(pdf, None, "c1") == f"/document/{BARTZ.key}"
    assert document_url(None, 12, "c1") == "#"


def test_the_markdown_export(answer):
    from chatbot.render import NOTICE, export_markdown

    assert export_markdown([answer.model_dump()]) == (
        f"# legalqa conversation\n\n_{NOTICE}_\n\n## Was it fair use?\n\n_Searched for: Bartz fair use training_\n\n"
        "Training was fair use \\[1\\].\nSee also \\[2\\].\n\n"
        f"1. {BARTZ_CITE} — “exceedingly transformative” (opinions/bartz.txt)\n"
        "2. Memo &lt;draft> — “a memo” (uploads/memo.txt)\n\n"
        "> Note: 1 quote removed\n"
    )


def test_the_document_page_escapes_the_text_and_marks_the_passage():
    from chatbot.render import document_page

    passage = Chunk(chunk_id="c1", source=BARTZ.source, title=BARTZ.title, page=2, start=4, end=9,
                    text="& thr", doc_sha256="0" * 64)
    pages = [Page(number=1, text="one <b>"), Page(number=2, text="two & three")]
    page = document_page(BARTZ, pages, passage, changed=True)
    assert "<title>Order on fair use</title>" in page
    assert "<p><b>This file has changed since it was indexed; re-ingest it.</b></p>" in page
    assert "<h3 id='page-1'>Page 1</h3><div class='page'><p>one &lt;b&gt;</p></div>" in page
    assert "<h3 id='page-2'>Page 2</h3><div class='page'><p>two <mark id=\"passage\">&amp; thr</mark>ee</p></div>" in page
    assert "changed since" not in document_page(BARTZ, pages, None, changed=False)


def test_the_document_page_marks_the_quote_when_it_is_there_else_the_passage():
    from chatbot.render import Paragraph, document_page

    text = "First <p>aragraph. The court held that training was fair use. Second paragraph."
    passage = Chunk(chunk_id="c1", source=BARTZ.source, title=BARTZ.title, page=None, start=0, end=len(text),
                    text=text, doc_sha256="0" * 64)
    paragraphs = {None: [Paragraph(0, heading=True), Paragraph(text.index("The court")), Paragraph(text.index("Second"))]}
    page = document_page(BARTZ, [Page(number=None, text=text)], passage, changed=False,
                         quote="training  was\nfair use", paragraphs=paragraphs)
    assert ("<div class='page'><p class=\"heading\">First &lt;p&gt;aragraph.</p><p>The court held that "
            "<mark id=\"passage\">training was fair use</mark>.</p><p>Second paragraph.</p></div>") in page
    fallback = document_page(BARTZ, [Page(number=None, text=text)], passage, changed=False, quote="not in it")
    assert f'<p><mark id="passage">First &lt;p&gt;aragraph.{text[18:].replace("<", "&lt;")}</mark></p>' in fallback


def test_a_markdown_file_keeps_its_paragraphs_headings_and_list_items():
    from chatbot.render import markdown_paragraphs
    from ingest.formats.markdown import MarkdownLoader

    raw = "# Title\nCourt: N.D. Cal.\n\n## Facts\n\n- One *fact*\n- Two facts.\n\nA paragraph\nover two lines.\n"
    text = MarkdownLoader().read(raw.encode(), "x.md").pages[0].text
    paragraphs = markdown_paragraphs(raw, text)
    assert [(text[p.start:].split(".")[0], p.heading) for p in paragraphs] == [
        ("Title", True), ("Court: N", False), ("Facts", True), ("One fact", False), ("Two facts", False),
        ("A paragraph over two lines", False)]


def test_the_markdown_export_shows_what_was_typed_and_nothing_more():
    from chatbot.render import export_markdown
    from chatbot.types import Answer, Citation

    answer = Answer(
        question="[click](javascript:alert(1)) <img src=x onerror=alert(2)>",
        answer="It was fair use [1].", abstained=False,
        citations=[Citation(n=1, source="uploads/<b>x</b>.txt", title="[t](javascript:x)", quote="a <script>b",
                            chunk_id="c1", page=1)],
    )
    exported = export_markdown([answer.model_dump()])
    assert not re.search(r"(?<!\\)\]\(", exported), "an unescaped ]( makes a link"
    assert "<img" not in exported and "<script" not in exported
    assert "<b>" not in exported
    assert r"\[click\](javascript:alert(1)) &lt;img" in exported
