"""The kernel classifier (logistic regression with an RBF kernel on multilingual sentence embeddings, offline,
numpy) trained on the project's own labelled sets: what `warmline safety train` retrains with an operator's
messages (`custom`). The screen's default second stage is `linear.shipped`, trained on real help-seekers'
messages. It only raises risk to `elevated`; the lexicon decides what is imminent (see `Screener`)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from functools import lru_cache

import numpy as np

Encoder = Callable[[list[str]], np.ndarray]
# the development and training sets, and the held-out sets 1-23, retired into training once newer ones were
# written: the files of roles kernel-training and retired-held-out in data/safety-written/manifest.json
RETIRED = tuple(f"heldout{i if i > 1 else ''}" for i in range(1, 24))  # heldout, heldout2, ..., heldout23
TRAINING_SETS = tuple(
    f"{split}_{lang}.jsonl"
    for split in ("labelled", "train", "train2", "train3", "train4", "train5", *RETIRED)
    for lang in ("en", "zh")
)
# the highest recall with precision >= 0.90 in both languages on a 0.05 grid, each retired held-out set scored by
# a classifier trained without it, unless a fresh held-out set judged the move by a guard fixed in advance; the
# screen prefers a false alarm to a miss (each threshold's figures: docs/safety-rounds.md)
THRESHOLD = 0.40


def default_encoder() -> Encoder:
    """The offline sentence encoder, one thread (the screen runs beside the server's event loop)."""
    from ..embedding import encode

    return lambda texts: encode(texts, threads=1)


def remembering(encoder: Encoder) -> Encoder:
    """The encoder, remembering every text it has embedded: for scoring the same texts many times (a threshold
    sweep, folds of cross-validation)."""
    seen: dict[str, np.ndarray] = {}

    def encode(texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in seen]
        if new:
            seen.update(zip(new, encoder(new)))
        return np.stack([seen[t] for t in texts]) if texts else encoder([])

    return encode


class RiskClassifier:
    """p(risk | text) = sigmoid(sum_j a_j exp(-gamma * |x_j - x|^2) + b) over unit embeddings x. The screen reads
    each sentence with it (`sentences`); from `sure` on, a flag gets the full crisis message, not the check-in."""

    sentences = True
    # few of its false alarms reach 0.90, many of the cases it alone catches do (chosen leaving one retired set
    # out; the counts: docs/safety-rounds.md)
    sure = 0.90

    def __init__(
        self,
        support: np.ndarray,
        alpha: np.ndarray,
        bias: float,
        gamma: float = 2.0,
        threshold: float = THRESHOLD,
        encoder: Encoder | None = None,
    ):
        self.support, self.alpha, self.bias = support, alpha, float(bias)
        self.gamma, self.threshold = gamma, threshold
        self.encoder = encoder or default_encoder()
        self.meta: dict = {}  # where a saved classifier's data came from (`save`, `load`)

    def _kernel(self, x: np.ndarray) -> np.ndarray:
        return np.exp(-self.gamma * np.maximum(2.0 - 2.0 * (x @ self.support.T), 0.0))

    @classmethod
    def train(
        cls,
        texts: list[str],
        labels: list[int],
        gamma: float = 2.0,
        l2: float = 1e-5,
        threshold: float = THRESHOLD,
        encoder: Encoder | None = None,
        iterations: int = 50,
    ) -> RiskClassifier:
        encoder = encoder or default_encoder()
        X = encoder(list(texts)).astype(np.float64)
        y = np.asarray(labels, np.float64)
        if len(set(y.tolist())) < 2:
            raise ValueError("the risk classifier needs examples of both classes")
        n = len(y)
        K = np.exp(-gamma * np.maximum(2.0 - 2.0 * (X @ X.T), 0.0))
        a, b = np.zeros(n), 0.0

        def loss(a: np.ndarray, b: float) -> float:
            z = K @ a + b
            return float(np.mean(np.logaddexp(0.0, z) - y * z) + l2 / 2 * a @ K @ a)

        current = loss(a, b)
        for _ in range(iterations):
            z = K @ a + b
            p = 1 / (1 + np.exp(-z))
            w = np.maximum(p * (1 - p), 1e-10) / n
            r = (p - y) / n
            # Newton step with K factored out of the a-rows (the usual kernel trick)
            M = np.empty((n + 1, n + 1))
            M[:n, :n] = w[:, None] * K + l2 * np.eye(n)
            M[:n, n] = w
            M[n, :n] = w @ K
            M[n, n] = w.sum()
            step = np.linalg.solve(M, np.concatenate([r + l2 * a, [r.sum()]]))
            t = 1.0  # halve the step until the loss goes down
            while (cand := loss(a - t * step[:n], b - t * step[n])) > current and t > 1e-4:
                t /= 2
            if cand > current:
                break  # no descent left along the Newton direction
            a, b = a - t * step[:n], b - t * step[n]
            converged, current = current - cand < 1e-10, cand
            if converged:
                break
        return cls(X.astype(np.float32), a.astype(np.float32), b, gamma, threshold, encoder)

    def save(self, path, meta: dict | None = None) -> None:
        """Write the classifier (and `meta`, anything JSON: where its data came from) to an .npz file, atomically."""
        save_model(
            path,
            FEATURES,
            meta or {},
            support=self.support,
            alpha=self.alpha,
            bias=self.bias,
            gamma=self.gamma,
            threshold=self.threshold,
        )

    @classmethod
    def load(cls, path, encoder: Encoder | None = None) -> RiskClassifier:
        """A classifier written by `save` (`warmline safety train`); ValueError saying what is wrong otherwise."""
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"])) if "meta" in z else {"features": FEATURES}
                clf = cls(z["support"], z["alpha"], float(z["bias"]), float(z["gamma"]), float(z["threshold"]), encoder)
        except (OSError, KeyError, ValueError, json.JSONDecodeError) as e:
            raise ValueError(f"{path}: not a safety classifier written by `warmline safety train` ({e})") from None
        if meta.get("features") != FEATURES:
            raise ValueError(
                f"{path}: trained on {meta.get('features')!r} features, this warmline reads {FEATURES!r}; "
                "train it again with `warmline safety train`"
            )
        if clf.support.ndim != 2 or clf.support.shape[0] != clf.alpha.shape[0]:
            raise ValueError(f"{path}: its support vectors and coefficients do not match; train it again")
        clf.meta = meta
        return clf

    def probabilities(self, texts: list[str]) -> np.ndarray:
        z = self._kernel(self.encoder(list(texts))) @ self.alpha + self.bias
        return 1 / (1 + np.exp(-z.astype(np.float64)))

    def probability(self, text: str) -> float:
        return float(self.probabilities([text])[0])

    def __call__(self, text: str) -> bool:
        return self.probability(text) >= self.threshold


def save_npz(path, **arrays) -> None:
    """Write arrays to an .npz file atomically (a temporary file, then a rename), creating its folder."""
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def save_model(path, features: str, meta: dict, **arrays) -> None:
    """Write a model file that `load_npz` reads: its arrays and a json `meta` entry naming the features it reads."""
    save_npz(path, **arrays, meta=json.dumps({"features": features, **meta}, ensure_ascii=False))


def load_npz(path, fields: tuple[str, ...], features: str, what: str, script: str) -> tuple[dict, dict]:
    """(the named arrays, the metadata) of a model file written by `save_npz` with a json `meta` entry; a file that
    is not one, or was trained on other features, is a ValueError that names the script rebuilding it."""
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            arrays = {k: z[k] for k in fields}
    except (OSError, KeyError, ValueError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: not a {what} ({e}); rebuild it with {script}") from None
    if meta.get("features") != features:
        raise ValueError(
            f"{path}: trained on {meta.get('features')!r} features, this warmline reads {features!r}; "
            f"rebuild it with {script}"
        )
    return arrays, meta


def labelled(name: str, where=None) -> list[dict]:
    """The rows of a project-written set ("train5_en.jsonl"), checked against its manifest (`written.load`:
    `where` is their folder, by default the source checkout's `data/safety-written/`)."""
    from .written import load

    return load(name, where)


def examples(rows: list[dict]) -> tuple[list[str], list[int]]:
    """(texts as the classifier reads them, with idioms blanked out as the lexicon does; 1 for any risk)."""
    from .detect import without_idioms

    return [without_idioms(r["text"]) for r in rows], [int(r["risk"] != "none") for r in rows]


def training_rows(where=None) -> list[dict]:
    """Every row of TRAINING_SETS, from the written sets' folder `where` (see `labelled`)."""
    return [r for name in TRAINING_SETS for r in labelled(name, where)]


@lru_cache(maxsize=2)
def bundled(where=None) -> RiskClassifier:
    """Trained on TRAINING_SETS in both languages (never on the held-out set, `quality.HELD_OUT`), with
    idioms blanked out as the lexicon reads them. About 1-2 s the first time; the result is kept under
    $WARMLINE_HOME/cache, keyed by the training data and settings, so later processes load it. The sets do not
    ship in the package: `where` is their folder (`written.WrittenSetsError` when they cannot be found)."""
    texts, labels = examples(training_rows(where))
    key = hashlib.sha256(json.dumps([CACHE_VERSION, texts, labels], ensure_ascii=False).encode()).hexdigest()[:16]
    path = _cache_dir() / f"safety-classifier-{key}.npz"
    try:
        return RiskClassifier.load(path)
    except ValueError:
        pass  # not there yet, or unreadable: train again
    clf = RiskClassifier.train(texts, labels)
    try:
        clf.save(path, {"trained_on": "bundled"})
    except OSError:
        pass  # a read-only home: train each time
    return clf


# the embedding a classifier's support vectors come from: a saved classifier only loads where it matches
FEATURES = "use-multilingual-v3"
# bump when the features, the model or its settings change
CACHE_VERSION = f"{FEATURES}/klr-rbf/gamma2/l2-1e-5/threshold{THRESHOLD}/v3"


def _cache_dir():
    from ..paths import warmline_home

    return warmline_home() / "cache"
