"""The measurements. Each heavy one runs in its own process (see :mod:`bench.worker`),
so its memory and its cold start are its own."""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eval.metrics import percentile
from legalqa.settings import Settings

ROOT = Path(__file__).resolve().parents[1]  # where `python -m bench.tutorial` is found
# The court filings' one PDF: in the small set whenever present, so PDF parsing is timed too.
COURT_PDF = "bartz-v-anthropic_2025-06-23_order-on-fair-use.pdf"
SMALL_SET_SIZE = 4
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}


def latency_ms(values: list[float], q: float) -> float | None:
    """A latency percentile, interpolated between ranks (numpy's way), to 0.1 ms."""
    value = percentile(values, q, method="linear")
    return None if value is None else round(value, 1)


def rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 1e6


def in_worker(task: str, **args) -> dict:
    """Run ``bench.worker task`` in a fresh Python and return its JSON result."""
    env = {**os.environ, **OFFLINE_ENV}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.worker", task, json.dumps(args, default=str)],
        capture_output=True, text=True, env=env,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"bench task {task} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- start-up -------------------------------------------------------------------------


def legalqa_command() -> list[str]:
    """How a user starts legalqa: its console script, or the module where none is installed."""
    exe = Path(sys.executable).with_name("legalqa")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "chatbot.cli"]


def help_seconds(repeats: int = 3) -> float:
    """Median wall time of `legalqa --help` (nothing heavy may be imported for it)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([*legalqa_command(), "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cold_ask(index_dir: Path, questions: list[str], repeats: int = 5) -> dict:
    """Wall time of `legalqa ask QUESTION` as a user runs it, a fresh process each time (a
    different question each run, so nothing is cached): the median and every run."""
    env = {**os.environ, **OFFLINE_ENV, "LEGALQA_INDEX_DIR": str(index_dir)}
    times = []
    for i in range(repeats):
        started = time.perf_counter()
        subprocess.run([*legalqa_command(), "ask", questions[i % len(questions)]], env=env, capture_output=True,
                       check=True)
        times.append(round(time.perf_counter() - started, 2))
    return {"median_s": statistics.median(times), "runs_s": times}


def serve_to_first_answer(index_dir: Path, question: str, port: int) -> dict:
    """Seconds from launching `legalqa serve` to the first answer received over its API."""
    exe = Path(sys.executable).with_name("legalqa")
    env = {**os.environ, "LEGALQA_INDEX_DIR": str(index_dir), "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    started = time.perf_counter()
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        from gradio_client import Client

        url = f"http://127.0.0.1:{port}/"
        while True:
            if proc.poll() is not None:
                raise RuntimeError("legalqa serve exited before answering")
            if time.perf_counter() - started > 180:
                raise RuntimeError("legalqa serve did not answer within 180 s")
            try:
                client = Client(url, verbose=False)
                break
            except Exception:
                time.sleep(0.2)
        listening = time.perf_counter() - started
        answer = client.predict(question, api_name="/ask")
        first = time.perf_counter() - started
        return {"listening_s": round(listening, 2), "first_answer_s": round(first, 2),
                "cited": len(answer.get("citations", []))}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


# -- whole processes: legalqa ingest against the tutorial ----------------------------


def court_filings(corpus: Path, n: int = SMALL_SET_SIZE) -> list[Path]:
    """The small set, the same on every run: the court PDF when present, then the smallest other
    court filings (by size, then name). A corpus without court/ gives its own smallest files."""
    from eval.baseline import readable

    folder = corpus / "court" if (corpus / "court").is_dir() else corpus
    files = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".") and readable(p)]
    return sorted(files, key=lambda p: (p.name != COURT_PDF, p.stat().st_size, p.name))[:n]


def corpus_files(corpus: Path) -> list[Path]:
    """The files `legalqa ingest CORPUS` reads that the tutorial's loaders read too."""
    from eval.baseline import readable
    from ingest.discovery import discover

    return [f.path for f in discover([corpus]) if f.problem is None and readable(f.path)]


