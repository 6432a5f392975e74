"""LegalBench-RAG (Pipitone & Houir Alami 2024), CUAD split: character-level precision@k and
recall@k of the retrieved spans, as upstream defines them.

The benchmark's documents go into an index of their own. Our chunks are slices of cleaned,
whitespace-normalised page text, so each retrieved chunk is mapped back to its character
span in the original file before scoring.
"""

from __future__ import annotations

import importlib.util
import json
import re
import time
from pathlib import Path

from chatbot.engine import Engine
from ingest.embeddings import Embedder
from ingest.pipeline import ingest_paths
from legalqa.settings import Settings

KS = (1, 2, 4, 8, 16, 32, 64)
PUBLISHED = {"recall@64 (OpenAI text-embedding-3-large, RCTS, no reranker)": 74.70,
             "precision@1 (same)": 1.97, "recall@64 (with Cohere reranker)": 70.19}


def raw_span(raw: str, text: str, hint: int = 0) -> tuple[int, int] | None:
    """Where ``text`` (whitespace-normalised, maybe cleaned) lies in ``raw``: anchored on its
    first and last words, whitespace-insensitive."""
    words = text.split()
    if not words:
        return None
    for n in (8, 4, 2, 1):
        head = r"\s+".join(map(re.escape, words[: min(n, len(words))]))
        tail = r"\s+".join(map(re.escape, words[-min(n, len(words)) :]))
        start = re.compile(head).search(raw, hint) or re.compile(head).search(raw)
        if not start:
            continue
        end = re.compile(tail).search(raw, start.start())
        if end and end.end() - start.start() <= 3 * len(text) + 200:
            return start.start(), end.end()
    return None


def char_scores(gold: list[dict], retrieved: list[dict]) -> tuple[float, float]:
    """Upstream's definition: overlap summed over every (retrieved, gold) pair in the same file."""
    total_r = sum(e - s for s, e in (r["span"] for r in retrieved))
    total_g = sum(e - s for s, e in (g["span"] for g in gold))
    overlap = 0
    for r in retrieved:
        for g in gold:
            if r["file_path"] == g["file_path"]:
                overlap += max(0, min(r["span"][1], g["span"][1]) - max(r["span"][0], g["span"][0]))
    return (overlap / total_r if total_r else 0.0), (overlap / total_g if total_g else 0.0)


def run_legalbench(bench_dir: Path, out_dir: Path, *, mini: bool = True, settings: Settings | None = None,
                   embedder: Embedder | None = None, limit: int | None = None, progress=print) -> dict:
    """Index the benchmark's documents in OUT/index, retrieve 64 chunks per query, and score their
    character spans; writes legalbench_results.json and legalbench_report.json."""
    bench_dir, out_dir = Path(bench_dir), Path(out_dir)
    name, tests, files = _load_benchmark(bench_dir, mini, limit)
    settings = _benchmark_settings(settings or Settings(), out_dir)
    corpus = bench_dir / "corpus"
    started = time.perf_counter()
    _ingest(corpus, files, settings, embedder, progress)
    ingest_seconds = time.perf_counter() - started

    started = time.perf_counter()
    results, unmapped = _retrieve_spans(Engine(settings, embedder=embedder), corpus, tests)
    query_seconds = time.perf_counter() - started

    ours = {}
    for k in KS:
        pairs = [char_scores(t["snippets"], results.get(t["query_id"], [])[:k]) for t in tests]
        ours[k] = (100 * sum(p for p, _ in pairs) / len(pairs), 100 * sum(r for _, r in pairs) / len(pairs))
    reference = _reference_scores(bench_dir, {"tests": tests}, results)
    report = {
        "benchmark": name, "queries": len(tests), "documents": len(files),
        "precision@k": {k: round(p, 2) for k, (p, _) in ours.items()},
        "recall@k": {k: round(r, 2) for k, (_, r) in ours.items()},
        "reference_evaluate_py": reference,
        "agrees_with_evaluate_py": reference is not None and all(
            abs(reference[str(k)][0] - ours[k][0]) < 1e-6 and abs(reference[str(k)][1] - ours[k][1]) < 1e-6 for k in KS),
        "published": PUBLISHED,
        "unmapped_chunks": unmapped,
        "ingest_seconds": round(ingest_seconds, 1),
        "query_seconds": round(query_seconds, 1),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "legalbench_results.json").write_text(json.dumps(results))
    (out_dir / "legalbench_report.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


def _load_benchmark(bench_dir: Path, mini: bool, limit: int | None) -> tuple[str, list[dict], list[str]]:
    """The benchmark file's name, its queries (the first ``limit``) and the documents to index."""
    name = "cuad_mini.json" if mini else "cuad_full_approx.json"
    bench = json.loads((bench_dir / "benchmarks" / name).read_text(encoding="utf-8"))
    tests = bench["tests"][:limit]
    if mini:
        files = [line.strip() for line in (bench_dir / "benchmarks" / "cuad_mini_docs.txt").read_text().splitlines() if line.strip()]
    else:
        files = sorted({s["file_path"] for t in tests for s in t["snippets"]})
    return name, tests, files


def _benchmark_settings(base: Settings, out_dir: Path) -> Settings:
    # No chunk overlap: upstream sums overlap over every retrieved span, so overlapping chunks
    # would count the same gold characters twice (recall above 100).
    return base.model_copy(update={
        "index_dir": out_dir / "index",
        "ingest": base.ingest.model_copy(update={"chunk_overlap_tokens": 0}),
        "retrieval": base.retrieval.model_copy(update={"k": 64, "candidates": 128, "per_document": 64}),
    })


def _ingest(corpus: Path, files: list[str], settings: Settings, embedder: Embedder | None, progress) -> None:
    """Each folder of the benchmark's corpus under its own prefix, so sources are its file paths."""
    by_folder: dict[str, list[Path]] = {}
    for f in files:
        by_folder.setdefault(str(Path(f).parent), []).append(corpus / f)
    for folder, paths in by_folder.items():
        report = ingest_paths(paths, settings=settings, embedder=embedder, prefix=f"{folder}/")
        progress(f"legalbench-rag: {report.summary()}")


def _retrieve_spans(engine: Engine, corpus: Path, tests: list[dict]) -> tuple[dict[str, list[dict]], int]:
    """Each query's 64 retrieved chunks as character spans of the original files, and how many
    chunks could not be mapped back."""
    retriever = engine.retriever()
    raws: dict[str, str] = {}
    results: dict[str, list[dict]] = {}
    unmapped = 0
    for t in tests:
        spans = []
        for e in retriever.retrieve(t["query"], k=64, per_document=64):
            source = e.chunk.source
            if source not in raws:
                raws[source] = (corpus / source).read_text(encoding="utf-8")
            span = raw_span(raws[source], e.chunk.text)
            if span is None:
                unmapped += 1
                continue
            spans.append({"file_path": source, "span": list(span)})
        results[t["query_id"]] = spans
    return results, unmapped


def _reference_scores(bench_dir: Path, bench: dict, results: dict) -> dict | None:
    """The benchmark's own evaluate.py on the same spans, when it is there."""
    path = bench_dir / "evaluate.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("legalbench_evaluate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {str(k): v for k, v in module.evaluate(bench, results, KS).items()}
