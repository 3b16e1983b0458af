"""Statistics and Distinct-n on arrays equal the plain loop, on text with the awkward cases."""

import random

import numpy as np
import pytest

from warmline.analyze import lexical as L, reference as R
from warmline.analyze.corpus import Corpus
from warmline.conversation import Dialogue, Turn
from warmline.text import chars, ngrams as N

AWKWARD = [
    "我最近 很累。睡不着！！",
    "怎么办？",
    "",
    "   ",
    "听起来很辛苦……能多说说吗\n好的",
    "I feel sad. Really sad...  ",
    "Tell me more.\nWhat happened?",
    "e.g. work",
    "😀 emoji 𠀀 rare han",
    "\u3000全角空格\u3000。",
    "a",
    "!!!",
    "tabs\tand\r\nreturns",
    "3.5 hours; then; nothing",
]


def awkward_dialogues(n: int = 60, seed: int = 1) -> list[Dialogue]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        turns = []
        if rng.random() < 0.2:
            turns.append(Turn("system", "You are a counselor."))
        for _ in range(rng.randint(1, 7)):
            turns.append(Turn(rng.choice(["client", "counselor"]), rng.choice(AWKWARD)))
        out.append(Dialogue(f"d{i}", rng.choice(["zh", "en"]), turns))
    return out


def test_stats_table_equals_the_plain_loop():
    ds = awkward_dialogues()
    table = L.stats_table(Corpus.from_dialogues(ds))
    ref = R.stats_loop(ds)
    assert {k: getattr(table, k) for k in ref} == pytest.approx(ref, abs=1e-12)
    assert ref["utterances"] > 100 and ref["sentences_per_utterance"] > 0  # the fixture exercises something


def test_small_known_case():
    d = Dialogue(
        "x", "zh", [Turn("client", "我很累。睡不着"), Turn("client", "怎么办"), Turn("counselor", "听起来很辛苦！")]
    )
    e = Dialogue("y", "en", [Turn("client", "I am sad. Very sad"), Turn("counselor", "Tell me more")])
    t = L.stats_table(Corpus.from_dialogues([d, e]))
    assert (t.dialogues, t.utterances, t.client_utterances, t.counselor_utterances) == (2, 5, 3, 2)
    assert t.turns_per_dialogue == 1.0  # two client utterances in a row are one run
    # lengths: zh 7, 3, 7 non-space characters (punctuation included); en 5 and 3 words
    assert t.length_per_utterance == pytest.approx((7 + 3 + 7 + 5 + 3) / 5)
    assert t.counselor_length_per_utterance == pytest.approx((7 + 3) / 2)
    assert t.sentences_per_utterance == pytest.approx((2 + 1 + 1 + 2 + 1) / 5)
    assert t.unit == "characters (zh) / words (en)"


def test_chunked_counts_and_distinct_do_not_depend_on_chunk_size(monkeypatch):
    ds = awkward_dialogues(200, seed=3)
    c = Corpus.from_dialogues(ds)
    whole = (L.stats_table(c), L.corpus_distinct(c))
    monkeypatch.setattr(chars, "CHUNK_CHARS", 7)
    small = (L.stats_table(c), L.corpus_distinct(c))
    assert whole == small


@pytest.mark.parametrize("dense", [1 << 24, 300, 1])
def test_corpus_distinct_equals_the_loop_and_excludes_system_turns(monkeypatch, dense):
    """Whether n-grams are counted by marking (small key spaces) or by sorting packed keys."""
    monkeypatch.setattr(L, "DENSE_KEYS", dense)  # lexical's packed keys
    monkeypatch.setattr(N, "DENSE_KEYS", dense)
    ds = awkward_dialogues(120, seed=5)
    c = Corpus.from_dialogues(ds)
    speak = [t.text for d in ds for t in d.turns if t.role != "system"]
    d = L.corpus_distinct(c)
    assert list(zip(d.unique, d.total)) == R.distinct_loop(speak)
    with_system = [t.text for d in ds for t in d.turns]
    assert d.total[0] < sum(u for _, u in R.distinct_loop(with_system)[:1])


@pytest.mark.parametrize("vocab,length", [(5, 12), (3000, 12), (10**6, 400)])
def test_distinct_ids_all_key_spaces(vocab, length):
    """Small key spaces are counted by marking, large ones by sorting, huge ones (about 95,000 distinct
    tokens: V**4 > 2**62) by numbering rows: all give the set-of-tuples answer, per corpus and response."""
    rng = np.random.default_rng(vocab)
    toks = [[f"w{x}" for x in rng.integers(0, vocab, rng.integers(0, length))] for _ in range(500)]
    if vocab == 10**6:  # sparse ids far beyond the range an array can mark
        ids, seg = N.token_ids(toks)
        ids = ids.astype(np.int64) * 1_000_003 + (1 << 40)
        d = N.distinct_ids(ids, seg, len(toks), 4)
    else:
        d = N.distinct(toks, 4)
    for n in range(1, 5):
        grams = [tuple(t[i : i + n]) for t in toks for i in range(len(t) - n + 1)]
        assert d.unique[n - 1] == len(set(grams)) and d.total[n - 1] == len(grams)
        ratios = [
            len({tuple(t[i : i + n]) for i in range(len(t) - n + 1)}) / (len(t) - n + 1) for t in toks if len(t) >= n
        ]
        assert d.per_response[n - 1] == pytest.approx(sum(ratios) / len(ratios))
