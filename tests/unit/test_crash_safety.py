"""An ingest that dies halfway leaves the index usable, and the next run converges."""

import pytest

from ingest.pipeline import ingest_paths
from ingest.store import ChunkStore


def snapshot(settings):
    store = ChunkStore(settings)
    store.open(store.build_info())
    ids = [c.chunk_id for c in store.iter_chunks()]
    return sorted(ids), store.document_hashes()


class Crash(BaseException):
    """Stands in for kill -9: nothing after it runs, not even except-clauses for Exception."""


@pytest.mark.parametrize("crash_at", ["chunks", "record", "cleanup"])
def test_a_crash_while_replacing_a_document_converges(small_corpus, settings, fake_embedder, monkeypatch, tmp_path, crash_at):
    clean = settings.model_copy(update={"index_dir": tmp_path / "clean"})
    md = small_corpus / "statute" / "fair-use.md"

    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    md.write_text(md.read_text() + "\nThe factors are weighed together, not one by one.\n")

    import ingest.store as store_module

    real = {
        "chunks": store_module.ChunkStore.replace_documents,
        "record": None,
        "cleanup": store_module.ChunkStore.delete_other_versions,
    }

    if crash_at == "cleanup":
        def boom(self, source, sha):
            raise Crash()
        monkeypatch.setattr(store_module.ChunkStore, "delete_other_versions", boom)
    else:
        original_upsert_target = "chunks" if crash_at == "chunks" else "_documents"

        def replace(self, batch):
            collection = getattr(self, original_upsert_target if crash_at == "record" else "chunks")
            original = collection.upsert

            def upsert(*args, **kwargs):
                if crash_at == "chunks":
                    kwargs = {k: v[:1] for k, v in kwargs.items()}  # half a document reaches the store
                    original(*args, **kwargs)
                raise Crash()

            collection.upsert = upsert
            try:
                real["chunks"](self, batch)
            finally:
                collection.upsert = original
        monkeypatch.setattr(store_module.ChunkStore, "replace_documents", replace)

    with pytest.raises(Crash):
        ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    monkeypatch.undo()

    # The index still answers, with the old or the new version of the edited file, never both halves.
    from chatbot.engine import Engine

    assert not Engine(settings, embedder=fake_embedder).ask("What are the four factors of fair use?").abstained

    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    ingest_paths([small_corpus], settings=clean, embedder=fake_embedder)
    assert snapshot(settings) == snapshot(clean)


def test_a_crash_inside_a_batch_write_undoes_every_document_of_the_batch(small_corpus, settings, fake_embedder, tmp_path):
    """replace_documents journals all its documents: after a crash between the chunks and the
    registry, recovery removes the chunks of each of them, and a re-ingest converges."""
    from ingest.types import Chunk, SourceDocument
    import numpy as np

    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    before = snapshot(settings)
    store = ChunkStore(settings)
    store.open(store.build_info())
    batch = []
    for n in range(2):
        doc = SourceDocument(source=f"extra/{n}.txt", title=f"Extra {n}", sha256=f"{n}" * 64)
        chunk = Chunk(chunk_id=f"extra-{n}", source=doc.source, title=doc.title, page=None, start=0, end=4,
                      text="text", doc_sha256=doc.sha256)
        batch.append((doc, [chunk], np.ones((1, fake_embedder.dimension), dtype=np.float32)))

    def crash(*args, **kwargs):
        raise Crash()

    store._documents.upsert = crash
    with pytest.raises(Crash):
        store.replace_documents(batch)
    assert {"extra-0", "extra-1"} <= {c.chunk_id for c in store.iter_chunks()}  # written, not yet registered

    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    assert snapshot(settings) == before
