"""Crisis detection quality: `python benchmarks/bench_safety.py`.

What it prints, in this order:
1. The real help-seekers' messages (`data/safety-real/dev_labelled.jsonl`, copied into the repository from
   ../shared/safety-real): the default screen (lexicon + the shipped classifier) by nested cross-validation
   grouped by source dialogue and near-duplicate text (`warmline.safety.real.cross_validate`: each fold
   screened by a classifier trained, threshold included, without it), per language and per source, random rows
   (Counsel-Chat, SMILECHAT first turns) and keyword-selected rows apart, with 95% Wilson intervals; the same
   folds reading each sentence too, and the lexicon alone; which answer the ordinary messages get.
2. The flag rate on a random sample of the unlabelled SMILECHAT client pool (../shared/safety-real; skipped
   when it is absent), other dialogues than the labelled ones, with the shipped classifier.
3. The project's own labelled sets (`data/safety-written/`, each file listed in its manifest.json and read
   through `warmline.safety.written`), now regression sets for what they cover
   (idioms, negation, third person, fiction, context): per set precision and recall, the current held-out sets
   pooled per category; the simulator's openings; the real sample conversations in ../shared/samples;
   robustness to openings and endings people add; cases buried in longer messages.
4. The cost per message, and of a long paste whose every sentence the lexicon matches (hostile input).
Goals (issue 19), per language on real messages: recall >= 0.95 on elevated + imminent, false alarms <= 5% of
the messages labelled none, imminent graded imminent >= 0.90. The history of the project-written rounds is in
docs/safety-rounds.md.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from pathlib import Path

from warmline.safety import Screener, real
from warmline.safety.classifier import RETIRED
from warmline.safety.quality import HELD_OUT, score as evaluate
from warmline.safety.real import wilson
from warmline.safety.written import load

SETS = (
    ("labelled", "development"),
    ("train", "training"),
    ("train2", "training 2"),
    ("train3", "training 3"),
    ("train4", "training 4"),
    ("train5", "training 5"),
    *((split, f"retired {i}") for i, split in enumerate(RETIRED, 1)),
    *((split, f"held-out {split.removeprefix('heldout')}") for split in HELD_OUT),
)


# openings and endings people put around a disclosure (minimizing it, apologizing, hedging)
OPENINGS = {
    "en": (
        "I don't know, ",
        "Not sure why but ",
        "Honestly, ",
        "ok so ",
        "Sorry, this is hard to say. ",
        "I'm not dramatic but ",
    ),
    "zh": ("我也不知道，", "说不上为什么，但", "说实话，", "那个，", "不好意思，这个很难开口。", "我不是矫情，但"),
}
ENDINGS = {
    "en": (" lol", " idk.", " Anyway, sorry for the long message.", " Don't tell anyone."),
    "zh": ("哈哈", "，不知道。", "总之不好意思说了这么多。", "别告诉别人。"),
}


def robustness(screener, lang: str) -> tuple[int, int, int]:
    """Of the held-out set's at-risk cases that the screen catches, each with every opening and every ending
    (OPENINGS, ENDINGS): (variants, variants no longer caught, cases caught)."""
    cases = [r["text"] for split in HELD_OUT for r in load(f"{split}_{lang}.jsonl") if r["risk"] != "none"]
    caught = [t for t, v in zip(cases, screener.many(cases)) if v.risk != "none"]
    variants = [o + t for o in OPENINGS[lang] for t in caught] + [t + e for e in ENDINGS[lang] for t in caught]
    lost = sum(v.risk == "none" for v in screener.many(variants))
    return len(variants), lost, len(caught)


# the project's shared data sits beside the repository (../shared); WARMLINE_SHARED names another place
SHARED = Path(os.environ.get("WARMLINE_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
SAMPLES = SHARED / "samples"


def real_client_turns(root: Path = SAMPLES) -> list[tuple[str, str]]:
    """(source, text) for every distinct client message of the public samples (`../shared/samples`), read with
    warmline's own converters (as `warmline safety rate` reads them); [] when they are not there."""
    from warmline.safety.quality import messages_of

    sources = (
        ("SMILECHAT", root / "smilechat"),
        ("CPsyCoun", root / "cpsycoun-e"),
        ("Counsel-Chat", root / "counsel-chat"),
    )
    return [(name, text) for name, path in sources if path.is_dir() for text in messages_of(path)]


