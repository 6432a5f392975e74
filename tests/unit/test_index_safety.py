"""What a killed writer leaves is repaired before serving and never cited; one writer at a time;
a rebuild switches generations without a gap and keeps the web uploads."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from chatbot.engine import Engine
from ingest.pipeline import index_uploads, ingest_paths, lexical_dir, recover_index, remove_sources
from ingest.store import ChunkStore, IndexBusyError, collection_names, live_generation
from ingest.types import Chunk, SourceDocument
from tests.conftest import ROOT

ZEBRA = "The zebra licence was held to be a fair use of the striped works."


@pytest.fixture
def web_settings(settings, tmp_path):
    """Settings whose uploads folder is in tmp_path."""
    return settings.model_copy(update={"data_dir": tmp_path / "data"})


def opened(settings) -> ChunkStore:
    store = ChunkStore(settings)
    store.open(store.build_info())
    return store


def snapshot(settings):
    store = opened(settings)
    return sorted(c.chunk_id for c in store.iter_chunks()), store.document_hashes()


def plant_orphan(settings, embedder, source="uploads/zebra.txt", n=3) -> list[str]:
    """Chunks of a document with no registry record, as a writer killed between the two leaves them,
    with the journal gone too (any other way they could come about)."""
    store = opened(settings)
    sha = "7" * 64
    chunks = [Chunk(chunk_id=f"orphan-{i}", source=source, title="Zebra", page=None, start=0, end=len(ZEBRA),
                    text=ZEBRA, doc_sha256=sha) for i in range(n)]
    doc = SourceDocument(source=source, title="Zebra", sha256=sha)
    vectors = embedder.embed([ZEBRA] * n)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # stands in for kill -9 between the chunks and the record

    store._documents.upsert = killed
    with pytest.raises(KeyboardInterrupt):
        store.replace_documents([(doc, chunks, np.asarray(vectors))])
    store.journal.clear()
    return [c.chunk_id for c in chunks]


class HeldLock:
    """Another process holding the index's writer lock (an ingest running there)."""

    def __init__(self, settings, seconds: float = 30.0):
        code = ("import sys, time; from pathlib import Path; from legalqa.settings import Settings; "
                "from ingest.store import writer_lock\n"
                "with writer_lock(Settings(index_dir=Path(sys.argv[1]))):\n"
                "    print('held', flush=True); time.sleep(float(sys.argv[2]))")
        self.proc = subprocess.Popen([sys.executable, "-c", code, str(settings.index_dir), str(seconds)],
                                     cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "held"

    def release(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


# -- A: recovery at start -------------------------------------------------------


def test_recovery_deletes_orphan_chunks_and_unindexed_uploads_and_keeps_the_rest(
        small_corpus, web_settings, fake_embedder, tmp_path):
    ingest_paths([small_corpus], settings=web_settings, embedder=fake_embedder)
    uploads = Path(web_settings.data_dir) / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "kept.txt").write_text("An uploaded memo on the licensing market for novels.\n")
    index_uploads([uploads / "kept.txt"], settings=web_settings, embedder=fake_embedder)
    before = snapshot(web_settings)
    orphan_ids = plant_orphan(web_settings, fake_embedder)
    (uploads / "zebra.txt").write_text(ZEBRA)  # the copy the killed upload left
    assert set(orphan_ids) <= {c.chunk_id for c in opened(web_settings).iter_chunks()}

    lines = recover_index(web_settings)

    assert snapshot(web_settings) == before  # orphans gone, every indexed document kept
    assert sorted(p.name for p in uploads.iterdir()) == ["kept.txt"]
    assert "deleted 3 chunk(s) of uploads/zebra.txt, which no document record accounts for" in lines
    assert "deleted uploads/zebra.txt: an upload that was never indexed" in lines
    assert recover_index(web_settings) == []  # nothing left to repair


def test_recovery_leaves_a_running_writers_documents_alone(small_corpus, web_settings, fake_embedder):
    ingest_paths([small_corpus], settings=web_settings, embedder=fake_embedder)
    orphan_ids = plant_orphan(web_settings, fake_embedder)  # to a sweep, a document being written
    held = HeldLock(web_settings)
    try:
        lines = recover_index(web_settings, lock_timeout=0.3)
    finally:
        held.release()
    assert len(lines) == 1 and lines[0].startswith("recovery left to the ingest running now: another ingest")
    assert set(orphan_ids) <= {c.chunk_id for c in opened(web_settings).iter_chunks()}


def test_recovery_without_an_index_keeps_the_uploads(web_settings):
    uploads = Path(web_settings.data_dir) / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "memo.txt").write_text("A memo.\n")
    assert recover_index(web_settings) == []
    assert (uploads / "memo.txt").exists()  # the next rebuild indexes it


