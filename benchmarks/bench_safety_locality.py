"""Does the classifier's kernel sum far from its training rows make its false alarms?
`python benchmarks/bench_safety_locality.py` (about 5 minutes on 2 cores).

Messages unlike every training row (the real samples' thanks and plans: "希望通过这些方法，我能找到动力并开始行动起来。")
get their probability from thousands of small kernel terms, and that sum can tip to risk. This scores the retired
held-out sets, each with a classifier trained without it (leave one set out, as `bench_safety.py` does), with the
bundled classifier as it is (the reference) and with three local readings of the same trained classifier:
- `nearest k`: only the k most similar training rows count;
- `within c`: only the training rows within cosine c count;
- `near c`: the classifier flags a message only when a training row it leans to risk on lies within cosine c.
Also printed, with the classifier trained on every training set: flags on the simulator's 24 ordinary openings and
on the 80 client messages of the real samples. Each cut of false alarms costs recall at about the rate a higher
threshold does (see docs/safety-rounds.md), so none of them is used.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_safety import cached_encoder, load, real_client_turns  # noqa: E402
from warmline.safety import Screener  # noqa: E402
from warmline.safety.classifier import (  # noqa: E402
    RETIRED,  # noqa: E402
    TRAINING_SETS,
    RiskClassifier,
    examples,
)
from warmline.safety.quality import score as evaluate  # noqa: E402
from warmline.simulate import load_profiles  # noqa: E402


class Local:
    """A trained RiskClassifier read locally (`how`: "nearest", "within" or "near"; `k`: its setting)."""

    def __init__(self, clf: RiskClassifier, how: str, k: float, threshold: float):
        self.clf, self.how, self.k, self.threshold = clf, how, k, threshold

    def probabilities(self, texts: list[str]) -> np.ndarray:
        c = self.clf
        cos = c.encoder(list(texts)) @ c.support.T
        K = np.exp(-c.gamma * np.maximum(2.0 - 2.0 * cos, 0.0))
        if self.how == "nearest":
            keep = np.zeros_like(K)
            np.put_along_axis(keep, np.argpartition(-cos, int(self.k), axis=1)[:, : int(self.k)], 1.0, axis=1)
            K = K * keep
        elif self.how == "within":
            K = K * (cos >= self.k)
        p = 1 / (1 + np.exp(-(K @ c.alpha + c.bias).astype(np.float64)))
        if self.how == "near":
            p = np.where(cos[:, c.alpha > 0].max(axis=1) >= self.k, p, 0.0)
        return p


READINGS = (
    ("as it is", 0),
    *(("nearest", k) for k in (50, 100, 200, 400)),
    *(("within", c) for c in (0.3, 0.4)),
    *(("near", c) for c in (0.45, 0.5, 0.55, 0.6)),
)
THRESHOLDS = (0.40, 0.45)


def main() -> None:
    encoder = cached_encoder()
    counts = defaultdict(lambda: [0, 0, 0])  # (reading, threshold, lang) -> tp, fp, fn
    for target in RETIRED:
        texts, labels = examples([r for name in TRAINING_SETS if not name.startswith(target + "_") for r in load(name)])
        clf = RiskClassifier.train(texts, labels, encoder=encoder)
        for how, k in READINGS:
            for t in THRESHOLDS:
                screener = Screener(classifier=Local(clf, how, k, t))
                for lang in ("en", "zh"):
                    r = evaluate(load(f"{target}_{lang}.jsonl"), screener)
                    for i, key in enumerate(("tp", "fp", "fn")):
                        counts[how, k, t, lang][i] += r[key]
    texts, labels = examples([r for name in TRAINING_SETS for r in load(name)])
    clf = RiskClassifier.train(texts, labels, encoder=encoder)
    openings = [p.opening for p in load_profiles()]
    turns = [t for _, t in real_client_turns()]
    print(
        f"leave one of the {len(RETIRED)} retired sets out: precision / recall (false alarms, misses); with the classifier"
        "\ntrained on every set: flags on the ordinary openings and on the real sample client messages"
    )
    for how, k in READINGS:
        for t in THRESHOLDS:
            cells = []
            for lang in ("en", "zh"):
                tp, fp, fn = counts[how, k, t, lang]
                cells.append(f"{lang} {tp / (tp + fp):.3f} / {tp / (tp + fn):.3f} ({fp:3d}, {fn:3d})")
            screener = Screener(classifier=Local(clf, how, k, t))
            opened = sum(v.flagged for v in screener.many(openings))
            real = sum(v.flagged for v in screener.many(turns))
            print(
                f"  {how:8} {k if how != 'as it is' else '':<5} threshold {t:.2f}  "
                + "  ".join(cells)
                + f"  openings {opened}/{len(openings)}  real {real}/{len(turns)}"
            )


if __name__ == "__main__":
    main()
