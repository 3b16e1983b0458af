"""The jieba tokenizer gives jieba's words exactly, whichever implementation segments a text."""

import json
import random
from importlib import resources as ir

import pytest
import yaml

from warmline.safety import written
from warmline.text import tokenize as T

from ..conftest import SAMPLES


def bundled_texts() -> list[str]:
    data = ir.files("warmline").joinpath("data")
    texts = []
    for name in ("labelled_en.jsonl", "labelled_zh.jsonl", "heldout_en.jsonl", "heldout_zh.jsonl"):
        texts += [row["text"] for row in written.load(name)]  # the project's written sets (data/safety-written)
    ex = yaml.safe_load(data.joinpath("labels/examples.yaml").read_text())
    for part in ("strategy", "emotion"):
        texts += [t for v in ex[part].values() for t in v["zh"] + v["en"]]
    for f in sorted((SAMPLES / "smilechat").glob("*.json")):
        texts += [t["content"] for t in json.loads(f.read_text())]
    return texts


def random_texts(n: int, seed: int = 0) -> list[str]:
    import jieba

    words = [w for w in jieba.lcut("".join(bundled_texts())) if all("\u4e00" <= c <= "\u9fd5" for c in w)]
    alphabet = [chr(c) for c in range(32, 127)] + list(
        "，。！？、；：“”‘’（）《》【】「」～·…—\u3000\n\tＡＢＣａｂｃ１２３😀éü㐀丽"
    )
    rng = random.Random(seed)
    return [
        "".join(
            rng.choice(words) if rng.random() < 0.5 else "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))
            for _ in range(rng.randint(1, 20))
        )
        for _ in range(n)
    ]


def test_jieba_words_are_jiebas_own():
    import jieba

    pytest.importorskip("rjieba", reason="rjieba is in the eval extra")
    cut = T.jieba_cut()
    texts = bundled_texts() + random_texts(20_000) + ["I used to self-harm", "版本3.5_beta-1", "𠀀字"]
    differ = [t for t in texts if cut(t) != jieba.lcut(t)]
    assert not differ, differ[:3]
    assert sum(1 for t in texts if not T._RJIEBA_DIFFERS.search(t)) > 10_000  # most went the fast way
    assert T.tok_label("jieba").startswith("jieba-0.") and "jieba-rs" in T.tok_label("jieba")


def test_forcing_python_jieba(monkeypatch):
    import jieba

    monkeypatch.setenv("WARMLINE_JIEBA", "python")
    T.jieba_cut.cache_clear()
    try:
        assert T.jieba_cut() is jieba.lcut and "jieba-rs" not in T.tok_label("jieba")
    finally:
        T.jieba_cut.cache_clear()
