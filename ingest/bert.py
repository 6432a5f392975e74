"""A BERT sentence encoder with mean pooling (all-MiniLM-L6-v2 is one), run two ways.

- **torch**, its matrix products in bfloat16 where the CPU multiplies bf16 in hardware
  (``ingest.cpu``), else in float32: for documents, where the encode is most of an ingest's
  time. The running sum between layers and the layer norms stay in float32 either way: at the
  same speed, the vectors' mean distance to float32's is a third of all-bfloat16's.
- **numpy**, in float32, without importing torch: for questions and the few sentences an answer
  re-scores. A question then costs a tokenizer call and six small matrix products, and
  ``legalqa ask`` never pays torch's start-up.

Both read the model folder sentence-transformers reads (``config.json``, ``tokenizer.json``,
``model.safetensors``, ``1_Pooling``) and give what it gives: the mean of the last layer over the
real tokens, L2-normalised. Models of another shape are left to sentence-transformers
(:func:`supported` says which)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

PRECISIONS = ("bf16", "fp32")


def supported(folder: Path) -> str | None:
    """Why the folder's model is not one this module runs, or None if it is."""
    try:
        config = json.loads((folder / "config.json").read_text())
        modules = json.loads((folder / "modules.json").read_text())
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError) as exc:
        return f"no BERT sentence-transformers files ({exc.__class__.__name__})"
    if not (folder / "model.safetensors").exists() or not (folder / "tokenizer.json").exists():
        return "no model.safetensors or tokenizer.json"
    if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
        return f"model type {config.get('model_type')!r} with {config.get('hidden_act')!r}"
    if config.get("position_embedding_type", "absolute") != "absolute":
        return "relative position embeddings"
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    if kinds not in (["Transformer", "Pooling", "Normalize"], ["Transformer", "Pooling"]):
        return f"modules {kinds}"
    modes = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v]
    if modes != ["pooling_mode_mean_tokens"]:
        return f"pooling {modes}"
    return None


