"""A light label classifier per task (strategy, emotion, psychotherapy, topic): multinomial logistic
regression fitted with L-BFGS (scipy) on hashed character 1-3-grams and word 1-2-grams (jieba for
Chinese) beside what the words mean (the offline sentence encoder's embedding of the turn and of the turn
before it, which a strategy answers), and for strategies a turn's surface cues (cues.py). Classes are
weighted so that rare strategies count, since the most common one ("question") is most of the turns;
written examples (written.py) can join the training turns, never the test ones. Trains on CPU in
seconds; reports macro-F1 first, with accuracy and always answering the most common label, on held-out
dialogues, with a confusion matrix plot."""

from __future__ import annotations

import json
import random
import re
import zlib
from dataclasses import asdict, dataclass, field
from importlib import resources as ir
from pathlib import Path

import numpy as np
import yaml

from ..conversation import Dialogue, Turn
from ..embedding import E5_NAME, NAME
from .cues import dense_cues, opening_features
from .labels import TASKS

DIM = 1 << 18
OPENING_DIM = 1 << 14
_EN_WORD = re.compile(r"[a-z0-9']+")


@dataclass
class Example:
    text: str
    label: str
    group: str
    lang: str
    context: str = ""  # the turn before (for a counselor turn, what the client just said)


def examples(dialogues, task: str) -> list[Example]:
    """(text, first label) pairs for a task: counselor turns for strategy, client turns for emotion,
    whole dialogues for psychotherapy and topic."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}: use {', '.join(TASKS)}")
    out = []
    for d in dialogues:
        if task in ("strategy", "emotion"):
            role = "counselor" if task == "strategy" else "client"
            for i, t in enumerate(d.turns):
                labels = getattr(t, task)
                if t.role == role and labels:
                    before = d.turns[i - 1].text if i and d.turns[i - 1].role != "system" else ""
                    out.append(Example(t.text, labels[0], d.id, d.lang, before))
        else:
            v = d.labels.get(task)
            label = v[0] if isinstance(v, list) and v else v
            if isinstance(label, str) and label:
                text = "\n".join(t.text for t in d.turns if t.role != "system")
                out.append(Example(text, label, d.id, d.lang))
    return out


def _words(text: str, lang: str) -> list[str]:
    if lang == "zh":
        from ..text.tokenize import get_tokenizer

        return get_tokenizer("jieba")(text)
    return _EN_WORD.findall(text.lower())


def featurize(texts: list[str], langs: list[str]):
    """Sparse (len(texts), DIM) matrix of hashed n-gram counts, rows scaled to unit length."""
    from scipy import sparse

    rows, cols = [], []
    for r, (text, lang) in enumerate(zip(texts, langs)):
        t = " ".join(text.lower().split())
        idx = [zlib.crc32(f"c{n}:{t[i : i + n]}".encode()) for n in (1, 2, 3) for i in range(len(t) - n + 1)]
        w = _words(text, lang)
        idx += [zlib.crc32(f"w1:{x}".encode()) for x in w]
        idx += [zlib.crc32(f"w2:{a} {b}".encode()) for a, b in zip(w, w[1:])]
        rows.extend([r] * len(idx))
        cols.extend(i % DIM for i in idx)
    X = sparse.csr_matrix((np.ones(len(rows), np.float64), (rows, cols)), shape=(len(texts), DIM))
    X.sum_duplicates()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    return sparse.diags(1 / np.maximum(norms, 1e-12)) @ X


@dataclass
class Features:
    """What the classifier reads, and how much each part weighs (rows of each part have unit length)."""

    ngrams: float = 1.0
    meaning: float = 2.0  # the sentence encoder's embedding of the turn (0: off)
    context: float = 0.5  # ... and of the turn before it (0: off)
    cues: float = 0.0  # surface cues (cues.py: asks, you / I, length, first turn, overlap with the turn before)
    opening: float = 0.0  # the turn's first words, hashed (cues.py)
    class_weight: float = 1.0  # weight of a class ~ (1 / its frequency) ** this; 0: every example counts the same
    l2: float = 1e-4
    encoder: str = "use"  # the sentence encoder: use, e5 (the e5 extra) or e5+use (both side by side)

    @classmethod
    def for_task(cls, task: str, encoder: str = "use") -> Features:
        """The settings chosen for `task` (docs/insight-rounds.md): surface cues for strategy, whose cues
        (asking, restating, the first turn) were measured; the other tasks as before."""
        return cls(encoder=encoder, cues=1.0 if task == "strategy" else 0.0)

    def describe(self) -> str:
        parts = [f"hashed char 1-3-grams + word 1-2-grams (jieba for zh) x{self.ngrams:g}"]
        if self.meaning:
            name = " + ".join({"use": NAME, "e5": E5_NAME}[c] for c in self.encoder.split("+"))
            parts.append(f"{name} embedding of the turn x{self.meaning:g}")
        if self.context:
            parts.append(f"of the turn before x{self.context:g}")
        if self.cues:
            parts.append(f"surface cues x{self.cues:g}")
        if self.opening:
            parts.append(f"opening words x{self.opening:g}")
        return "; ".join(parts) + f"; class weight (1/frequency)^{self.class_weight:g}; l2 {self.l2:g}"


def design(texts: list[str], langs: list[str], contexts: list[str] | None, f: Features, embed=None):
    """The feature matrix: n-grams (sparse, DIM columns), then the embeddings (dense, one block each)."""
    from scipy import sparse

    parts = [featurize(texts, langs) * f.ngrams]
    if embed is None and (f.meaning or f.context):
        from ..embedding import encoder

        embed = encoder(f.encoder)[0]  # the query side: what e5's authors advise for classification
    if f.meaning:
        parts.append(sparse.csr_matrix(embed(texts) * f.meaning))
    if f.context:
        ctx = contexts or [""] * len(texts)
        v = embed([c or " " for c in ctx]) * f.context
        v[[not c for c in ctx]] = 0  # no turn before: no context, rather than the embedding of a space
        parts.append(sparse.csr_matrix(v))
    if f.cues:
        parts.append(sparse.csr_matrix(dense_cues(texts, contexts or [""] * len(texts), langs) * f.cues))
    if f.opening:
        parts.append(opening_features(texts, langs, OPENING_DIM) * f.opening)
    return sparse.hstack(parts).tocsr()


def class_weights(y: np.ndarray, k: int, power: float) -> np.ndarray:
    counts = np.bincount(y, minlength=k).astype(float)
    w = (len(y) / (k * np.maximum(counts, 1))) ** power
    return w[y] / w[y].mean()


def fit_softmax(
    X, y: np.ndarray, k: int, l2: float, weights: np.ndarray | None = None, max_iter: int = 300
) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression (L-BFGS): weights (columns of X, k) and biases (k,). `weights` per
    example average to 1 (class weights)."""
    from scipy.optimize import minimize

    n = X.shape[0]
    Y = np.zeros((n, k))
    Y[np.arange(n), y] = 1
    sw = (np.ones(n) if weights is None else weights)[:, None] / n

    def loss(theta):
        W = theta[:-k].reshape(X.shape[1], k)
        Z = X @ W + theta[-k:]
        Z -= Z.max(axis=1, keepdims=True)
        P = np.exp(Z)
        P /= P.sum(axis=1, keepdims=True)
        value = -np.sum(sw * Y * np.log(P + 1e-12)) + l2 / 2 * np.sum(W * W)
        G = sw * (P - Y)
        return value, np.concatenate([(X.T @ G + l2 * W).ravel(), G.sum(axis=0)])

    res = minimize(loss, np.zeros(X.shape[1] * k + k), jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
    return res.x[:-k].reshape(X.shape[1], k), res.x[-k:]


def _gram(X) -> np.ndarray:
    """X X^T as a dense array. The embedding columns are full: multiplied as sparse they cost seconds, as
    dense blocks (BLAS) milliseconds, so they are taken apart from the sparse n-gram columns."""
    from scipy import sparse

    if not sparse.issparse(X):
        return np.asarray(X @ X.T)
    X = X.tocsc()
    full = np.diff(X.indptr) > X.shape[0] // 4
    D = X[:, np.flatnonzero(full)].toarray()
    S = X[:, np.flatnonzero(~full)].tocsr()
    return (S @ S.T).toarray() + D @ D.T


def fit_softmax_small(
    X, y: np.ndarray, k: int, l2: float, weights: np.ndarray | None = None, max_iter: int = 300
) -> tuple[np.ndarray, np.ndarray]:
    """fit_softmax for fewer examples than columns, in the examples' row space: with an L2 penalty the
    weights lie in the span of the rows, so X = U S V^T (thin, from the n x n Gram matrix) turns the problem
    into the same one on U S (n columns), whose solution B gives W = V B exactly (L-BFGS from zero even
    takes the same steps). A few hundred turns over tens of thousands of n-gram columns then fit on an
    n x n problem."""
    n = X.shape[0]
    if n > 4000 or n >= X.shape[1]:  # the Gram matrix would be large, or there is nothing to gain
        return fit_softmax(X, y, k, l2, weights, max_iter)
    G = _gram(X)
    s2, U = np.linalg.eigh(G)
    keep = s2 > s2.max() * 1e-10  # the rank of X: directions with no weight in any row carry no weight
    U, s = U[:, keep], np.sqrt(s2[keep])
    B, b = fit_softmax(U * s, y, k, l2, weights, max_iter)
    # W = V B with V = X^T U / s, multiplied in the order that keeps every product small
    return np.asarray(X.T @ ((U / s) @ B)), b


def fit_rows(
    X, y: np.ndarray, k: int, f: Features, weights=None, l2: float | None = None, max_iter: int = 300
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The classifier's fit on a design matrix `X` (sparse) with classes `y` in 0..k-1: (the columns that
    occur, their weights (len(used), k), the biases). Only the columns that occur are fitted (DIM x K would be
    wasteful); `weights` per example (e.g. below 1 for written examples beside real ones) multiply the class
    weights."""
    used = np.unique(X.indices)
    w = class_weights(y, k, f.class_weight)
    if weights is not None:
        w = w * np.asarray(weights, float)
        w /= w.mean()
    Wu, b = fit_softmax_small(X[:, used], y, k, f.l2 if l2 is None else l2, w, max_iter)
    return used, Wu, b


def log_softmax(Z: np.ndarray) -> np.ndarray:
    """Log-probabilities from scores, row by row."""
    Z = Z - Z.max(axis=1, keepdims=True)
    return Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))


@dataclass
class LabelClassifier:
    task: str
    classes: list[str]
    W: np.ndarray  # (columns of the design matrix, K)
    b: np.ndarray  # (K,)
    features: Features = field(default_factory=Features)
    # the decision rule: added to the log-probabilities before the argmax (zeros: the most probable class)
    offsets: np.ndarray | None = None

    def __post_init__(self):
        if self.offsets is None:
            self.offsets = np.zeros(len(self.classes))

    @classmethod
    def train(
        cls,
        task: str,
        texts: list[str],
        langs: list[str],
        labels: list[str],
        l2: float | None = None,
        max_iter: int = 300,
        contexts: list[str] | None = None,
        features: Features | None = None,
        embed=None,
        weights: list[float] | None = None,
    ) -> LabelClassifier:
        """`weights` per example (e.g. below 1 for written examples beside real ones) multiply the class
        weights."""
        f = features or Features()
        classes = sorted(set(labels))
        X = design(texts, langs, contexts, f, embed)
        y = np.array([classes.index(x) for x in labels])
        used, Wu, b = fit_rows(X, y, len(classes), f, weights, f.l2 if l2 is None else l2, max_iter)
        W = np.zeros((X.shape[1], len(classes)))
        W[used] = Wu
        return cls(task, classes, W, b, f)

    def scores(self, texts: list[str], langs: list[str], contexts: list[str] | None = None, embed=None) -> np.ndarray:
        """(len(texts), K) log-probabilities of the classes, before the decision rule's offsets."""
        return log_softmax(np.asarray(design(texts, langs, contexts, self.features, embed) @ self.W + self.b))

    def describe(self) -> str:
        return self.features.describe()

    def predict(self, texts: list[str], langs: list[str], contexts: list[str] | None = None, embed=None) -> list[str]:
        Z = self.scores(texts, langs, contexts, embed) + self.offsets
        return [self.classes[i] for i in Z.argmax(axis=1)]

    def save(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        rows = np.flatnonzero(np.abs(self.W).sum(axis=1))
        np.savez_compressed(out / "model.npz", rows=rows, W=self.W[rows], b=self.b, offsets=self.offsets)
        (out / "model.json").write_text(
            json.dumps(
                {
                    "task": self.task,
                    "classes": self.classes,
                    "dim": DIM,
                    "columns": int(self.W.shape[0]),
                    "features": self.features.describe(),
                    "settings": asdict(self.features),
                },
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, path: Path) -> LabelClassifier:
        meta = json.loads((path / "model.json").read_text(encoding="utf-8"))
        z = np.load(path / "model.npz")
        # a model saved before the embeddings were added reads n-grams only
        f = Features(**meta["settings"]) if "settings" in meta else Features(meaning=0, context=0, class_weight=0)
        W = np.zeros((meta.get("columns", meta["dim"]), len(meta["classes"])))
        W[z["rows"]] = z["W"]
        # a model saved before the decision rule had offsets decides by the largest probability
        return cls(meta["task"], meta["classes"], W, z["b"], f, z["offsets"] if "offsets" in z else None)


@dataclass
class Report:
    task: str
    train: int
    test: int
    macro_f1: float  # first: with one label most of the turns, accuracy says little
    accuracy: float
    majority_accuracy: float
    majority_macro_f1: float = 0.0
    per_class: dict = field(default_factory=dict)
    confusion: list[list[int]] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    features: str = ""


def split_groups(exs: list[Example], test_fraction: float = 0.25, seed: int = 0) -> tuple[list[Example], list[Example]]:
    """Every example of a dialogue on one side; about `test_fraction` of dialogues held out."""
    groups = sorted({e.group for e in exs})
    random.Random(seed).shuffle(groups)
    held = set(groups[: max(1, round(len(groups) * test_fraction))])
    return [e for e in exs if e.group not in held], [e for e in exs if e.group in held]


def score(task: str, gold: list[str], pred: list[str], majority: str) -> Report:
    """Macro-F1 (over the labels in `gold`), accuracy, per-label figures and the confusion matrix."""
    classes = sorted(set(gold) | set(pred))
    cm = np.zeros((len(classes), len(classes)), int)
    for g, p in zip(gold, pred):
        cm[classes.index(g), classes.index(p)] += 1
    per = {}
    for i, c in enumerate(classes):
        tp = cm[i, i]
        prec = tp / cm[:, i].sum() if cm[:, i].sum() else 0.0
        rec = tp / cm[i, :].sum() if cm[i, :].sum() else 0.0
        per[c] = {
            "precision": prec,
            "recall": rec,
            "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
            "support": int(cm[i, :].sum()),
        }
    gold_classes = sorted(set(gold))
    share = float(np.mean([g == majority for g in gold]))
    # always answering the majority label: F1 2s/(1+s) on it, 0 on every other label
    maj_f1 = (2 * share / (1 + share) if share else 0.0) / len(gold_classes)
    return Report(
        task,
        0,
        len(gold),
        float(np.mean([per[c]["f1"] for c in gold_classes])),
        float(np.mean([g == p for g, p in zip(gold, pred)])),
        share,
        maj_f1,
        per,
        cm.tolist(),
        classes,
    )


def evaluate(
    task: str,
    exs: list[Example],
    test_fraction: float = 0.25,
    seed: int = 0,
    features: Features | None = None,
    embed=None,
    extra: list[Example] | None = None,
    extra_weight: float = 1.0,
    trainer=None,
) -> tuple[Report, LabelClassifier]:
    """Train on about 1 - `test_fraction` of the dialogues (and on `extra`, never tested on) and report on
    the rest. `trainer` (see train_and_score) replaces the light classifier, e.g. by a tuned encoder."""
    import time

    features = features or Features.for_task(task)
    train, test = split_groups(exs, test_fraction, seed)
    if len({e.label for e in train}) < 2 or not test:
        raise ValueError(
            f"{task}: need at least two labels in training and some test examples "
            f"(have {len(train)} train, {len(test)} test examples)"
        )
    t0 = time.perf_counter()
    rep, clf = train_and_score(task, train, test, features, embed, extra, extra_weight, trainer)
    rep.train, rep.seconds, rep.features = len(train), time.perf_counter() - t0, clf.describe()
    if extra:
        rep.features += f"; also trained on {len(extra)} written examples x{extra_weight:g} (never tested on)"
    return rep, clf


def train_and_score(
    task: str,
    train: list[Example],
    test: list[Example],
    features: Features | None = None,
    embed=None,
    extra: list[Example] | None = None,
    extra_weight: float = 1.0,
    trainer=None,
) -> tuple[Report, LabelClassifier]:
    """A classifier trained on `train` (and on `extra`, e.g. written examples, each weighing
    `extra_weight`) and its report on `test`, against the real training turns' most common label.
    `trainer(task, texts, langs, labels, contexts, weights)` returns another classifier with `predict` and
    `describe` (tuned_labels); by default the light one is trained."""
    rows = train + (extra or [])
    weights = [1.0] * len(train) + [extra_weight] * len(extra or [])
    cols = ([e.text for e in rows], [e.lang for e in rows], [e.label for e in rows], [e.context for e in rows])
    if trainer is not None:
        clf = trainer(task, *cols, weights)
    else:
        clf = LabelClassifier.train(task, *cols[:3], contexts=cols[3], features=features, embed=embed, weights=weights)
    pred = clf.predict([e.text for e in test], [e.lang for e in test], [e.context for e in test], embed)
    labels = [e.label for e in train]
    rep = score(task, [e.label for e in test], pred, max(set(labels), key=labels.count))
    written = [e.label for e in extra or []]
    for c, v in rep.per_class.items():
        v["train"] = labels.count(c)  # beside the test support: a label seen a handful of times is not learned
        if extra:
            v["written"] = written.count(c)
    return rep, clf


def label_turns(dialogues: list[Dialogue], clf, task: str) -> int:
    """Give every counselor turn (strategy) or client turn (emotion) of `dialogues` the label `clf` predicts,
    in place; a label the turn had before is kept in its meta (`{task}_before`). Returns the turns labelled."""
    if task not in ("strategy", "emotion"):
        raise ValueError(
            f"turn labels are strategy or emotion, not {task!r} (a label of whole dialogues): use a model that "
            "`label classify-train --task strategy` or `--task emotion` wrote"
        )
    role = "counselor" if task == "strategy" else "client"
    todo = []  # (turn, text, lang, the turn before)
    for d in dialogues:
        for i, t in enumerate(d.turns):
            if t.role == role and t.text.strip():
                before = d.turns[i - 1].text if i and d.turns[i - 1].role != "system" else ""
                todo.append((t, t.text, d.lang, before))
    if not todo:
        return 0
    pred = clf.predict([x[1] for x in todo], [x[2] for x in todo], [x[3] for x in todo])
    for (t, *_), label in zip(todo, pred):
        if getattr(t, task):
            t.meta = {**(t.meta or {}), f"{task}_before": getattr(t, task)}
        setattr(t, task, [label])
    return len(todo)


def macro_f1_without(rep: Report, labels: tuple[str, ...]) -> float:
    """Macro-F1 over the test set's labels other than `labels` (e.g. "Unknown", which is no strategy)."""
    f1 = [v["f1"] for c, v in rep.per_class.items() if v["support"] and c not in labels]
    return float(np.mean(f1)) if f1 else 0.0


def scarce_labels(rep: Report, min_test: int = 5, min_train: int = 20) -> list[str]:
    """Labels of the test set too rare to learn or to score: fewer than `min_train` training turns, or fewer
    than `min_test` test turns (an F1 of 0, 0.5 or 1 from one to four turns). Each still counts as much as the
    most common label in macro-F1, which stays the headline."""
    return [
        c
        for c, v in rep.per_class.items()
        if v["support"] and (v["support"] < min_test or v.get("train", 0) < min_train)
    ]


def confusion_plot(rep: Report, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cm = np.array(rep.confusion)
    fig, ax = plt.subplots(figsize=(1 + 0.6 * len(rep.classes), 0.8 + 0.5 * len(rep.classes)), dpi=110)
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(len(rep.classes)), rep.classes, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(rep.classes)), rep.classes, fontsize=8)
    for i in range(len(cm)):
        for j in range(len(cm)):
            if cm[i, j]:
                ax.text(
                    j,
                    i,
                    str(cm[i, j]),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if cm[i, j] > cm.max() / 2 else "black",
                )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"{rep.task}: accuracy {rep.accuracy:.2f}, macro-F1 {rep.macro_f1:.2f}", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def example_dialogues() -> list[Dialogue]:
    """Labelled dialogues built from the project's labelled utterances (data/labels/examples.yaml):
    each pairs client utterances (with emotions) and counselor utterances (with strategies) of one
    language; for the classifier's demo and tests."""
    data = yaml.safe_load(ir.files("warmline").joinpath("data/labels/examples.yaml").read_text(encoding="utf-8"))
    out = []
    for lang in ("en", "zh"):
        strat = [(k, t) for k, v in data["strategy"].items() for t in v[lang]]
        emo = [(k, t) for k, v in data["emotion"].items() for t in v[lang]]
        rng = random.Random(lang)
        rng.shuffle(strat)
        rng.shuffle(emo)
        n = 0
        while strat:
            turns = []
            for _ in range(3):
                if emo:
                    e, text = emo.pop()
                    turns.append(Turn("client", text, emotion=[e]))
                if strat:
                    s, text = strat.pop()
                    turns.append(Turn("counselor", text, strategy=[s]))
            out.append(
                Dialogue(f"labelled-{lang}-{n}", lang, turns, provenance={"source": "warmline labelled examples"})
            )
            n += 1
    return out
