"""Crisis detection quality: `python benchmarks/bench_safety.py`.

Precision and recall of the safety layer per language: the lexicon alone, and the default screen (the
lexicon plus the bundled embedding classifier), on the project's labelled sets:
- development (`labelled_*`): what the lexicon was tuned on, and training data for the classifier;
- training (`train_*`): more indirect statements and hard negatives, classifier training data only;
- held-out 1 (`heldout_*`, 36 a language, no hard negatives), held-out 2 (`heldout2_*`, 60 a language, a
  third hard negatives; written before the embedding classifier was built) and held-out 3 (`heldout3_*`,
  60 a language; written before the last lexicon additions, measured once after them). None was used to
  train anything, so judge by them; the other rows are optimistic. The same people wrote all the sets and
  read the first two held-out sets' results while improving the screen (see README).
The reference is the lexicon alone. A case counts as detected when the predicted risk is elevated or
imminent. Goal (issue 6): recall >= 0.95 on elevated and imminent cases with precision >= 0.90.
Also printed: the classifier's cost per message.
"""

from __future__ import annotations

import time
from collections import defaultdict

from warmline.safety import Screener
from warmline.safety.classifier import labelled as load
from warmline.safety.quality import score as evaluate

SETS = (("labelled", "development"), ("train", "training"), ("heldout", "held-out 1"), ("heldout2", "held-out 2"),
        ("heldout3", "held-out 3"))


def cross_validate(folds: int = 5, seeds: tuple[int, ...] = (0, 1, 2)) -> dict:
    """The default screen with the classifier trained on k-1 folds of the development and training sets and
    scored on the k-th (how its settings were chosen). Mean over seeds, per language."""
    import numpy as np

    from warmline.embedding import encode
    from warmline.safety.classifier import RiskClassifier, training_rows
    from warmline.safety.detect import scan, without_idioms

    rows = training_rows()
    texts = [without_idioms(r["text"]) for r in rows]
    vectors = encode(texts, threads=1)
    at = {t: i for i, t in enumerate(texts)}
    lookup = lambda batch: vectors[[at[t] for t in batch]]  # noqa: E731
    y = np.array([r["risk"] != "none" for r in rows])
    lang = np.array(["zh" if any("\u4e00" <= c <= "\u9fff" for c in r["text"]) else "en" for r in rows])
    scanned = [scan(r["text"]) for r in rows]
    lexicon = np.array([v.risk != "none" for v, _ in scanned])
    cancelled = np.array([bool(c) for _, c in scanned])
    out = defaultdict(lambda: [[], []])
    for seed in seeds:
        fold = np.random.default_rng(seed).permutation(len(rows)) % folds
        prob = np.zeros(len(rows))
        for k in range(folds):
            tr, te = np.where(fold != k)[0], np.where(fold == k)[0]
            clf = RiskClassifier.train([texts[i] for i in tr], y[tr].astype(int), encoder=lookup)
            prob[te] = clf.probabilities([texts[i] for i in te])
        hit = lexicon | ((prob >= 0.5) & ~cancelled)
        for code in ("en", "zh"):
            m = lang == code
            tp = int((hit & y & m).sum())
            out[code][0].append(tp / max(int((hit & m).sum()), 1))
            out[code][1].append(tp / int((y & m).sum()))
    return {code: (float(np.mean(p)), float(np.mean(r))) for code, (p, r) in out.items()}


def buried(lang: str, seed: int = 0) -> list[dict]:
    """Longer messages from the held-out sets: every case between two of the held-out ordinary negatives
    ("I'm so lonely on weekends."), labelled as the case."""
    import random

    rows = [r for split in ("heldout", "heldout2", "heldout3") for r in load(f"{split}_{lang}.jsonl")]
    plain = [r["text"] for r in rows if r["kind"] == "negative"]
    rng = random.Random(seed)
    sep = "" if lang == "zh" else " "
    out = []
    for r in rows:
        around = rng.sample([t for t in plain if t != r["text"]], 2)
        out.append({**r, "text": sep.join([around[0], r["text"], around[1]])})
    return out


def main() -> None:
    t0 = time.perf_counter()
    default = Screener()
    default("warm up")
    train_s = time.perf_counter() - t0
    screens = (("lexicon (reference)", Screener(classifier=False)), ("lexicon + classifier", default))
    print(f"{'screen':22}{'set':15}{'n':>5}{'precision':>11}{'recall':>8}{'level exact':>13}  by kind (share right)")
    pooled = defaultdict(lambda: [0, 0, 0])
    for label, screener in screens:
        for split, name in SETS:
            for lang in ("en", "zh"):
                r = evaluate(load(f"{split}_{lang}.jsonl"), screener)
                if split.startswith("heldout"):
                    for i, k in enumerate(("tp", "fp", "fn")):
                        pooled[label, lang][i] += r[k]
                kinds = ", ".join(f"{k} {v:.2f}" for k, v in sorted(r["by_kind"].items()))
                print(f"{label:22}{name + ' ' + lang:15}{r['n']:>5}{r['precision']:>11.3f}{r['recall']:>8.3f}"
                      f"{r['level_accuracy']:>13.3f}  {kinds}")
    print("\nthe held-out sets together:")
    for (label, lang), (tp, fp, fn) in pooled.items():
        print(f"  {label:22}{lang}  precision {tp / (tp + fp):.3f}  recall {tp / (tp + fn):.3f}  "
              f"(missed {fn} of {tp + fn}, {fp} false alarms)")
    for lang in ("en", "zh"):
        (tp0, _, fn0), (tp1, _, fn1) = pooled[screens[0][0], lang], pooled[screens[1][0], lang]
        print(f"  recall ratio, classifier vs reference, {lang}: {tp1 / (tp1 + fn1):.3f} / {tp0 / (tp0 + fn0):.3f} "
              f"= {(tp1 / (tp1 + fn1)) / (tp0 / (tp0 + fn0)):.2f}x")
    print("\nheld-out cases inside longer messages (each between two ordinary held-out sentences):")
    whole = Screener(sentences=False)
    for lang in ("en", "zh"):
        rows = buried(lang)
        for label, screener in (("whole message", whole), ("whole + each sentence", default)):
            r = evaluate(rows, screener)
            print(f"  {label:24}{lang}  precision {r['precision']:.3f}  recall {r['recall']:.3f}")
    texts = [r["text"] for r in load("heldout2_en.jsonl") + load("heldout2_zh.jsonl")]
    for label, screener in screens:
        t = time.perf_counter()
        for x in texts:
            screener(x)
        print(f"cost per message, {label}: {(time.perf_counter() - t) / len(texts) * 1000:.2f} ms")
    print(f"classifier training at first use: {train_s:.1f} s")
    for code, (p, r) in cross_validate().items():
        print(f"5-fold cross-validation on the development + training sets, {code}: precision {p:.3f}, recall {r:.3f} "
              "(how the classifier's settings were chosen)")
    print("goal: recall >= 0.95 with precision >= 0.90 (judge by the held-out rows)")


if __name__ == "__main__":
    main()