class BertEncoder:
    """Weights loaded once (as numpy arrays); torch is imported only by :meth:`encode_torch`."""

    def __init__(self, folder: Path):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.folder = folder
        config = json.loads((folder / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.dimension = int(config["hidden_size"])
        try:
            self.max_tokens = int(json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"])
        except (OSError, ValueError, KeyError):
            self.max_tokens = int(config.get("max_position_embeddings", 512))
        weights = load_file(str(folder / "model.safetensors"))
        self.w = {k.removeprefix("bert."): v.astype(np.float32, copy=False) for k, v in weights.items()
                  if not k.removeprefix("bert.").startswith("pooler.")}  # the pooler is not used for sentences
        # numpy multiplies by each dense layer's transpose: stored contiguous, once, BLAS runs at full speed
        # (a transposed view made every product a slow strided loop: 25 ms instead of 0.1).
        self.wt = {k: np.ascontiguousarray(v.T) for k, v in self.w.items() if k.startswith("encoder.") and v.ndim == 2}
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer.enable_padding(pad_id=int(config.get("pad_token_id", 0)))
        self._counter = None
        self._torch: dict[str, tuple] = {}

    def tokenize(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        encodings = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        return ids, mask

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text, without special tokens or truncation."""
        if self._counter is None:  # only ingest counts: a question never loads it
            from tokenizers import Tokenizer

            self._counter = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
            self._counter.no_truncation()
            self._counter.no_padding()
        counts: list[int] = []
        for i in range(0, len(texts), 1024):  # in slices: encodings of 60,000 sentences take a gigabyte
            counts.extend(len(e.ids) for e in self._counter.encode_batch(list(texts[i : i + 1024]), add_special_tokens=False))
        return counts

    # -- numpy, float32 --------------------------------------------------------------

    def encode_numpy(self, texts: Sequence[str]) -> np.ndarray:
        ids, mask = self.tokenize(texts)
        w, length = self.w, ids.shape[1]
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
        x = _layer_norm(x + w["embeddings.token_type_embeddings.weight"][0], w, "embeddings.LayerNorm", self.eps)
        blocked = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)
        for n in range(self.layers):
            x = self._layer_numpy(x, blocked, f"encoder.layer.{n}.")
        return _mean_pool(x, mask)

    def _layer_numpy(self, x: np.ndarray, blocked: np.ndarray, p: str) -> np.ndarray:
        w = self.w
        batch, length, hidden = x.shape
        size = hidden // self.heads

        def heads(name: str) -> np.ndarray:
            out = self._linear(x, p + f"attention.self.{name}")
            return out.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

        scores = heads("query") @ heads("key").transpose(0, 1, 3, 2) / math.sqrt(size) + blocked
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = (scores / scores.sum(-1, keepdims=True)) @ heads("value")
        context = context.transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        x = _layer_norm(x + self._linear(context, p + "attention.output.dense"), w, p + "attention.output.LayerNorm", self.eps)
        inner = _gelu(self._linear(x, p + "intermediate.dense"))
        return _layer_norm(x + self._linear(inner, p + "output.dense"), w, p + "output.LayerNorm", self.eps)

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        flat = x.reshape(-1, x.shape[-1]) @ self.wt[name + ".weight"] + self.w[name + ".bias"]
        return flat.reshape(*x.shape[:-1], flat.shape[-1])

    # -- torch, bfloat16 or float32 ----------------------------------------------------

    def encode_torch(self, texts: Sequence[str], precision: str) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        w = self._torch_weights(precision)
        ids, mask = (torch.from_numpy(a) for a in self.tokenize(texts))
        hidden = self.dimension
        with torch.inference_mode():
            length = ids.shape[1]
            x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
            x = x + w["embeddings.token_type_embeddings.weight"][0]
            x = F.layer_norm(x, (hidden,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
            keep = mask.bool()[:, None, None, :]
            for n in range(self.layers):
                x = self._layer_torch(x, keep, f"encoder.layer.{n}.", w)
            return _mean_pool(x.numpy(), mask.numpy())

    def _layer_torch(self, x, keep, p: str, w: dict):
        """One layer: ``x`` (float32) in and out; the products at the weights' precision, and for
        bfloat16 the attention and GELU too, whose inputs come out of a product."""
        import torch.nn.functional as F

        batch, length, hidden = x.shape
        size = hidden // self.heads
        dtype = w[p + "attention.self.query.weight"].dtype

        def dense(name: str, value):
            return F.linear(value, w[p + name + ".weight"], w[p + name + ".bias"])

        def heads(name: str, value):
            return dense(f"attention.self.{name}", value).view(batch, length, self.heads, size).transpose(1, 2)

        def norm(name: str, value):
            return F.layer_norm(value, (hidden,), w[p + name + ".weight"], w[p + name + ".bias"], self.eps)

        low = x.to(dtype)
        context = F.scaled_dot_product_attention(heads("query", low), heads("key", low), heads("value", low),
                                                 attn_mask=keep)
        context = context.transpose(1, 2).reshape(batch, length, hidden)
        x = norm("attention.output.LayerNorm", x + dense("attention.output.dense", context).float())
        inner = F.gelu(dense("intermediate.dense", x.to(dtype)))
        return norm("output.LayerNorm", x + dense("output.dense", inner).float())

    def _torch_weights(self, precision: str) -> dict:
        """The weights as torch tensors: the dense layers' at ``precision``, the embeddings and layer
        norms in float32."""
        if precision not in self._torch:
            import torch

            dtype = torch.bfloat16 if precision == "bf16" else torch.float32
            self._torch[precision] = {
                k: torch.from_numpy(v).to(torch.float32 if k.startswith("embeddings.") or ".LayerNorm." in k else dtype)
                for k, v in self.w.items()
            }
        return self._torch[precision]


def _layer_norm(x: np.ndarray, w: dict, name: str, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(-1, keepdims=True)
    return centred / np.sqrt(var + eps) * w[name + ".weight"] + w[name + ".bias"]


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, 0.5·x·(1 + erf(x/√2)), with erf to 1.5e-7 (Abramowitz and Stegun 7.1.26)."""
    z = np.abs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = np.sign(x) * (1.0 - poly * np.exp(-z * z))
    return (0.5 * x * (1.0 + erf)).astype(np.float32)


def _mean_pool(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[:, :, None].astype(np.float32)
    pooled = (x * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
