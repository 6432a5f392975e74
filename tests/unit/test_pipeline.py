
from ingest.pipeline import ingest_paths, remove_sources
from ingest.store import ChunkStore, IndexMismatchError


def ingest(corpus, settings, embedder, **kw):
    return ingest_paths([corpus], settings=settings, embedder=embedder, **kw)


def test_ingest_indexes_every_supported_file(small_corpus, settings, fake_embedder):
    report = ingest(small_corpus, settings, fake_embedder)
    assert sorted(report.indexed) == [
        "amicus-brief.pdf",
        "news/studios.html",
        "opinions/smith-v-acme_2024-01-02_order.txt",
        "statute/fair-use.md",
    ]
    assert report.skipped == []
    assert report.pages == 2 + 1 + 3 + 1
    assert report.embedded == report.chunks > 0


def test_second_run_embeds_nothing_and_an_edit_embeds_one_file(small_corpus, settings, fake_embedder):
    first = ingest(small_corpus, settings, fake_embedder)
    store = ChunkStore(settings)
    store.open(store.build_info())
    ids_before = {c.chunk_id for c in store.iter_chunks()}

    calls = fake_embedder.calls
    again = ingest(small_corpus, settings, fake_embedder)
    assert again.embedded == 0 and fake_embedder.calls == calls
    assert len(again.unchanged) == 4

    md = small_corpus / "statute" / "fair-use.md"
    md.write_text(md.read_text() + "\nA fifth thought, not a factor.\n")
    edited = ingest(small_corpus, settings, fake_embedder)
    assert edited.indexed == ["statute/fair-use.md"]
    ids_after = {c.chunk_id for c in store.iter_chunks()}
    assert len(ids_after) == store.count()  # no duplicates
    others = {c.chunk_id for c in store.iter_chunks() if c.source != "statute/fair-use.md"}
    assert others <= ids_before  # untouched files kept their chunks
    assert first.chunks <= store.count()


