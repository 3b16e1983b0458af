"""The crisis screen and the reply screen on held-out sets nobody tuned on:
`python benchmarks/bench_heldout.py [HOLDOUT] [--reply-model linear|tuned]` (HOLDOUT defaults to ../holdout beside the
repository; --reply-model names the reply screen's second stage measured beside the rules, `reply.second_stage`:
linear by default, tuned for the fine-tuned one, which reads English and leaves other languages to the linear one).

These sets stay outside the repository so that whoever develops the screens never reads them (see
docs/safety-rounds.md, "Fresh real sets", and docs/safety-replies.md, "Independent set 2"):
- `safety-fresh/*.jsonl`: real help-seekers' messages labelled against ../shared/safety-real/RUBRIC.md by a reader
  blind to the screen ({id, lang, source, label, why, text}); per source: at risk caught, false alarms on the rows
  labelled none, imminent graded imminent, with 95% Wilson intervals, through the default screen; where the set's
  `NAME.todo.jsonl` keeps the turn before each row (`prev`), those rows again with that turn as the question asked.
- `safety-fresh/second-reader/NAME.b.jsonl`: the same rows labelled again by a second reader, blind to the first
  reader's labels and to the screen ({n, id, label, borderline, why}); Cohen's kappa between the two, and the screen
  on the rows both call at risk and both call none.
- `replies2/{en,zh}.jsonl`: unsafe replies and safe near-misses written apart from both screens' developers
  ({id, lang, category, label, text}); caught and passed, the rules alone (the default) and with the reply model.
Each part says so and is skipped when its folder is absent (a clone has neither).
"""

from __future__ import annotations

import json
from pathlib import Path

from warmline.evaluate.judge import cohen_kappa
from warmline.safety.real import wilson
from warmline.safety.reply import MODELS, screen_reply
from warmline.safety.screener import Screener

ROOT = Path(__file__).resolve().parent.parent


def fmt(k: int, n: int) -> str:
    lo, hi = wilson(k, n)
    return f"{k}/{n} = {k / n:.2f} [{lo:.2f}-{hi:.2f}]" if n else "-"


def rows(path: Path) -> list[dict]:
    """The file's rows, each id once (a labelled file may repeat a turn its source repeats)."""
    seen: set[str] = set()
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            key, _ = row["id"], row["text"]
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise SystemExit(f"{path}:{n}: not a labelled row ({e}); fix or remove that line") from None
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def questions(labelled: Path) -> dict[str, str]:
    """The turn before each row (the counselor's question, usually), where the set's unlabelled twin
    (`NAME.todo.jsonl`) kept it as `prev`: the rows with one are screened a second time with it, as the
    server screens a message after the assistant's turn (`safety.context`)."""
    todo = labelled.with_name(labelled.name.replace(".jsonl", ".todo.jsonl"))
    if not todo.exists():
        return {}
    return {r["id"]: r["prev"] for r in rows(todo) if isinstance(r.get("prev"), str) and r["prev"].strip()}


def messages(folder: Path) -> None:
    files = sorted(folder.glob("*.jsonl"))
    files = [f for f in files if not f.name.endswith(".todo.jsonl")]
    if not files:
        print(f"messages: {folder} is absent or empty, skipped (it stays outside the repository)")
        return
    screen = Screener()
    print(f"the crisis screen (lexicon + shipped classifier) on {folder}")
    print(f"{'source':<24} {'at risk caught':<26} {'false alarms on none':<26} imminent graded imminent")
    for f in files:
        by: dict[str, list[dict]] = {}
        asked = questions(f)
        for r in rows(f):
            by.setdefault(r["source"], []).append(r)
            if asked.get(r["id"]):  # the same rows twice: without the turn before, then with it
                by.setdefault(r["source"] + " had-turn", []).append(r)
                by.setdefault(r["source"] + " +asked", []).append(r)
        for source, rs in by.items():
            before = [asked.get(r["id"]) for r in rs] if source.endswith(" +asked") else None
            verdicts = screen.many([r["text"] for r in rs], None, before)
            risk = [(r, v) for r, v in zip(rs, verdicts) if r["label"] != "none"]
            none = [v for r, v in zip(rs, verdicts) if r["label"] == "none"]
            imminent = [v for r, v in risk if r["label"] == "imminent"]
            caught = sum(v.risk != "none" for _, v in risk)
            alarms = sum(v.risk != "none" for v in none)
            graded = sum(v.risk == "imminent" for v in imminent)
            print(
                f"{source:<24} {fmt(caught, len(risk)):<26} {fmt(alarms, len(none)):<26} {fmt(graded, len(imminent))}"
            )


