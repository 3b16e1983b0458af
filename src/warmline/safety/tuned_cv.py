"""The LoRA-tuned second stage (`warmline.tuned`) measured on the real labelled messages by nested grouped
cross-validation, on the folds `real.cross_validate` uses.

Nesting without training a fresh inner cross-validation per outer fold: with K folds, the model trained on every
fold but {k, j} scores fold j for the inner cross-validation of outer fold k, and fold k for that of outer fold j.
So K outer models and K(K-1)/2 pair models give every row an out-of-fold probability (`outer`) and, per outer
fold, out-of-fold probabilities of the training folds from models that never saw the test fold (`inner`); a
threshold chosen on `inner` never saw a label of the fold it judges. Each model's scores are cached on disk, keyed
by its settings and training rows, so an interrupted run resumes."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
from itertools import combinations
from pathlib import Path

import numpy as np

from .real import screen_texts

# how the tuned stage reads a message longer than its token budget (`read`)
READINGS = ("head", "head+tail")


def read(texts: list[str], tokenizer, max_len: int, reading: str = "head", prefix: str = "") -> list[str]:
    """The texts as the tuned stage reads them: "head" leaves them to the tokenizer, which truncates after
    `max_len` tokens; "head+tail" keeps the first and last halves of the budget of a longer message (the close of
    a long question often says what the person fears most). The budget is what `max_len` leaves after the special
    tokens, the encoder's `prefix` and the " ... " between the halves, so that truncation never cuts the tail."""
    if reading not in READINGS:
        raise ValueError(f"unknown reading {reading!r}: use one of {', '.join(READINGS)}")
    if reading == "head":
        return list(texts)
    room = max_len - 2  # [CLS] and [SEP]

    def size(t: str) -> int:
        return len(tokenizer(prefix + t, add_special_tokens=False)["input_ids"])

    budget = room - size(" ... ")  # the prefix and the separator
    out = []
    for t in texts:
        if size(t) <= room:
            out.append(t)
            continue
        ids = tokenizer(t, add_special_tokens=False)["input_ids"]
        half = max(budget // 2, 0)
        tail = max(budget - half, 0)
        joined = tokenizer.decode(ids[:half]) + " ... " + (tokenizer.decode(ids[-tail:]) if tail else "")
        # decoding and reading again can merge or split a token at the seams: drop from the tail's start until it fits
        while tail and size(joined) > room:
            tail -= 1
            joined = tokenizer.decode(ids[:half]) + " ... " + (tokenizer.decode(ids[-tail:]) if tail else "")
        out.append(joined)
    return out


def training_subset(rows: list[dict], at: np.ndarray, hard: np.ndarray, keep_easy: float, seed: int) -> np.ndarray:
    """The rows of `at` to train on: every row at risk, every hard ordinary one (`hard`), and a `keep_easy` share of
    the other ordinary rows (most of the cost, least of the signal)."""
    rng = random.Random(seed)
    return np.array([i for i in at if rows[i]["label"] != "none" or hard[i] or rng.random() < keep_easy], dtype=int)


def auc(p: np.ndarray, y: np.ndarray) -> float:
    """ROC-AUC by ranks (ties count half); NaN with a class missing."""
    pos, neg = p[y], p[~y]
    if not len(pos) or not len(neg):
        return float("nan")
    return float(
        ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg))
    )


