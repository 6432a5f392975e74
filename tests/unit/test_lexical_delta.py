"""BM25 updated by a delta after a small ingest: the same answers as a rebuild would give, without
re-tokenizing the index."""

from __future__ import annotations

import pytest

import ingest.lexical as lexical
from ingest.layout import lexical_dir
from ingest.lexical import LexicalIndex
from ingest.pipeline import ingest_paths
from ingest.store import ChunkStore

FAIR_USE = "statute/fair-use.md"


@pytest.fixture
def settings(settings, tmp_path):
    return settings.model_copy(update={"data_dir": tmp_path / "data"})


@pytest.fixture
def tokenized(monkeypatch):
    """How many texts BM25 tokenized, by the lexical module."""
    seen: list[str] = []
    real = lexical.tokenize
    monkeypatch.setattr(lexical, "tokenize", lambda text, **kw: seen.append(text) or real(text, **kw))
    return seen


def open_store(settings) -> ChunkStore:
    store = ChunkStore(settings)
    store.open(store.build_info())
    return store


def add_line(corpus, text: str) -> None:
    path = corpus / FAIR_USE
    path.write_text(path.read_text() + f"\n{text}\n")


def test_a_changed_file_is_searched_through_the_delta_without_rebuilding(small_corpus, settings, fake_embedder,
                                                                        tokenized, monkeypatch):
    monkeypatch.setattr(lexical, "DELTA_SHARE", 1.0)  # the small corpus is all delta otherwise
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    store = open_store(settings)
    before = LexicalIndex.load(lexical_dir(settings))
    assert not before.delta and before.average_length > 0
    assert not before.search("zymurgical brewing", 5)

    add_line(small_corpus, "The zymurgical brewing of beer is no factor of fair use.")
    tokenized.clear()
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    fair_use = [c for c in open_store(settings).iter_chunks() if c.source == FAIR_USE]
    assert len(tokenized) == len(fair_use)  # only the changed document's chunks were tokenized
    after = LexicalIndex.load(lexical_dir(settings))
    assert {entry[0] for entry in after.delta} == {c.chunk_id for c in fair_use}
    assert after.n_chunks == store.count()
    hits = after.search("zymurgical brewing", 5)
    assert hits and after.source_of(hits[0][0]) == FAIR_USE
    assert after.search("zymurgical", 5, sources={"court/other.txt"}) == []

    # The document's old chunks are gone from every search; its new ones rank as a rebuild ranks them.
    rebuilt = lexical.rebuild_lexical(settings, open_store(settings))
    for query in ("fair use factors", "purpose and character of the use", "zymurgical brewing beer"):
        assert [cid for cid, _ in after.search(query, 8)] == [cid for cid, _ in rebuilt.search(query, 8)], query


def test_a_delta_past_its_share_is_folded_in_by_a_rebuild(small_corpus, settings, fake_embedder, monkeypatch):
    monkeypatch.setattr(lexical, "DELTA_SHARE", 0.0)
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    add_line(small_corpus, "A sentence that changes the file.")
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    index = LexicalIndex.load(lexical_dir(settings))
    assert not index.delta and not index.removed and index.n_chunks == open_store(settings).count()


def test_an_index_from_before_the_delta_is_rebuilt_once(small_corpus, settings, fake_embedder, monkeypatch):
    monkeypatch.setattr(lexical, "DELTA_SHARE", 1.0)
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    index = LexicalIndex.load(lexical_dir(settings))
    index.average_length = None  # as written before it was kept
    index.save_rows(lexical_dir(settings))
    add_line(small_corpus, "Another sentence.")
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    again = LexicalIndex.load(lexical_dir(settings))
    assert again.average_length and not again.delta
