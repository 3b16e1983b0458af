"""Metric speed against the usual loop: `python benchmarks/bench_metrics.py [--pairs 10000]`.

Scores N Chinese (reply, reference) pairs with BLEU-1..4, ROUGE-1/2/L and Distinct-1/2/3 two ways in
one run: the loop LLaMA-Factory-style scripts use (per pair: nltk `sentence_bleu` on characters with
method3, once per BLEU order, and rouge-chinese's `get_scores` on jieba words; Distinct in a Python
loop), and `warmline.evaluate.score` with the `llamafactory` preset. Prints both times, the ratio and
the largest difference between the numbers. Goal (issue 5): identical numbers, at least 10x faster.
"""

from __future__ import annotations

import argparse
import logging
import random
import time
import warnings

from phrases import ZH as PHRASES  # benchmarks/phrases.py, beside this script


def make_pairs(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)

    def text() -> str:
        return "".join(rng.choice(PHRASES) + rng.choice("，。！？") for _ in range(rng.randint(2, 9)))

    return [text() for _ in range(n)], [text() for _ in range(n)]


def usual_loop(hyps: list[str], refs: list[str]) -> dict:
    import jieba
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
    from rouge_chinese import Rouge

    rouge, smooth = Rouge(), SmoothingFunction().method3
    sums = {k: 0.0 for k in ("bleu-1", "bleu-2", "bleu-3", "bleu-4", "rouge-1", "rouge-2", "rouge-l")}
    t = time.perf_counter()
    words = [(list(jieba.cut(pred)), list(jieba.cut(label))) for pred, label in zip(hyps, refs)]
    usual_loop.tokenize_seconds = time.perf_counter() - t
    for (pred, label), (hypothesis, reference) in zip(zip(hyps, refs), words):
        if len(" ".join(hypothesis).split()) == 0 or len(" ".join(reference).split()) == 0:
            r = {"rouge-1": {"f": 0.0}, "rouge-2": {"f": 0.0}, "rouge-l": {"f": 0.0}}
        else:
            r = rouge.get_scores(" ".join(hypothesis), " ".join(reference))[0]
        for k in ("rouge-1", "rouge-2", "rouge-l"):
            sums[k] += r[k]["f"] * 100
        for n in (1, 2, 3, 4):
            sums[f"bleu-{n}"] += (
                sentence_bleu([list(label)], list(pred), weights=(1 / n,) * n, smoothing_function=smooth) * 100
            )
    out = {k: v / len(hyps) for k, v in sums.items()}
    for n in (1, 2, 3):
        grams, total = set(), 0
        for pred in hyps:
            toks = list(pred)
            for i in range(len(toks) - n + 1):
                grams.add(tuple(toks[i : i + n]))
                total += 1
        out[f"distinct-{n}"] = len(grams) / total * 100
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=10_000)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    from warmline.evaluate.score import score

    hyps, refs = make_pairs(args.pairs)
    from warmline.text.tokenize import tok_label, tokenize_all

    t = time.perf_counter()
    tokenize_all(hyps, "jieba"), tokenize_all(refs, "jieba")
    t_ours_tok = time.perf_counter() - t
    t = time.perf_counter()
    ours = score(hyps, refs, "llamafactory", tokenize=None, meteor=False, bootstrap=0)
    t_ours = time.perf_counter() - t
    t = time.perf_counter()
    ref = usual_loop(hyps, refs)
    t_loop = time.perf_counter() - t
    # the loop computes Distinct on characters; warmline's llamafactory preset on its base tokenizer
    ours_d = score(hyps, refs, "llamafactory", tokenize="char-raw", meteor=False, bootstrap=0).scores
    diffs = {k: abs(ours.scores[k] - v) for k, v in ref.items() if k.startswith(("bleu", "rouge"))}
    diffs.update({k: abs(ours_d[k] - v) for k, v in ref.items() if k.startswith("distinct")})
    print(f"{args.pairs} Chinese pairs, BLEU-1..4 (char, method3), ROUGE-1/2/L (jieba, rouge-chinese), Distinct-1/2/3")
    print(f"{'metric':10}{'usual loop':>12}{'warmline':>12}")
    for k in ref:
        print(f"{k:10}{ref[k]:>12.6f}{(ours_d if k.startswith('distinct') else ours.scores)[k]:>12.6f}")
    t_loop_tok = usual_loop.tokenize_seconds
    print(
        f"usual loop {t_loop:.2f} s, warmline {t_ours:.2f} s: {t_loop / t_ours:.1f}x faster (goal >= 10x); "
        f"largest difference {max(diffs.values()):.2e} (identical: {max(diffs.values()) < 1e-9})"
    )
    print(
        f"of which jieba tokenization (jieba in the loop; warmline's jieba tokenizer, jieba-rs where its words are "
        f"identical: {tok_label('jieba')}): {t_loop_tok:.2f} s and {t_ours_tok:.2f} s; "
        f"scoring alone: {t_loop - t_loop_tok:.2f} s vs {t_ours - t_ours_tok:.2f} s "
        f"({(t_loop - t_loop_tok) / max(1e-9, t_ours - t_ours_tok):.1f}x)"
    )


if __name__ == "__main__":
    main()
