"""An incremental ingest of one changed file into a large index, timed as a user runs it.

`python -m bench.incremental INDEX_DIR CORPUS [--file SOURCE] [--runs N] [--code DIR]` appends a
paragraph to one text file of CORPUS (so pass a copy: it is edited) and runs `legalqa ingest CORPUS`
against INDEX_DIR in a fresh process, N times. Each run is timed whole and in phases, read off the
log lines the ingest prints as they arrive: up to "loading embedding model" (start-up, opening the
index, the checks at its start, hashing the folder), from there to "indexed SOURCE" (loading the
model, parsing, embedding and writing the file) and from there to the exit (BM25, the check of
what it wrote). The file's own embedding is timed apart, in this process, as the ingest embeds
it. ``--code`` runs the ingest from another checkout (a worktree of an older commit) to compare.
Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import click

from legalqa.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TEXT_SUFFIXES = (".txt", ".md")


def incremental_ingest(index_dir: Path, corpus: Path, *, source: str | None = None, runs: int = 3,
                       code: Path = ROOT, cli: str = "chatbot.cli") -> dict:
    """Time ``runs`` whole-process ingests of ``corpus`` into ``index_dir``, one file changed before each;
    then that file's own embedding. Returns the runs, their medians and the split "embed + other".
    ``cli`` is the module run as `legalqa` (tests run tests.fake_cli)."""
    settings = Settings(index_dir=Path(index_dir))
    chunks_by_source = _chunks_by_source(settings)  # read before the ingests, by this process's own client
    source = source or typical_source(chunks_by_source, corpus)
    timed = []
    for n in range(runs):
        with (corpus / source).open("a", encoding="utf-8") as out:
            out.write(f"\n\nA paragraph added for incremental run {n} at {time.time():.0f}, so this file changed.\n")
        timed.append(timed_ingest(index_dir, corpus, source, code, cli))
    embed = file_embedding(settings, corpus, source)
    total = round(statistics.median(r["total_s"] for r in timed), 2)  # "other" is what the table shows less embed
    return {
        "index_chunks": sum(chunks_by_source.values()), "file": source, "file_chunks": embed["chunks"],
        "code": str(code),
        "runs": timed, "total_s": round(total, 2),
        **{f"{phase}_s": round(statistics.median(r[f"{phase}_s"] for r in timed), 2)
           for phase in ("to_model", "model_and_file", "after_file")},
        "embed_s": embed["seconds"], "other_s": round(total - embed["seconds"], 2),
    }


def timed_ingest(index_dir: Path, corpus: Path, source: str, code: Path, cli: str = "chatbot.cli") -> dict:
    """One `legalqa ingest` (as ``python -m {cli}`` from ``code``), timed whole and by its log lines."""
    env = {**os.environ, "LEGALQA_INDEX_DIR": str(index_dir), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "ANONYMIZED_TELEMETRY": "False"}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", cli, "ingest", str(corpus)], cwd=code, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    marks: dict[str, float] = {}
    lines = []
    for line in proc.stderr:
        lines.append(line.rstrip())
        if line.startswith("loading embedding model"):
            marks.setdefault("model", time.perf_counter())
        elif line.startswith(f"indexed {source}:"):
            marks.setdefault("indexed", time.perf_counter())
    summary = proc.stdout.read().strip()
    if proc.wait() not in (0, 3) or "indexed" not in marks:  # 3: some file was skipped, as a manifest may be
        raise RuntimeError(f"the ingest did not index {source} (exit {proc.returncode}):\n" + "\n".join(lines[-20:]))
    ended = time.perf_counter()
    model = marks.get("model", marks["indexed"])
    return {"total_s": round(ended - started, 2), "to_model_s": round(model - started, 2),
            "model_and_file_s": round(marks["indexed"] - model, 2), "after_file_s": round(ended - marks["indexed"], 2),
            "repairs": [line for line in lines if line.startswith("repaired:")], "summary": summary}


def file_embedding(settings: Settings, corpus: Path, source: str) -> dict:
    """Seconds to embed one file's chunks (and its header) with the model loaded, as an ingest does."""
    from ingest.embeddings import load_embedder
    from ingest.indexing import chunk_loaded
    from ingest.loaders import load_file
    from ingest.metadata import read_sidecar
    from ingest.vectors import embed_documents

    path = corpus / source
    model = load_embedder(settings.embedding_model, settings.embedding_encoder)
    loaded = load_file(path, source, max_bytes=int(settings.ingest.max_file_mb * 1e6),
                       sidecar=read_sidecar(path, corpus))
    document, chunks = chunk_loaded(loaded, model, settings)
    started = time.perf_counter()
    embed_documents(model, [(document, chunks)], settings.ingest.embed_batch_size)
    return {"chunks": len(chunks), "seconds": round(time.perf_counter() - started, 2)}


def typical_source(chunks_by_source: dict[str, int], corpus: Path) -> str:
    """The indexed text file of ``corpus`` with the most chunks up to 100 (a typical filing)."""
    candidates = [(n, s) for s, n in chunks_by_source.items()
                  if s.endswith(TEXT_SUFFIXES) and n <= 100 and (corpus / s).is_file()]
    if not candidates:
        raise click.UsageError(f"no indexed .txt or .md file of {corpus} to change; name one with --file")
    return max(candidates)[1]


def _chunks_by_source(settings: Settings) -> dict[str, int]:
    from ingest.store import ChunkStore

    store = ChunkStore(settings)
    store.open(store.build_info())
    counts: dict[str, int] = {}
    for _, source, _ in store.chunk_versions():
        counts[source] = counts.get(source, 0) + 1
    return counts


@click.command()
@click.argument("index_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("corpus", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--file", "source", default=None,
              help="The file to change, relative to CORPUS (default: a typical filing).")
@click.option("--runs", type=int, default=3, show_default=True, help="Ingests, one changed file before each.")
@click.option("--code", type=click.Path(exists=True, file_okay=False, path_type=Path), default=ROOT,
              help="Run `legalqa ingest` from this checkout (e.g. a worktree of an older commit).")
def main(index_dir: Path, corpus: Path, source: str | None, runs: int, code: Path) -> None:
    """Time an incremental ingest of one changed file of CORPUS into INDEX_DIR. CORPUS is edited."""
    print(json.dumps(incremental_ingest(index_dir.resolve(), corpus.resolve(), source=source, runs=runs,
                                        code=code.resolve()), indent=2))


if __name__ == "__main__":
    main()
