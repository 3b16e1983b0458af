"""Metrics against the reference implementations, to 1e-6, on text the project writes: nltk BLEU
(every smoothing, individual and cumulative), sacrebleu corpus BLEU, rouge-score with a custom
tokenizer, rouge-chinese with jieba; LCS against dynamic programming; and the traps."""

from __future__ import annotations

import random
import warnings

import pytest

from warmline.evaluate import metrics as M
from warmline.evaluate.tokenize import TokenizationError, tokenize_all

random.seed(7)
ZH = list("我你他很难过开心工作压力家庭朋友睡觉焦虑的了是在有不") + ["。", "，", "！", "？"]
EN = "i feel so tired and nobody listens to me at work today maybe you could try to rest".split()


def zh_text(k: int) -> str:
    return "".join(random.choices(ZH, k=k))


PAIRS_ZH = [(zh_text(random.randint(1, 50)), zh_text(random.randint(1, 50))) for _ in range(200)]
PAIRS_EN = [(" ".join(random.choices(EN, k=random.randint(1, 25))), " ".join(random.choices(EN, k=random.randint(1, 25))))
            for _ in range(200)]


def stats(pairs, tok):
    h = tokenize_all([p[0] for p in pairs], tok)
    r = tokenize_all([p[1] for p in pairs], tok)
    return h, r, M.pair_stats(h, r)


@pytest.mark.parametrize("smoothing", ["none", "method1", "method3"])
@pytest.mark.parametrize("kind", ["cumulative", "individual"])
def test_sentence_bleu_equals_nltk(smoothing, kind):
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    fn = {"none": SmoothingFunction().method0, "method1": SmoothingFunction().method1,
          "method3": SmoothingFunction().method3}[smoothing]
    h, r, st = stats(PAIRS_ZH, "char-raw")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n in (1, 2, 3, 4):
            for s, hy, re_ in zip(st, h, r):
                ref = sentence_bleu([re_], hy, weights=M.bleu_weights(n, kind), smoothing_function=fn)
                assert M.sentence_bleu(s, n, kind, smoothing) == pytest.approx(ref, abs=1e-9)


def test_corpus_bleu_equals_sacrebleu():
    import sacrebleu

    for pairs, tok in ((PAIRS_ZH, "char"), (PAIRS_EN, "13a")):
        h, r, st = stats(pairs, tok)
        for n in (1, 2, 3, 4):
            ref = sacrebleu.metrics.BLEU(tokenize="none", max_ngram_order=n).corpus_score(
                [" ".join(x) for x in h], [[" ".join(x) for x in r]]).score / 100
            assert M.corpus_bleu(st, n) == pytest.approx(ref, abs=1e-6)


def test_rouge_counts_equal_rouge_score_with_a_custom_tokenizer():
    from rouge_score import rouge_scorer

    class Split:
        def tokenize(self, text):
            return text.split()

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], tokenizer=Split())
    for pairs, tok in ((PAIRS_ZH, "char"), (PAIRS_EN, "13a")):
        h, r, st = stats(pairs, tok)
        for s, hy, re_ in zip(st, h, r):
            ref = scorer.score(" ".join(re_), " ".join(hy))  # rouge-score takes (target, prediction)
            ours = M.rouge_counts(s)
            for k in ("rouge1", "rouge2", "rougeL"):
                assert ours[k] == pytest.approx(ref[k].fmeasure, abs=1e-6)


def test_rouge_sets_equal_rouge_chinese_with_jieba():
    from rouge_chinese import Rouge

    rouge = Rouge()
    h, r, _ = stats(PAIRS_ZH, "jieba")
    for hy, re_ in zip(h, r):
        ref = rouge.get_scores(" ".join(hy), " ".join(re_))[0]
        ours = M.rouge_sets(hy, re_)
        for ours_k, ref_k in (("rouge1", "rouge-1"), ("rouge2", "rouge-2"), ("rougeL", "rouge-l")):
            assert ours[ours_k] == pytest.approx(ref[ref_k]["f"], abs=1e-6)


def test_lcs_bit_parallel_equals_dynamic_programming():
    def dp(a, b):
        t = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i in range(len(a)):
            for j in range(len(b)):
                t[i + 1][j + 1] = t[i][j] + 1 if a[i] == b[j] else max(t[i][j + 1], t[i + 1][j])
        return t[-1][-1]

    for _ in range(300):
        a = random.choices("abcde", k=random.randint(0, 70))
        b = random.choices("abcde", k=random.randint(0, 70))
        assert M.lcs_length(a, b) == dp(a, b)


def test_distinct_counts_the_last_ngram():
    """A published Distinct-n dropped the last n-gram (range(len - n)); here L - n + 1 are counted."""
    d = M.distinct([["a", "b", "c"], ["a", "b", "d"]], 3)
    assert d.total == [6, 4, 2] and d.unique == [4, 3, 2]
    assert d.corpus == [4 / 6, 3 / 4, 1.0]
    assert M.distinct([["x", "y"]], 2).total == [2, 1]


