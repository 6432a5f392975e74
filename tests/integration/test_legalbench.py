"""LegalBench-RAG CUAD mini: our scores agree with the benchmark's evaluate.py, and beat the
published recall@64 (74.70). Skipped when the benchmark folder is absent."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT
from tests.integration.test_real_corpus import legalqa

BENCH = ROOT.parent / "shared" / "benchmarks" / "legalbenchrag-cuad"


def test_cuad_mini(tmp_path):
    if not (BENCH / "benchmarks" / "cuad_mini.json").is_file():
        pytest.skip(f"{BENCH} is absent")
    out = tmp_path / "lbr"
    result = legalqa(tmp_path / "unused-index", "eval", "--legalbench-rag", str(BENCH), "--mini", "--out", str(out),
                     timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((out / "legalbench_report.json").read_text())
    assert report["queries"] == 194 and report["documents"] == 29
    assert report["agrees_with_evaluate_py"] is True
    assert report["recall@k"]["64"] > 74.70
    assert all(0 <= v <= 100 for v in report["recall@k"].values())
