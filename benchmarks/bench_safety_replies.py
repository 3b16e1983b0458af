"""The reply screen: `python benchmarks/bench_safety_replies.py [SHARED]` (SHARED defaults to ../shared).

What share of unsafe model replies the screen catches and of safe replies it lets through, per language and
category, with 95% Wilson intervals, on the project's sets (`tests/assets/safety/replies/`): `dev` and `dev2`
`dev3`, `dev4` and `dev5` (the rules were tuned on them: optimistic) and `heldout` (written before the rules; its misses have
been read since, so it is optimistic too; its first measure is in docs/safety-rounds.md). Then the false alarms on all 3,338 real counselor replies of `../shared/safety-real/counselor_replies.jsonl.gz`
(Counsel-Chat answers, en; SMILECHAT counselor turns, zh), skipped when that file is absent, and the cost: per
whole reply, and per streamed piece through the server's guard. Every figure twice: the rules alone, and the rules
with the second stage (`reply_model`, off by default). The model was trained on every set here but `independent`, on
the writers' sets (`writers/`) and on the real replies, so its figures on them are in-sample: the out-of-fold figures
its training measured (grouped cross-validation, and each writer left out in turn, per category;
`scripts/train_reply_model.py`) are printed from the shipped weights.
"""

from __future__ import annotations

import gzip
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

from warmline.safety.real import wilson
from warmline.safety.reply import screen_reply
from warmline.safety.reply_words import CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "tests" / "assets" / "safety" / "replies"
REAL = ROOT.parent / "shared" / "safety-real" / "counselor_replies.jsonl.gz"  # or under the folder given


def fmt(k: int, n: int) -> str:
    lo, hi = wilson(k, n)
    return f"{k}/{n} = {k / n:.2f} [{lo:.2f}-{hi:.2f}]" if n else "-"


# the independent set (written apart from the screen, measured once: see its README) names categories its own way
INDEPENDENT = {
    "method": "method_details",
    "dosing": "medication_dosing",
    "diagnosis": "diagnosis",
    "encourage": "encouraging_harm",
    "shaming": "shaming",
    "medication": "stopping_medication",
    "eating": "eating_disorder",
}


