"""How the strategy classifier's settings were chosen (docs/insight-rounds.md, round 3): grouped 3-fold
cross-validation inside the tuning half of ../shared/psy-insight-dev (the first half of each language's
dialogues, in bench_insight.py's order), never on the held-out half, which is scored once per setting.

Reads ../shared/psy-insight-dev/ (Psy-Insight sessions that stay out of the repository); skips cleanly when
it is absent. For each setting it prints, zh / en: "scorable" CV macro-F1 (over the labels with at least 5
tuning turns in the language: the choosing figure), raw CV macro-F1 (all labels), and the held-out macro-F1
(trained on the whole tuning half). The project's written examples (synthetic) only ever train. With
`--offsets` it also runs the decision rule that was tried and not kept: per-class offsets on the
log-probabilities, tuned by coordinate ascent on inner out-of-fold scores (nested CV).

    PYTHONPATH=src python benchmarks/bench_strategy_cv.py [--cache /tmp/strategy-cache] [--seeds 0 2]
        [--encoder use|e5|e5+use] [--offsets]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_insight import DEFAULT, disk_cached, halves, load  # noqa: E402

SETTINGS = {  # name: (Features keyword arguments, written weight or None)
    "round 2 default, no written examples": ({}, None),
    "cues x1, no written examples": ({"cues": 1.0}, None),
    "round 2 default + written x1": ({}, 1.0),
    "cues x1 + written x1 (kept)": ({"cues": 1.0}, 1.0),
    "cues x1 + opening words + written x1": ({"cues": 1.0, "opening": 1.0}, 1.0),
}


def _fit(X, y, k, f, weights):
    from warmline.insight import classify as C

    present = np.unique(y)
    used, W, b = C.fit_rows(X, np.searchsorted(present, y), len(present), f, weights)

    def scores(Xt):
        out = np.full((Xt.shape[0], k), -50.0)  # a class this fold never saw is never predicted
        out[:, present] = C.log_softmax(np.asarray(Xt[:, used] @ W) + b)
        return out

    return scores


def _folds(groups, k: int, seed: int):
    order = sorted(set(groups))
    random.Random(seed).shuffle(order)
    fold = {g: i % k for i, g in enumerate(order)}
    return [np.array([fold[g] == i for g in groups]) for i in range(k)]


def macro(classes, y, langs, Z, lang, min_support=0, offsets=None):
    """Macro-F1 of one language over its gold labels with at least `min_support` turns."""
    from warmline.insight import classify as C

    idx = np.flatnonzero(langs == lang)
    pred = (Z[idx] + (0 if offsets is None else offsets)).argmax(axis=1)
    gold = [classes[i] for i in y[idx]]
    rep = C.score("strategy", gold, [classes[i] for i in pred], "")
    labels = [c for c in sorted(set(gold)) if gold.count(c) >= min_support]
    return float(np.mean([rep.per_class[c]["f1"] for c in labels])) if labels else 0.0


def tune_offsets(classes, y, langs, Z, grid=np.arange(-2, 6.01, 0.5), passes=2):
    """Per-class offsets maximising the two languages' mean scorable macro-F1 on out-of-fold scores."""
    off = np.zeros(len(classes))

    def value(o):
        return np.mean([macro(classes, y, langs, Z, lang, 5, o) for lang in ("zh", "en")])

    best = value(off)
    for _ in range(passes):
        for j in range(len(classes)):
            for v in grid:
                o = off.copy()
                o[j] = v
                m = value(o)
                if m > best + 1e-9:
                    best, off = m, o
    return off


