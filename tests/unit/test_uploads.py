"""Uploads into a copy of the sample index (fake embedder): the same file is indexed once, the
status names every file, an uploaded order is found first for what only it answers, and the
Documents tab's text search sees it."""

from __future__ import annotations

import html
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from chatbot.engine import Engine
from chatbot.uploads import upload_files
from legalqa.settings import Settings
from tests.conftest import ROOT, FakeEmbedder
from tests.pdfs import write_pdf

SAMPLE = ROOT / "corpus" / "sample"
ORDER_PAGES = [
    "UNITED STATES DISTRICT COURT NORTHERN DISTRICT OF CALIFORNIA ZEPHYR BOOKS LLC, Plaintiff, v. QUILL AI INC., "
    "Defendant. Case No. 3:25-cv-09876-RFL ORDER GRANTING MOTION TO COMPEL PRODUCTION OF INGESTION LOGS",
    "Zephyr Books moves to compel Quill AI to produce the ingestion logs that record which books were copied into "
    "its training dataset. The motion is granted. Quill AI shall produce the complete ingestion logs for its "
    "training dataset within thirty days of this order. IT IS SO ORDERED. Dated: October 3, 2025",
]
QUESTION = "When must Quill AI produce the ingestion logs of its training dataset?"


@pytest.fixture
def library(sample_index, tmp_path):
    settings = Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data", embedding_model="fake")
    shutil.copytree(sample_index, settings.index_dir)
    incoming = tmp_path / "gradio"
    engine = Engine(settings, embedder=FakeEmbedder())

    def upload(*files: tuple[str, bytes]) -> str:
        offered = []
        for n, (name, data) in enumerate(files):
            folder = incoming / str(n)  # Gradio gives each file its own folder
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
            offered.append(SimpleNamespace(name=str(folder / name)))
        return upload_files(offered, settings, engine, upload_root=incoming)

    return SimpleNamespace(settings=settings, engine=engine, upload=upload, uploads=settings.data_dir / "uploads")


@pytest.fixture
def order_pdf(tmp_path) -> bytes:
    return write_pdf(tmp_path / "order.pdf", ORDER_PAGES).read_bytes()


def test_the_same_file_uploaded_twice_is_indexed_once(library, order_pdf):
    assert library.upload(("order.pdf", order_pdf)) == "✓ uploads/order.pdf: indexed"
    documents = set(library.engine.documents)
    again = library.upload(("order.pdf", order_pdf))
    assert again == "• order.pdf is already indexed as uploads/order.pdf"
    assert sorted(p.name for p in library.uploads.iterdir()) == ["order.pdf"]
    assert set(library.engine.documents) == documents


def test_a_corpus_file_uploaded_under_another_name_is_not_indexed_again(library):
    data = (SAMPLE / "kadrey-v-meta-brief.md").read_bytes()
    assert library.upload(("kadrey notes.md", data)) == "• kadrey notes.md is already indexed as kadrey-v-meta-brief.md"
    assert not library.uploads.exists() or not list(library.uploads.iterdir())


def test_one_upload_holding_the_same_file_twice_indexes_it_once(library, order_pdf):
    status = library.upload(("order.pdf", order_pdf), ("copy of order.pdf", order_pdf))
    assert status.split("<br>") == ["• copy of order.pdf is already indexed as uploads/order.pdf",
                                    "✓ uploads/order.pdf: indexed"]
    assert [s for s in library.engine.documents if s.startswith("uploads/")] == ["uploads/order.pdf"]


def test_two_users_sending_the_same_file_at_once_index_it_once(library, order_pdf):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(lambda name: library.upload((name, order_pdf)), ["a.pdf", "b.pdf"]))
    first, second = ("a", "b") if "✓ uploads/a.pdf: indexed" in statuses else ("b", "a")
    assert statuses == sorted([f"✓ uploads/{first}.pdf: indexed",
                               f"• {second}.pdf is already indexed as uploads/{first}.pdf"])
    assert [p.name for p in library.uploads.iterdir()] == [f"{first}.pdf"]


def test_the_status_names_each_file_in_full(library, order_pdf, tmp_path):
    library.upload(("order.pdf", order_pdf))
    other = write_pdf(tmp_path / "other.pdf", ["A different order about the ingestion logs of Quill AI."]).read_bytes()
    long_name = "Zephyr Books v. Quill AI - second order on the ingestion logs (corrected).txt"
    status = library.upload(("order.pdf", other), (long_name, b"The corrected order on the ingestion logs of Quill AI."),
                            ("notes.exe", b"MZ"), ("scan.pdf", b"%PDF-1.4 not really"))
    lines = html.unescape(status).split("<br>")
    assert lines[0] == "✗ notes.exe: unsupported file type '.exe' (PDF, text, Markdown, HTML or XML)"
    assert lines[1].startswith("✗ scan.pdf: not a readable PDF")  # named as given, though its copy is gone
    assert lines[2:] == ["✓ uploads/order-2.pdf: indexed (uploaded as order.pdf)", f"✓ uploads/{long_name}: indexed"]
    assert sorted(p.name for p in library.uploads.iterdir()) == sorted(["order.pdf", "order-2.pdf", long_name])


def test_an_uploaded_order_ranks_first_for_what_only_it_answers(library, order_pdf):
    """Retrieval sees an upload at once: upload_files leaves BM25 and the engine's documents fresh."""
    before = library.engine.ask(QUESTION)
    assert "uploads/order.pdf" not in {r.source for r in before.retrieved}
    library.upload(("order.pdf", order_pdf))
    order_chunks = {c.chunk_id for c in library.engine.store.iter_chunks() if c.source == "uploads/order.pdf"}
    assert library.engine.lexical.search(QUESTION, 1)[0][0] in order_chunks
    answer = library.engine.ask(QUESTION)
    assert answer.retrieved[0].source == "uploads/order.pdf"
    assert "uploads/order.pdf" in {c.source for c in answer.citations}


def test_the_answer_leads_with_the_uploaded_order(library, order_pdf):
    library.upload(("order.pdf", order_pdf))
    answer = library.engine.ask(QUESTION)
    assert answer.citations[0].source == "uploads/order.pdf"
    assert "within thirty days" in answer.citations[0].quote


def test_documents_matching_searches_the_text_not_the_titles(library, order_pdf):
    engine = library.engine
    assert set(engine.documents_matching("market dilution")) == {
        "kadrey-v-meta-brief.md", "copyright-office-part-3-training-digest.md", "fair-use-statute-digest.md"}
    # "dilution" alone is also in the Times' trademark count; "market dilution" is not
    assert "nyt-v-openai-brief.md" in engine.documents_matching("dilution")
    assert engine.documents_matching("market dilution", limit=1) == engine.documents_matching("market dilution")[:1]
    assert engine.documents_matching("the of") == [] and engine.documents_matching("zzyzx quux") == []
    assert engine.documents_matching("ingestion logs") == []
    library.upload(("order.pdf", order_pdf))
    assert engine.documents_matching("ingestion logs") == ["uploads/order.pdf"]
