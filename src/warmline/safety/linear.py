"""The shipped second stage: logistic regression on the whole message's multilingual sentence embedding
(USE multilingual v3, offline, numpy), trained on real help-seekers' messages (`data/safety-real/` in the
repository) and the project's written training sets (`data/safety-written/`).

It reads the whole message once. Reading each sentence on its own as well, and taking the highest score,
flags more of the long ordinary messages real people write (each sentence is one more chance of a false
alarm) for few more cases caught; see docs/safety-rounds.md for the comparison. The weights ship in the
package (`data/safety/real_classifier.npz`); `scripts/train_safety_classifier.py` rebuilds them from the
data in the repository, choosing the threshold by grouped cross-validation (`warmline.safety.real`)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources as ir

import numpy as np

FEATURES = "use-multilingual-v3"
WEIGHTS = "data/safety/real_classifier.npz"


def balanced(y: np.ndarray) -> np.ndarray:
    """Weights that give each class half the total weight, summing to len(y): the few cases at risk count as
    much as the many ordinary messages."""
    y = np.asarray(y, np.float64)
    pos = y.mean()
    return np.where(y == 1, 0.5 / pos, 0.5 / (1 - pos))


def fit_logistic(
    X: np.ndarray, y: np.ndarray, l2: float = 1.0, weights: np.ndarray | None = None, iterations: int = 50
) -> tuple[np.ndarray, float]:
    """(weights, bias) of L2-regularised logistic regression by Newton's method, each row weighted by
    `weights` (default `balanced(y)`)."""
    X = np.asarray(X, np.float64)
    y = np.asarray(y, np.float64)
    n, d = X.shape
    if len(set(y.tolist())) < 2:
        raise ValueError("logistic regression needs examples of both classes")
    sw = balanced(y) if weights is None else np.asarray(weights, np.float64)
    A = np.hstack([X, np.ones((n, 1))])
    w = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[-1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(A @ w)))
        grad = A.T @ (sw * (p - y)) + reg * w
        H = (A * (sw * np.maximum(p * (1 - p), 1e-10))[:, None]).T @ A + np.diag(reg)
        step = np.linalg.solve(H, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


class LinearRiskClassifier:
    """p(risk | text) = sigmoid(w . x + b) over the unit embedding x of the whole message. `threshold`: the
    probability from which it flags a message; `sure`: from which the person gets the full crisis message
    instead of a check-in (`policy`). `sentences = False`: the screen reads the whole message only."""

    sentences = False

    def __init__(
        self, weights: np.ndarray, bias: float, threshold: float, sure: float, encoder=None, meta: dict | None = None
    ):
        self.weights, self.bias = np.asarray(weights, np.float32), float(bias)
        self.threshold, self.sure = float(threshold), float(sure)
        self.meta = meta or {}
        if encoder is None:
            from .classifier import default_encoder

            encoder = default_encoder()
        self.encoder = encoder

    def probabilities(self, texts: list[str]) -> np.ndarray:
        z = self.encoder(list(texts)).astype(np.float64) @ self.weights.astype(np.float64) + self.bias
        return 1 / (1 + np.exp(-z))

    def probability(self, text: str) -> float:
        return float(self.probabilities([text])[0])

    def __call__(self, text: str) -> bool:
        return self.probability(text) >= self.threshold

    def save(self, path, meta: dict | None = None) -> None:
        from .classifier import save_model

        save_model(
            path,
            FEATURES,
            {**self.meta, **(meta or {})},
            weights=self.weights,
            bias=self.bias,
            threshold=self.threshold,
            sure=self.sure,
        )

    @classmethod
    def load(cls, path, encoder=None) -> LinearRiskClassifier:
        from .classifier import load_npz

        z, meta = load_npz(
            path,
            ("weights", "bias", "threshold", "sure"),
            FEATURES,
            "linear safety classifier",
            "scripts/train_safety_classifier.py",
        )
        return cls(z["weights"], float(z["bias"]), float(z["threshold"]), float(z["sure"]), encoder, meta)


@lru_cache(maxsize=1)
def shipped() -> LinearRiskClassifier:
    """The classifier whose weights ship in the package (trained on real messages; never retrained at use)."""
    with ir.as_file(ir.files("warmline").joinpath(WEIGHTS)) as path:
        return LinearRiskClassifier.load(path)
