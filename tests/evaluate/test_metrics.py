"""Metrics against the reference implementations, to 1e-6, on text the project writes: nltk BLEU
(every smoothing, individual and cumulative), sacrebleu corpus BLEU, rouge-score with a custom
tokenizer, rouge-chinese with jieba; LCS against dynamic programming; and the traps."""

from __future__ import annotations

import random
import warnings

import pytest

from warmline.evaluate import metrics as M
from warmline.text.tokenize import TokenizationError, tokenize_all

random.seed(7)
ZH = list("我你他很难过开心工作压力家庭朋友睡觉焦虑的了是在有不") + ["。", "，", "！", "？"]
EN = "i feel so tired and nobody listens to me at work today maybe you could try to rest".split()


def zh_text(k: int) -> str:
    return "".join(random.choices(ZH, k=k))


PAIRS_ZH = [(zh_text(random.randint(1, 50)), zh_text(random.randint(1, 50))) for _ in range(200)]
PAIRS_EN = [
    (" ".join(random.choices(EN, k=random.randint(1, 25))), " ".join(random.choices(EN, k=random.randint(1, 25))))
    for _ in range(200)
]


def stats(pairs, tok):
    h = tokenize_all([p[0] for p in pairs], tok)
    r = tokenize_all([p[1] for p in pairs], tok)
    return h, r, M.pair_stats(h, r)


@pytest.mark.parametrize("smoothing", ["none", "method1", "method3"])
@pytest.mark.parametrize("kind", ["cumulative", "individual"])
def test_sentence_bleu_equals_nltk(smoothing, kind):
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    fn = {
        "none": SmoothingFunction().method0,
        "method1": SmoothingFunction().method1,
        "method3": SmoothingFunction().method3,
    }[smoothing]
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
            ref = (
                sacrebleu.metrics.BLEU(tokenize="none", max_ngram_order=n)
                .corpus_score([" ".join(x) for x in h], [[" ".join(x) for x in r]])
                .score
                / 100
            )
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
            ref = [
                sentence_bleu(
                    [b], a, weights=M.bleu_weights(n, "cumulative"), smoothing_function=SmoothingFunction().method3
                )
                for a, b in zip(h, r)
            ]
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
        assert with_syn == pytest.approx(
            meteor_score([["my", "kid", "is", "sick"]], ["my", "child", "is", "sick"], wordnet=wn), abs=1e-12
        )
        monkeypatch.setenv("WARMLINE_WORDNET", str(tmp_path / "empty"))
        (without,), desc2 = M.meteor([["my", "child", "is", "sick"]], [["my", "kid", "is", "sick"]])
        assert desc2.startswith("none") and without < with_syn - 0.2
    finally:
        M._wordnet_source.cache_clear()


# -- presets against their reference implementations, on text with the characters that broke parity --------

# a run of dots (rouge-chinese cuts after every six), hyphenated Latin words, circled digits, bopomofo,
# pilcrows, curly quotes after terminators, line breaks (jieba keeps them as tokens) and spaces
ODD = [
    ".........",
    "......",
    "...",
    "!!",
    "?!",
    "Non-identification",
    "self-harm",
    "①",
    "②",
    "ㄛ",
    "ㄅ",
    "¶",
    "。",
    "！",
    "？",
    "”",
    "’",
    "…",
    "……",
    " ",
    "\n",
    "\n\n",
    "a.b",
    "--",
    "(",
    ")",
]


def odd_pairs(seed: int, n: int = 120, words=ZH) -> list[tuple[str, str]]:
    rng = random.Random(seed)

    def text() -> str:
        return "".join(rng.choice(ODD) if rng.random() < 0.3 else rng.choice(words) for _ in range(rng.randint(1, 60)))

    return [(text(), text()) for _ in range(n)]


def _score(pairs, preset):
    from warmline.evaluate.score import score

    return score([p[0] for p in pairs], [p[1] for p in pairs], preset, meteor=False, bootstrap=0)


def _rouge_chinese(hyp_tokens, ref_tokens):
    """What LLaMA-Factory's compute_metrics does: zeros for an empty side, else rouge-chinese on the tokens
    joined by spaces as they come."""
    from rouge_chinese import Rouge

    if not " ".join(hyp_tokens).split() or not " ".join(ref_tokens).split():
        return {k: 0.0 for k in ("rouge-1", "rouge-2", "rouge-l")}
    got = Rouge().get_scores(" ".join(hyp_tokens), " ".join(ref_tokens))[0]
    return {k: v["f"] for k, v in got.items()}


@pytest.mark.parametrize("preset,smoothing", [("llamafactory", "method3"), ("emollm", "method1")])
def test_rouge_chinese_presets_equal_the_reference_on_odd_text(preset, smoothing):
    import jieba
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    pairs = odd_pairs(11)
    sc = _score(pairs, preset)
    fn = getattr(SmoothingFunction(), smoothing)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, (h, r) in enumerate(pairs):
            ref = _rouge_chinese(list(jieba.cut(h)), list(jieba.cut(r)))
            for k in ("rouge-1", "rouge-2", "rouge-l"):
                assert sc.per_item[k][i] / 100 == pytest.approx(ref[k], abs=1e-6), (k, h, r)
            if preset == "llamafactory":  # BLEU-4 on list(text), spaces and line breaks included
                bh, br = list(h), list(r)
            else:
                bh, br = [w for w in jieba.lcut(h) if w.strip()], [w for w in jieba.lcut(r) if w.strip()]
            bleu = sentence_bleu([br], bh, smoothing_function=fn)
            assert sc.per_item["bleu-4"][i] / 100 == pytest.approx(bleu, abs=1e-6), (h, r)


