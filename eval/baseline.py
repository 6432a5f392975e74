"""The naive baseline every report shows beside ours: the typical tutorial pipeline.

Per-page PyPDF text (whole files for everything else), 1000/200 recursive character
chunks, similarity top-4 in Chroma with the same embedding model, and the top chunk
as the "answer". It goes through the project's one Chroma module, in its own index.
It reads only the file types the project reads: a .docx read as text would be noise.
"""

from __future__ import annotations

import html
import re
import time
from pathlib import Path

import numpy as np

from chatbot.types import Answer, Citation, Retrieved
from ingest.embeddings import Embedder
from ingest.loaders import IngestError, loader_for
from ingest.store import BuildInfo, ChunkStore
from ingest.types import Chunk, SourceDocument, normalize_whitespace
from legalqa.settings import Settings

CHUNK_SIZE, CHUNK_OVERLAP, TOP_K = 1000, 200, 4
# What the tutorial's loaders read: PDF page by page, markup with its tags dropped, the rest as text.
PDF_SUFFIXES, MARKUP_SUFFIXES, TEXT_SUFFIXES = {".pdf"}, {".htm", ".html", ".xml"}, {".txt", ".text", ".md", ".markdown"}


def readable(path: Path) -> bool:
    """Whether the project has a loader for files of this type and the tutorial's loaders can read
    them too; anything else (a .docx, say) would be read as noise."""
    suffix = path.suffix.lower()
    return loader_for(path) is not None and suffix in PDF_SUFFIXES | MARKUP_SUFFIXES | TEXT_SUFFIXES


def naive_pages(path: Path) -> list[tuple[int | None, str]]:
    """What PyPDFLoader, TextLoader and BSHTMLLoader give: raw page text, no cleaning.
    Raises IngestError for a file type the project does not read."""
    if not readable(path):
        raise IngestError(path, f"unsupported file type '{path.suffix.lower() or '(none)'}'")
    if path.suffix.lower() in PDF_SUFFIXES:
        from pypdf import PdfReader

        return [(i, page.extract_text() or "") for i, page in enumerate(PdfReader(str(path)).pages, start=1)]
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix.lower() in MARKUP_SUFFIXES:
        # What BSHTMLLoader-style loaders give: the markup's text, tags dropped.
        text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)))
    return [(None, text)]


class NaiveBaseline:
    def __init__(self, documents: dict[str, SourceDocument], embedder: Embedder, index_dir: Path):
        self.documents = documents
        self.embedder = embedder
        self.settings = Settings(index_dir=index_dir)
        self.store = ChunkStore(self.settings)
        self.info = BuildInfo(embedding_model="naive:" + embedder.name, dimension=embedder.dimension,
                              chunk_tokens=CHUNK_SIZE, chunk_overlap_tokens=CHUNK_OVERLAP)
        self._pages: dict[str, dict[int | None, str]] = {}

    def build(self) -> None:
        """Index every document the main index holds (skipping those already here)."""
        self.store.open(self.info, create=True)
        done = self.store.document_hashes()
        for source, doc in sorted(self.documents.items()):
            if not doc.path or done.get(source) == doc.sha256 or not Path(doc.path).is_file():
                continue
            chunks = naive_chunks(doc, Path(doc.path))
            if chunks:
                self.store.replace_document(doc, chunks, np.asarray(self.embedder.embed([c.text for c in chunks])))

    def ask(self, question: str) -> Answer:
        """An answer filled the naive way: top-4 by similarity, the top chunk as the answer and its one citation."""
        started = time.perf_counter()
        hits = self.store.dense_search(self.embedder.embed([question])[0], TOP_K)
        retrieved_at = time.perf_counter()
        top = hits[0][0] if hits else None
        citations = [] if top is None else [Citation(n=1, source=top.source, title=top.title, page=top.page,
                                                     quote=top.text, chunk_id=top.chunk_id)]
        retrieved = [Retrieved(source=c.source, page=c.page, chunk_id=c.chunk_id, score=round(s, 6)) for c, s in hits]
        return Answer(question=question, answer=top.text if top else "", abstained=top is None, citations=citations,
                      retrieved=retrieved,
                      timings_ms={"retrieve": round((retrieved_at - started) * 1000, 1), "answer": 0.0,
                                  "total": round((time.perf_counter() - started) * 1000, 1)})

    def get_chunks(self, ids: list[str]) -> list[Chunk]:
        """Chunks of the baseline's own index by id, in the order given."""
        return self.store.get_chunks(ids)

    def page_text(self, source: str, page: int | None) -> str:
        """The naive loader's own page text, against which its quotes are checked."""
        if source not in self._pages:
            doc = self.documents[source]
            self._pages[source] = {p: normalize_whitespace(t) for p, t in naive_pages(Path(doc.path))}
        return self._pages[source].get(page, "")


def naive_chunks(doc: SourceDocument, path: Path) -> list[Chunk]:
    """PyPDFLoader-style pages cut by a 1000/200 RecursiveCharacterTextSplitter, with their offsets."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    chunks = []
    for page, text in naive_pages(path):
        cursor = 0
        for piece in splitter.split_text(text):
            start = text.find(piece, max(0, cursor - CHUNK_OVERLAP - 1))
            start = start if start >= 0 else 0
            cursor = start + len(piece)
            chunks.append(Chunk(chunk_id=Chunk.make_id(doc.sha256, page, start, cursor), source=doc.source,
                                title=doc.title, page=page, start=start, end=cursor, text=piece,
                                doc_sha256=doc.sha256))
    return list({c.chunk_id: c for c in chunks}.values())


def naive_ingest(files: list[Path], index_dir: Path, embedder: Embedder) -> dict:
    """The tutorial ingest from files, for the speed benchmark: load, split, embed, add to
    Chroma, one file at a time, with no cleaning, metadata or lexical index. Files the
    tutorial loaders cannot read are skipped, as a tutorial script would crash on them, and
    so are file types the project does not read; ``skipped`` names both."""
    import hashlib

    store = ChunkStore(Settings(index_dir=index_dir))
    store.drop()
    store.open(BuildInfo(embedding_model="naive:" + embedder.name, dimension=embedder.dimension,
                         chunk_tokens=CHUNK_SIZE, chunk_overlap_tokens=CHUNK_OVERLAP), create=True)
    n_files = n_chunks = 0
    skipped = []
    for path in files:
        if not readable(path):
            skipped.append(path.name)
            continue
        doc = SourceDocument(source=path.name, title=path.stem, sha256=hashlib.sha256(path.read_bytes()).hexdigest())
        try:
            chunks = naive_chunks(doc, path)
        except Exception:  # noqa: BLE001 - the baseline has no error handling to speak of
            skipped.append(path.name)
            continue
        if not chunks:
            continue
        store.replace_document(doc, chunks, embedder.embed([c.text for c in chunks]))
        n_files += 1
        n_chunks += len(chunks)
    return {"files": n_files, "chunks": n_chunks, "skipped": skipped}
