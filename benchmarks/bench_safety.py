"""Crisis detection quality: `python benchmarks/bench_safety.py`.

Precision and recall of the safety layer (the lexicon alone, and with the bundled n-gram classifier
trained on the development sets, threshold 0.5) per language on the project's
labelled sets: the development set (`labelled_*.jsonl`, the cases the lexicon was tuned on, so its
numbers are optimistic) and the held-out set (`heldout_*.jsonl`, written afterwards and never used for
tuning). A case counts as detected when the predicted risk is elevated or imminent.
Goal (issue 6): recall >= 0.95 on elevated and imminent cases with precision >= 0.90.
"""

from __future__ import annotations

import json
from collections import defaultdict
from importlib import resources as ir

from warmline.safety import Screener


def load(name: str) -> list[dict]:
    text = ir.files("warmline").joinpath(f"data/safety/{name}").read_text(encoding="utf-8")
    return [json.loads(x) for x in text.splitlines() if x.strip()]


def evaluate(rows: list[dict], screener) -> dict:
    tp = fp = fn = exact = 0
    by_kind = defaultdict(lambda: [0, 0])  # kind -> [correct, total]
    for r in rows:
        pred = screener(r["text"]).risk
        pos, hit = r["risk"] != "none", pred != "none"
        tp += pos and hit
        fp += hit and not pos
        fn += pos and not hit
        exact += pred == r["risk"]
        by_kind[r["kind"]][0] += hit == pos
        by_kind[r["kind"]][1] += 1
    return {"n": len(rows), "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "level_accuracy": exact / len(rows), "by_kind": {k: v[0] / v[1] for k, v in by_kind.items()}}


def main() -> None:
    print(f"{'screen':22}{'set':16}{'n':>5}{'precision':>11}{'recall':>8}{'level exact':>13}  by kind (share right)")
    for label, screener in (("lexicon", Screener()), ("lexicon + classifier", Screener(classifier=True))):
        for split in ("labelled", "heldout"):
            for lang in ("en", "zh"):
                r = evaluate(load(f"{split}_{lang}.jsonl"), screener)
                kinds = ", ".join(f"{k} {v:.2f}" for k, v in sorted(r["by_kind"].items()))
                name = f"{'development' if split == 'labelled' else 'held-out'} {lang}"
                print(f"{label:22}{name:16}{r['n']:>5}{r['precision']:>11.3f}{r['recall']:>8.3f}{r['level_accuracy']:>13.3f}"
                      f"  {kinds}")
    print("goal: recall >= 0.95 with precision >= 0.90 (judge by the held-out rows; the development rows were tuned on)")


if __name__ == "__main__":
    main()