def test_runs_of_dots_are_cut_as_rouge_chinese_cuts_them():
    """Nine dots are one jieba token; rouge-chinese scores them as "......" and "..."."""
    assert M.rouge_chinese_words(["好", ".........", "然后"]) == ["好", "......", "...", "然后"]
    assert M.rouge_chinese_words(["你好", "\n", "\n", "我"]) == ["你好", "", "我"]  # a blank piece is a word ""


def test_smile_and_default_presets_equal_rouge_score_nltk_and_sacrebleu_on_odd_text():
    import sacrebleu
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
    from rouge_score import rouge_scorer

    class Split:
        def tokenize(self, text):
            return text.split()

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], tokenizer=Split())
    pairs = odd_pairs(12)
    chars = [("".join(h.split()), "".join(r.split())) for h, r in pairs]
    for preset in ("smile", "default"):
        sc = _score(pairs, preset)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i, (h, r) in enumerate(chars):
                ref = scorer.score(" ".join(r), " ".join(h))
                for k in ("rouge1", "rouge2", "rougeL"):
                    assert sc.per_item[k.replace("rouge", "rouge-").replace("-L", "-l")][i] == pytest.approx(
                        ref[k].fmeasure, abs=1e-6
                    ), (preset, k, h, r)
                bleu = sentence_bleu([list(r)], list(h), smoothing_function=SmoothingFunction().method3)
                assert sc.per_item["bleu-4"][i] == pytest.approx(bleu, abs=1e-6)
        corpus = sacrebleu.metrics.BLEU(tokenize="none").corpus_score(
            [" ".join(h) for h, _ in chars], [[" ".join(r) for _, r in chars]]
        )
        assert sc.scores["corpus-bleu-4"] == pytest.approx(corpus.score / 100, abs=1e-6)


def test_english_default_preset_equals_sacrebleu_13a_and_rouge_score_on_odd_text():
    import sacrebleu
    from rouge_score import rouge_scorer
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

    class Tok13a:
        def tokenize(self, text):
            return Tokenizer13a()(text).split()

    pairs = odd_pairs(13, words=[w + " " for w in EN])
    sc = _score(pairs, "default")
    ref = sacrebleu.corpus_bleu([h for h, _ in pairs], [[r for _, r in pairs]], tokenize="13a")
    assert sc.scores["corpus-bleu-4"] == pytest.approx(ref.score / 100, abs=1e-6)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], tokenizer=Tok13a())
    for i, (h, r) in enumerate(pairs):
        got = scorer.score(r, h)
        for k in ("rouge1", "rouge2", "rougeL"):
            assert sc.per_item[k.replace("rouge", "rouge-").replace("-L", "-l")][i] == pytest.approx(
                got[k].fmeasure, abs=1e-6
            ), (k, h, r)


def test_llamafactory_preset_equals_the_reference_on_real_smilechat_text():
    """Real counselor turns of the SMILECHAT sample (tests/assets/samples), each scored against the next."""
    import json

    import jieba
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    from ..conftest import SAMPLES

    turns = [
        t["content"]
        for f in sorted((SAMPLES / "smilechat").glob("*.json"))
        for t in json.loads(f.read_text(encoding="utf-8"))
        if t["role"] == "counselor"
    ]
    pairs = list(zip(turns, turns[1:]))
    assert len(pairs) > 60
    sc = _score(pairs, "llamafactory")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = {k: [] for k in ("rouge-1", "rouge-2", "rouge-l", "bleu-4")}
        for h, r in pairs:
            for k, v in _rouge_chinese(list(jieba.cut(h)), list(jieba.cut(r))).items():
                ref[k].append(v * 100)
            ref["bleu-4"].append(
                sentence_bleu([list(r)], list(h), smoothing_function=SmoothingFunction().method3) * 100
            )
    for k, vals in ref.items():
        assert sc.scores[k] == pytest.approx(sum(vals) / len(vals), abs=1e-6), k


def test_esconv_preset_equals_nltk_and_rouge_score_on_odd_text():
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
    from rouge_score import rouge_scorer
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

    tok = Tokenizer13a()

    class Tok13a:
        def tokenize(self, text):
            return tok(text).split()

    pairs = odd_pairs(14, words=[w.capitalize() + " " for w in EN])
    sc = _score(pairs, "esconv")
    scorer = rouge_scorer.RougeScorer(["rougeL"], tokenizer=Tok13a())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, (h, r) in enumerate(pairs):
            h, r = h.lower(), r.lower()
            for n in (1, 2, 4):
                bleu = sentence_bleu(
                    [tok(r).split()],
                    tok(h).split(),
                    weights=M.bleu_weights(n, "cumulative"),
                    smoothing_function=SmoothingFunction().method1,
                )
                assert sc.per_item[f"bleu-{n}"][i] == pytest.approx(bleu, abs=1e-6), (n, h, r)
            assert sc.per_item["rouge-l"][i] == pytest.approx(scorer.score(r, h)["rougeL"].fmeasure, abs=1e-6)
