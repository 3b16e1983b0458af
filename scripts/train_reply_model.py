"""Rebuild the reply screen's shipped model from the data in the repository.

    PYTHONPATH=src python scripts/train_reply_model.py [--sets tests/assets/safety/replies] [--real FILE]

Trains logistic regression on the USE embedding of every sentence of the written reply sets (dev, dev2-dev5,
heldout, train; never independent/) and of the real counselor replies (data/safety-real/counselor_replies.jsonl.gz),
chooses the threshold by 5-fold cross-validation grouped by dialogue (at most 0.5% of the real replies of each
language flagged by the model alone, out of fold), prints the out-of-fold figures and writes
src/warmline/data/safety/reply_model.npz. A few minutes on two cores."""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    from warmline.safety import reply_training as rt
    from warmline.safety.classifier import default_encoder, remembering
    from warmline.safety.reply import screen_reply
    from warmline.safety.reply_model import WEIGHTS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", type=Path, default=ROOT / "tests" / "assets" / "safety" / "replies")
    ap.add_argument("--real", type=Path, default=ROOT / "data" / "safety-real" / "counselor_replies.jsonl.gz")
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "warmline" / WEIGHTS)
    args = ap.parse_args()
    bad: list[str] = []
    rows = rt.read_rows(args.sets, args.real, bad)
    if bad:
        print(f"{len(bad)} malformed lines left out, first: {bad[0]}", file=sys.stderr)
    encoder = remembering(default_encoder())
    scores = rt.cross_validate(rows, encoder)
    threshold = rt.choose_threshold(rows, scores)
    rules = [screen_reply(r["text"], r["lang"], model=False).flagged for r in rows]
    alone = rt.summary(rows, scores, threshold)
    both = rt.summary(rows, scores, threshold, rules)
    for s, b in zip(alone, both):
        s.update(caught_with_rules=b["caught"], flagged_with_rules=b["flagged"])
        print(
            f"out of fold, {s['lang']} {s['set']}: unsafe caught {s['caught']}/{s['unsafe']} "
            f"({b['caught']} with the rules), safe flagged {s['flagged']}/{s['safe']} ({b['flagged']} with the rules)"
        )
    model = rt.fit(rows, encoder, threshold)
    digest = hashlib.sha256(args.real.read_bytes()).hexdigest()[:16]
    meta = {"sets": list(rt.SETS), "real": args.real.name, "real_sha256": digest, "false_alarms": rt.FALSE_ALARMS}
    model.save(args.out, {**meta, "out_of_fold": alone})
    print(f"trained on {len(rows)} replies: threshold {threshold:.4f} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
