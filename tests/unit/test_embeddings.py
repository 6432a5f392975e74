"""The embedding base class (batching by length, rows in the order given) and the choice of encoder path."""

import numpy as np
import pytest

from ingest.build import BuildInfo
from ingest.cpu import bf16_units
from ingest.embeddings import choose_encoder


def test_embed_returns_rows_in_the_order_given_although_it_batches_by_length(fake_embedder):
    texts = ["a much longer text about fair use and training " * 3, "short", "middle length text", "x y"]
    together = fake_embedder.embed(texts, batch_size=2)
    alone = np.vstack([fake_embedder.embed([t]) for t in texts])
    assert np.allclose(together, alone)


# -- the encoder path -------------------------------------------------------------------

EPYC_ZEN4 = frozenset({"avx2", "avx512f", "avx512_vnni", "avx512_bf16"})
XEON_AMX = frozenset({"avx2", "avx512f", "amx_tile", "amx_bf16", "amx_int8"})
NO_BF16 = frozenset({"avx2", "fma", "avx512f", "avx512_vnni"})


def test_auto_takes_bf16_only_where_the_cpu_multiplies_it_in_hardware():
    assert choose_encoder("auto", XEON_AMX) == "bf16"
    assert choose_encoder("auto", EPYC_ZEN4) == "bf16"
    assert choose_encoder("auto", NO_BF16) == "fp32"
    assert choose_encoder("auto", frozenset()) == "fp32"  # flags unreadable: the safe path
    assert bf16_units(NO_BF16) == []


def test_a_forced_path_is_kept_whatever_the_cpu():
    for forced in ("bf16", "fp32", "numpy", "sentence-transformers"):
        assert choose_encoder(forced, NO_BF16) == forced
        assert choose_encoder(forced, XEON_AMX) == forced


def test_on_a_cpu_without_bf16_units_the_loaded_model_encodes_in_fp32(monkeypatch, tmp_path):
    """The detection is faked at its source, the way a machine without the units reads."""
    import ingest.cpu
    import ingest.embeddings as embeddings

    monkeypatch.setattr(ingest.cpu, "cpu_flags", lambda: NO_BF16)
    chosen = []
    monkeypatch.setattr(embeddings, "_local_model", lambda name, precision: chosen.append(precision) or precision)
    embeddings.load_embedder("some-model", "auto")
    monkeypatch.setattr(ingest.cpu, "cpu_flags", lambda: EPYC_ZEN4)
    embeddings.load_embedder("some-model", "auto")
    assert chosen == ["fp32", "bf16"]


def test_an_unknown_encoder_is_refused_by_name():
    from ingest.embeddings import EmbeddingModelError, load_embedder

    with pytest.raises(EmbeddingModelError, match="unknown encoder 'int4'"):
        load_embedder("all-MiniLM-L6-v2", "int4")


def test_the_encoder_is_on_record_but_never_asks_for_a_rebuild(settings):
    bf16 = BuildInfo.from_settings(settings, 384, "torch-bf16")
    old = BuildInfo.from_settings(settings, 384)  # an index built before the encoder was recorded
    assert bf16.encoder == "torch-bf16" and old.encoder == ""
    assert bf16.differences(old) == []
    assert BuildInfo.from_settings(settings, 256, "torch-bf16").differences(old)
