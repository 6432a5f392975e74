"""The lost-vector check at each ingest covers the chunks written since the last check, not the
whole index; after a killed ingest, with no record, or on demand it covers every chunk."""

from __future__ import annotations

import pytest

from ingest.pipeline import ingest_paths, recover_index
from ingest.store import ChunkStore
from ingest.vectorcheck import ToCheck, WrittenChunks, to_check_file

FAIR_USE = "statute/fair-use.md"


@pytest.fixture
def settings(settings, tmp_path):
    """Uploads in tmp_path: recovery deletes the files of an uploads folder that are not indexed."""
    return settings.model_copy(update={"data_dir": tmp_path / "data"})


@pytest.fixture
def checked(monkeypatch):
    """Every check of vectors (lost_vectors and repair_vectors go through ChunkStore._lost), as the
    sorted ids it was given (None: every chunk)."""
    calls: list[list[str] | None] = []
    real = ChunkStore._lost

    def spy(self, ids):
        calls.append(None if ids is None else sorted(ids))
        return real(self, ids)

    monkeypatch.setattr(ChunkStore, "_lost", spy)
    return calls


def chunk_ids(settings, source: str | None = None) -> list[str]:
    store = ChunkStore(settings)
    store.open(store.build_info())
    return sorted(c.chunk_id for c in store.iter_chunks() if source is None or c.source == source)


def edit(corpus) -> None:
    path = corpus / FAIR_USE
    path.write_text(path.read_text() + "\nA fifth thought, not a factor.\n")


def hide_from_dense_search(monkeypatch, store: ChunkStore, hidden: set[str], mended_by_writing: bool = True) -> None:
    """Make HNSW miss the chunks ``hidden`` names, as it misses a lost vector, until they are written
    again (or for good, as it misses a vector near-duplicates crowd out, without ``mended_by_writing``)."""
    collection = type(store.chunks)  # an ingest reopens the store's collections: patch their class
    real_query, real_upsert = collection.query, collection.upsert

    def query(self, *args, **kwargs):
        got = real_query(self, *args, **kwargs)
        got["ids"] = [[cid for cid in hits if cid not in hidden] for hits in got["ids"]]
        return got

    def upsert(self, *args, **kwargs):
        if mended_by_writing:
            hidden.difference_update(kwargs.get("ids") or [])
        return real_upsert(self, *args, **kwargs)

    monkeypatch.setattr(collection, "query", query)
    monkeypatch.setattr(collection, "upsert", upsert)


def test_an_incremental_ingest_checks_what_was_written_since_the_last_check(small_corpus, settings, fake_embedder,
                                                                            checked):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    written = chunk_ids(settings)
    assert checked == [None, written]  # a new index has no record (and no chunk); at its end, what it wrote

    edit(small_corpus)
    checked.clear()
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    # At its start, what the first ingest wrote (as a fresh process sees it); at its end, the edit's chunks alone.
    assert checked == [written, chunk_ids(settings, FAIR_USE)]

    checked.clear()
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    assert checked == [chunk_ids(settings, FAIR_USE), []]  # then nothing changed, and nothing is left to check


def test_a_vector_lost_by_an_ingest_is_put_back_by_the_next(small_corpus, settings, fake_embedder, monkeypatch):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    edit(small_corpus)
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    lost = chunk_ids(settings, FAIR_USE)[:1]

    store = ChunkStore(settings)
    store.open(store.build_info())
    hidden = set(lost)
    hide_from_dense_search(monkeypatch, store, hidden)  # lost as the last ingest's process exited
    assert store.lost_vectors() == lost == store.lost_vectors(chunk_ids(settings, FAIR_USE))

    report = ingest_paths([small_corpus], settings=settings, embedder=fake_embedder, store=store)
    assert "put back 1 vector(s) Chroma had lost" in report.repairs and report.recovered
    assert not hidden and store.lost_vectors() == []
    # Put back in this process's memory: the next process checks it again, from disk.
    assert WrittenChunks(settings, 0).read() == ToCheck(lost, put_back=lost, interrupted=False)


def test_a_chunk_missed_again_after_being_put_back_is_let_go(small_corpus, settings, fake_embedder, monkeypatch,
                                                            checked):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    missed = chunk_ids(settings)[:1]
    store = ChunkStore(settings)
    store.open(store.build_info())
    hide_from_dense_search(monkeypatch, store, set(missed), mended_by_writing=False)

    checked.clear()
    first = ingest_paths([small_corpus], settings=settings, embedder=fake_embedder, store=store)
    second = ingest_paths([small_corpus], settings=settings, embedder=fake_embedder, store=store)
    third = ingest_paths([small_corpus], settings=settings, embedder=fake_embedder, store=store)
    assert first.repairs == ["put back 1 vector(s) Chroma had lost"]
    # Missed again once put back: HNSW holds it but does not reach it, and a put-back does not mend that.
    assert second.repairs == third.repairs == []
    assert checked == [chunk_ids(settings), missed, [], missed, [], [], []]
    assert store.lost_vectors() == missed  # a full check still finds it


