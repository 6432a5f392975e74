"""Fixtures shared by unit modules that work on a copy of the sample index."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import ingest_paths
from legalqa.settings import Settings
from tests.conftest import ROOT, FakeEmbedder

SAMPLE = ROOT / "corpus" / "sample"


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory) -> Path:
    """corpus/sample indexed once per module with the fake embedder; each test works on its own copy."""
    index = tmp_path_factory.mktemp("sample") / "index"
    ingest_paths([SAMPLE], settings=Settings(index_dir=index, embedding_model="fake"), embedder=FakeEmbedder())
    return index
