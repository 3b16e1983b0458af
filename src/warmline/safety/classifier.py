"""A light second-stage classifier: logistic regression on hashed character n-grams (1-4, both
languages) and English word unigrams, trained on the project's labelled development sets in well under
a second with numpy. It only ever raises risk to `elevated`; the lexicon decides what is imminent."""

from __future__ import annotations

import json
import re
import zlib
from functools import lru_cache
from importlib import resources as ir

import numpy as np

DIM = 1 << 15
_WORD = re.compile(r"[a-z']+")


def features(text: str) -> np.ndarray:
    t = " ".join(text.lower().split())
    idx = []
    for n in (1, 2, 3, 4):
        idx.extend(zlib.crc32(f"c{n}:{t[i:i + n]}".encode()) % DIM for i in range(len(t) - n + 1))
    idx.extend(zlib.crc32(f"w:{w}".encode()) % DIM for w in _WORD.findall(t))
    v = np.zeros(DIM, dtype=np.float32)
    np.add.at(v, np.array(idx, dtype=np.int64), 1.0)
    norm = np.linalg.norm(v)
    return v / norm if norm else v


class RiskClassifier:
    def __init__(self, weights: np.ndarray, bias: float, threshold: float = 0.5):
        self.w, self.b, self.threshold = weights, bias, threshold

    @classmethod
    def train(cls, texts: list[str], labels: list[int], epochs: int = 300, lr: float = 2.0, l2: float = 1e-4,
              threshold: float = 0.5) -> RiskClassifier:
        X = np.stack([features(t) for t in texts])
        y = np.asarray(labels, dtype=np.float32)
        w = np.zeros(DIM, dtype=np.float32)
        b = 0.0
        for _ in range(epochs):  # full-batch gradient descent: a few hundred examples
            p = 1 / (1 + np.exp(-(X @ w + b)))
            g = p - y
            w -= lr * (X.T @ g / len(y) + l2 * w)
            b -= lr * float(g.mean())
        return cls(w, b, threshold)

    def probability(self, text: str) -> float:
        return float(1 / (1 + np.exp(-(features(text) @ self.w + self.b))))

    def __call__(self, text: str) -> bool:
        return self.probability(text) >= self.threshold


def labelled(name: str) -> list[dict]:
    text = ir.files("warmline").joinpath(f"data/safety/{name}").read_text(encoding="utf-8")
    return [json.loads(x) for x in text.splitlines() if x.strip()]


@lru_cache(maxsize=1)
def bundled() -> RiskClassifier:
    """The classifier trained on the development sets of both languages (never on the held-out sets)."""
    rows = labelled("labelled_en.jsonl") + labelled("labelled_zh.jsonl")
    return RiskClassifier.train([r["text"] for r in rows], [int(r["risk"] != "none") for r in rows])
