"""The embedding base class: batching by length, rows in the order given."""

import numpy as np


def test_embed_returns_rows_in_the_order_given_although_it_batches_by_length(fake_embedder):
    texts = ["a much longer text about fair use and training " * 3, "short", "middle length text", "x y"]
    together = fake_embedder.embed(texts, batch_size=2)
    alone = np.vstack([fake_embedder.embed([t]) for t in texts])
    assert np.allclose(together, alone)
