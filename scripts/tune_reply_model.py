"""Measure the fine-tuned reply model against today's, leaving writers out (and, with --out, build its weights).

    OMP_NUM_THREADS=1 PYTHONPATH=src python scripts/tune_reply_model.py --base minilm --langs en --writers a+b \
        [--cache /tmp/ftreply-cache] [--out src/warmline/data/safety/reply_tuned.safetensors]

For each run of --writers (a writer under tests/assets/safety/replies/writers/, or several joined by "+", left out
together: one model a fold instead of one a fold and writer) and each of 3 folds grouped by dialogue: a LoRA-tuned
encoder (`warmline.safety.reply_tuning`) and today's model (`reply_training.fit`) trained on the other folds without
those writers; the tuned model's threshold is chosen on real counselor replies of the training folds it did not train
on. Scores are saved per run under --cache (a run that stops resumes there) and the figures printed (writers' unsafe
replies caught and near-misses passed, real replies flagged out of fold, per category, 95% Wilson intervals). "a+b"
with MiniLM on English took 37 minutes on one core of a loaded 2-core machine; --out adds about 20. No weights ship:
the tuned model caught no more than today's (docs/safety-replies.md)."""

from __future__ import annotations

import argparse
import hashlib
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
    from warmline.safety import reply_training as rt, reply_tuning as tu
    from warmline.safety.reply import screen_reply
    from warmline.safety.reply_tuned import WEIGHTS

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
    ap.add_argument("--real-sentences", type=int, default=None, help="real sentences a model trains on, per language")
    ap.add_argument("--no-leave-out", dest="leave_out", action="store_false", help="skip leaving each writer out")
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"also train on every row and write the weights here (the shipped ones: src/warmline/{WEIGHTS})",
    )
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
    writers = sorted({r["writer"] for r in rows} - {"project", "real"})
    # each group of --writers is left out in turn ("a+b": both together, which is cheaper: one model per fold)
    runs = args.writers or writers
    real_sentences = args.real_sentences or tu.REAL_SENTENCES
    tag = f"{args.base}-{'-'.join(args.langs)}"
    if (args.epochs, args.lr, args.max_len, real_sentences) != (2, 1e-3, 64, tu.REAL_SENTENCES):
        tag += f"-e{args.epochs}-lr{args.lr:g}-len{args.max_len}-real{real_sentences}"
    for w in runs if args.leave_out else []:
        out = args.cache / f"lowo-{tag}-{w}.npz"
        if out.exists():
            print(f"writer {w}: {out} exists, kept")
            continue
        t = time.time()
        res = tu.leave_writer_out(
            rows,
            w.split("+"),
            settings,
            encoder,
            langs=tuple(args.langs),
            log=lambda m: print(m, flush=True),
            progress=True,
            real_sentences=real_sentences,
        )
        np.savez(out, **{k: np.asarray(v) for k, v in res.items()})
        print(f"writer {w}: {time.time() - t:.0f} s -> {out}", flush=True)
    rules = np.load(rules_path)
    left = []
    for w in runs:
        path = args.cache / f"lowo-{tag}-{w}.npz"
        if not path.exists():
            continue
        res = dict(np.load(path))
        th = tu.flags(rows, res, rules, tuple(args.langs))["thresholds"]
        print(
            f"\nwriter {w} left out ({tag}); thresholds: today {th[0]:.4f}, tuned per fold "
            f"{np.round(res['tuned_threshold'], 4).tolist()}, tuned by today's rule {th[1]:.4f}"
        )
        cells = [c for name in w.split("+") for c in tu.report(rows, res, rules, name, tuple(args.langs))]
        for c in cells:
            print("  " + line(c))
        left.append({"writer": w, "cells": cells})
    if args.out is not None:
        model, facts = tu.build(rows, settings, encoder, tuple(args.langs), real_sentences=real_sentences)
        digest = hashlib.sha256(args.real.read_bytes()).hexdigest()[:16]
        meta = {"sets": list(rt.SETS), "writers": writers, "real": args.real.name, "real_sha256": digest, **facts}
        model.save(args.out, {**meta, "leave_writer_out": left})
        print(f"threshold {model.threshold:.4f} -> {args.out}")
    return 0


def line(c: dict) -> str:
    def f(x):
        return f"{x['k']}/{x['n']} = {x['rate']:.2f} [{x['low']:.2f}-{x['high']:.2f}]"

    cats = ", ".join(f"{k} {v['k']}/{v['n']}" for k, v in c["categories"].items())
    real = c["real_flagged"]
    return (
        f"{c['lang']} {c['verdict']:>14}: caught {f(c['caught'])}; near-misses passed {f(c['near_miss_passed'])}; "
        f"real flagged {real['k']}/{real['n']} = {100 * real['rate']:.2f}%; {cats}"
    )


if __name__ == "__main__":
    sys.exit(main())