class Setting:
    """One setting's design matrix over tuning, held-out and written turns, and its CV."""

    def __init__(self, split, written, kwargs, weight, encoder, embed):
        from warmline.insight import classify as C

        self.f = C.Features(encoder=encoder, **kwargs)
        tune = [e for tr, _ in split.values() for e in tr]
        test = [e for _, te in split.values() for e in te]
        extra = written if weight is not None else []
        rows = tune + test + extra
        self.classes = sorted({e.label for e in rows})
        X = C.design([e.text for e in rows], [e.lang for e in rows], [e.context for e in rows], self.f, embed)
        y = np.array([self.classes.index(e.label) for e in rows])
        langs = np.array([e.lang for e in rows])
        n, m = len(tune), len(tune) + len(test)
        self.tune = (X[:n], y[:n], langs[:n], np.array([e.group for e in tune]))
        self.test = (X[n:m], y[n:m], langs[n:m])
        self.extra = (X[m:], y[m:], np.full(len(extra), weight or 0.0))

    def fit(self, X, y):
        from scipy import sparse

        Xe, ye, we = self.extra
        rows = sparse.vstack([X, Xe]).tocsr() if Xe.shape[0] else X
        w = np.concatenate([np.ones(X.shape[0]), we])
        return _fit(rows, np.concatenate([y, ye]), len(self.classes), self.f, w)

    def oof(self, X, y, groups, seed, k=3):
        Z = np.zeros((X.shape[0], len(self.classes)))
        for te in _folds(groups, k, seed):
            Z[te] = self.fit(X[~te], y[~te])(X[te])
        return Z

    def nested_offsets(self, seed, k=3):
        """Out-of-fold scores with offsets tuned inside each outer training part."""
        X, y, langs, groups = self.tune
        Z = np.zeros((X.shape[0], len(self.classes)))
        for te in _folds(groups, k, seed):
            tr = ~te
            off = tune_offsets(self.classes, y[tr], langs[tr], self.oof(X[tr], y[tr], groups[tr], seed + 1))
            Z[te] = self.fit(X[tr], y[tr])(X[te]) + off
        return Z


def report(name, s: Setting, seeds, offsets: bool) -> None:
    X, y, langs, groups = s.tune
    runs = [s.oof(X, y, groups, seed) for seed in seeds]

    def cell(Zs, ys, ls, min_support):
        return " / ".join(
            f"{np.mean([macro(s.classes, ys, ls, Z, lang, min_support) for Z in Zs]):.3f}" for lang in ("zh", "en")
        )

    Xt, yt, lt = s.test
    held = s.fit(X, y)(Xt)
    line = f"| {name} | {cell(runs, y, langs, 5)} | {cell(runs, y, langs, 0)} | {cell([held], yt, lt, 0)} |"
    if offsets:
        line += f" {cell([s.nested_offsets(seed) for seed in seeds], y, langs, 5)} |"
    print(line, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT)
    ap.add_argument("--encoder", default="use", choices=("use", "e5", "e5+use"))
    ap.add_argument("--cache", type=Path, help="keep embeddings here between runs")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 2], help="fold assignments to average")
    ap.add_argument("--offsets", action="store_true", help="also the per-class offsets, nested (slower)")
    args = ap.parse_args()
    if not (args.data / "zh_sessions.json").exists():
        print(f"skipped: {args.data} (the Psy-Insight sessions in ../shared) is not here")
        sys.exit(0)
    from warmline.insight import classify as C
    from warmline.insight.written import read_written

    split = {lang: halves(C.examples(ds, "strategy")) for lang, ds in load(args.data).items()}
    written = read_written().examples
    embed = disk_cached(args.encoder, args.cache)
    print(f"## strategy settings, grouped 3-fold CV inside the tuning half, fold seeds {args.seeds}, {args.encoder}")
    head = "| setting | scorable CV zh / en | raw CV zh / en | held-out zh / en |"
    print(head + (" scorable CV with per-class offsets, nested |" if args.offsets else ""))
    print("|---" * (5 if args.offsets else 4) + "|")
    for name, (kwargs, weight) in SETTINGS.items():
        report(name, Setting(split, written, kwargs, weight, args.encoder, embed), args.seeds, args.offsets)


if __name__ == "__main__":
    main()