# -- B: answers cite listed documents only ----------------------------------------


def test_an_answer_never_cites_a_document_missing_from_the_registry(small_corpus, settings, fake_embedder):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    plant_orphan(settings, fake_embedder)
    engine = Engine(settings, embedder=fake_embedder)
    assert "uploads/zebra.txt" not in engine.documents
    # The orphans are the best match for this question, in both retrievers.
    assert {c.source for c, _ in engine.store.dense_search(fake_embedder.embed([ZEBRA])[0], 3)} == {"uploads/zebra.txt"}
    answer = engine.ask("Was the zebra licence a fair use of the striped works?")
    assert all(r.source in engine.documents for r in answer.retrieved)
    assert all(c.source in engine.documents for c in answer.citations)


# -- C: one writer at a time ------------------------------------------------------------


def test_a_second_writer_gets_a_clear_error_when_the_first_holds_the_lock(small_corpus, settings, fake_embedder):
    held = HeldLock(settings)
    try:
        started = time.monotonic()
        with pytest.raises(IndexBusyError) as info:
            ingest_paths([small_corpus], settings=settings, embedder=fake_embedder, lock_timeout=0.5)
        assert 0.5 <= time.monotonic() - started < 3
        assert f"another ingest is running on {settings.index_dir} (process {held.proc.pid})" in str(info.value)
        with pytest.raises(IndexBusyError):
            remove_sources(["news/studios.html"], settings=settings, lock_timeout=0.1)
    finally:
        held.release()
    assert len(ingest_paths([small_corpus], settings=settings, embedder=fake_embedder, lock_timeout=0.5).indexed) == 4


def test_a_waiting_writer_goes_on_when_the_first_finishes(small_corpus, settings, fake_embedder):
    held = HeldLock(settings, seconds=1.0)
    started = time.monotonic()
    report = ingest_paths([small_corpus], settings=settings, embedder=fake_embedder, lock_timeout=30)
    assert len(report.indexed) == 4 and time.monotonic() - started >= 0.5
    held.release()


def test_cli_ingest_names_the_busy_index(small_corpus, settings, fake_model, monkeypatch):
    from chatbot.cli import cli

    monkeypatch.setenv("LEGALQA_EMBEDDING_MODEL", "fake")
    held = HeldLock(settings)
    try:
        result = CliRunner().invoke(cli, ["ingest", str(small_corpus), "--wait", "0.2"])
    finally:
        held.release()
    assert result.exit_code == 2
    assert f"error: another ingest is running on {settings.index_dir}" in result.output


# -- D: rebuild beside the live index ---------------------------------------------------


def test_rebuild_switches_generation_and_a_serving_engine_follows(small_corpus, settings, fake_embedder, tmp_path):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    engine = Engine(settings, embedder=fake_embedder)
    assert not engine.ask("What are the four factors of fair use?").abstained
    (small_corpus / "zebra.txt").write_text(ZEBRA + "\n")

    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder, rebuild=True)

    assert live_generation(settings) == 1
    assert ChunkStore(settings).generations() == {1}  # generation 0 deleted after the switch
    assert lexical_dir(settings).name == "bm25-g1" and not (Path(settings.index_dir) / "bm25").exists()
    answer = engine.ask("Was the zebra licence a fair use of the striped works?")  # no reopen
    assert "zebra.txt" in {c.source for c in answer.citations}, answer.render_text()
    assert engine.store.generation == 1
    # A fresh process opens the new generation, and an incremental ingest writes to it.
    assert "zebra.txt" in Engine(settings, embedder=fake_embedder).documents
    (small_corpus / "more.txt").write_text("A further note on the striped works.\n")
    assert ingest_paths([small_corpus], settings=settings, embedder=fake_embedder).indexed == ["more.txt"]
    assert ChunkStore(settings).generations() == {1}


def test_a_read_on_a_removed_generation_follows_the_rebuild(small_corpus, settings, fake_embedder):
    """A query in flight when the rebuild switches: its collection is gone, it retries on the new one."""
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    engine = Engine(settings, embedder=fake_embedder)
    stale = engine.store
    ids = [c.chunk_id for c in stale.iter_chunks()][:3]
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder, rebuild=True)
    assert stale.generation == 0
    assert [c.chunk_id for c in stale.get_chunks(ids)] == ids  # chunk ids are stable across rebuilds
    assert stale.generation == 1
    engine.refresh()  # the engine knows of the switch; its store is then put back, as if the question
    # had opened it just before the switch
    engine.store.generation = 0
    engine.store._chunks = engine.store._client.get_or_create_collection("gone")
    engine.store._client.delete_collection("gone")
    assert not engine.ask("What are the four factors of fair use?").abstained


