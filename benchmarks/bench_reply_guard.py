"""The streaming reply guard's cost: `python benchmarks/bench_reply_guard.py [SHARED] [--replies 300] [--seed 0]`.

Real counselor replies (`SHARED/safety-real/counselor_replies.jsonl.gz`, SHARED defaulting to ../shared: Counsel-Chat
answers, en; SMILECHAT counselor turns, zh; a random sample of --replies) are streamed in pieces of 3-6 characters, as
a model's tokens arrive, through `warmline.turn.ReplyGuard` and through the guard as it was before its engine was made
cheaper (`tests/reply_guard_reference.py`). Prints the CPU time (process time) per reading (a reading: the guard
screens what waits, at a clause's end or every BATCH characters) and per reply for both, the ratio of each to one
plain `screen_reply` of the whole reply (the reference), and whether both guards released the same pieces. Without
../shared it says so and reads the project's reply sets instead (`tests/assets/safety/replies/`). Goal (issue 20):
the guard's CPU per streamed reply at least 5x lower than before. `--reply-model linear|tuned` also streams them
through the guard with that second stage (`reply.second_stage`), every sentence read afresh, and prints its CPU and
wall time per reply.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
import time
from pathlib import Path

from warmline.safety.reply import MODELS, screen_reply, second_stage, warm
from warmline.turn import ReplyGuard

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import reply_guard_reference as before  # noqa: E402  (the tests' copy of the guard as it was)

ASSETS = ROOT / "tests" / "assets" / "safety" / "replies"


def replies(shared: Path, n: int, seed: int) -> tuple[list[dict], str]:
    real = shared / "safety-real" / "counselor_replies.jsonl.gz"
    if real.exists():
        with gzip.open(real, "rt", encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        where = f"{real} ({len(rows)} real counselor replies)"
    else:
        files = sorted(ASSETS.glob("*.jsonl")) + sorted((ASSETS / "independent").glob("*.jsonl"))
        rows = [json.loads(x) for f in files for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
        where = f"{real} is absent: the project's reply sets instead ({len(rows)} replies, {ASSETS})"
    return random.Random(seed).sample(rows, min(n, len(rows))), where


def stream(guard_class, text: str, lang: str, seed: int) -> tuple[list[str], int]:
    """The pieces released (the last from flush) and the number of readings."""
    rng, g, out, readings, i = random.Random(seed), guard_class(lang), [], 0, 0
    while i < len(text):
        k = rng.randint(3, 6)
        out.append(g.feed(text[i : i + k]))
        i += k
        readings += g.unsafe or g.checked == len(g.text)
        if g.unsafe:
            return out, readings
    readings += g.sent < len(g.text)  # flush screens what is still held
    out.append(g.flush())
    return out, readings


def timed(fn, rows: list[dict]) -> tuple[float, list]:
    t0 = time.process_time()
    got = [fn(r, i) for i, r in enumerate(rows)]
    return time.process_time() - t0, got


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shared", nargs="?", default=str(ROOT.parent / "shared"))
    ap.add_argument("--replies", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reply-model", choices=MODELS, default=None)
    args = ap.parse_args()
    rows, where = replies(Path(args.shared), args.replies, args.seed)
    print(f"replies: {where}; {len(rows)} streamed in pieces of 3-6 characters; load average {os.getloadavg()[0]:.1f}")
    warm()  # both engines build their patterns before the clock starts
    before.unsafe_tail("warm up", 0)
    for g in (ReplyGuard, before.ReplyGuard):
        stream(g, "You could take 2 pills. 每次吃3片。", "en", 0)
    new_s, new = timed(lambda r, i: stream(ReplyGuard, r["text"], r["lang"], i), rows)
    old_s, old = timed(lambda r, i: stream(before.ReplyGuard, r["text"], r["lang"], i), rows)
    one_s, _ = timed(lambda r, i: screen_reply(r["text"], r["lang"]), rows)
    one_old_s, _ = timed(lambda r, i: before.screen_reply(r["text"], r["lang"]), rows)
    n, readings = len(rows), sum(k for _, k in new)
    chars = sum(len(r["text"]) for r in rows)
    print(
        f"{chars / n:.0f} characters a reply, {readings / n:.1f} readings a reply; load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'':22}{'per reading':>14}{'per reply':>12}{'x one screen_reply':>20}")
    for name, s, ref in (("guard before", old_s, one_old_s), ("guard now", new_s, one_s)):
        print(f"{name:22}{s / readings * 1e6:>11.0f} us{s / n * 1e3:>9.2f} ms{s / ref:>20.1f}")
    print(f"{'one screen_reply':22}{'':>14}{one_old_s / n * 1e3:>9.2f} ms before, {one_s / n * 1e3:.2f} ms now")
    print(
        f"the guard's CPU per streamed reply is {old_s / new_s:.1f}x lower (goal >= 5x); "
        f"same pieces released: {old == new}"
    )
    if args.reply_model:
        with_model(rows, args.reply_model, new_s / n)


def with_model(rows: list[dict], model: str, rules_s: float) -> None:
    """The guard with the second stage `model`, each sentence read for the first time: CPU and wall time a reply."""
    from functools import partial

    for lang in sorted({r["lang"] for r in rows}):
        second_stage(model, lang).scores(["Warm up the model."])  # loading is not the guard's cost
        second_stage(model, lang).forget()
    wall = time.perf_counter()
    cpu, got = timed(lambda r, i: stream(partial(ReplyGuard, model=model), r["text"], r["lang"], i), rows)
    wall = time.perf_counter() - wall
    n = len(rows)
    stopped = sum("".join(pieces) != r["text"] for r, (pieces, _) in zip(rows, got))
    print(
        f"guard + {model} model: {cpu / n * 1e3:.1f} ms CPU a reply ({cpu / n / rules_s:.1f}x the rules' guard), "
        f"{wall / n * 1e3:.1f} ms wall; replies stopped {stopped} of {n}; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