def buried(lang: str, seed: int = 0) -> list[dict]:
    """Longer messages from the held-out sets: every case between two of their ordinary negatives
    ("I get really anxious in crowded places."), labelled as the case."""
    import random

    rows = [r for split in HELD_OUT for r in load(f"{split}_{lang}.jsonl")]
    plain = [r["text"] for r in rows if r["kind"] == "negative"]
    rng = random.Random(seed)
    sep = "" if lang == "zh" else " "
    out = []
    for r in rows:
        around = rng.sample([t for t in plain if t != r["text"]], 2)
        out.append({**r, "text": sep.join([around[0], r["text"], around[1]])})
    return out


POOL = SHARED / "safety-real" / "smilechat_client_pool.jsonl.gz"


def real_dev_set() -> None:
    """Section 1: the real labelled messages, by nested grouped cross-validation."""
    from collections import Counter

    from warmline.safety import real

    path = real.repo_data() / "dev_labelled.jsonl"
    rows = real.load_rows(path)
    X = real.embed(rows)
    (whole, each), chosen = real.cross_validate(rows, X, sentences=(False, True), extra=real.project_examples())
    print(
        f"real help-seekers' messages ({path.name}, {len(rows)} rows), nested 5-fold cross-validation grouped by "
        f"dialogue and near-duplicate text\n(the project's written sets in every fold's training, as shipped); thresholds chosen inside the training folds: "
        + ", ".join(f"{c['threshold']:.2f}/{c['sure']:.2f}" for c in chosen)
        + " (threshold/sure per fold)"
    )
    print("\ndefault screen (lexicon + classifier on the whole message):")
    print("\n".join(real.table(real.report(rows, whole))))
    print("\nthe same folds, the classifier also reading each sentence (the highest probability counts):")
    print("\n".join(real.table(real.report(rows, each))))
    lexicon = Screener(classifier=False).many([r["text"] for r in rows])
    print("\nthe lexicon alone:")
    print("\n".join(real.table(real.report(rows, lexicon))))
    over = Counter((r["lang"], r["source"], v.risk) for r, v in zip(rows, whole) if r["label"] == "elevated")
    print("\nmessages labelled elevated that the default screen grades imminent (over-grading):")
    for lang, source in sorted({(k[0], k[1]) for k in over}):
        n = sum(over[lang, source, risk] for risk in ("none", "elevated", "imminent"))
        print(f"  {lang}/{source:18} {over[lang, source, 'imminent']} of {n}")
    answers = Counter((r["lang"], r["source"], v.answer) for r, v in zip(rows, whole) if r["label"] == "none")
    print("\nwhat the messages labelled none get with the default settings (reply, check-in, crisis):")
    for lang, source in sorted({(k[0], k[1]) for k in answers}):
        cell = {a: answers[lang, source, a] for a in ("reply", "check-in", "crisis")}
        n = sum(cell.values())
        print(f"  {lang}/{source:18} {n:5}: " + ", ".join(f"{a} {k} ({k / n:.1%})" for a, k in cell.items()))


