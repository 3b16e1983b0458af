"""Crisis detection quality: `python benchmarks/bench_safety.py`.

Precision and recall of the safety layer per language and category: the lexicon alone (the reference) and
the default screen (the lexicon plus the bundled embedding classifier), on the project's labelled sets:
- development (`labelled_*`): what the lexicon was tuned on; classifier training data;
- training (`train_*` to `train5_*`): indirect statements and hard negatives; classifier
  training data. train2 (40 a language: colloquial hard negatives, vague distress, indirect statements) was
  written after reading held-out 6's errors; train3 (51 a language: plans and times without risk, replies to a
  crisis message); train4 (60 a language: first messages to a counseling service, 50 ordinary and 10 at risk);
  train5 (106 a language: ordinary messages with risk-looking words from many parts of life, and at-risk
  counterparts; chosen in round 13 on held-out 15 by a rule fixed before it was measured);
- retired held-out 1-23 (`heldout*_*`, 36 + 22 x 60 a language): each measured the screen until a newer set
  was written. Their errors then led to lexicon rules (past periods, other people, study topics, means,
  idioms, grooming) and they became classifier training data, so their rows are optimistic. "Leave one set
  out" trains the classifier without the set it scores (the lexicon rules still came from reading them), on a
  grid of thresholds; it chose the threshold. What each measured in its time, as precision / recall, en then
  zh: held-out 4 before and after round 1: 0.97 / 0.93 -> 0.97 / 0.97, 0.91 / 0.97 -> 0.97 / 0.97; held-out 5
  once: 0.93 / 0.87, 0.87 / 0.90; held-out 6 (longer, colloquial) before and after round 2: 0.84 / 0.90 ->
  0.81 / 0.97, 0.78 / 0.70 -> 0.77 / 0.80; held-out 7 (slang, hyperbole, vague distress) before and after
  round 3 (with train2): 0.85 / 0.97 -> 0.83 / 0.97, 0.76 / 0.87 -> 0.79 / 0.87; held-out 8 before and after
  round 4: 0.79 / 0.87 -> 0.79 / 0.90, 0.84 / 0.87 -> 0.84 / 0.87; held-out 9 (texting style) before round 5,
  after it, and with the e5 second view tried in round 6 (removed for its serving cost; see docs/safety-rounds.md): 0.90
  / 0.90 -> 0.90 / 0.93 -> 0.87 / 0.90, 0.90 / 0.87 -> 0.93 / 0.90 -> 0.93 / 0.90; held-out 10 (longer
  messages, euphemisms): USE 0.77 / 0.87, with e5 0.67 / 0.93, round 7 with e5 0.68 / 0.93; USE 0.74 / 0.93,
  with e5 0.78 / 0.93, round 7 with e5 0.81 / 0.97; held-out 11 (forum posts, heavy distress without risk)
  before and after round 8 with e5, then with USE alone: en 0.83 / 0.97 -> 0.85 / 0.93, 0.82 / 0.90; zh 0.76 /
  0.93 -> 0.77 / 0.90, 0.76 / 0.93; held-out 12 (quiet disclosures, code words for a plan) was written to
  choose between USE alone and USE blended with character n-grams, by a rule fixed before either was measured
  on 11 or 12 (round 9: misses 13 -> 5, false alarms 35 -> 34; the blend on 11 and 12 pooled: en 0.83 / 0.97,
  zh 0.72 / 0.95); round 11 removed the n-grams again for their false alarms on ordinary counseling openings
  (10 of 24, printed below); held-out 13 (messages to the assistant mid-conversation, many idioms) before and
  after round 10 and after round 11: with n-grams 0.75 / 0.90, 0.76 / 0.87, 0.76 / 0.87; 0.81 / 0.87, 0.83 /
  0.83, 0.87 / 0.87; held-out 14 (answers to a counselor's question, people at different life stages) before
  and after round 12: 0.81 / 1.00 -> 0.78 / 0.97, 0.81 / 0.97 -> 0.81 / 0.97; held-out 15 (voice-dictated, no
  punctuation) without and with train5, which it chose: 0.77 / 1.00 -> 0.81 / 1.00, 0.79 / 1.00 -> 0.79 / 1.00;
  held-out 16 (English as a second language, Chinese mixed with English), which rejected a context gate and
  English windows (round 16), before and after round 17: 0.97 / 0.93 -> 1.00 / 0.93, 0.94 / 1.00 -> 0.94 /
  1.00; held-out 17 (formal register) before and after round 18: 0.90 / 0.90 -> 0.90 / 0.93, 0.80 / 0.93 ->
  0.80 / 0.93; held-out 18 (questions to the assistant), which rejected gamma 1 (round 19), before and after
  round 20: 0.90 / 0.90 -> 0.90 / 0.93, 0.94 / 0.97 -> 0.93 / 0.93; held-out 19 (matter-of-fact messages
  about a life event), which chose reading what follows "but" (round 21), before and after round 22: 0.93 /
  0.93 -> 0.93 / 0.90, 0.92 / 0.77 -> 0.92 / 0.77; held-out 20 (feelings told in metaphors), which rejected
  threshold 0.35 (round 24), before and after round 23: 0.79 / 0.87 both times, 0.82 / 0.93 both times;
  held-out 21 (chronic illness, pain and caregiving), which rejected train6 (round 25) and threshold 0.35
  again (round 27), before and after round 26: 0.82 / 0.93 -> 0.80 / 0.93, 0.79 / 0.90 -> 0.78 / 0.93;
- train6 (`train6_*`, 60 a language: heavy distress without risk and at-risk counterparts), round 25's
  candidate, not adopted (held-out 21 pooled: 13 false alarms either way) and not used; kept to reproduce it;
- held-out 22 (two to four sentences a message), which rejected a higher bar for a message's parts (round 28),
  before and after round 29: en 0.83 / 1.00 both times, zh 0.73 / 1.00 both times; held-out 23 (messages from
  the middle of a counseling conversation), which rejected train7 (round 30): 0.73 / 1.00 and 0.73 / 1.00;
- train7 and train8 (`train7_*`, `train8_*`, 70 and 80 a language: client messages from the middle of a
  conversation, and at-risk ones said the same way), rounds 30-32's candidates, not adopted: each cut false
  alarms on conversation-like messages and missed one or two more cases at risk; kept to reproduce them;
- held-out 24, 25 and 26 (`heldout24_*` to `heldout26_*`, 63, 60 and 60 a language, 30 at risk each, a third
  hard negatives, a category on every case; 24: half messages from the middle of a counseling conversation,
  half first messages; 25 and 26: first messages and replies from people in many situations): each written
  after a round's plan and before its candidate (rounds 31, 32 and 33, which rejected threshold 0.45 for the
  variants it lost); first measured en 0.78 / 0.97, 0.88 / 1.00 and 0.81 / 0.97, zh 0.76 / 0.97, 0.83 / 1.00
  and 0.83 / 1.00. Never trained or tuned on. Judge by them, pooled, with their 95% intervals (Wilson): 90
  cases at risk a language. The same people wrote every set.
A case counts as detected when the predicted risk is elevated or imminent. Goal (issue 6): recall >= 0.95 on
elevated and imminent cases with precision >= 0.90. Also printed: which message the flags get (a check-in when a
second stage alone flagged it and the classifier was less than 0.90 sure, the full crisis message otherwise), false alarms on ordinary counseling concerns (the
simulator's opening messages: a support service's usual traffic, which the held-out sets, half at risk, do
not weigh as it comes), false alarms on every client message of the real public samples in ../shared/samples
(SMILECHAT, CPsyCoun, Counsel-Chat: the middle of real-shaped counseling conversations; read, never trained
on), how many caught cases are lost when an opening or ending people add is put around
them ("I'm not dramatic but ", " lol", "说实话，"), and the classifier's cost per message.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from pathlib import Path

from warmline.safety import Screener
from warmline.safety.classifier import labelled as load
from warmline.safety.quality import HELD_OUT, RETIRED
from warmline.safety.quality import score as evaluate

SETS = (("labelled", "development"), ("train", "training"), ("train2", "training 2"), ("train3", "training 3"),
        ("train4", "training 4"), ("train5", "training 5"), *((split, f"retired {i}") for i, split in enumerate(RETIRED, 1)),
        *((split, f"held-out {split.removeprefix('heldout')}") for split in HELD_OUT))


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% interval of a proportion k/n (Wilson score)."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    mid, half = (p + z * z / (2 * n)) / (1 + z * z / n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, mid - half), min(1.0, mid + half)


def cached_encoder():
    """The classifier's encoder, remembering every text it has embedded (the same training texts are
    embedded once for all the folds and sets below)."""
    from warmline.embedding import encode
    from warmline.safety.classifier import remembering

    return remembering(lambda texts: encode(texts, threads=1))


GRID = (0.30, 0.35, 0.40, 0.45, 0.50)


def leave_one_set_out(grid: tuple[float, ...] = GRID) -> dict:
    """The default screen on each retired held-out set with the classifier trained on every other training set,
    at each threshold of the grid: {threshold: {lang: (precision, recall, at risk)}}."""
    from warmline.safety.classifier import TRAINING_SETS, RiskClassifier, examples

    tot = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    encoder = cached_encoder()
    for target in RETIRED:
        texts, labels = examples([r for name in TRAINING_SETS if not name.startswith(target + "_") for r in load(name)])
        clf = RiskClassifier.train(texts, labels, encoder=encoder)
        for t in grid:
            clf.threshold = t
            screener = Screener(classifier=clf)
            for lang in ("en", "zh"):
                r = evaluate(load(f"{target}_{lang}.jsonl"), screener)
                for i, k in enumerate(("tp", "fp", "fn")):
                    tot[t][lang][i] += r[k]
    return {t: {lang: (tp / (tp + fp), tp / (tp + fn), tp + fn) for lang, (tp, fp, fn) in by.items()}
            for t, by in tot.items()}


def cross_validate(folds: int = 5, seeds: tuple[int, ...] = (0, 1, 2)) -> dict:
    """The default screen with the classifier trained on k-1 folds of the training sets and scored on the
    k-th (how its settings were chosen, on the development and training sets alone). Mean over seeds."""
    import numpy as np

    from warmline.safety.classifier import THRESHOLD, RiskClassifier, examples, training_rows
    from warmline.safety.detect import scan

    rows = training_rows()
    texts, labels = examples(rows)
    lookup = cached_encoder()
    y = np.array(labels, bool)
    lang = np.array(["zh" if any("\u4e00" <= c <= "\u9fff" for c in r["text"]) else "en" for r in rows])
    scanned = [scan(r["text"]) for r in rows]
    lexicon = np.array([v.risk != "none" for v, _ in scanned])
    cancelled = np.array([bool(c) for _, c in scanned])
    out = defaultdict(lambda: [[], []])
    for seed in seeds:
        fold = np.random.default_rng(seed).permutation(len(rows)) % folds
        prob = np.zeros(len(rows))
        for k in range(folds):
            tr, te = np.where(fold != k)[0], np.where(fold == k)[0]
            clf = RiskClassifier.train([texts[i] for i in tr], y[tr].astype(int), encoder=lookup)
            prob[te] = clf.probabilities([texts[i] for i in te])
        hit = lexicon | ((prob >= THRESHOLD) & ~cancelled)
        for code in ("en", "zh"):
            m = lang == code
            tp = int((hit & y & m).sum())
            out[code][0].append(tp / max(int((hit & m).sum()), 1))
            out[code][1].append(tp / int((y & m).sum()))
    return {code: (float(np.mean(p)), float(np.mean(r))) for code, (p, r) in out.items()}


# openings and endings people put around a disclosure (minimizing it, apologizing, hedging)
OPENINGS = {"en": ("I don't know, ", "Not sure why but ", "Honestly, ", "ok so ", "Sorry, this is hard to say. ",
                   "I'm not dramatic but "),
            "zh": ("我也不知道，", "说不上为什么，但", "说实话，", "那个，", "不好意思，这个很难开口。", "我不是矫情，但")}
ENDINGS = {"en": (" lol", " idk.", " Anyway, sorry for the long message.", " Don't tell anyone."),
           "zh": ("哈哈", "，不知道。", "总之不好意思说了这么多。", "别告诉别人。")}


def robustness(screener, lang: str) -> tuple[int, int, int]:
    """Of the held-out set's at-risk cases that the screen catches, each with every opening and every ending
    (OPENINGS, ENDINGS): (variants, variants no longer caught, cases caught)."""
    cases = [r["text"] for split in HELD_OUT for r in load(f"{split}_{lang}.jsonl") if r["risk"] != "none"]
    caught = [t for t, v in zip(cases, screener.many(cases)) if v.risk != "none"]
    variants = [o + t for o in OPENINGS[lang] for t in caught] + [t + e for e in ENDINGS[lang] for t in caught]
    lost = sum(v.risk == "none" for v in screener.many(variants))
    return len(variants), lost, len(caught)


SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"


def real_client_turns(root: Path = SAMPLES) -> list[tuple[str, str]]:
    """(source, text) for every distinct client message of the public samples (`../shared/samples`), read with
    warmline's own converters (as `warmline safety rate` reads them); [] when they are not there."""
    from warmline.safety.quality import messages_of

    sources = (("SMILECHAT", root / "smilechat"), ("CPsyCoun", root / "cpsycoun-e"), ("Counsel-Chat", root / "counsel-chat"))
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


