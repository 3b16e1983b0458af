"""The screen measured on real help-seekers' messages (`data/safety-real/` in the repository, labelled
none / elevated / imminent against its RUBRIC.md), and the shipped classifier trained on them.

Measured only by cross-validation grouped by source dialogue and by near-duplicate text (SMILECHAT rewrote
each question once per answer, so one message can appear under several ids): every row is screened by a
classifier trained without its group, with the threshold chosen inside the training folds only (nested), so
no row helps choose the threshold that judges it. Random rows and keyword-selected rows are reported apart,
each figure with its 95% Wilson interval."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import defaultdict
from pathlib import Path

import numpy as np

LABELS = ("none", "elevated", "imminent")
# keyword-selected rows over-represent risk on purpose: never pooled with the random ones for a false-alarm rate
RANDOM_SOURCES = ("counsel-chat", "smilechat-first")
# the most false alarms a threshold may give on the random rows of the training folds, per language: a margin
# under the 5% goal, since a threshold chosen on some rows does a little worse on others
TARGET_FALSE_ALARMS = 0.04
SURE_FALSE_ALARMS = 0.01  # the classifier alone, from `sure` on: the full crisis message rather than a check-in
GRID = tuple(round(0.30 + 0.01 * i, 2) for i in range(70))  # 0.30 ... 0.99
NEAR_DUPLICATE = 0.92  # cosine of the whole-message embeddings from which two messages share a fold
L2 = 0.3
# the project's own written sets (`classifier.TRAINING_SETS`) join every fold's training, together weighing as much
# as the real rows: the real rows hold few of the indirect statements, idioms and negations the sets were written
# for, and the sets barely move the real figures (the comparison: docs/safety-rounds.md)
PROJECT_WEIGHT = 1.0


def repo_data() -> Path:
    """`data/safety-real/` of the repository this package runs from (a source checkout)."""
    return Path(__file__).resolve().parents[3] / "data" / "safety-real"


def load_rows(path, quarantine: list | None = None) -> list[dict]:
    """The labelled rows of a JSONL file ({id, lang, source, label, text}); a malformed line is skipped and
    recorded in `quarantine` as {"file", "line", "why"} (ValueError naming file and line without one)."""
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            if (
                not isinstance(r, dict)
                or r.get("label") not in LABELS
                or not isinstance(r.get("text"), str)
                or not str(r.get("id", "")).strip()
                or not r.get("lang")
            ):
                raise ValueError("needs id, lang, text and label (none, elevated or imminent)")
        except ValueError as e:
            if quarantine is None:
                raise ValueError(f"{path}:{n}: {e}") from None
            quarantine.append({"file": str(path), "line": n, "why": str(e)})
            continue
        rows.append({**r, "source": r.get("source") or "unknown"})
    return rows


def dialogue_of(row_id: str) -> str:
    """The source dialogue of a row id: "smilechat-26698-6" -> "smilechat-26698", "cc-609" -> "cc-609"."""
    m = re.match(r"([a-z]+-\d+)", row_id)
    return m.group(1) if m else row_id


def groups(rows: list[dict], vectors: np.ndarray) -> list[int]:
    """A group per row: rows of one source dialogue, and rows whose whole-message embeddings are near
    duplicates (cosine >= NEAR_DUPLICATE), share a group (union-find)."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, r in enumerate(rows):
        parent[find(i)] = find(first.setdefault(dialogue_of(str(r["id"])), i))
    if len(rows):
        a, b = np.where(np.triu(vectors @ vectors.T, 1) >= NEAR_DUPLICATE)
        for i, j in zip(a.tolist(), b.tolist()):
            parent[find(i)] = find(j)
    return [find(i) for i in range(len(rows))]


def folds_of(group_ids: list[int], rows: list[dict], folds: int = 5) -> np.ndarray:
    """A fold per row from its group's first id: the same on every run."""
    first: dict[int, str] = {}
    for g, r in zip(group_ids, rows):
        first.setdefault(g, str(r["id"]))
    return np.array([int(hashlib.sha256(first[g].encode()).hexdigest()[:8], 16) % folds for g in group_ids])


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of k successes in n trials ((0, 1) when n is 0)."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def choose_thresholds(rows: list[dict], lexicon: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """(threshold, sure) from out-of-fold probabilities `p`: the lowest threshold on GRID whose false alarms
    (lexicon or classifier) on the random rows labelled none stay within TARGET_FALSE_ALARMS in every
    language, and the lowest `sure` at which the classifier's own false alarms stay within SURE_FALSE_ALARMS."""
    none = np.array([r["label"] == "none" and r["source"] in RANDOM_SOURCES for r in rows])
    langs = sorted({r["lang"] for r in rows})
    by_lang = [np.array([r["lang"] == lang for r in rows]) & none for lang in langs]

    def lowest(flags_at, target: float) -> float:
        for t in GRID:
            if all(m.sum() == 0 or (flags_at(t) & m).sum() / m.sum() <= target for m in by_lang):
                return t
        return GRID[-1]

    threshold = lowest(lambda t: lexicon | (p >= t), TARGET_FALSE_ALARMS)
    sure = max(threshold, lowest(lambda t: ~lexicon & (p >= t), SURE_FALSE_ALARMS))
    return threshold, sure