def read_set(name: str) -> list[dict]:
    """A set's rows; the independent set's two files with its categories named as the screen names them."""
    if name != "independent":
        return [json.loads(x) for x in (ASSETS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    rows = [json.loads(x) for lang in ("en", "zh") for x in (ASSETS / name / f"{lang}.jsonl").open(encoding="utf-8")]
    return [{**r, "category": INDEPENDENT.get(r["category"], "near_miss")} for r in rows]


def score_set(name: str) -> None:
    rows = read_set(name)
    print(f"\n## {name} ({len(rows)} replies)")
    print("| lang | stages | " + " | ".join(CATEGORIES) + " | all unsafe caught | near-misses passed |")
    print("|---" * (len(CATEGORIES) + 4) + "|")
    misses = []
    for lang, model in (("en", False), ("en", True), ("zh", False), ("zh", True)):
        right, n = Counter(), Counter()
        for r in (r for r in rows if r["lang"] == lang):
            ok = screen_reply(r["text"], lang, model=model).flagged is (r["label"] == "unsafe")
            right[r["category"]] += ok
            n[r["category"]] += 1
            if not ok and model:
                misses.append(
                    f"  {'missed' if r['label'] == 'unsafe' else 'flagged'} ({lang}, {r['category']}): {r['text']}"
                )
        unsafe = [c for c in CATEGORIES if n[c]]
        cells = [f"{right[c]}/{n[c]}" for c in CATEGORIES]
        print(
            f"| {lang} | {'rules + model' if model else 'rules'} | "
            + " | ".join(cells)
            + f" | {fmt(sum(right[c] for c in unsafe), sum(n[c] for c in unsafe))} | "
            f"{fmt(right['near_miss'], n['near_miss'])} |"
        )
    print("\n".join(misses))


def real_replies() -> list[dict]:
    with gzip.open(REAL, "rt", encoding="utf-8") as f:
        return [json.loads(x) for x in f if x.strip()]


def false_alarms(rows: list[dict], model: bool) -> None:
    stages = "rules + model (the model in-sample: it was trained on these)" if model else "rules"
    print(f"\n## real counselor replies ({REAL}, {len(rows)} replies): flagged by {stages}")
    t = time.perf_counter()
    verdicts = [screen_reply(r["text"], r["lang"], model=model) for r in rows]
    ms = (time.perf_counter() - t) / len(rows) * 1000
    for lang in ("en", "zh"):
        pairs = [(r, v) for r, v in zip(rows, verdicts) if r["lang"] == lang]
        k = sum(v.flagged for _, v in pairs)
        lo, hi = wilson(k, len(pairs))
        print(
            f"{lang}: {k} of {len(pairs)} = {100 * k / len(pairs):.2f}% [95% interval {100 * lo:.2f}-{100 * hi:.2f}%] (goal <= 1%)"
        )
        for r, v in pairs:
            if v.flagged:
                print(f"  {r['id']} {v.stage or 'rules'} {v.categories} {v.evidence[:2]}")
    print(
        f"cost: {ms:.2f} ms a whole reply (mean {sum(len(r['text']) for r in rows) / len(rows):.0f} characters), one at a time"
        + (", each sentence embedded for the first time" if model else "")
    )


def out_of_fold() -> None:
    from warmline.safety.reply_model import shipped

    m = shipped()
    print(
        f"\n## the model out of fold (5-fold grouped cross-validation when it was trained; threshold {m.threshold:.4f})"
    )
    for s in m.meta.get("out_of_fold", []):
        with_rules = f"; with the rules {s['caught_with_rules']}/{s['unsafe']} caught, {s['flagged_with_rules']}/{s['safe']} flagged"
        print(
            f"{s['lang']} {s['set']}: model alone {s['caught']}/{s['unsafe']} unsafe caught, {s['flagged']}/{s['safe']} safe flagged"
            + (with_rules if "caught_with_rules" in s else "")
        )


def left_out() -> None:
    """Each writer left out in turn when the shipped model was trained: what models that never read it caught."""
    from warmline.safety.reply_model import shipped

    for run in shipped().meta.get("leave_writer_out", []):
        print(
            f"\n## writer {run['writer']} left out (5-fold grouped, threshold {run['threshold']:.4f}; real replies "
            f"flagged by the model out of fold: {', '.join(f'{k} {100 * v:.2f}%' for k, v in run['real_flagged'].items())})"
        )
        print("| lang | category | flagged by the rules alone | flagged by the rules + model |")
        print("|---|---|---|---|")
        for lang in ("en", "zh"):
            cells = [c for c in run["cells"] if c["lang"] == lang]
            for c in cells:
                print(f"| {lang} | {c['category']} | {c['rules']}/{c['rows']} | {c['flagged']}/{c['rows']} |")
            unsafe = [c for c in cells if c["category"] != "near_miss"]
            n = sum(c["rows"] for c in unsafe)
            print(
                f"| {lang} | all unsafe caught | {fmt(sum(c['rules'] for c in unsafe), n)} | "
                f"{fmt(sum(c['flagged'] for c in unsafe), n)} |"
            )


def streaming_cost(rows: list[dict], model: bool, n: int = 40) -> None:
    from warmline.safety.reply_model import shipped
    from warmline.serve.app import ReplyGuard

    shipped().forget()  # the false-alarm run read these replies: each sentence is embedded afresh here
    pieces = held = 0
    t = time.perf_counter()
    for r in random.Random(0).sample(rows, n):
        g, step = ReplyGuard(r["lang"], model), 4 if r["lang"] == "en" else 2
        for i in range(0, len(r["text"]), step):
            g.feed(r["text"][i : i + step])
            pieces += 1
            held += len(g.text) - g.sent
        g.flush()
    print(
        f"streaming: {(time.perf_counter() - t) / pieces * 1000:.2f} ms a piece (4 characters en, 2 zh) through "
        f"the server's guard ({'rules + model' if model else 'rules'}), {held / pieces:.1f} characters held back on "
        f"average, on {n} real replies ({(time.perf_counter() - t) / n * 1000:.1f} ms a reply)"
    )


def main() -> None:
    global REAL
    if len(sys.argv) > 1:
        REAL = Path(sys.argv[1]) / "safety-real" / "counselor_replies.jsonl.gz"
    for name in ("dev", "dev2", "dev3", "dev4", "dev5", "heldout", "independent"):
        score_set(name)
    if not REAL.is_file():
        print(f"\n{REAL} is absent: real counselor replies and costs skipped")
        return
    out_of_fold()
    left_out()
    rows = real_replies()
    for model in (False, True):
        false_alarms(rows, model)
    for model in (False, True):
        streaming_cost(rows, model)


if __name__ == "__main__":
    main()
