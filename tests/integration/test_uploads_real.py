"""An order uploaded into a copy of the sample index, with the real model: found first at once,
searchable in the Documents tab, and found by a court filter typed as users type it."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest

from chatbot.engine import Engine
from chatbot.types import Filters
from chatbot.uploads import upload_files
from legalqa.settings import Settings
from tests.integration.test_sample_corpus import sample_index  # noqa: F401 - the fixture
from tests.pdfs import write_pdf
from tests.unit.test_uploads import ORDER_PAGES, QUESTION


@pytest.fixture(scope="module")
def uploaded(sample_index, tmp_path_factory):  # noqa: F811
    tmp_path = tmp_path_factory.mktemp("upload")
    settings = Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data")
    shutil.copytree(sample_index, settings.index_dir, ignore=shutil.ignore_patterns("writer.lock"))
    engine = Engine(settings)
    before = engine.ask(QUESTION)
    incoming = tmp_path / "gradio"
    (incoming / "0").mkdir(parents=True)
    pdf = write_pdf(incoming / "0" / "quill-order.pdf", ORDER_PAGES)
    status = upload_files([SimpleNamespace(name=str(pdf))], settings, engine, upload_root=incoming)
    assert status == "✓ uploads/quill-order.pdf: indexed"
    return SimpleNamespace(engine=engine, before=before)


def test_an_uploaded_order_is_retrieved_first_for_what_only_it_answers(uploaded):
    assert "uploads/quill-order.pdf" not in {r.source for r in uploaded.before.retrieved}
    answer = uploaded.engine.ask(QUESTION)
    assert answer.retrieved[0].source == "uploads/quill-order.pdf"
    assert "uploads/quill-order.pdf" in {c.source for c in answer.citations}


PARAPHRASE = "Which company has to hand over its ingestion records, and by when?"


def test_a_paraphrase_retrieves_the_uploaded_order_first(uploaded):
    assert uploaded.engine.ask(PARAPHRASE).retrieved[0].source == "uploads/quill-order.pdf"


def test_the_answer_to_a_paraphrase_leads_with_the_uploaded_order(uploaded):
    assert uploaded.engine.ask(PARAPHRASE).citations[0].source == "uploads/quill-order.pdf"


def test_the_uploaded_order_is_found_by_text_and_by_court(uploaded):
    engine = uploaded.engine
    assert engine.documents_matching("ingestion logs") == ["uploads/quill-order.pdf"]
    for court in ("California", "Northern District of California", "ndcal"):
        answer = engine.ask(QUESTION, filters=Filters.from_form(court=court))
        assert answer.retrieved[0].source == "uploads/quill-order.pdf", court
    assert engine.ask(QUESTION, filters=Filters.from_form(court="Delaware")).retrieved[0].source != \
        "uploads/quill-order.pdf"
