"""bench/incremental.py times an incremental ingest of one changed file as a whole process."""

from __future__ import annotations

from pathlib import Path

from bench.incremental import incremental_ingest
from ingest.pipeline import ingest_paths
from legalqa.settings import Settings
from tests.conftest import ROOT


def test_each_run_changes_one_file_and_is_timed_whole_and_in_phases(small_corpus, fake_model, tmp_path):
    index_dir = tmp_path / "index"
    ingest_paths([small_corpus], settings=Settings(index_dir=index_dir), embedder=fake_model)
    before = (small_corpus / "statute" / "fair-use.md").read_text()

    result = incremental_ingest(index_dir, small_corpus, source="statute/fair-use.md", runs=2, cli="tests.fake_cli")

    assert (small_corpus / "statute" / "fair-use.md").read_text().startswith(before)
    assert result["file"] == "statute/fair-use.md" and result["file_chunks"] > 0 and len(result["runs"]) == 2
    for run in result["runs"]:
        assert "1 indexed" in run["summary"]
        phases = run["to_model_s"] + run["model_and_file_s"] + run["after_file_s"]
        assert abs(phases - run["total_s"]) < 0.05
    assert result["other_s"] == round(result["total_s"] - result["embed_s"], 2)
    assert result["code"] == str(Path(ROOT))