def test_meteor_argument_order():
    """nltk's meteor_score takes (references, hypothesis); a published script swapped them. With a
    hypothesis that is a prefix of the reference, precision is 1 and recall 0.5: the order shows."""
    ref = "the cat sat on the mat today".split()
    hyp = "the cat sat".split()
    (ours,), _ = M.meteor([hyp], [ref])
    from nltk.translate.meteor_score import meteor_score

    right = meteor_score([ref], hyp, wordnet=M._NoSynonyms())
    swapped = meteor_score([hyp], ref, wordnet=M._NoSynonyms())
    assert ours == pytest.approx(right, abs=1e-9) and abs(right - swapped) > 0.05


def test_chinese_through_ascii_or_word_tokenizers_is_an_error():
    with pytest.raises(TokenizationError, match="char or --tokenize jieba"):
        tokenize_all(["我今天很难过", "你好"], "ascii")
    with pytest.raises(TokenizationError, match="char or --tokenize jieba"):
        tokenize_all(["我今天很难过", "你好"], "13a")
    # the trap itself: rouge-score's default tokenizer silently scores Chinese as 0
    from rouge_score import rouge_scorer

    assert rouge_scorer.RougeScorer(["rouge1"]).score("我今天很难过", "我今天很难过")["rouge1"].fmeasure == 0.0


def test_vectorized_scores_equal_the_references():
    """The fast paths used by `score`: all pairs at once, against nltk, rouge-score and rouge-chinese."""
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
    from rouge_chinese import Rouge
    from rouge_score import rouge_scorer

    class Split:
        def tokenize(self, text):
            return text.split()

    h, r, _ = stats(PAIRS_ZH, "char-raw")
    st = M.stats(h, r)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n in (1, 4):
            fast = M.sentence_bleu_all(st, n, "cumulative", "method3")
            ref = [sentence_bleu([b], a, weights=M.bleu_weights(n, "cumulative"),
                                 smoothing_function=SmoothingFunction().method3) for a, b in zip(h, r)]
            assert fast.tolist() == pytest.approx(ref, abs=1e-9)
    h2, r2, _ = stats(PAIRS_EN, "13a")
    st2 = M.stats(h2, r2)
    scorer = rouge_scorer.RougeScorer(["rouge2", "rougeL"], tokenizer=Split())
    fast = M.rouge_counts_all(st2)
    for i, (a, b) in enumerate(zip(h2, r2)):
        ref = scorer.score(" ".join(b), " ".join(a))
        assert fast["rouge2"][i] == pytest.approx(ref["rouge2"].fmeasure, abs=1e-6)
        assert fast["rougeL"][i] == pytest.approx(ref["rougeL"].fmeasure, abs=1e-6)
    hj, rj, _ = stats(PAIRS_ZH, "jieba")
    sets = M.rouge_sets_all(M.stats(hj, rj))
    rouge = Rouge()
    for i, (a, b) in enumerate(zip(hj, rj)):
        ref = rouge.get_scores(" ".join(a), " ".join(b))[0]
        assert sets["rouge2"][i] == pytest.approx(ref["rouge-2"]["f"], abs=1e-6)
        assert sets["rougeL"][i] == pytest.approx(ref["rouge-l"]["f"], abs=1e-6)


def test_meteor_synonyms_from_the_system_wordnet(tmp_path, monkeypatch):
    """With Debian's wordnet-base installed, METEOR's synonym stage matches "kid" for "child" and the
    signature names the database; pointed at a directory without one, it says synonyms are off."""
    import os

    if not os.path.isfile(os.path.join(M.SYSTEM_WORDNET, "data.noun")):
        if os.environ.get("WARMLINE_REQUIRE_SYSTEM_PACKAGES"):
            pytest.fail("WordNet is not installed: apt-get install wordnet-base wordnet-sense-index")
        pytest.skip("Debian's wordnet-base is not installed")
    monkeypatch.setenv("WARMLINE_HOME", str(tmp_path / "home"))
    M._wordnet_source.cache_clear()
    try:
        (with_syn,), desc = M.meteor([["my", "child", "is", "sick"]], [["my", "kid", "is", "sick"]])
        assert desc.startswith("wordnet-3.0") and M.SYSTEM_WORDNET in desc
        from nltk.translate.meteor_score import meteor_score

        wn, _ = M.wordnet_source()
        assert with_syn == pytest.approx(meteor_score([["my", "kid", "is", "sick"]], ["my", "child", "is", "sick"],
                                                      wordnet=wn), abs=1e-12)
        monkeypatch.setenv("WARMLINE_WORDNET", str(tmp_path / "empty"))
        (without,), desc2 = M.meteor([["my", "child", "is", "sick"]], [["my", "kid", "is", "sick"]])
        assert desc2.startswith("none") and without < with_syn - 0.2
    finally:
        M._wordnet_source.cache_clear()
