"""The LoRA-tuned second stage against the shipped linear one on the real labelled messages (data/safety-real/ in
the repository; no ../shared), by nested grouped cross-validation on the same folds, the same rows and the same
nesting for both (`warmline.safety.tuned_cv`):

    OMP_NUM_THREADS=1 python benchmarks/bench_tuned_screen.py --base minilm --langs en --folds 5
    OMP_NUM_THREADS=1 python benchmarks/bench_tuned_screen.py --base e5 --langs en,zh --folds 5 --keep-easy 0.5

Prints, per language and source: ROC-AUC of each stage's out-of-fold probabilities; each stage alone at the
threshold whose false alarms on the training folds' random rows stay within 3% and 5%; and the whole screen
(lexicon OR stage, threshold by the shipped rule, `real.TARGET_FALSE_ALARMS`), all with 95% Wilson intervals.
Needs torch and peft (the `tuned` extra); every model's scores are cached under --cache, so a run resumes."""

from __future__ import annotations

import argparse
import json
import time
from itertools import combinations
from pathlib import Path

import numpy as np

from warmline.safety import real
from warmline.safety.screener import Screener
from warmline.safety.tuned_cv import READINGS, auc, nested_scores


def linear_nested(rows, X, fold, use, extra):
    """The shipped linear stage's (outer, inner) by the same pair nesting as the tuned one."""
    y = np.array([r["label"] != "none" for r in rows], float)
    folds = sorted(set(fold[use].tolist()))
    outer = np.full(len(rows), np.nan)
    inner = {k: np.full(len(rows), np.nan) for k in folds}

    def scores(train, predict):
        w, b = real._fit(X[train], y[train], extra)
        return 1 / (1 + np.exp(-(X[predict] @ w + b)))

    for k in folds:
        outer[use & (fold == k)] = scores(use & (fold != k), use & (fold == k))
    for k, j in combinations(folds, 2):
        inner[k][use & (fold == j)] = scores(use & (fold != k) & (fold != j), use & (fold == j))
        inner[j][use & (fold == k)] = scores(use & (fold != k) & (fold != j), use & (fold == k))
    return outer, inner


def lowest_threshold(rows, lexicon, p, at, target):
    """The lowest threshold on real.GRID whose false alarms (lexicon OR p, or p alone with `lexicon` None) on the
    random rows labelled none among `at` stay within `target` in every language."""
    none = np.array([r["label"] == "none" and r["source"] in real.RANDOM_SOURCES for r in rows]) & at
    masks = [
        none & np.array([r["lang"] == lang for r in rows])
        for lang in sorted({rows[i]["lang"] for i in np.where(at)[0]})
    ]
    for t in real.GRID:
        flags = (p >= t) if lexicon is None else (lexicon | (p >= t))
        if all(m.sum() == 0 or (flags & m).sum() / m.sum() <= target for m in masks):
            return t
    return real.GRID[-1]


class _Known:
    """A second stage answering from probabilities already made (for Screener)."""

    sentences = False

    def __init__(self, texts, p, threshold, sure):
        self.known = dict(zip(texts, p))
        self.threshold, self.sure = threshold, sure

    def probabilities(self, texts):
        return np.array([self.known[t] for t in texts])


def evaluate(rows, fold, use, lexicon, outer, inner):
    """(alone: {target: flags}, screen verdicts, thresholds per fold) for one stage's nested scores."""
    texts = real.screen_texts(rows)
    alone = {t: np.zeros(len(rows), bool) for t in (0.03, 0.05)}
    verdicts = [None] * len(rows)
    chosen = []
    for k, pin in inner.items():
        at = use & (fold != k) & ~np.isnan(pin)
        test = np.where(use & (fold == k))[0]
        for target in alone:
            t = lowest_threshold(rows, None, pin, at, target)
            alone[target][test] = outer[test] >= t
        sub = [rows[i] for i in np.where(at)[0]]
        threshold, sure = real.choose_thresholds(sub, lexicon[at], pin[at])
        chosen.append((threshold, sure))
        stage = _Known([texts[i] for i in test], outer[test], threshold, sure)
        for i, v in zip(test, Screener(classifier=stage, sentences=False).many([rows[i]["text"] for i in test])):
            verdicts[i] = v
    return alone, verdicts, chosen


def cells(rows, use):
    out = {}
    for i in np.where(use)[0]:
        out.setdefault(f"{rows[i]['lang']}/{rows[i]['source']}", []).append(i)
    return dict(sorted(out.items()))


def fmt(k, n):
    lo, hi = real.wilson(k, n)
    return f"{k}/{n} = {k / n:.2f} [{lo:.2f}, {hi:.2f}]" if n else "-"


