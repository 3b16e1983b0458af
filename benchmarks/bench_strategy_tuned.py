"""Strategy labels from a LoRA-tuned encoder (`warmline.tuned`) against the classifier that ships (n-grams, USE
embeddings, cues; `bench_strategy_cv.py`'s kept setting), on exactly that bench's rows: its tuning half (grouped
3-fold CV, the same fold assignments) and its held-out half (trained on the whole tuning half), the project's
written examples as extra training rows (weight 1) and never as test rows.

Reads ../shared/psy-insight-dev/ (Psy-Insight sessions that stay out of the repository); skips cleanly when it
is absent. The settings are chosen on the tuning half's CV (scorable macro-F1, as bench_strategy_cv.py) before
the held-out half is scored: the variant with the highest mean scorable CV over the fold seeds, among the tuned
variants and each one's average with the shipped classifier (mean of the two probabilities). Held-out figures
carry a 95% bootstrap interval over dialogues, and the difference to the shipped classifier a paired one.

With `--base minilm` (English only: MiniLM reads Chinese as unknown tokens) each fold trains on the English rows;
with `--base e5` on both languages at once, as the shipped classifier does. Out-of-fold probabilities are kept
under `--cache` so that a rerun trains nothing it has trained before. Run with OMP_NUM_THREADS=1 on a shared
machine: a fold of ~500 rows takes 4-6 minutes with MiniLM on one busy thread, so the four variants with one fold
seed and the held-out half take about an hour; with e5 (both languages, ~1,000 rows a fold) a fold takes 9-13
minutes, so one variant's CV on one fold seed and its held-out half take about 45 minutes (figures:
docs/insight-rounds.md, rounds 4 (MiniLM) and 5 (e5)).

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/bench_strategy_tuned.py --base minilm --seeds 0 \
        [--cache /tmp/ftstrategy-cache] [--variants turn context turn-fast context-fast] [--cv-only]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_insight import DEFAULT, disk_cached, halves, load  # noqa: E402
from bench_strategy_cv import Setting, _folds, macro  # noqa: E402

KEPT = ({"cues": 1.0}, 1.0)  # the shipped classifier's setting in bench_strategy_cv.SETTINGS
VARIANTS = {  # name: (the client turn before in the input, max_len, epochs, class weight power, lr, head lr)
    "turn": (False, 128, 3, 1.0, 5e-4, None),
    "context": (True, 160, 3, 1.0, 5e-4, None),
    # after the two above: both underfit (Question, which a "?" nearly gives, at F1 0.57-0.73), so faster rates
    "turn-fast": (False, 128, 4, 0.5, 1e-3, 1e-2),
    "context-fast": (True, 160, 4, 0.5, 1e-3, 1e-2),
}
LANGS = {"minilm": ("en",), "e5": ("zh", "en")}


def _settings(args, variant):
    from warmline import tuned

    _, max_len, epochs, power, lr, head_lr = VARIANTS[variant]
    return tuned.Settings(
        base=args.base, max_len=max_len, epochs=epochs, lr=lr, head_lr=head_lr, seed=0, batch_size=16, class_power=power
    )


def _train_scores(args, variant, classes, train, test) -> np.ndarray:
    """Log-probabilities over `classes` of the `test` examples, from a model tuned on `train` (cached)."""
    from warmline import tuned
    from warmline.insight.tuned_labels import as_input

    ctx = VARIANTS[variant][0]
    settings = _settings(args, variant)
    named = dict(settings.__dict__)
    for k, default in (("class_power", 1.0), ("head_lr", None)):
        if named[k] == default:  # the key of a run made before the setting existed
            del named[k]
    key = json.dumps([named, [(e.text, e.context, e.label) for e in train], [e.text for e in test], ctx])
    path = args.cache / f"tuned-{hashlib.sha1(key.encode()).hexdigest()[:16]}.npy"
    if path.exists():
        return np.load(path)
    steps = settings.epochs * math.ceil(len(train) / settings.batch_size)
    print(f"  training {variant} on {len(train)} rows: {steps} steps (about {steps * 1.5 / 60:.0f} min)", flush=True)
    t0 = time.time()
    clf = tuned.fit(
        [as_input(e.text, e.context, ctx) for e in train], [e.label for e in train], settings, progress=False
    )
    p = clf.probabilities([as_input(e.text, e.context, ctx) for e in test])
    Z = np.full((len(test), len(classes)), -50.0)
    Z[:, [classes.index(c) for c in clf.classes]] = np.log(np.maximum(p, 1e-12))
    print(f"  done in {time.time() - t0:.0f} s", flush=True)
    args.cache.mkdir(parents=True, exist_ok=True)
    np.save(path, Z)
    return Z


def _oof(args, variant, s, tune, written, seed) -> np.ndarray:
    """Out-of-fold log-probabilities of the tuned variant on the tuning half (NaN for languages it skips)."""
    X, y, langs, groups = s.tune
    Z = np.full((len(tune), len(s.classes)), np.nan)
    keep = np.isin(langs, LANGS[args.base])
    extra = [e for e in written if e.lang in LANGS[args.base]]
    for i, te in enumerate(_folds(groups, 3, seed)):
        print(f"{variant}, fold seed {seed}, fold {i + 1}/3", flush=True)
        train = [e for e, t, k in zip(tune, te, keep) if k and not t] + extra
        rows = np.flatnonzero(te & keep)
        Z[rows] = _train_scores(args, variant, s.classes, train, [tune[j] for j in rows])
    return Z


def _blend(Za, Zb):
    """Log of the mean of two probability vectors."""
    return np.logaddexp(Za, Zb) - np.log(2)


def _figures(classes, y, Z, groups, boot: int, ref=None, seed: int = 0) -> dict:
    """Macro-F1 (its bootstrap interval over dialogues; with `ref`, the paired difference's), accuracy and
    macro-F1 without Unknown, on one language's rows."""
    from warmline.insight import classify as C

    gold = [classes[i] for i in y]

    def rep(idx, Zx):
        return C.score("strategy", [gold[i] for i in idx], [classes[i] for i in Zx[idx].argmax(1)], "")

    full = rep(np.arange(len(y)), Z)
    out = {
        "macro_f1": full.macro_f1,
        "accuracy": full.accuracy,
        "without_unknown": C.macro_f1_without(full, ("Unknown",)),
    }
    by = {}
    for i, g in enumerate(groups):
        by.setdefault(g, []).append(i)
    names = sorted(by)
    rng = np.random.default_rng(seed)
    vals, diffs = [], []
    for _ in range(boot):
        idx = np.concatenate([by[names[j]] for j in rng.integers(0, len(names), len(names))])
        vals.append(rep(idx, Z).macro_f1)
        if ref is not None:
            diffs.append(vals[-1] - rep(idx, ref).macro_f1)
    out["ci"] = [float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))]
    if ref is not None:
        out["diff_ci"] = [float(np.percentile(diffs, 2.5)), float(np.percentile(diffs, 97.5))]
    return out