def pool_flag_rate(sample: int = 5000, seed: int = 0) -> None:
    """Section 2: how often the shipped screen flags unlabelled client turns from other SMILECHAT dialogues."""
    import gzip
    import json
    import random

    if not POOL.exists():
        print(f"\n(no unlabelled pool at {POOL}: its section is skipped)")
        return
    with gzip.open(POOL, "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    picked = random.Random(seed).sample(texts, min(sample, len(texts)))
    verdicts = Screener().many(picked)
    flagged = [v for v in verdicts if v.flagged]
    by_stage = defaultdict(int)
    for v in flagged:
        by_stage[v.stage] += 1
    k, n = len(flagged), len(picked)
    lo, hi = wilson(k, n)
    print(
        f"\nunlabelled SMILECHAT client pool: a random sample of {n} of its {len(texts)} turns (seed {seed}), any "
        f"turn of a dialogue:\n  flagged {k} ({k / n:.1%}, [{lo:.3f}, {hi:.3f}]): "
        + ", ".join(f"{stage} {c}" for stage, c in sorted(by_stage.items()))
        + f"; check-in {sum(v.answer == 'check-in' for v in flagged)}, crisis message {sum(v.answer == 'crisis' for v in flagged)}"
        "\n  (about one client turn in twelve of a random SMILECHAT first turn is at risk by the labels, so a rate near"
        " that is expected)"
    )


def project_sets(screens) -> None:
    """Section 3: the project-written sets as regression sets."""
    print("\nthe project's own labelled sets (regression sets for idioms, negation, third person, fiction, context):")
    print(f"{'screen':22}{'set':15}{'n':>5}{'precision':>11}{'recall':>8}{'level exact':>13}  by kind (share right)")
    pooled = defaultdict(lambda: [0, 0, 0])
    cats = defaultdict(lambda: defaultdict(lambda: [0, 0]))  # (screen, lang) -> category -> [right, total]
    for label, screener in screens:
        for split, name in SETS:
            for lang in ("en", "zh"):
                r = evaluate(load(f"{split}_{lang}.jsonl"), screener)
                if split in HELD_OUT:
                    for i, k in enumerate(("tp", "fp", "fn")):
                        pooled[label, lang][i] += r[k]
                    for key, (right, n) in r["by_category"].items():
                        cats[label, lang][key][0] += right
                        cats[label, lang][key][1] += n
                kinds = ", ".join(f"{k} {v:.2f}" for k, v in sorted(r["by_kind"].items()))
                print(
                    f"{label:22}{name + ' ' + lang:15}{r['n']:>5}{r['precision']:>11.3f}{r['recall']:>8.3f}"
                    f"{r['level_accuracy']:>13.3f}  {kinds}"
                )
    print("\nheld-out 24-26 pooled (95% intervals):")
    for (label, lang), (tp, fp, fn) in pooled.items():
        (pl, ph), (rl, rh) = wilson(tp, tp + fp), wilson(tp, tp + fn)
        print(
            f"  {label:22}{lang}  precision {tp / max(1, tp + fp):.3f} [{pl:.2f}, {ph:.2f}]  recall {tp / max(1, tp + fn):.3f} "
            f"[{rl:.2f}, {rh:.2f}]  (missed {fn} of {tp + fn}, {fp} false alarms)"
        )
    print("\nheld-out 24-26 per category (share right: detected if at risk, not flagged if not):")
    keys = sorted({k for table in cats.values() for k in table})
    print(
        f"  {'kind':14}{'category':19}"
        + "".join(f"{lang + ' ' + lab:>16}" for lang in ("en", "zh") for lab in ("lexicon", "default"))
    )
    for key in keys:
        cells = []
        for lang in ("en", "zh"):
            for label, _ in screens:
                right, n = cats[label, lang].get(key, (0, 0))
                cells.append(f"{right}/{n}" if n else "-")
        kind, category = key.split("/", 1)
        print(f"  {kind:14}{category:19}" + "".join(f"{c:>16}" for c in cells))


def conversations(screens, default) -> None:
    """Section 3, continued: ordinary openings, the real samples, robustness, buried cases."""
    from warmline.simulate import load_profiles

    print("\nordinary counseling concerns: the opening messages of `warmline simulate`'s client profiles:")
    openings = [p.opening for p in load_profiles()]
    for label, screener in screens:
        flagged = sum(screener(t).risk != "none" for t in openings)
        print(f"  {label:22}flagged {flagged} of {len(openings)} ({flagged / len(openings):.0%})")
    turns = real_client_turns()
    if turns:
        print(
            f"\nreal counseling conversations: every client message of the public samples in {SAMPLES}"
            "\n(none at risk by our reading; never trained on):"
        )
        for label, screener in screens:
            verdicts = screener.many([t for _, t in turns])
            by = defaultdict(lambda: [0, 0])
            for (src, _), v in zip(turns, verdicts):
                by[src][0] += v.risk != "none"
                by[src][1] += 1
            flagged = sum(v.flagged for v in verdicts)
            print(
                f"  {label:22}flagged {flagged} of {len(turns)} ({flagged / len(turns):.0%}): "
                + ", ".join(f"{src} {k}/{n}" for src, (k, n) in by.items())
                + f"; check-in {sum(v.answer == 'check-in' for v in verdicts)}, "
                f"crisis message {sum(v.answer == 'crisis' for v in verdicts)}"
            )
    else:
        print(f"\n(no real counseling samples at {SAMPLES}: their section is skipped)")
    print("\nrobustness: held-out 24-26's caught at-risk cases with an opening or an ending people add:")
    for lang in ("en", "zh"):
        n, lost, caught = robustness(default, lang)
        print(f"  {lang}  no longer caught: {lost} of {n} variants ({caught} cases)")
    print("\nheld-out cases inside longer messages (each between two ordinary held-out sentences):")
    for lang in ("en", "zh"):
        long = buried(lang)
        for label, screener in (("whole message", default), ("whole + each sentence", Screener(sentences=True))):
            r = evaluate(long, screener)
            print(f"  {label:24}{lang}  precision {r['precision']:.3f}  recall {r['recall']:.3f}")


def main() -> None:
    t0 = time.perf_counter()
    default = Screener()
    default("warm up")
    load_s = time.perf_counter() - t0
    screens = (("lexicon (reference)", Screener(classifier=False)), ("lexicon + classifier", default))
    real_dev_set()
    pool_flag_rate()
    project_sets(screens)
    conversations(screens, default)
    held = [r["text"] for split in HELD_OUT for lang in ("en", "zh") for r in load(f"{split}_{lang}.jsonl")]
    real_texts = [r["text"] for r in real.load_rows(real.repo_data() / "dev_labelled.jsonl")][:400]
    for name, texts in (("held-out 24-26", held), ("400 real messages", real_texts)):
        for label, screener in screens:
            t = time.perf_counter()
            for x in texts:
                screener(x)
            print(
                f"cost per message, one at a time, {name}, {label}: {(time.perf_counter() - t) / len(texts) * 1000:.2f} ms"
            )
    # each match of a long paste once re-read the whole message (minutes for 100 KB); now it costs what one reading does
    lexicon = screens[0][1]
    for name, paste in (
        ("110 KB of 'I used to cut myself.'", "I used to cut myself. " * 5000),
        (
            "200 KB of 'My friend wants to kill herself, she is suicidal.'",
            "My friend wants to kill herself, she is suicidal. " * 4000,
        ),
        ("104 KB of '我以前想过自杀，现在好了。'", "我以前想过自杀，现在好了。" * 8000),
        # with no sentence break every match once read the whole run-on "sentence" (14 KB took 18 s)
        ("28 KB of 'I want to die ' with no sentence break", "I want to die " * 2000),
        ("12 KB of '我想死' with no break", "我想死" * 4000),
    ):
        t = time.perf_counter()
        lexicon(paste)
        print(f"lexicon on a paste of {name}: {time.perf_counter() - t:.2f} s")
    print(f"classifier at first use (loaded from the package, never trained): {load_s:.2f} s")


if __name__ == "__main__":
    main()
