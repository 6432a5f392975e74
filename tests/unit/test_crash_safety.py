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
        "chunks": store_module.ChunkStore.replace_document,
        "record": None,
        "cleanup": store_module.ChunkStore._delete_other_versions,
    }

    if crash_at == "cleanup":
        def boom(self, source, sha):
            raise Crash()
        monkeypatch.setattr(store_module.ChunkStore, "_delete_other_versions", boom)
    else:
        original_upsert_target = "chunks" if crash_at == "chunks" else "_documents"

        def replace(self, document, chunks, vectors):
            collection = getattr(self, original_upsert_target if crash_at == "record" else "chunks")
            original = collection.upsert

            def upsert(*args, **kwargs):
                if crash_at == "chunks":
                    kwargs = {k: v[:1] for k, v in kwargs.items()}  # half a document reaches the store
                    original(*args, **kwargs)
                raise Crash()

            collection.upsert = upsert
            try:
                real["chunks"](self, document, chunks, vectors)
            finally:
                collection.upsert = original
        monkeypatch.setattr(store_module.ChunkStore, "replace_document", replace)

    with pytest.raises(Crash):
        ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    monkeypatch.undo()

    # The index still answers, with the old or the new version of the edited file, never both halves.
    from chatbot.engine import Engine

    assert not Engine(settings, embedder=fake_embedder).ask("What are the four factors of fair use?").abstained

    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    ingest_paths([small_corpus], settings=clean, embedder=fake_embedder)
    assert snapshot(settings) == snapshot(clean)