def _cv_table(s, runs: dict, seeds, langs) -> dict:
    """Mean scorable and raw CV macro-F1 per language over the fold seeds, for each named run."""
    X, y, lang_of, groups = s.tune
    table = {}
    print("| variant | " + " | ".join(f"scorable CV {lg} | raw CV {lg}" for lg in langs) + " |")
    print("|---" * (1 + 2 * len(langs)) + "|")
    for name, Zs in runs.items():
        row = {}
        for lg in langs:
            row[lg] = [float(np.mean([macro(s.classes, y, lang_of, Z, lg, m) for Z in Zs])) for m in (5, 0)]
        table[name] = row
        print(f"| {name} | " + " | ".join(f"{row[lg][0]:.3f} | {row[lg][1]:.3f}" for lg in langs) + " |", flush=True)
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT)
    ap.add_argument("--base", default="minilm", choices=tuple(LANGS))
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ftstrategy-cache"))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 2], help="fold assignments to average")
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=tuple(VARIANTS))
    ap.add_argument("--boot", type=int, default=1000, help="bootstrap resamples of the held-out dialogues")
    ap.add_argument("--cv-only", action="store_true", help="stop after the CV table (no held-out half)")
    args = ap.parse_args()
    if not (args.data / "zh_sessions.json").exists():
        print(f"skipped: {args.data} (the Psy-Insight sessions in ../shared) is not here")
        sys.exit(0)
    import torch

    torch.set_num_threads(1)
    from warmline.insight import classify as C
    from warmline.insight.written import read_written

    split = {lang: halves(C.examples(ds, "strategy")) for lang, ds in load(args.data).items()}
    written = read_written().examples
    s = Setting(split, written, *KEPT, "use", disk_cached("use", args.cache))
    tune = [e for tr, _ in split.values() for e in tr]
    test = [e for _, te in split.values() for e in te]
    X, y, lang_of, groups = s.tune
    langs = LANGS[args.base]
    print(f"## tuned {args.base} vs shipped, fold seeds {args.seeds}")
    runs = {"shipped (n-grams + USE + cues, written x1)": [s.oof(X, y, groups, seed) for seed in args.seeds]}
    for v in args.variants:
        runs[f"tuned {v}"] = [_oof(args, v, s, tune, written, seed) for seed in args.seeds]
        runs[f"tuned {v} + shipped (mean probability)"] = [
            _blend(a, b) for a, b in zip(runs[f"tuned {v}"], runs["shipped (n-grams + USE + cues, written x1)"])
        ]
    table = _cv_table(s, runs, args.seeds, langs)
    chosen = max(list(table)[1:], key=lambda n: np.mean([table[n][lg][0] for lg in langs]))
    print(f"chosen by scorable CV (mean over {', '.join(langs)}): {chosen}", flush=True)
    out = {
        "base": args.base,
        "variants": {v: VARIANTS[v] for v in args.variants},
        "seeds": args.seeds,
        "cv": table,
        "chosen": chosen,
    }
    if not args.cv_only:
        out["held_out"] = _held_out(args, s, tune, test, written, chosen)
    (args.cache / f"result-{args.base}.json").write_text(json.dumps(out, indent=2))


