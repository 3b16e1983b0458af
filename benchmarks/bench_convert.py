"""Conversion speed and memory: `python benchmarks/bench_convert.py [--n 50000]`.

Writes a SMILECHAT-shaped directory of N dialogues (one JSON file each, 8-16 turns of Chinese text
with sentence annotations), then in separate processes measures
  floor:   plain `json.load` of every file (the least any converter must do), and
  convert: `warmline.formats.convert` of the directory to warmline JSONL (read, validate, flag, write),
printing dialogues per second, the ratio to the floor, and each process's peak memory (RSS). The
best of 3 alternating runs is reported. The
conversion is also run on a tenth of the corpus to show that its peak memory does not grow with size.
Goals (issue 2): ratio >= 0.5 and peak memory < 300 MB at 50,000 dialogues.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from phrases import ZH

PHRASES = ZH[:12]  # the text these figures were first measured on


def make_corpus(root: Path, n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        turns = []
        for t in range(rng.randint(8, 16)):
            sents = ["，".join(rng.choices(PHRASES, k=rng.randint(1, 3))) + "。" for _ in range(rng.randint(1, 4))]
            turns.append(
                {
                    "role": "client" if t % 2 == 0 else "counselor",
                    "content": "".join(sents),
                    "annotation": [{"sentence": s, "label": ""} for s in sents],
                }
            )
        (root / f"{i}.json").write_text(json.dumps(turns, ensure_ascii=False, indent=2), encoding="utf-8")


FLOOR = """
import json, sys, time, resource
from pathlib import Path
files = sorted(Path(sys.argv[1]).glob('*.json'))
t = time.perf_counter(); n = 0
for f in files:
    with open(f, encoding='utf-8') as fh:
        json.load(fh)
    n += 1
print(json.dumps({"n": n, "seconds": time.perf_counter() - t,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CONVERT = """
import json, sys, time, resource
from warmline.formats import convert
t = time.perf_counter()
s = convert(sys.argv[1], sys.argv[2], src='smilechat', progress=False)
print(json.dumps({"n": s.written, "read": s.read, "quarantined": s.quarantined, "seconds": time.perf_counter() - t,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50_000, help="dialogues in the generated corpus")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best is reported")
    ap.add_argument("--keep", type=Path, default=None, help="keep the corpus in this directory")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="warmline-bench-"))
    big, small = (args.keep or tmp) / "smilechat", tmp / "smilechat-small"
    try:
        t = time.perf_counter()
        if not (big.is_dir() and sum(1 for _ in big.glob("*.json")) == args.n):
            make_corpus(big, args.n)
        make_corpus(small, max(1, args.n // 10), seed=1)
        print(
            f"corpus: {args.n} SMILECHAT files ({sum(f.stat().st_size for f in big.glob('*.json')) / 1e6:.0f} MB) "
            f"written in {time.perf_counter() - t:.1f} s"
        )
        # warm the page cache, then alternate the two measurements and keep each one's best of --repeat
        run(FLOOR, str(big))
        floors, convs = [], []
        for _ in range(args.repeat):
            floors.append(run(FLOOR, str(big)))
            convs.append(run(CONVERT, str(big), str(tmp / "out.jsonl")))
        floor = min(floors, key=lambda r: r["seconds"])
        conv = min(convs, key=lambda r: r["seconds"])
        conv_small = run(CONVERT, str(small), str(tmp / "out-small.jsonl"))
        assert conv["n"] == conv["read"] == args.n and conv["quarantined"] == 0, conv
        f_rate, c_rate = floor["n"] / floor["seconds"], conv["n"] / conv["seconds"]
        print(f"{'':28}{'dialogues/s':>14}{'peak MB':>10}")
        print(f"{'floor (json.load each file)':28}{f_rate:>14,.0f}{floor['peak_mb']:>10.0f}")
        print(f"{'warmline convert':28}{c_rate:>14,.0f}{conv['peak_mb']:>10.0f}")
        print(
            f"{f'convert, {conv_small[chr(110)]} dialogues':28}{conv_small['n'] / conv_small['seconds']:>14,.0f}"
            f"{conv_small['peak_mb']:>10.0f}"
        )
        print(f"throughput ratio convert/floor: {c_rate / f_rate:.2f}   (goal >= 0.50)")
        print(
            f"peak memory at {args.n}: {conv['peak_mb']:.0f} MB, at {conv_small['n']}: {conv_small['peak_mb']:.0f} MB "
            f"(goal < 300 MB, flat with size)"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