def test_a_vector_lost_while_an_ingest_writes_is_put_back_at_its_end(small_corpus, settings, fake_embedder,
                                                                     monkeypatch):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    edit(small_corpus)
    store = ChunkStore(settings)
    store.open(store.build_info())
    hidden: set[str] = set()
    real_replace = ChunkStore.replace_documents

    def replace_and_lose_one(self, batch):
        real_replace(self, batch)
        hidden.add(batch[0][1][0].chunk_id)  # HNSW misses the first new chunk once it is written

    monkeypatch.setattr(ChunkStore, "replace_documents", replace_and_lose_one)
    hide_from_dense_search(monkeypatch, store, hidden)
    report = ingest_paths([small_corpus], settings=settings, embedder=fake_embedder, store=store)
    assert report.repairs == ["put back 1 vector(s) Chroma lost while this ingest wrote them"]
    assert not hidden and store.lost_vectors() == []


def test_a_killed_ingest_makes_the_next_one_check_every_chunk(small_corpus, settings, fake_embedder, checked):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    edit(small_corpus)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # stands in for kill -9 after the chunks are written

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("ingest.pipeline.rebuild_lexical", killed)  # BM25, the step after the chunks
        mp.setattr("ingest.pipeline.update_lexical", killed)
        with pytest.raises(KeyboardInterrupt):
            ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    record = WrittenChunks(settings, 0).read()
    assert record.interrupted and set(chunk_ids(settings, FAIR_USE)) <= set(record.ids)

    checked.clear()
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    assert checked == [None, []]  # a kill while Chroma saves its HNSW files can cost any vector
    assert WrittenChunks(settings, 0).read() == ToCheck([], [], interrupted=False)


def test_an_index_with_no_record_is_checked_in_full_once(small_corpus, settings, fake_embedder, checked):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    to_check_file(settings, 0).unlink()  # an index built before the record existed
    checked.clear()
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    assert checked == [None, [], [], []]


def test_every_chunk_is_checked_on_demand(small_corpus, settings, fake_embedder, checked):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    checked.clear()
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder, full_check=True)
    assert recover_index(settings, full=True) == []
    assert recover_index(settings) == []
    assert checked == [None, [], None, []]


def test_recovery_at_start_checks_the_record_and_leaves_it_checked(small_corpus, settings, fake_embedder, checked):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    checked.clear()
    assert recover_index(settings) == []
    assert recover_index(settings) == []
    assert checked == [chunk_ids(settings), []]


def test_a_rebuild_checks_what_it_wrote_and_drops_the_old_record(small_corpus, settings, fake_embedder, checked):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    checked.clear()
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder, rebuild=True)
    assert checked == [chunk_ids(settings)]  # before the switch: every chunk of the new generation
    assert not to_check_file(settings, 0).exists() and to_check_file(settings, 1).exists()
    checked.clear()
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    assert checked == [chunk_ids(settings), []]  # and once more by the next writer


def test_a_line_torn_by_a_kill_is_skipped(settings):
    record = WrittenChunks(settings, 0)
    record.reset(["a"])
    record.mark(begun=True)
    record.add(["b", "c"])
    with record.path.open("a") as out:
        out.write('{"ids": ["d", "e')  # the kill came mid-line: the write it announced never started
    assert record.read() == ToCheck(["a", "b", "c"], put_back=["a"], interrupted=True)
    assert record.read(since_begun=True) == ToCheck(["b", "c"], put_back=[], interrupted=True)
    record.reset([])  # what the next writer does once it has checked
    assert record.read() == ToCheck([], [], interrupted=False)


@pytest.fixture
def swept(monkeypatch):
    """Every sweep for orphan chunks, as the sorted ids it was given (None: every chunk)."""
    calls: list[list[str] | None] = []
    real = ChunkStore.chunk_versions

    def spy(self, ids=None):
        calls.append(None if ids is None else sorted(ids))
        return real(self, ids)

    monkeypatch.setattr(ChunkStore, "chunk_versions", spy)
    return calls


def test_orphans_are_looked_for_among_the_written_chunks(small_corpus, settings, fake_embedder, swept):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    written = chunk_ids(settings)
    edit(small_corpus)
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    assert swept == [None, written, chunk_ids(settings, FAIR_USE)]


def test_a_removal_killed_between_the_record_and_the_chunks_leaves_no_orphan(small_corpus, settings, fake_embedder,
                                                                               swept):
    from ingest.pipeline import remove_sources

    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    kept = [cid for cid in chunk_ids(settings) if cid not in chunk_ids(settings, FAIR_USE)]

    def remove_record_then_die(self, source):
        self._documents.delete(ids=[source])
        raise KeyboardInterrupt  # stands in for kill -9 before the chunks go

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ChunkStore, "remove_document", remove_record_then_die)
        with pytest.raises(KeyboardInterrupt):
            remove_sources([FAIR_USE], settings=settings)
    swept.clear()
    lines = recover_index(settings)
    assert swept == [None]  # the removal began and never ended: every chunk is swept
    assert any(line.startswith("deleted ") and line.endswith(f"of {FAIR_USE}, which no document record accounts for")
               for line in lines), lines
    assert chunk_ids(settings) == sorted(kept)