def _held_out(args, s, tune, test, written, chosen: str) -> dict:
    X, y, _, _ = s.tune
    Xt, yt, lt = s.test
    shipped = s.fit(X, y)(Xt)
    variant = chosen.split()[1]  # "tuned VARIANT[ + shipped ...]"
    keep = [e.lang in LANGS[args.base] for e in tune]
    train = [e for e, k in zip(tune, keep) if k] + [e for e in written if e.lang in LANGS[args.base]]
    rows = np.flatnonzero(np.isin(lt, LANGS[args.base]))
    Zt = np.full_like(shipped, np.nan)
    Zt[rows] = _train_scores(args, variant, s.classes, train, [test[j] for j in rows])
    if "mean probability" in chosen:
        Zt = _blend(Zt, shipped)
    print(f"\n## held-out half (trained on the whole tuning half), {chosen} vs shipped")
    print("| lang | model | macro-F1 [95% over dialogues] | difference [95%, paired] | accuracy | without Unknown |")
    print("|---|---|---|---|---|---|")
    res = {}
    for lg in LANGS[args.base]:
        idx = np.flatnonzero(lt == lg)
        groups = [test[j].group for j in idx]
        base = _figures(s.classes, yt[idx], shipped[idx], groups, args.boot)
        new = _figures(s.classes, yt[idx], Zt[idx], groups, args.boot, ref=shipped[idx])
        res[lg] = {"shipped": base, "tuned": new}
        for name, f in (("shipped", base), (chosen, new)):
            d = f.get("diff_ci")
            diff = f"{f['macro_f1'] - base['macro_f1']:+.3f} [{d[0]:+.2f}, {d[1]:+.2f}]" if d else ""
            print(
                f"| {lg} | {name} | {f['macro_f1']:.3f} [{f['ci'][0]:.2f}-{f['ci'][1]:.2f}] | "
                f"{diff} | {f['accuracy']:.3f} | {f['without_unknown']:.3f} |",
                flush=True,
            )
    return res


if __name__ == "__main__":
    main()