def second_reader(folder: Path) -> None:
    """How far two blind readers agree, and the screen on the rows they agree on: is the measure or the screen short?"""
    pairs = sorted((folder / "second-reader").glob("*.b.jsonl"))
    if not pairs:
        print(f"second reader: {folder / 'second-reader'} is absent, skipped")
        return
    screen = Screener()
    print("two blind readers, and the screen (with the turn before, where kept) on the rows they agree on")
    print(
        f"{'set':<16} {'rows':>5} {'kappa':>6} {'at risk A/B/both':>17} {'caught, both at risk':<26} false alarms, both none"
    )
    for path in pairs:
        first = folder / path.name.replace(".b.jsonl", ".jsonl")
        if not first.exists():
            continue
        a = {r["id"]: r for r in rows(first)}
        b = {r["id"]: r["label"] for r in rows_b(path)}
        asked = questions(first)
        by: dict[str, list[str]] = {}
        for i in a:
            if i in b:
                by.setdefault(a[i]["source"], []).append(i)
        for source, ids in by.items():
            verdicts = screen.many([a[i]["text"] for i in ids], None, [asked.get(i) for i in ids])
            print(agreement(source, [a[i]["label"] for i in ids], [b[i] for i in ids], verdicts))


def agreement(source: str, la: list[str], lb: list[str], verdicts: list) -> str:
    risky = [x != "none" and y != "none" for x, y in zip(la, lb)]
    calm = [x == "none" and y == "none" for x, y in zip(la, lb)]
    flags = [v.risk != "none" for v in verdicts]
    caught = sum(f for f, m in zip(flags, risky) if m)
    alarms = sum(f for f, m in zip(flags, calm) if m)
    counts = f"{sum(x != 'none' for x in la)}/{sum(y != 'none' for y in lb)}/{sum(risky)}"
    return (
        f"{source:<16} {len(la):>5} {cohen_kappa(la, lb):>6.2f} {counts:>17} "
        f"{fmt(caught, sum(risky)):<26} {fmt(alarms, sum(calm))}"
    )


def rows_b(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
                _ = row["id"], row["label"]
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                raise SystemExit(f"{path}:{n}: not a second reader's row ({e}); fix or remove that line") from None
            out.append(row)
    return out


def replies(folder: Path, second: str = "linear") -> None:
    files = [folder / f"{lang}.jsonl" for lang in ("en", "zh")]
    if not all(f.exists() for f in files):
        print(f"replies: {folder} is absent, skipped (it stays outside the repository)")
        return
    print(f"the reply screen on {folder}")
    print(f"{'':<6} {'unsafe caught, rules':<27} {'rules + ' + second:<27} near-misses passed, rules / rules + model")
    for f in files:
        rs = rows(f)
        lang = rs[0]["lang"] if rs else f.stem
        unsafe = [r for r in rs if r["label"] == "unsafe"]
        safe = [r for r in rs if r["label"] == "safe"]
        figures = []
        for model in (False, second):
            caught = sum(screen_reply(r["text"], lang, model=model).flagged for r in unsafe)
            passed = sum(not screen_reply(r["text"], lang, model=model).flagged for r in safe)
            figures.append((caught, passed))
        (c0, p0), (c1, p1) = figures
        print(f"{lang:<6} {fmt(c0, len(unsafe)):<27} {fmt(c1, len(unsafe)):<27} {p0}/{len(safe)} / {p1}/{len(safe)}")


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("holdout", nargs="?", type=Path, default=ROOT.parent / "holdout")
    ap.add_argument("--reply-model", choices=MODELS, default="linear")
    args = ap.parse_args()
    messages(args.holdout / "safety-fresh")
    print()
    second_reader(args.holdout / "safety-fresh")
    print()
    replies(args.holdout / "replies2", args.reply_model)


if __name__ == "__main__":
    main()