def test_bad_files_are_named_and_the_rest_indexed(small_corpus, settings, fake_embedder):
    (small_corpus / "empty.txt").write_bytes(b"")
    (small_corpus / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (small_corpus / "loop").symlink_to(small_corpus, target_is_directory=True)
    report = ingest(small_corpus, settings, fake_embedder)
    reasons = {s.source: s.reason for s in report.skipped}
    assert reasons["empty.txt"] == "the file is empty"
    assert reasons["broken.pdf"].startswith("not a readable PDF")
    assert len(report.indexed) == 4  # the symlink loop did not index anything twice


def test_remove_document(small_corpus, settings, fake_embedder):
    ingest(small_corpus, settings, fake_embedder)
    assert remove_sources(["news/studios.html", "nope.txt"], settings=settings) == ["news/studios.html"]
    store = ChunkStore(settings)
    store.open(store.build_info())
    assert "news/studios.html" not in store.document_hashes()
    assert all(c.source != "news/studios.html" for c in store.iter_chunks())


def test_changed_chunking_is_refused_with_the_rebuild_command(small_corpus, settings, fake_embedder):
    ingest(small_corpus, settings, fake_embedder)
    other = settings.model_copy(update={"ingest": settings.ingest.model_copy(update={"chunk_tokens": 100})})
    try:
        ingest(small_corpus, other, fake_embedder)
    except IndexMismatchError as exc:
        assert "chunk_tokens" in str(exc) and "legalqa ingest --rebuild" in str(exc)
    else:
        raise AssertionError("a changed chunk size must not reuse the index")
    rebuilt = ingest(small_corpus, other, fake_embedder, rebuild=True)
    assert len(rebuilt.indexed) == 4


def test_interrupted_document_is_cleaned_up(small_corpus, settings, fake_embedder):
    ingest(small_corpus, settings, fake_embedder)
    store = ChunkStore(settings)
    store.open(store.build_info())
    count = store.count()
    # Simulate a crash after the chunks were written but before the registry record.
    store._documents.delete(ids=["statute/fair-use.md"])
    report = ingest(small_corpus, settings, fake_embedder)
    assert report.indexed == ["statute/fair-use.md"]
    assert store.count() == count


def test_the_index_facade_opens_only_an_index_and_follows_ingests(small_corpus, settings, fake_embedder):
    import pytest

    from ingest.index import Index
    from ingest.store import IndexUnavailableError

    with pytest.raises(IndexUnavailableError, match="no index yet.*legalqa ingest PATH"):
        Index(settings)
    ingest(small_corpus, settings, fake_embedder)
    index = Index(settings)
    assert len(index.documents) == 4 and index.generation == 0
    (small_corpus / "zebra.txt").write_text("The zebra licence was a fair use of the striped works.\n")
    ingest(small_corpus, settings, fake_embedder)  # another writer, with its own store
    assert "zebra.txt" not in index.documents
    index.refresh()
    assert "zebra.txt" in index.documents
    assert index.lexical.n_chunks == index.store.count()
    zebra = index.documents["zebra.txt"]
    assert index.document_by_key(zebra.key) == zebra
    assert [c.source for c in index.get_chunks([index.lexical.search("zebra striped", 1)[0][0]])] == ["zebra.txt"]


def test_a_build_record_from_before_header_weight_still_opens(settings):
    from ingest.build import BuildInfo

    old = BuildInfo.from_settings(settings, 64).model_dump()
    del old["header_weight"]  # as written before the field existed
    assert BuildInfo.model_validate(old) == BuildInfo.from_settings(settings, 64)


def test_load_embedder_returns_a_registered_model(fake_embedder):
    from ingest.embeddings import load_embedder, register_embedder, unregister_embedder

    register_embedder("test-registered", lambda: fake_embedder)
    try:
        assert load_embedder("test-registered") is fake_embedder
    finally:
        unregister_embedder("test-registered")


def test_a_metadata_edit_reindexes_the_file_it_names(tmp_path, settings, fake_embedder):
    """Editing a manifest entry (a judge added, say) updates the document though its bytes are the same."""
    from ingest.index import Index

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Bartz sued Anthropic over books. The court ruled on fair use.", encoding="utf-8")
    (corpus / "manifest.toml").write_text('["a.txt"]\ncase_name = "Bartz v. Anthropic PBC"\n', encoding="utf-8")
    first = ingest(corpus, settings, fake_embedder)
    assert first.indexed == ["a.txt"]
    again = ingest(corpus, settings, fake_embedder)
    assert again.indexed == [] and again.unchanged == ["a.txt"]
    (corpus / "manifest.toml").write_text('["a.txt"]\ncase_name = "Bartz v. Anthropic PBC"\njudge = "William Alsup"\n',
                                          encoding="utf-8")
    edited = ingest(corpus, settings, fake_embedder)
    assert edited.indexed == ["a.txt"]
    assert Index(settings, as_built=True).documents["a.txt"].judge == "William Alsup"


def test_an_identical_copy_under_another_name_is_named_and_not_indexed_twice(tmp_path, settings, fake_embedder):
    corpus = tmp_path / "c"
    corpus.mkdir()
    text = "Bartz sued Anthropic over books. The court ruled on fair use of the purchased copies."
    (corpus / "a.txt").write_text(text, encoding="utf-8")
    (corpus / "b.txt").write_text(text, encoding="utf-8")
    report = ingest(corpus, settings, fake_embedder)
    assert report.indexed == ["a.txt"]
    assert [(s.source, s.reason) for s in report.skipped] == [
        ("b.txt", "the same content as a.txt, which is indexed: not indexed twice")]
    (corpus / "a.txt").unlink()  # a move: refused until the old name is removed, so no passage changes hands
    moved = ingest(corpus, settings, fake_embedder)
    assert moved.indexed == [] and "`legalqa remove a.txt` first" in moved.skipped[0].reason
    remove_sources(["a.txt"], settings=settings)
    assert ingest(corpus, settings, fake_embedder).indexed == ["b.txt"]
    store = ChunkStore(settings)
    store.open(store.build_info())
    assert set(store.document_hashes()) == {"b.txt"}
    assert {c.source for c in store.iter_chunks()} == {"b.txt"}


def test_removing_the_last_document_leaves_an_empty_index_that_answers(tmp_path, settings, fake_embedder):
    from ingest.index import Index

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Bartz sued Anthropic over books.", encoding="utf-8")
    ingest(corpus, settings, fake_embedder)
    assert remove_sources(["a.txt"], settings=settings) == ["a.txt"]
    assert Index(settings, as_built=True).documents == {}


def test_a_folders_readme_and_manifest_are_passed_over_unless_named(small_corpus, settings, fake_embedder):
    (small_corpus / "README.md").write_text("# The collection\n\nNot included: Doe v. Roe, no copy was found.\n")
    (small_corpus / "MANIFEST.tsv").write_text("path\ttitle\nstatute/fair-use.md\tFair use\n")
    report = ingest(small_corpus, settings, fake_embedder)
    assert report.skipped == [] and "README.md" not in report.indexed and len(report.indexed) == 4
    named = ingest_paths([small_corpus / "README.md"], settings=settings, embedder=fake_embedder)
    assert named.indexed == ["README.md"]  # named on its own, it is read like any file