def timed_process(command: list[str], env: dict, ok: tuple[int, ...] = (0,)) -> tuple[float, str]:
    """Wall time of one whole process (start-up, imports and all) and its standard output."""
    started = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(command[:4])} ... exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return seconds, proc.stdout


def whole_process_ingest(ours_paths: list[Path], tutorial_files: list[Path], workdir: Path, repeats: int) -> dict:
    """`legalqa ingest OURS_PATHS` against `python -m bench.tutorial` on ``tutorial_files``, each a
    whole process into a fresh index, alternated (ours, tutorial, ours, ...) so the machine's noise
    hits both; medians of ``repeats`` runs. Chunk counts and the encoder come from the first run."""
    from chatbot.cli import EXIT_SKIPPED  # files the tutorial cannot read either (MANIFEST.tsv, say)

    workdir.mkdir(parents=True, exist_ok=True)
    ours, tutorial, runs, made = [], [], [], {}
    for n in range(repeats):
        run = Path(tempfile.mkdtemp(prefix=f"run{n}-", dir=workdir))
        runs.append(run)
        env = {**os.environ, **OFFLINE_ENV, "LEGALQA_INDEX_DIR": str(run / "index"),
               "LEGALQA_DATA_DIR": str(run / "data")}
        seconds, _ = timed_process([*legalqa_command(), "ingest", *map(str, ours_paths)], env, ok=(0, EXIT_SKIPPED))
        ours.append(seconds)
        seconds, out = timed_process([sys.executable, "-m", "bench.tutorial", str(run / "chroma"),
                                      *map(str, tutorial_files)], env)
        tutorial.append(seconds)
        made = made or json.loads(out.strip().splitlines()[-1])
    record = in_worker("index_record", index=runs[0] / "index")
    for run in runs:
        shutil.rmtree(run, ignore_errors=True)
    ours_s, tutorial_s = statistics.median(ours), statistics.median(tutorial)
    return {
        "files": len(tutorial_files), "ours_documents": record["documents"], "repeats": repeats,
        "ours_s": round(ours_s, 3), "tutorial_s": round(tutorial_s, 3), "ratio": round(tutorial_s / ours_s, 3),
        "ours_runs_s": [round(t, 3) for t in ours], "tutorial_runs_s": [round(t, 3) for t in tutorial],
        "chunks": record["chunks"], "tutorial_chunks": made["chunks"], "tutorial_pages": made["pages"],
        "encoder": record["encoder"],
    }


def index_record(index_dir: Path) -> dict:
    """What a fresh ingest left: its chunks, documents, and the encoder its build record names
    ("unknown" for a record that names none)."""
    from ingest.store import ChunkStore

    store = ChunkStore(Settings(index_dir=index_dir))
    info = store.build_info()
    if info is None:
        raise RuntimeError(f"legalqa ingest left no index in {index_dir}")
    store.open(info)
    return {"chunks": store.count(), "documents": len(store.documents()),
            "encoder": getattr(info, "encoder", None) or "unknown"}


def cpu_features() -> dict:
    """The CPU and the flags that decide the encoder path (bf16 units: none means bf16 is emulated)."""
    from ingest.cpu import bf16_units, cpu_summary

    return {"cpu": cpu_summary(), "bf16_units": bf16_units()}


# -- ingestion (in a worker) ----------------------------------------------------------