def test_a_failed_rebuild_keeps_the_live_index(small_corpus, settings, fake_embedder, monkeypatch):
    import ingest.pipeline

    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    before = snapshot(settings)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest.pipeline, "rebuild_lexical", broken)
    with pytest.raises(RuntimeError):
        ingest_paths([small_corpus], settings=settings, embedder=fake_embedder, rebuild=True)
    monkeypatch.undo()
    assert live_generation(settings) == 0 and ChunkStore(settings).generations() == {0}
    assert snapshot(settings) == before
    with pytest.raises(Exception):  # a missing folder fails before anything is touched
        ingest_paths([small_corpus / "nope"], settings=settings, embedder=fake_embedder, rebuild=True)
    assert snapshot(settings) == before


def test_a_killed_rebuild_is_deleted_by_recovery(small_corpus, settings, fake_embedder, monkeypatch):
    import ingest.pipeline

    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    before = snapshot(settings)
    monkeypatch.setattr(ChunkStore, "abandon", lambda self: None)  # kill -9: nothing cleans up

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ingest.pipeline, "rebuild_lexical", killed)
    with pytest.raises(KeyboardInterrupt):
        ingest_paths([small_corpus], settings=settings, embedder=fake_embedder, rebuild=True)
    monkeypatch.undo()
    assert ChunkStore(settings).generations() == {0, 1}
    assert snapshot(settings) == before  # readers never saw the half-built generation
    lines = recover_index(settings)
    assert lines == ["deleted 1 unfinished or replaced index generation(s): [1]"]
    assert ChunkStore(settings).generations() == {0}
    assert not ChunkStore(settings)._client.list_collections() or all(
        c.name in collection_names(0) for c in ChunkStore(settings)._client.list_collections())


# -- E, F: uploads survive a rebuild, and never read metadata files -----------------------------


def test_rebuild_keeps_the_web_uploads_without_their_metadata_files(small_corpus, web_settings, fake_embedder):
    ingest_paths([small_corpus], settings=web_settings, embedder=fake_embedder)
    uploads = Path(web_settings.data_dir) / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "memo.txt").write_text("An uploaded memo on the licensing market for novels.\n")
    assert index_uploads([uploads / "memo.txt"], settings=web_settings, embedder=fake_embedder).indexed == [
        "uploads/memo.txt"]
    # A manifest someone uploaded must not relabel the uploads, now or at the rebuild.
    (uploads / "manifest.toml").write_text('["memo.txt"]\ntitle = "Relabelled"\nkind = "opinion"\n')

    report = ingest_paths([small_corpus], settings=web_settings, embedder=fake_embedder, rebuild=True)

    assert report.uploads == ["uploads/memo.txt"]
    assert "kept 1 web upload(s) from uploads/" in report.summary()
    docs = {d.source: d for d in opened(web_settings).documents()}
    assert set(docs) == {"amicus-brief.pdf", "news/studios.html", "opinions/smith-v-acme_2024-01-02_order.txt",
                         "statute/fair-use.md", "uploads/memo.txt"}
    assert docs["uploads/memo.txt"].title != "Relabelled" and docs["uploads/memo.txt"].kind != "opinion"
    assert docs["statute/fair-use.md"].title == "17 U.S.C. § 107 digest"  # the corpus keeps its manifest


def test_read_metadata_false_reads_the_file_alone(small_corpus, settings, fake_embedder):
    (small_corpus / "news" / "studios.html.meta.toml").write_text('title = "Sidecar title"\nkind = "opinion"\n')
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder, read_metadata=False)
    docs = {d.source: d for d in opened(settings).documents()}
    assert docs["statute/fair-use.md"].title != "17 U.S.C. § 107 digest"
    assert docs["news/studios.html"].title != "Sidecar title" and docs["news/studios.html"].kind != "opinion"
    other = settings.model_copy(update={"index_dir": settings.index_dir.parent / "with-metadata"})
    ingest_paths([small_corpus], settings=other, embedder=fake_embedder)
    docs = {d.source: d for d in opened(other).documents()}
    assert docs["statute/fair-use.md"].title == "17 U.S.C. § 107 digest"
    assert docs["news/studios.html"].title == "Sidecar title"


def test_index_uploads_deletes_a_copy_it_could_not_index(web_settings, fake_embedder, small_corpus):
    ingest_paths([small_corpus], settings=web_settings, embedder=fake_embedder)
    uploads = Path(web_settings.data_dir) / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "empty.txt").write_bytes(b"")
    (uploads / "manifest.toml").write_text('["x.txt"]\ntitle = "x"\n')
    report = index_uploads([uploads / "empty.txt", uploads / "manifest.toml"], settings=web_settings,
                           embedder=fake_embedder)
    assert [s.source for s in report.skipped] == ["uploads/empty.txt"]
    assert list(uploads.iterdir()) == []
