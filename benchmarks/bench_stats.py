"""Corpus statistics speed against a plain loop: `python benchmarks/bench_stats.py [--dialogues 50000]`.

Builds a corpus of N generated dialogues (half Chinese, half English, 6 to 16 utterances each; `--text
varied` draws from large vocabularies instead of recombining a few phrases), then
computes SMILE's Table 3 statistics and character Distinct-1/2/3 two ways in one run: the plain Python
loop in `warmline.analyze.reference` and the array path `warmline stats` uses. Prints both times, the
ratio, peak memory of each, and whether every number is identical. Goal (issue 7): at least 5x faster,
identical numbers.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import time

from phrases import EN, ZH  # benchmarks/phrases.py, beside this script


def varied_phrases(rng: random.Random) -> tuple[list[str], list[str]]:
    """Phrases over large vocabularies: 3,000 Chinese characters, 5,000 English words (most trigrams
    then unique, the hard case for counting distinct n-grams)."""
    han = [chr(0x4E00 + i) for i in rng.sample(range(20_000), 3_000)]
    words = [f"w{i}" for i in range(5_000)]
    zh = ["".join(rng.choice(han) for _ in range(rng.randint(3, 9))) for _ in range(20_000)]
    en = [" ".join(rng.choice(words) for _ in range(rng.randint(2, 7))) for _ in range(20_000)]
    return zh, en


def make_dialogues(n: int, seed: int = 0, text: str = "phrases"):
    from warmline.conversation import Dialogue, Turn

    rng = random.Random(seed)
    zh, en = (ZH, EN) if text == "phrases" else varied_phrases(rng)
    out = []
    for i in range(n):
        lang = "zh" if i % 2 == 0 else "en"
        phrases, marks = (zh, "，。！？") if lang == "zh" else (en, [", ", ". ", "! ", "? "])
        turns = []
        for k in range(rng.randint(6, 16)):
            text = "".join(rng.choice(phrases) + rng.choice(marks) for _ in range(rng.randint(1, 4)))
            turns.append(Turn("client" if k % 2 == 0 else "counselor", text.strip()))
        out.append(Dialogue(f"d{i}", lang, turns))
    return out


def _child(fn, conn) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    fn()
    conn.send((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)
    conn.close()


def peak_growth(fn) -> int:
    """Peak memory growth in bytes of fn(), run in a forked child so that each side starts from the same
    memory and its high-water mark is its own (tracemalloc would slow the loop about 8x)."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(fn, child))
    p.start()
    out = parent.recv()
    p.join()
    return out


def timed(fn):
    t = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dialogues", type=int, default=50_000)
    ap.add_argument(
        "--text",
        choices=["phrases", "varied"],
        default="phrases",
        help="phrases: 26 counseling phrases recombined (small vocabulary); varied: 3,000 characters "
        "and 5,000 words at random (large vocabulary, most trigrams unique)",
    )
    args = ap.parse_args()
    from warmline.analyze import lexical, reference
    from warmline.analyze.corpus import Corpus

    dialogues = make_dialogues(args.dialogues, text=args.text)
    corpus = Corpus.from_dialogues(dialogues)
    speak = [t for t, r in zip(corpus.texts, corpus.roles) if r != 2]
    utterances = sum(len(d.turns) for d in dialogues)
    chars = sum(len(t) for t in speak)

    def loop():
        return reference.stats_loop(dialogues), reference.distinct_loop(speak)

    def fast():
        return lexical.stats_table(corpus), lexical.corpus_distinct(corpus, "char")

    # warm up the array path once on a small corpus (numpy's first calls load code and allocate)
    lexical.stats_table(Corpus.from_dialogues(dialogues[:100]))
    (ref_stats, ref_distinct), t_loop = timed(loop)
    (table, dist), t_fast = timed(fast)
    m_loop, m_fast = peak_growth(loop), peak_growth(fast)
    ours = {k: getattr(table, k) for k in ref_stats}
    same_stats = all(ours[k] == ref_stats[k] for k in ref_stats)
    same_distinct = [(u, t) for u, t in zip(dist.unique, dist.total)] == ref_distinct
    print(f"{args.dialogues:,} dialogues ({args.text}), {utterances:,} utterances, {chars:,} characters")
    print(f"{'':28}{'plain loop':>14}{'warmline':>14}")
    for k in ref_stats:
        print(f"{k:28}{ref_stats[k]:>14.4f}{ours[k]:>14.4f}")
    for n, ((u, t), cu, ct) in enumerate(zip(ref_distinct, dist.unique, dist.total), 1):
        print(f"{'distinct-' + str(n) + ' unique/total':28}{f'{u}/{t}':>14}{f'{cu}/{ct}':>14}")
    print(
        f"plain loop {t_loop:.2f} s (peak memory +{m_loop / 2**20:.0f} MB), warmline {t_fast:.2f} s "
        f"(peak memory +{m_fast / 2**20:.0f} MB): {t_loop / t_fast:.1f}x faster (goal >= 5x); "
        f"identical numbers: {same_stats and same_distinct}"
    )


if __name__ == "__main__":
    main()