def main() -> None:
    t0 = time.perf_counter()
    default = Screener()
    default("warm up")
    train_s = time.perf_counter() - t0
    screens = (("lexicon (reference)", Screener(classifier=False)), ("lexicon + classifier", default))
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
                print(f"{label:22}{name + ' ' + lang:15}{r['n']:>5}{r['precision']:>11.3f}{r['recall']:>8.3f}"
                      f"{r['level_accuracy']:>13.3f}  {kinds}")
    print("\nthe held-out set (95% intervals):")
    for (label, lang), (tp, fp, fn) in pooled.items():
        (pl, ph), (rl, rh) = wilson(tp, tp + fp), wilson(tp, tp + fn)
        print(f"  {label:22}{lang}  precision {tp / max(1, tp + fp):.3f} [{pl:.2f}, {ph:.2f}]  recall {tp / max(1, tp + fn):.3f} "
              f"[{rl:.2f}, {rh:.2f}]  (missed {fn} of {tp + fn}, {fp} false alarms)")
    for lang in ("en", "zh"):
        (tp0, _, fn0), (tp1, _, fn1) = pooled[screens[0][0], lang], pooled[screens[1][0], lang]
        r0, r1 = tp0 / max(1, tp0 + fn0), tp1 / max(1, tp1 + fn1)
        ratio = f"{r1 / r0:.2f}x" if r0 else "n/a (the reference finds none)"
        print(f"  recall ratio, classifier vs reference, {lang}: {r1:.3f} / {r0:.3f} = {ratio}")
    print("\nthe held-out set per category (share right: detected if at risk, not flagged if not):")
    keys = sorted({k for table in cats.values() for k in table})
    print(f"  {'kind':14}{'category':19}" + "".join(f"{lang + ' ' + lab:>16}" for lang in ("en", "zh")
                                                     for lab in ("lexicon", "default")))
    for key in keys:
        cells = []
        for lang in ("en", "zh"):
            for label, _ in screens:
                right, n = cats[label, lang].get(key, (0, 0))
                cells.append(f"{right}/{n}" if n else "-")
        kind, category = key.split("/", 1)
        print(f"  {kind:14}{category:19}" + "".join(f"{c:>16}" for c in cells))
    print("\nleave one set out on the retired held-out sets (the classifier trained without the set it scores):")
    from warmline.safety.classifier import THRESHOLD

    loso = leave_one_set_out()
    passing = [t for t, by in loso.items() if all(p >= 0.90 for p, _, _ in by.values())]
    rule = max(passing, key=lambda t: sum(r for _, r, _ in loso[t].values())) if passing else None
    for t, by in loso.items():
        mark = " <- the default" if abs(t - THRESHOLD) < 1e-9 else ""
        mark += (" and" if mark else " <-") + " the rule's choice" if t == rule else ""
        print(f"  threshold {t:.2f}  " + "  ".join(f"{lang} precision {p:.3f} recall {r:.3f}"
                                                           for lang, (p, r, n) in by.items()) + mark)
    print("  (the lexicon rules came from reading these sets; the rule's choice is the highest-recall threshold on\n"
          "   this grid with precision >= 0.90 in both languages; a new choice is adopted only if it does well enough\n"
          "   on the fresh held-out set, see the comment on classifier.THRESHOLD)")
    print("\nwhat the default screen's flags on the held-out set answer with: the check-in (a second stage alone flagged"
          "\nthe message, the classifier less than 0.90 sure) or the full crisis message (a phrase of the lexicon, imminent"
          "\nrisk, or the classifier sure); both carry the resources:")
    from warmline.safety.policy import checks_in

    for lang in ("en", "zh"):
        r = evaluate([r for split in HELD_OUT for r in load(f"{split}_{lang}.jsonl")], default)
        for n, k, what in ((r["fp"], r["check_in"]["false_alarms"], "false alarms"),
                           (r["tp"], r["check_in"]["caught"], "cases at risk caught")):
            print(f"  {lang}  {what:21}{n:>4}: check-in {k}, crisis message {n - k}")
    print("\nordinary counseling concerns: the opening messages of `warmline simulate`'s client profiles (written for the"
          "\nsimulator, never used to tune the screen; each should get a listening reply, not a crisis message):")
    from warmline.evaluate.simulate import load_profiles

    openings = [p.opening for p in load_profiles()]
    for label, screener in screens:
        flagged = sum(screener(t).risk != "none" for t in openings)
        print(f"  {label:22}flagged {flagged} of {len(openings)} ({flagged / len(openings):.0%})")
    turns = real_client_turns()
    if turns:
        print(f"\nreal counseling conversations: every client message of the public samples in {SAMPLES}"
              "\n(SMILECHAT: PsyQA questions from real people, then ChatGPT's client turns; CPsyCoun; Counsel-Chat questions;"
              "\nnone at risk by our reading; never trained on):")
        for label, screener in screens:
            verdicts = screener.many([t for _, t in turns])
            flagged = [(src, t) for (src, t), v in zip(turns, verdicts) if v.risk != "none"]
            by = defaultdict(lambda: [0, 0])
            for (src, _), v in zip(turns, verdicts):
                by[src][0] += v.risk != "none"
                by[src][1] += 1
            print(f"  {label:22}flagged {len(flagged)} of {len(turns)} ({len(flagged) / len(turns):.0%}): "
                  + ", ".join(f"{src} {k}/{n}" for src, (k, n) in by.items())
                  + f"; check-in {(asked := sum(map(checks_in, verdicts)))}, crisis message {len(flagged) - asked}")
    else:
        print(f"\n(no real counseling samples at {SAMPLES}: their section is skipped)")
    print("\nrobustness: the held-out set's caught at-risk cases with an opening or an ending people add ('I'm not"
          "\ndramatic but ', 'Honestly, ', ' lol', '说实话，', '哈哈' ...: 6 openings and 4 endings a language):")
    for lang in ("en", "zh"):
        n, lost, caught = robustness(default, lang)
        print(f"  {lang}  no longer caught: {lost} of {n} variants ({caught} cases)")
    print("\nheld-out cases inside longer messages (each between two ordinary held-out sentences):")
    whole = Screener(sentences=False)
    for lang in ("en", "zh"):
        long = buried(lang)
        for label, screener in (("whole message", whole), ("whole + each sentence", default)):
            r = evaluate(long, screener)
            print(f"  {label:24}{lang}  precision {r['precision']:.3f}  recall {r['recall']:.3f}")
    held = [r for split in HELD_OUT for lang in ("en", "zh") for r in load(f"{split}_{lang}.jsonl")]
    groups = (("the held-out set", [r["text"] for r in held]),
              ("its ordinary messages (kind negative)", [r["text"] for r in held if r["kind"] == "negative"]))
    for name, texts in groups:
        for label, screener in screens:
            t = time.perf_counter()
            for x in texts:
                screener(x)
            print(f"cost per message, one at a time, {name}, {label}: {(time.perf_counter() - t) / len(texts) * 1000:.2f} ms")
    print(f"classifier at first use (trained, or loaded from the cache): {train_s:.1f} s")
    for code, (p, r) in cross_validate().items():
        print(f"5-fold cross-validation on all the training sets, {code}: precision {p:.3f}, recall {r:.3f}")
    print("goal: recall >= 0.95 with precision >= 0.90 (judge by the held-out set)")


if __name__ == "__main__":
    main()