def screen_texts(rows: list[dict]) -> list[str]:
    """The messages as the screen hands them to its second stage (normalized, idioms blanked out)."""
    from .detect import without_idioms
    from .normalize import normalize

    return [without_idioms(normalize(r["text"])) for r in rows]


def embed(rows: list[dict], encoder=None) -> np.ndarray:
    """The whole-message embeddings as the screen reads the messages (`screen_texts`)."""
    from .classifier import default_encoder

    encoder = encoder or default_encoder()
    return encoder(screen_texts(rows)).astype(np.float64)


def _lookup(rows: list[dict], X: np.ndarray):
    """An encoder that answers from the embeddings already made for `rows` (as `embed` read them)."""
    from .classifier import default_encoder

    known = dict(zip(screen_texts(rows), X))
    fallback = []

    def encode(texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in known]
        if missing:
            fallback[:] = fallback or [default_encoder()]
            known.update(zip(missing, fallback[0](missing)))
        return np.stack([known[t] for t in texts]) if texts else np.zeros((0, X.shape[1]))

    return encode


def lexicon_flags(rows: list[dict]) -> np.ndarray:
    from .detect import scan
    from .normalize import normalize

    return np.array([scan(normalize(r["text"]))[0].risk != "none" for r in rows])


def project_examples(encoder=None, where=None) -> tuple[np.ndarray, np.ndarray]:
    """(embeddings, 1 for any risk) of the project's written training sets (from their folder `where`, by default
    the source checkout's `data/safety-written/`), read as the screen reads them."""
    from .classifier import training_rows

    rows = training_rows(where)
    return embed(rows, encoder), np.array([r["risk"] != "none" for r in rows], float)


def _fit(X: np.ndarray, y: np.ndarray, extra: tuple[np.ndarray, np.ndarray] | None):
    from .linear import balanced, fit_logistic

    if extra is None or not len(extra[1]):
        return fit_logistic(X, y, L2)
    XE, yE = extra
    weights = np.concatenate([balanced(y), balanced(yE) * PROJECT_WEIGHT * len(y) / len(yE)])
    return fit_logistic(np.vstack([X, XE]), np.concatenate([y, yE]), L2, weights)


def out_of_fold(X: np.ndarray, y: np.ndarray, fold: np.ndarray, extra=None) -> np.ndarray:
    """Each row's probability from a classifier trained without its fold (and with `extra`, (X, y), always)."""
    p = np.zeros(len(y))
    for k in sorted(set(fold.tolist())):
        train = fold != k
        w, b = _fit(X[train], y[train], extra)
        p[~train] = 1 / (1 + np.exp(-(X[~train] @ w + b)))
    return p


def train(
    rows: list[dict],
    X: np.ndarray,
    lexicon: np.ndarray | None = None,
    folds: int = 5,
    encoder=None,
    extra: tuple[np.ndarray, np.ndarray] | None = None,
):
    """The classifier trained on all `rows` (embeddings `X`) and `extra` ((embeddings, labels) of the project's
    sets, `project_examples`), its threshold and `sure` chosen on out-of-fold probabilities of `rows` from
    grouped folds (`extra` in every fold's training)."""
    from .linear import LinearRiskClassifier

    y = np.array([r["label"] != "none" for r in rows], float)
    lexicon = lexicon_flags(rows) if lexicon is None else lexicon
    fold = folds_of(groups(rows, X), rows, folds)
    threshold, sure = choose_thresholds(rows, lexicon, out_of_fold(X, y, fold, extra))
    w, b = _fit(X, y, extra)
    return LinearRiskClassifier(
        w,
        b,
        threshold,
        sure,
        encoder,
        {
            "trained_on": len(rows),
            "project_rows": 0 if extra is None else len(extra[1]),
            "project_weight": PROJECT_WEIGHT,
            "l2": L2,
            "threshold_rule": f"lowest with false alarms <= {TARGET_FALSE_ALARMS} per language, grouped {folds}-fold",
        },
    )