def show(rows, use, name, outer, alone, verdicts, chosen):
    y = np.array([r["label"] != "none" for r in rows])
    print(f"\n## {name} (screen threshold/sure per fold: " + ", ".join(f"{a:.2f}/{b:.2f}" for a, b in chosen) + ")")
    print(
        "| rows | ROC-AUC | alone, recall at <=3% FA | its FA | alone, recall at <=5% FA | its FA | screen recall | screen FA |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for cell, at in cells(rows, use).items():
        at = np.array(at)
        pos, neg = at[y[at]], at[~y[at]]
        flagged = np.array([verdicts[i].risk != "none" for i in at])
        line = [cell, f"{auc(outer[at], y[at]):.3f}"]
        for target in (0.03, 0.05):
            line += [fmt(int(alone[target][pos].sum()), len(pos)), fmt(int(alone[target][neg].sum()), len(neg))]
        line += [fmt(int(flagged[y[at]].sum()), len(pos)), fmt(int(flagged[~y[at]].sum()), len(neg))]
        print("| " + " | ".join(line) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", default="minilm")
    ap.add_argument("--langs", default="en")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--reading", choices=READINGS, default="head")
    ap.add_argument(
        "--keep-easy",
        type=float,
        default=1.0,
        help="share of ordinary rows the lexicon does not flag kept for training",
    )
    ap.add_argument(
        "--written",
        action="store_true",
        help="the written training sets join every fold, weighted as real.train weighs them",
    )
    ap.add_argument(
        "--probe", action="store_true", help="fit the head on the frozen encoder first (tuned.Settings.probe)"
    )
    ap.add_argument(
        "--outer-only",
        action="store_true",
        help="no pair models: thresholds from the other folds' out-of-fold scores (not strictly nested)",
    )
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ftscreen-cache"))
    ap.add_argument("--save", type=Path, help="write the out-of-fold scores here (JSON)")
    a = ap.parse_args()
    try:
        import torch
    except ImportError:
        raise SystemExit(
            "bench_tuned_screen needs torch and peft: pip install torch==2.13.0 peft (see README)"
        ) from None

    from warmline import tuned

    torch.set_num_threads(1)
    rows = real.load_rows(real.repo_data() / "dev_labelled.jsonl")
    a.cache.mkdir(parents=True, exist_ok=True)
    use_path = a.cache / "use-embeddings.npy"
    X = np.load(use_path) if use_path.exists() else real.embed(rows)
    np.save(use_path, X)
    fold = real.folds_of(real.groups(rows, X), rows, a.folds)  # on all rows, as real.cross_validate
    use = np.array([r["lang"] in a.langs.split(",") for r in rows])
    lexicon = real.lexicon_flags(rows)
    extra_lin = real.project_examples()
    extra = None
    if a.written:
        from warmline.safety.classifier import training_rows
        from warmline.safety.linear import balanced

        wr = [r for r in training_rows() if r.get("lang", "en") in a.langs.split(",")] or training_rows()
        yw = np.array([r["risk"] != "none" for r in wr], float)
        n_real = int(use.sum() * (a.folds - 1) / a.folds)
        extra = (real.screen_texts(wr), yw, balanced(yw) * real.PROJECT_WEIGHT * n_real / len(yw) / 2)
    settings = tuned.Settings(base=a.base, max_len=a.max_len, epochs=a.epochs, lr=a.lr, bucket=True, probe=a.probe)
    print(
        (
            "OUTER ONLY: thresholds from the other folds' out-of-fold scores, not strictly nested\n"
            if a.outer_only
            else ""
        )
        + f"{int(use.sum())} rows ({a.langs}), {a.folds} grouped folds; {settings}; reading {a.reading}; keep_easy {a.keep_easy}; written {a.written}",
        flush=True,
    )
    start = time.time()
    t_outer, t_inner, t_also = nested_scores(
        rows,
        fold,
        use,
        lexicon,
        settings,
        a.reading,
        a.keep_easy,
        a.cache,
        extra,
        log=lambda m: print(f"  [{time.time() - start:.0f}s] {m}", flush=True),
        pairs=not a.outer_only,
    )
    l_outer, l_inner = linear_nested(rows, X, fold, use, extra_lin)
    if a.outer_only:  # the same threshold scheme for both
        for k in l_inner:
            l_inner[k] = np.where(use & (fold != k), l_outer, np.nan)
    for name, outer, inner in (
        ("linear (shipped features: USE + logistic, written sets in training)", l_outer, l_inner),
        (f"tuned {a.base}", t_outer, t_inner),
    ):
        alone, verdicts, chosen = evaluate(rows, fold, use, lexicon, outer, inner)
        show(rows, use, name, outer, alone, verdicts, chosen)
    y = np.array([r["label"] != "none" for r in rows])
    print("\nROC-AUC of the same tuned models reading long messages otherwise (head: the first tokens; N: the budget):")
    for name, p in [(f"{a.reading}@{a.max_len}", t_outer), *t_also.items()]:
        if np.isnan(p[use]).any():
            continue  # some models were cached before this reading was scored
        print(
            f"  {name:<16} "
            + "  ".join(f"{c} {auc(p[np.array(at)], y[np.array(at)]):.3f}" for c, at in cells(rows, use).items())
        )
    if a.save:
        a.save.write_text(
            json.dumps({"ids": [r["id"] for r in rows], "tuned": t_outer.tolist(), "linear": l_outer.tolist()})
        )


if __name__ == "__main__":
    main()
