"""Synthesis throughput and memory: `python benchmarks/bench_synth.py`.

Starts a fake OpenAI-compatible server in its own process on 127.0.0.1 that answers every request
after a fixed delay (default 200 ms) with a well-formed dialogue, then runs the real synthesis runner (after a warm-up run of one round that
pays for imports and connections)
(OpenAI backend, checks, scrub, JSONL output) at concurrency 1, 16, 64 and 256 and prints dialogues
per second next to the ideal (concurrency / delay). Then, with no delay, it measures the runner's peak
memory (RSS, in a fresh process each) on a small and a 100,000-item input to show it stays flat.
Goals (issue 3): >= 90% of ideal at 64, >= 80% at 256, flat peak memory.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from warmline.conversation import Dialogue, Turn, write_jsonl


def make_input(path: Path, n: int) -> Path:
    write_jsonl(
        (
            Dialogue(
                f"q{i}",
                "en",
                [
                    Turn("client", f"Question {i}: I feel anxious before exams and can't sleep."),
                    Turn("counselor", f"Answer {i}: exam stress is common; rest and plan."),
                ],
            )
            for i in range(n)
        ),
        path,
    )
    return path


def start_server(delay: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "warmline.testing.fake_openai", "--delay", str(delay)], stdout=subprocess.PIPE, text=True
    )
    port = int(proc.stdout.readline())
    return proc, f"http://127.0.0.1:{port}/v1"


RUN = """
import json, resource, sys, time
from warmline.backends.openai_compat import OpenAIBackend
from warmline.synth.runner import SynthOptions, run
inp, out, url, conc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
b = OpenAIBackend(base_url=url, model="fake", concurrency=conc, timeout=60)
run(inp, out + ".warmup", b, SynthOptions(method="smile", concurrency=conc, max_retries=0, limit=conc))  # imports, connections
t = time.perf_counter()
s = run(inp, out, b, SynthOptions(method="smile", concurrency=conc, max_retries=0))
elapsed = time.perf_counter() - t
print(json.dumps({"accepted": s.accepted, "rejected": s.rejected, "seconds": elapsed,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_once(inp: Path, out: Path, url: str, conc: int) -> dict:
    out.unlink(missing_ok=True)
    Path(str(out) + ".warmup").unlink(missing_ok=True)
    res = subprocess.run(
        [sys.executable, "-c", RUN, str(inp), str(out), url, str(conc)], capture_output=True, text=True
    )
    if res.returncode:
        raise SystemExit(res.stderr[-2000:])
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--delay", type=float, default=0.2)
    ap.add_argument("--concurrency", default="1,16,64,256")
    ap.add_argument("--rounds", type=int, default=20, help="items per run = concurrency x rounds")
    ap.add_argument("--memory-items", type=int, default=100_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="warmline-bench-synth-"))
    server, url = start_server(args.delay)
    try:
        print(f"fake server: {args.delay * 1000:.0f} ms per request, each answer a 6-exchange dialogue")
        print(f"{'concurrency':>11}{'items':>8}{'dialogues/s':>13}{'ideal':>9}{'ratio':>8}")
        for conc in (int(c) for c in args.concurrency.split(",")):
            n = conc * args.rounds
            inp = make_input(tmp / f"in-{n}.jsonl", n)
            r = run_once(inp, tmp / "out.jsonl", url, conc)
            assert r["accepted"] == n, r
            rate, ideal = n / r["seconds"], conc / args.delay
            print(f"{conc:>11}{n:>8}{rate:>13.1f}{ideal:>9.1f}{rate / ideal:>8.2f}")
    finally:
        server.kill()
    server, url = start_server(0.0)
    try:
        small = max(1000, args.memory_items // 100)
        rows = []
        for n in (small, args.memory_items):
            inp = make_input(tmp / f"mem-{n}.jsonl", n)
            r = run_once(inp, tmp / "out.jsonl", url, 64)
            rows.append((n, r))
        print("\npeak memory of the runner, no delay, concurrency 64:")
        for n, r in rows:
            print(f"  {n:>7} items: {r['peak_mb']:.0f} MB peak, {n / r['seconds']:.0f} dialogues/s")
        print(
            f"  ratio {rows[1][1]['peak_mb'] / rows[0][1]['peak_mb']:.2f} for {args.memory_items // small}x the items "
            "(the set of finished keys, needed to resume, is the only thing that grows)"
        )
    finally:
        server.kill()


if __name__ == "__main__":
    main()