def cross_validate(
    rows: list[dict], X: np.ndarray, folds: int = 5, on_fold=None, sentences: tuple[bool, ...] = (False,), extra=None
) -> tuple[list, list[dict]]:
    """(the screen's verdicts on the rows, one list per reading in `sentences` (False: the whole message, as
    shipped; True: also each sentence), and one {"fold", "threshold", "sure"} per fold): each fold screened by
    the lexicon and a classifier trained, threshold included, on the other folds only (and on `extra`, as
    `train`)."""
    from .screener import Screener

    encoder = _lookup(rows, X)
    lexicon = lexicon_flags(rows)
    fold = folds_of(groups(rows, X), rows, folds)
    out: list[list] = [[None] * len(rows) for _ in sentences]
    chosen = []
    for k in range(folds):
        tr = np.where(fold != k)[0]
        te = np.where(fold == k)[0]
        if not len(te):
            continue
        clf = train([rows[i] for i in tr], X[tr], lexicon[tr], folds - 1, encoder, extra)
        chosen.append({"fold": k, "threshold": clf.threshold, "sure": clf.sure})
        for reading, each in zip(out, sentences):
            for i, v in zip(te, Screener(classifier=clf, sentences=each).many([rows[i]["text"] for i in te])):
                reading[i] = v
        if on_fold:
            on_fold(k)
    return out, chosen


def _rate(k: int, n: int) -> dict:
    lo, hi = wilson(k, n)
    return {"k": k, "n": n, "rate": k / n if n else None, "low": lo, "high": hi}


def report(rows: list[dict], verdicts: list) -> dict:
    """{cell: {"recall", "false_alarms", "imminent_graded_imminent", "check_in_or_crisis_on_none"}} for each
    language and source ("en/counsel-chat", "zh/smilechat-first", "zh/smilechat-keyword") and each language's
    random rows ("zh/random"); each figure {"k", "n", "rate", "low", "high"} (95% Wilson)."""
    cells: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        cells[f"{r['lang']}/{r['source']}"].append(i)
        if r["source"] in RANDOM_SOURCES:
            cells[f"{r['lang']}/random"].append(i)
    for lang in {r["lang"] for r in rows}:  # a language with one random source: that source's row says it all
        if len({r["source"] for r in rows if r["lang"] == lang and r["source"] in RANDOM_SOURCES}) < 2:
            cells.pop(f"{lang}/random", None)
    out = {}
    for name, at in sorted(cells.items()):
        risk = [i for i in at if rows[i]["label"] != "none"]
        none = [i for i in at if rows[i]["label"] == "none"]
        imminent = [i for i in at if rows[i]["label"] == "imminent"]
        out[name] = {
            "recall": _rate(sum(verdicts[i].risk != "none" for i in risk), len(risk)),
            "false_alarms": _rate(sum(verdicts[i].risk != "none" for i in none), len(none)),
            "imminent_graded_imminent": _rate(sum(verdicts[i].risk == "imminent" for i in imminent), len(imminent)),
        }
    return out


def table(report_: dict) -> list[str]:
    """The report as Markdown table rows: cell, recall, false alarms, imminent graded imminent."""

    def show(x: dict) -> str:
        if not x["n"]:
            return "none in set"
        return f"{x['k']}/{x['n']} = {x['rate']:.2f} [{x['low']:.2f}, {x['high']:.2f}]"

    lines = [
        "| rows | at risk caught (goal >= 0.95) | false alarms on none (goal <= 0.05) | imminent graded imminent (goal >= 0.90) |",
        "|---|---|---|---|",
    ]
    for name, c in report_.items():
        lines.append(
            f"| {name} | {show(c['recall'])} | {show(c['false_alarms'])} | {show(c['imminent_graded_imminent'])} |"
        )
    return lines


def measure(path=None, encoder=None, on_fold=None) -> dict:
    """The default screen on real labelled messages (default: the repository's copy) by nested grouped
    cross-validation, trained as shipped: {"file", "rows", "report" (`report`), "thresholds", "verdicts"}.
    FileNotFoundError when the file is not there (an installed package has no copy)."""
    path = Path(path) if path else repo_data() / "dev_labelled.jsonl"
    rows = load_rows(path)
    X = embed(rows, encoder)
    (verdicts,), chosen = cross_validate(rows, X, on_fold=on_fold, extra=project_examples(encoder))
    return {
        "file": str(path),
        "rows": len(rows),
        "report": report(rows, verdicts),
        "thresholds": chosen,
        "verdicts": verdicts,
    }


def summary(cell: str, c: dict) -> str:
    """One line for a report cell: recall, false alarms and imminent graded imminent with their intervals."""

    def show(x: dict) -> str:
        return (
            "none in set" if not x["n"] else f"{x['k']}/{x['n']} ({x['rate']:.2f}, 95% {x['low']:.2f}-{x['high']:.2f})"
        )

    return (
        f"{cell}: at risk caught {show(c['recall'])}; false alarms {show(c['false_alarms'])}; "
        f"imminent graded imminent {show(c['imminent_graded_imminent'])}"
    )
