"""Who sees which upload, on a copy of the sample index (fake embedder): an upload is its
uploader's alone, or its matter's; the shared corpus is everyone's; removal takes chunks, BM25
rows, file and owner record; and the audit log has a line for each."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from chatbot.access import AccessError, Matters, Viewer, matter_name
from chatbot.audit import AuditLog
from chatbot.engine import Engine
from chatbot.uploads import owner_folder, upload_files
from ingest.lexical import LexicalIndex
from ingest.layout import lexical_dir
from ingest.owners import read_owners
from ingest.pipeline import ingest_paths
from ingest.store import ChunkStore
from ingest.types import SourceDocument
from legalqa.settings import Settings
from tests.conftest import ROOT, FakeEmbedder

SAMPLE = ROOT / "corpus" / "sample"
SECRET = ("MEMORANDUM TO FILE. Our client Halcyon Looms confirmed that the settlement floor for the loom "
          "patent dispute is the quindecillion-marigold figure of 4,200,000 dollars, and no lower.")
QUESTION = "What is the quindecillion-marigold settlement floor for Halcyon Looms?"


@pytest.fixture
def library(sample_index, tmp_path):
    settings = Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data", embedding_model="fake")
    shutil.copytree(sample_index, settings.index_dir)
    incoming = tmp_path / "gradio"
    engine = Engine(settings, embedder=FakeEmbedder())
    matters = Matters(settings)

    def upload(user: str | None, name: str, data: bytes, matter: str | None = None) -> str:
        folder = incoming / f"{user}-{name}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        viewer = matters.viewer(user)
        return upload_files([SimpleNamespace(name=str(folder / name))], settings, engine, upload_root=incoming,
                            owner=user, matter=matter, viewer=viewer)

    def cited(user: str | None, question: str = QUESTION) -> set[str]:
        answer = engine.ask(question, viewer=matters.viewer(user))
        return {c.source for c in answer.citations}

    def retrieved(user: str | None, question: str = QUESTION) -> set[str]:
        return {r.source for r in engine.ask(question, viewer=matters.viewer(user)).retrieved}

    return SimpleNamespace(settings=settings, engine=engine, matters=matters, upload=upload, cited=cited,
                           retrieved=retrieved)


def doc(source="uploads/u-alice/a.md", owner="alice", matter=None) -> SourceDocument:
    return SourceDocument(source=source, title="t", sha256="0" * 64, owner=owner, matter=matter)


def test_the_viewer_rules():
    shared = doc("kadrey.pdf", owner=None)
    private = doc()
    filed = doc("uploads/u-alice/b.md", matter="alice/Acme")
    alice, bob, carol = Viewer("alice"), Viewer("bob", frozenset({"alice/Acme"})), Viewer("carol")
    assert all(v.can_see(shared) for v in (alice, bob, carol, Viewer.everyone()))
    assert alice.can_see(private) and not bob.can_see(private) and not carol.can_see(private)
    assert bob.can_see(filed) and not carol.can_see(filed)
    assert alice.can_remove(private) and not bob.can_remove(filed) and not alice.can_remove(shared)
    assert Viewer.everyone().can_remove(private) and not Viewer.everyone().can_remove(shared)


def test_matters_are_per_owner_and_only_known_users_are_added(tmp_path):
    matters = Matters(Settings(data_dir=tmp_path))
    matter, members = matters.share("alice", "Acme  v. Widget", ["bob"], known={"alice", "bob"})
    assert (matter, members) == ("alice/Acme v. Widget", ["bob"])
    assert matters.of("bob") == {"alice/Acme v. Widget"} and matters.of("carol") == frozenset()
    # Bob's matter of the same name is his own: neither collides with nor reveals Alice's.
    assert matters.share("bob", "Acme v. Widget", [], known={"alice", "bob"})[0] == "bob/Acme v. Widget"
    with pytest.raises(AccessError, match="no such user: mallory"):
        matters.share("alice", "Acme v. Widget", ["mallory"], known={"alice", "bob"})
    with pytest.raises(AccessError, match="no matter named"):
        matters.unshare("carol", "Acme v. Widget", ["bob"])
    assert matters.unshare("alice", "Acme v. Widget", ["bob"]) == ("alice/Acme v. Widget", [])
    assert matters.of("bob") == {"bob/Acme v. Widget"}
    for bad in ("", "../../etc", "x" * 61):
        with pytest.raises(AccessError):
            matter_name(bad)


def test_a_private_upload_is_found_by_its_owner_only(library):
    status = library.upload("alice", "memo.txt", SECRET.encode())
    assert status.startswith("✓ uploads/u-alice/memo.txt: indexed"), status
    source = "uploads/u-alice/memo.txt"
    document = library.engine.document(source)
    assert (document.owner, document.matter) == ("alice", None)
    assert source in library.cited("alice")
    assert source not in library.retrieved("bob")
    for_bob = library.engine.ask(QUESTION, viewer=library.matters.viewer("bob"))
    assert source not in {c.source for c in for_bob.citations} and "4,200,000" not in for_bob.answer
    assert source not in library.engine.documents_matching("quindecillion", viewer=library.matters.viewer("bob"))
    assert source in library.engine.documents_matching("quindecillion", viewer=library.matters.viewer("alice"))
    # The owner is stored on each chunk too, not only on the document.
    store = ChunkStore(library.settings)
    store.open(store.build_info())
    metas = store.chunks.get(where={"source": source}, include=["metadatas"])["metadatas"]
    assert metas and all(m["owner"] == "alice" for m in metas)


def test_a_matter_shares_an_upload_until_it_is_unshared(library):
    library.matters.share("alice", "Halcyon", ["bob"], known={"alice", "bob", "carol"})
    library.upload("alice", "memo.txt", SECRET.encode(), matter="alice/Halcyon")
    source = "uploads/u-alice/memo.txt"
    assert source in library.cited("bob") and source not in library.retrieved("carol")
    library.matters.unshare("alice", "Halcyon", ["bob"])
    assert source not in library.retrieved("bob")
    assert source in library.cited("alice")


def test_a_copy_of_another_users_upload_is_indexed_as_the_copiers_own_and_names_nothing(library):
    library.upload("alice", "memo.txt", SECRET.encode())
    status = library.upload("bob", "notes.txt", SECRET.encode())
    assert status.startswith("✓ uploads/u-bob/notes.txt: indexed"), status
    assert "alice" not in status
    # Two documents with their own chunks: removing one leaves the other whole.
    alice, bob = library.engine.document("uploads/u-alice/memo.txt"), library.engine.document("uploads/u-bob/notes.txt")
    assert alice.sha256 == bob.sha256 and alice.chunk_key != bob.chunk_key
    library.engine.remove_uploads(["uploads/u-bob/notes.txt"], lock_timeout=5)
    assert "uploads/u-alice/memo.txt" in library.cited("alice")
    # Alice sending her own file again is told it is there.
    assert library.upload("alice", "again.txt", SECRET.encode()) == \
        "• again.txt is already indexed as uploads/u-alice/memo.txt"


def test_removing_an_upload_takes_its_chunks_bm25_rows_file_and_owner(library):
    library.upload("alice", "memo.txt", SECRET.encode())
    source = "uploads/u-alice/memo.txt"
    path = library.settings.data_dir / "uploads" / owner_folder("alice") / "memo.txt"
    assert path.is_file() and source in read_owners(library.settings)
    assert library.engine.remove_uploads([source], lock_timeout=5) == [source]
    assert library.engine.document(source) is None and not path.exists()
    assert source not in read_owners(library.settings)
    assert source not in library.retrieved("alice")
    store = ChunkStore(library.settings)
    store.open(store.build_info())
    assert not store.chunks.get(where={"source": source})["ids"]
    lexical = LexicalIndex.load(lexical_dir(library.settings, store.generation))
    assert lexical.n_chunks == store.count()
    assert not library.engine.documents_matching("quindecillion")


def test_a_rebuild_keeps_each_uploads_owner(library):
    library.upload("alice", "memo.txt", SECRET.encode())
    ingest_paths([SAMPLE], settings=library.settings, embedder=FakeEmbedder(), rebuild=True)
    library.engine.refresh(force=True)
    assert library.engine.document("uploads/u-alice/memo.txt").owner == "alice"
    assert "uploads/u-alice/memo.txt" not in library.retrieved("bob")


def test_without_a_login_uploads_are_shared_as_before(library):
    assert library.upload(None, "memo.txt", SECRET.encode()) == "✓ uploads/memo.txt: indexed"
    assert library.engine.document("uploads/memo.txt").owner is None
    assert "uploads/memo.txt" in library.cited(None)


def test_owner_folders_cannot_leave_the_uploads_folder():
    assert owner_folder("..") == "u-.." and "/" not in owner_folder("a/../b")


def test_the_audit_log_appends_one_line_per_event(tmp_path):
    settings = Settings(data_dir=tmp_path)
    log = AuditLog(settings)
    answer = SimpleNamespace(citations=[SimpleNamespace(source="kadrey.pdf", page=3)], abstained=False)
    log.asked("alice", "Who won?", answer)
    log.record("alice", "upload", file="uploads/u-alice/memo.txt", matter=None)
    lines = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [(x["user"], x["action"]) for x in lines] == [("alice", "ask"), ("alice", "upload")]
    assert lines[0]["cited"] == ["kadrey.pdf p. 3"] and lines[0]["question"] == "Who won?" and lines[0]["time"]
    off = Settings(data_dir=tmp_path / "off", audit={"enabled": False})
    AuditLog(off).record("alice", "upload", file="x")
    assert not (tmp_path / "off" / "audit.jsonl").exists()


def test_the_handlers_check_the_user_not_what_the_page_sends(library):
    """Gradio refuses a dropdown value it did not offer; the handlers refuse it again on their own."""
    from chatbot.layout import PRIVATE, Handlers

    handlers = Handlers(library.settings, library.engine, users=["alice", "bob"])
    alice, bob, anonymous = SimpleNamespace(username="alice"), SimpleNamespace(username="Bob"), SimpleNamespace()
    library.upload("alice", "memo.txt", SECRET.encode())
    source = "uploads/u-alice/memo.txt"
    status, _table, _choices = handlers.remove(source, "", bob)
    assert "not removed" in status and library.engine.document(source) is not None
    assert "not removed" in handlers.remove("kadrey-v-meta-brief.md", "", alice)[0]  # the shared corpus stays
    refused, *_ = handlers.upload([], "", "alice/Halcyon", bob)
    assert "nothing was added" in refused
    assert not any(source in row[-1] for row in handlers.documents_table("", bob))
    assert not any(source in row[-1] for row in handlers.documents_table("", anonymous))  # no user: shared only
    assert any(row[-1] == f"{source} (private)" for row in handlers.documents_table("", alice))
    assert handlers.removable(bob).choices == [] and [c[1] for c in handlers.removable(alice).choices] == [source]
    assert "shared with bob" in handlers.share("Halcyon", "BOB", alice)[0]
    assert [c[1] for c in handlers.matter_choices(bob).choices] == [PRIVATE, "alice/Halcyon"]
    now = handlers.matters_now(bob)  # as bob opens "Visible to": the matter, and his choice left alone
    assert [c[1] for c in now.choices] == [PRIVATE, "alice/Halcyon"] and "value" not in now.constructor_args
    assert "no such user: mallory" in handlers.share("Halcyon", "mallory", alice)[0]
    status, _table, _choices = handlers.remove(source, "", alice)
    assert status == f"✓ removed {source}" and library.engine.document(source) is None


def test_without_a_login_the_one_user_sees_and_removes_uploads(library):
    from chatbot.layout import Handlers

    handlers = Handlers(library.settings, library.engine)
    library.upload(None, "memo.txt", SECRET.encode())
    assert any(row[-1] == "uploads/memo.txt" for row in handlers.documents_table("", None))
    assert "Sharing needs a login" in handlers.share("Halcyon", "bob", None)[0]
    assert handlers.remove("uploads/memo.txt", "", None)[0] == "✓ removed uploads/memo.txt"


def test_another_users_upload_changes_nothing_in_bobs_answers(library):
    """Word weights and BM25 statistics count only what the asker may see: whether or how bob is
    answered never tells him that a hidden document holds a word."""
    questions = [QUESTION, "What is quindecillion-marigold?", "What did the court hold in Kadrey v. Meta?"]
    bob = library.matters.viewer("bob")

    def answers():
        return [(a.answer, a.abstained, [r.chunk_id for r in a.retrieved])
                for a in (library.engine.ask(q, viewer=bob) for q in questions)]

    before = answers()
    library.upload("alice", "memo.txt", SECRET.encode())
    lexical = library.engine.lexical
    visible = set(library.engine.visible(bob))
    assert lexical.document_frequency("quindecillion", visible) == 0 < lexical.document_frequency("quindecillion")
    assert lexical.chunk_count(visible) < lexical.n_chunks
    assert answers() == before
    # Rebuilt from scratch, BM25 keeps her chunks apart just the same.
    from ingest.lexical import rebuild_lexical

    store = ChunkStore(library.settings)
    store.open(store.build_info())
    rebuilt = rebuild_lexical(library.settings, store)
    assert [cid for cid, source, _ in rebuilt.private] == [c.chunk_id for c in store.get_chunks(
        store.chunks.get(where={"source": "uploads/u-alice/memo.txt"})["ids"])]
    library.engine.refresh(force=True)
    assert answers() == before
