"""Measure the fine-tuned reply model against today's, leaving each writer out (and, with --out, rebuild its weights).

    OMP_NUM_THREADS=1 PYTHONPATH=src python scripts/tune_reply_model.py --base minilm --langs en \
        [--cache /tmp/ftreply-cache] [--writers a b]

For each writer under tests/assets/safety/replies/writers/ and each of 3 folds grouped by dialogue: a LoRA-tuned
encoder (`warmline.safety.reply_tuning`) and today's model (`reply_training.fit`) trained on the other folds without
that writer; the tuned model's threshold is chosen on real counselor replies of the training folds it did not train
on. Scores are saved per writer under --cache (a run that stops resumes there) and the figures printed by
`reply_tuning_report`. About 40 minutes a writer for MiniLM on English on one shared core."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def cached_encoder(rows: list[dict], path: Path):
    """The USE encoder over every sentence of `rows`, embedded once and kept in `path` (an .npz)."""
    from warmline.safety.classifier import default_encoder, remembering

    sents = sorted({s for r in rows for s in r["sentences"]})
    if path.exists():
        z = np.load(path, allow_pickle=False)
        seen = dict(zip(z["sentences"].tolist(), z["vectors"]))
    else:
        seen = {}
    new = [s for s in sents if s not in seen]
    if new:
        seen.update(zip(new, default_encoder()(new)))
        keys = sorted(seen)
        np.savez(path, sentences=np.array(keys), vectors=np.stack([seen[k] for k in keys]))
    encoder = remembering(default_encoder())
    inner = dict(seen)
    return lambda texts: np.stack([inner[t] for t in texts]) if all(t in inner for t in texts) else encoder(texts)


def main() -> int:
    import torch

    from warmline import tuned
    from warmline.safety import reply_training as rt
    from warmline.safety import reply_tuning as tu
    from warmline.safety.reply import screen_reply

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", type=Path, default=ROOT / "tests" / "assets" / "safety" / "replies")
    ap.add_argument("--real", type=Path, default=ROOT / "data" / "safety-real" / "counselor_replies.jsonl.gz")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ftreply-cache"))
    ap.add_argument("--base", default="minilm")
    ap.add_argument("--langs", nargs="+", default=["en"])
    ap.add_argument("--writers", nargs="+", default=None)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--max-len", type=int, default=64)
    args = ap.parse_args()
    torch.set_num_threads(1)
    bad: list[str] = []
    rows = rt.read_rows(args.sets, args.real, bad)
    if bad:
        print(f"{len(bad)} malformed lines left out, first: {bad[0]}", file=sys.stderr)
    args.cache.mkdir(parents=True, exist_ok=True)
    encoder = cached_encoder(rows, args.cache / "use.npz")
    rules_path = args.cache / "rules.npy"
    if not rules_path.exists():
        np.save(rules_path, np.array([screen_reply(r["text"], r["lang"], model=False).flagged for r in rows]))
    settings = tuned.Settings(base=args.base, max_len=args.max_len, epochs=args.epochs, lr=args.lr)
    writers = args.writers or sorted({r["writer"] for r in rows} - {"project", "real"})
    tag = f"{args.base}-{'-'.join(args.langs)}"
    for w in writers:
        out = args.cache / f"lowo-{tag}-{w}.npz"
        if out.exists():
            print(f"writer {w}: {out} exists, kept")
            continue
        t = time.time()
        res = tu.leave_writer_out(rows, w, settings, encoder, langs=tuple(args.langs), log=lambda m: print(m, flush=True))
        np.savez(out, **{k: np.asarray(v) for k, v in res.items()})
        print(f"writer {w}: {time.time() - t:.0f} s -> {out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
