"""eval/baseline.py: the naive tutorial pipeline answers with an Answer, and reads only the
file types the project reads."""

import pytest

from chatbot.types import Answer
from eval.baseline import NaiveBaseline, naive_ingest, naive_pages
from ingest.loaders import IngestError
from ingest.pipeline import ingest_paths
from ingest.store import ChunkStore
from ingest.types import normalize_whitespace


@pytest.fixture
def baseline(small_corpus, settings, fake_embedder, tmp_path):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    store = ChunkStore(settings)
    store.open(store.build_info())
    baseline = NaiveBaseline({d.source: d for d in store.documents()}, fake_embedder, tmp_path / "naive")
    baseline.build()
    return baseline


def test_the_naive_answer_is_the_top_chunk_cited_once(baseline):
    answer = baseline.ask("What does the amicus brief say about fair use?")
    assert isinstance(answer, Answer) and not answer.abstained
    assert len(answer.retrieved) == 4 and set(answer.timings_ms) == {"retrieve", "answer", "total"}
    [citation] = answer.citations
    top = answer.retrieved[0]
    assert (citation.source, citation.page, citation.chunk_id) == (top.source, top.page, top.chunk_id)
    assert citation.quote == answer.answer
    [chunk] = baseline.get_chunks([top.chunk_id])
    assert chunk.text == answer.answer
    assert normalize_whitespace(answer.answer) in baseline.page_text(top.source, top.page)  # what quotes are checked against


def test_a_file_type_the_project_does_not_read_is_skipped_not_read_as_text(small_corpus, fake_embedder, tmp_path):
    docx = small_corpus / "memo.docx"
    docx.write_bytes(b"PK\x03\x04 word/document.xml fair use")
    with pytest.raises(IngestError, match="unsupported file type '.docx'"):
        naive_pages(docx)
    files = sorted(p for p in small_corpus.rglob("*") if p.is_file())
    report = naive_ingest(files, tmp_path / "naive", fake_embedder)
    assert report["skipped"] == ["manifest.toml", "memo.docx"]
    assert report["files"] == len(files) - 2 and report["chunks"] > 0


def test_a_type_only_a_registered_project_loader_reads_is_not_read_as_text(tmp_path):
    from ingest.loaders import loader_for, register_loader, unregister_loader

    class DocxLoader:
        suffixes = (".docx",)

    docx = tmp_path / "memo.docx"
    docx.write_bytes(b"PK\x03\x04 word/document.xml")
    loader = register_loader(DocxLoader())
    try:
        assert loader_for(docx) is loader
        with pytest.raises(IngestError, match="unsupported file type '.docx'"):
            naive_pages(docx)
    finally:
        unregister_loader(loader)
    assert loader_for(docx) is None
