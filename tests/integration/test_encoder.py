"""The project's own BERT encoder against sentence-transformers, on the bundled model: the same
vectors on every path, and a question encoded without importing torch."""

import subprocess
import sys

import numpy as np
import pytest

from ingest.embeddings import BertEmbedder, load_embedder, resolve_model_path

TEXTS = [
    "The court granted summary judgment to Meta on fair use.",
    "Training on lawfully purchased books was fair use, but pirated copies kept in a central library were not.",
    "Who was the judge?",
    " ".join(["The plaintiffs allege that the defendants copied their works without permission."] * 30),  # truncated
]


@pytest.fixture(scope="module")
def library():
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(resolve_model_path("all-MiniLM-L6-v2")), device="cpu")
    return model.encode(TEXTS, normalize_embeddings=True)


@pytest.mark.parametrize("precision, floor", [("numpy", 0.99999), ("fp32", 0.99999), ("bf16", 0.9999)])
def test_every_path_gives_the_library_s_vectors(library, precision, floor):
    embedder = load_embedder("all-MiniLM-L6-v2", precision)
    assert isinstance(embedder, BertEmbedder)
    cosines = (embedder.embed(TEXTS, batch_size=32) * library).sum(1)  # four texts: the small path, numpy
    embedder.set_threads(small=False)
    batched = (embedder.embed_batch(TEXTS) * library).sum(1)  # the document path
    assert cosines.min() > 0.99999
    assert batched.min() > floor, batched


def test_token_counts_match_the_library_tokenizer():
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(resolve_model_path("all-MiniLM-L6-v2")))
    ours = load_embedder("all-MiniLM-L6-v2", "fp32").count_tokens(TEXTS)
    assert ours == [len(tokenizer(t, add_special_tokens=False)["input_ids"]) for t in TEXTS]
    assert ours[-1] > 256  # counting never truncates


def fresh_python(code: str) -> str:
    """What ``code`` prints in a new interpreter (where nothing has imported torch yet), after
    ``import sys; from ingest.embeddings import load_embedder``."""
    prelude = "import sys; from ingest.embeddings import load_embedder; "
    return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_a_question_is_encoded_without_importing_torch():
    out = fresh_python("v = load_embedder('all-MiniLM-L6-v2').embed(['Was training Claude fair use?']); "
                       "print(v.shape, 'torch' in sys.modules, 'transformers' in sys.modules)")
    assert out == "(1, 384) False False"


def test_documents_go_to_torch_and_sentences_stay_in_numpy():
    out = fresh_python("e = load_embedder('all-MiniLM-L6-v2', 'fp32'); "
                       "e.embed(['The court held that the use was fair. ' * 5] * 20); print('torch' in sys.modules, end=' '); "
                       "e.embed(['The court held that the use was fair. ' * 30] * 10); print('torch' in sys.modules)")
    assert out == "False True"  # twenty sentences in numpy; ten chunks of 1,100 characters in torch


def test_the_index_records_its_encoder(real_index):
    from ingest.store import ChunkStore
    from legalqa.settings import Settings

    store = ChunkStore(Settings(index_dir=real_index))
    assert store.build_info().encoder in {"torch-bf16", "torch-fp32"}


def test_the_library_path_counts_and_encodes_as_the_library(library):
    from ingest.embeddings import SentenceTransformerEmbedder

    embedder = load_embedder("all-MiniLM-L6-v2", "sentence-transformers")
    assert isinstance(embedder, SentenceTransformerEmbedder) and embedder.encoder == "sentence-transformers-fp32"
    assert embedder.count_tokens(TEXTS) == load_embedder("all-MiniLM-L6-v2", "fp32").count_tokens(TEXTS)
    assert (embedder.embed(TEXTS) * library).sum(1).min() > 0.99999
