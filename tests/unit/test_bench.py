"""The benchmark's parts that need no model: the synthetic corpus, the checks, the table."""

import numpy as np

from bench.run import checks, markdown
from bench.synthetic import grow
from ingest.lexical import LexicalIndex
from ingest.pipeline import ingest_paths, lexical_dir
from ingest.store import ChunkStore


def grown(small_corpus, settings, fake_embedder, target, seed=7):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    store = ChunkStore(settings)
    store.open(store.build_info())
    real = store.count()
    added = grow(store, settings, target, seed=seed)
    assert added == target - real
    return store, added


def test_grow_reaches_the_target_through_the_store_and_rebuilds_bm25(small_corpus, settings, fake_embedder):
    store, _ = grown(small_corpus, settings, fake_embedder, 500)
    assert store.count() == 500
    lexical = LexicalIndex.load(lexical_dir(settings))
    assert lexical.n_chunks == 500
    synthetic = [d for d in store.documents() if d.source.startswith("synthetic/")]
    assert synthetic and all(d.title.startswith("Synthetic filing") for d in synthetic)
    vectors = np.vstack([v for _, v in store.iter_vectors()])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_grow_is_seeded(small_corpus, settings, fake_embedder, tmp_path):
    store_a, _ = grown(small_corpus, settings, fake_embedder, 300, seed=3)
    other = settings.model_copy(update={"index_dir": tmp_path / "other"})
    store_b, _ = grown(small_corpus, other, fake_embedder, 300, seed=3)
    assert sorted(c.chunk_id for c in store_a.iter_chunks()) == sorted(c.chunk_id for c in store_b.iter_chunks())


def test_synthetic_text_comes_from_the_real_sentences(small_corpus, settings, fake_embedder):
    store, _ = grown(small_corpus, settings, fake_embedder, 200)
    real = " ".join(c.text for c in store.iter_chunks() if not c.source.startswith("synthetic/"))
    synthetic = [c for c in store.iter_chunks() if c.source.startswith("synthetic/")]
    words = {w for c in synthetic for w in c.text.split()}
    assert words <= set(real.split())


def results(ratio=1.1, ours=2.0, naive=1.5, p50=40.0, ask=100.0, p95=150.0):
    row = lambda n, a: {"chunks": n, "synthetic": True, "first_ask_ms": 200, "open_s": 3.0, "rss_mb": 800,
                        "disk_mb": 100, "build_s": 10,
                        "warm": {"retrieve_p50_ms": p50, "retrieve_p95_ms": 2 * p50, "ask_p50_ms": a, "ask_p95_ms": p95},
                        "cold": {"retrieve_p50_ms": p50, "retrieve_p95_ms": 2 * p50, "ask_p50_ms": a, "ask_p95_ms": p95}}
    return {
        "date": "2026-11-29", "commit": "abc", "quick": False, "seconds": 60,
        "machine": {"cpu": "cpu", "cores": 2, "memory": "24 GB", "python": "3.11"},
        "help_s": 0.3, "startup": {"first_answer_s": 12.0, "listening_s": 11.0},
        "ingestion": {"indexed": 24, "pages": 100, "chunks": 1000, "model_load_s": 5, "encode_s": 10.0,
                      "ours_s": 10.0 * ratio, "naive_s": 12.0, "ours_pages_per_s": ours, "naive_pages_per_s": naive,
                      "ours_chunks_per_s": 90, "naive_chunks_per_s": 80, "naive_chunks": 900, "ratio_to_encode": ratio,
                      "speedup_vs_naive": ours / naive, "tokens_embedded": 200000, "peak_rss_mb": 900},
        "scale": [row(10_000, ask * 0.8), row(100_000, ask), row(300_000, ask * 1.2)],
    }


def test_checks_pass_when_every_target_is_met():
    got = checks(results())
    assert all(got.values()), got
    assert any("sublinearly (1.50x for 30x chunks)" in name for name in got)


def test_checks_fail_on_each_missed_target():
    assert not checks(results(ratio=1.4))["ingest time <= 1.3x pure encode"]
    assert not checks(results(ours=1.0, naive=1.5))["ingest faster than naive (pages/s)"]
    assert not checks(results(p50=61))["retrieval p50 <= 60 ms at 100k"]
    assert not checks(results(ask=151, p95=200))["ask p50 <= 150 ms at 100k"]
    assert not checks(results(ask=100, p95=201))["ask p95 <= 2x p50 at 100k"]


def test_markdown_table_shows_ratios_and_every_size():
    text = markdown({**results(), "checks": checks(results())})
    assert "| legalqa ingest (load, clean, chunk, embed, write, BM25) | 11.0 |" in text
    assert "1.10x" in text and "100,000" in text and "300,000" in text
    assert "- [x] `legalqa --help` under 1 s" in text