def _key(settings, reading: str, train_ids: list[str], keep_easy: float, weighted: float) -> str:
    # a setting at the default it had before it existed leaves the key as it was, so earlier caches still answer
    fields = {k: v for k, v in settings.__dict__.items() if not (k == "probe" and not v)}
    blob = json.dumps([fields, reading, train_ids, keep_easy, weighted], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


# other readings of a message scored by the same models (`model_scores`), to choose how the stage reads long
# messages without training once per reading: the first and last halves of the budget, and a budget twice as long
ALSO = (("head+tail", 1), ("head", 2))


def model_scores(rows, texts, y, train, predict, settings, reading, cache: Path, extra=None, log=print) -> dict:
    """{"main": p(at risk) for the rows `predict` as the model reads in training, "READING@N": the same model reading
    as ALSO says (N tokens)} from a model fit on the rows `train` (and `extra`, (texts, labels, weights) of written
    rows), cached under `cache`."""
    from .. import tuned

    key = _key(settings, reading, [rows[i]["id"] for i in train], 0.0, 0.0 if extra is None else len(extra[0]))
    path = cache / f"scores-{key}.json"
    names = ["main"] + [f"{r}@{settings.max_len * m}" for r, m in ALSO]
    if path.exists():
        known = json.loads(path.read_text())
        if all(rows[i]["id"] in known for i in predict):  # a cache from before ALSO: the main reading alone
            known = {f"main|{k}": v for k, v in known.items()}
        names = [n for n in names if all(f"{n}|{rows[i]['id']}" in known for i in predict)]
        if "main" in names:
            return {n: np.array([known[f"{n}|{rows[i]['id']}"] for i in predict]) for n in names}
        names = ["main"] + [f"{r}@{settings.max_len * m}" for r, m in ALSO]
    fit_texts = [texts[i] for i in train]
    labels = ["risk" if y[i] else "none" for i in train]
    weights = [1.0] * len(train)
    if extra is not None:
        fit_texts += list(extra[0])
        labels += ["risk" if v else "none" for v in extra[1]]
        weights += list(extra[2])
    tokenizer, _, prefix = tuned.base(settings.base)
    clf = tuned.fit(
        read(fit_texts, tokenizer, settings.max_len, reading, prefix),
        labels,
        settings,
        ["none", "risk"],
        weights,
        progress=False,
    )
    predicted = [texts[i] for i in predict]
    out = {"main": clf.probabilities(read(predicted, tokenizer, settings.max_len, reading, prefix))[:, 1]}
    for (r, m), name in zip(ALSO, names[1:]):
        clf.settings = dataclasses.replace(settings, max_len=settings.max_len * m)
        out[name] = clf.probabilities(read(predicted, tokenizer, clf.settings.max_len, r, prefix))[:, 1]
    known = {f"{n}|{rows[i]['id']}": float(v) for n, p in out.items() for i, v in zip(predict, p)}
    cache.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(known))
    log(
        f"model {key}: fit on {len(fit_texts)}, scored {len(predict)}, ROC-AUC there "
        + ", ".join(f"{n} {auc(p, y[predict]):.3f}" for n, p in out.items())
    )
    return out


def nested_scores(
    rows,
    fold,
    use,
    hard,
    settings,
    reading="head",
    keep_easy=1.0,
    cache=Path("/tmp"),
    extra=None,
    log=print,
    pairs=True,
):
    """(outer, inner, also): `outer[i]`, row i's probability from the model trained without its fold; `inner[k][i]`, for
    outer fold k and a row i of another fold j, its probability from the model trained without folds k and j
    (NaN elsewhere); `also[name]`, the outer models' scores reading as ALSO says. Only rows where `use` is true take part. Without `pairs`, `inner[k]` is `outer` on the other
    folds: cheaper, but each of those scores came from a model that saw fold k, so a threshold chosen on them is
    not strictly nested."""
    y = np.array([r["label"] != "none" for r in rows])
    texts = screen_texts(rows)
    folds = sorted(set(fold[use].tolist()))
    outer = np.full(len(rows), np.nan)
    inner = {k: np.full(len(rows), np.nan) for k in folds}
    also: dict[str, np.ndarray] = {}
    for k in folds:
        at = np.where(use & (fold != k))[0]
        test = np.where(use & (fold == k))[0]
        got = model_scores(
            rows, texts, y, training_subset(rows, at, hard, keep_easy, k), test, settings, reading, cache, extra, log
        )
        outer[test] = got.pop("main")
        for name, p in got.items():
            also.setdefault(name, np.full(len(rows), np.nan))[test] = p
    if not pairs:
        for k in folds:
            inner[k][use & (fold != k)] = outer[use & (fold != k)]
        return outer, inner, also
    for k, j in combinations(folds, 2):
        at = np.where(use & (fold != k) & (fold != j))[0]
        held = np.where(use & ((fold == k) | (fold == j)))[0]
        p = model_scores(
            rows,
            texts,
            y,
            training_subset(rows, at, hard, keep_easy, 100 + 10 * k + j),
            held,
            settings,
            reading,
            cache,
            extra,
            log,
        )["main"]
        inner[k][held[fold[held] == j]] = p[fold[held] == j]
        inner[j][held[fold[held] == k]] = p[fold[held] == k]
    return outer, inner, also
