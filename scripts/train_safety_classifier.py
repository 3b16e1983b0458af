"""Rebuild the shipped safety classifier from the real messages in the repository.

    PYTHONPATH=src python scripts/train_safety_classifier.py [--data data/safety-real/dev_labelled.jsonl]
        [--written-sets data/safety-written]

Trains logistic regression on the whole-message USE embeddings of every labelled row and of the project's
written training sets (data/safety-written/, checked against its manifest; weighing together as much as the real
rows), chooses the threshold
and the `sure` level on grouped 5-fold out-of-fold probabilities (`warmline.safety.real.train`) and writes
src/warmline/data/safety/real_classifier.npz. About two minutes on two cores (embedding 5,700 messages).
How well it does is measured apart, by nested cross-validation: benchmarks/bench_safety.py."""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    from warmline.safety import real, written
    from warmline.safety.linear import WEIGHTS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=real.repo_data() / "dev_labelled.jsonl")
    ap.add_argument("--written-sets", type=Path, default=written.repo_dir())
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "warmline" / WEIGHTS)
    args = ap.parse_args()
    bad: list = []
    rows = real.load_rows(args.data, bad)
    if bad:
        print(f"{len(bad)} malformed lines skipped, first: {bad[0]}", file=sys.stderr)
    X = real.embed(rows)
    clf = real.train(rows, X, extra=real.project_examples(where=args.written_sets))
    digest = hashlib.sha256(args.data.read_bytes()).hexdigest()[:16]
    sets = written.sha256(written.directory(args.written_sets) / written.MANIFEST)[:16]
    clf.save(args.out, {"data": args.data.name, "data_sha256": digest, "written_manifest_sha256": sets})
    print(
        f"trained on {len(rows)} rows ({args.data.name}, sha256 {digest}): threshold {clf.threshold:.2f}, "
        f"sure {clf.sure:.2f} -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