def ingestion(corpus: Path, workdir: Path, batch_size: int) -> dict:
    """Our pipeline, the naive pipeline and the pure encode of our chunk texts, one process,
    one model, timed apart. Model loading is timed once and left out of all three."""
    from eval.baseline import naive_ingest
    from ingest.embeddings import load_embedder
    from ingest.pipeline import embedding_text, ingest_paths
    from ingest.store import ChunkStore

    settings = Settings(index_dir=workdir / "ours")
    started = time.perf_counter()
    model = load_embedder(settings.embedding_model)
    model.embed(["warm up"])
    load_s = time.perf_counter() - started

    started = time.perf_counter()
    report = ingest_paths([corpus], settings=settings, embedder=model, rebuild=True)
    ours_s = time.perf_counter() - started

    store = ChunkStore(settings)
    store.open(store.build_info())
    texts = [embedding_text(c) for c in store.iter_chunks()]
    started = time.perf_counter()
    model.embed(texts, batch_size=batch_size)
    encode_s = time.perf_counter() - started

    started = time.perf_counter()
    naive = naive_ingest(sorted(p for p in corpus.rglob("*") if p.is_file()), workdir / "naive", model)
    naive_s = time.perf_counter() - started

    tokens = sum(model.count_tokens(texts))
    return {
        "files": report.files, "indexed": len(report.indexed), "pages": report.pages, "chunks": report.chunks,
        "tokens_embedded": tokens, "model_load_s": round(load_s, 2),
        "ours_s": round(ours_s, 3), "encode_s": round(encode_s, 3), "naive_s": round(naive_s, 3),
        "naive_chunks": naive["chunks"], "naive_files": naive["files"],
        "ours_pages_per_s": round(report.pages / ours_s, 2), "naive_pages_per_s": round(report.pages / naive_s, 2),
        "ours_chunks_per_s": round(report.chunks / ours_s, 2), "naive_chunks_per_s": round(naive["chunks"] / naive_s, 2),
        "ratio_to_encode": round(ours_s / encode_s, 3), "speedup_vs_naive": round(naive_s / ours_s, 3),
        "peak_rss_mb": round(peak_rss_mb()),
    }


# -- scale (in workers) ---------------------------------------------------------------


def grow_index(base_dir: Path, index_dir: Path, chunks: int, seed: int) -> dict:
    """A copy of the real index grown with synthetic filings to ``chunks`` chunks."""
    from bench.synthetic import grow
    from ingest.store import ChunkStore

    if index_dir.exists():
        shutil.rmtree(index_dir)
    shutil.copytree(base_dir, index_dir)
    settings = Settings(index_dir=index_dir)
    store = ChunkStore(settings)
    store.open(store.build_info())
    started = time.perf_counter()
    added = grow(store, settings, chunks, seed=seed)
    return {"chunks": store.count(), "added": added, "build_s": round(time.perf_counter() - started, 1),
            "build_peak_rss_mb": round(peak_rss_mb()), "disk_mb": round(dir_size_mb(index_dir), 1)}


def queries(index_dir: Path, questions: list[str], passes: int = 2) -> dict:
    """Open the engine as `legalqa serve` does, then ask every question ``passes`` times.

    Pass 1 is cold (each question for the first time in this process); later passes are warm.
    """
    from chatbot.engine import Engine

    rss_before = rss_mb()
    started = time.perf_counter()
    engine = Engine(Settings(index_dir=index_dir))
    open_s = time.perf_counter() - started
    first = engine.ask(questions[0]).timings_ms["total"]
    out: dict = {"open_s": round(open_s, 2), "first_ask_ms": first, "questions": len(questions)}
    for n in range(1, passes + 1):
        retrieve, total, answered = [], [], 0
        for question in questions:
            answer = engine.ask(question)
            retrieve.append(answer.timings_ms["retrieve"])
            total.append(answer.timings_ms["total"])
            answered += not answer.abstained
        label = "cold" if n == 1 else "warm"
        out[label] = {
            "retrieve_p50_ms": latency_ms(retrieve, 50), "retrieve_p95_ms": latency_ms(retrieve, 95),
            "ask_p50_ms": latency_ms(total, 50), "ask_p95_ms": latency_ms(total, 95),
            "answered": answered,
        }
    out["rss_mb"] = round(rss_mb())
    out["rss_added_mb"] = round(rss_mb() - rss_before)
    return out
