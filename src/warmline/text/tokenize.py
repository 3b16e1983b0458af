"""Explicit tokenization for metrics. Every score records the tokenizer it used.

- `char`: every non-whitespace character is a token (SMILE's character level; the Chinese default);
- `char-raw`: `list(text)`, spaces included (what LLaMA-Factory's BLEU does);
- `jieba`: jieba words, whitespace dropped (segmented by jieba-rs through `rjieba` when it is installed
  and the text has none of the characters on which the two differ; identical words, about 40x faster);
- `13a`: sacrebleu's 13a tokenizer (English), then split on spaces;
- `whitespace`: `str.split()`;
- anything else: a Hugging Face tokenizer name or directory (`tokenizer.tokenize`).

Chinese through an English tokenizer would score as if each sentence were one word, and an
ASCII-only tokenizer would score it as empty: both raise `TokenizationError` instead of a quiet 0."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from ..conversation import detect_lang

BUILTIN = ("char", "char-raw", "jieba", "13a", "whitespace")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class TokenizationError(ValueError):
    """The tokenizer cannot score this text honestly; the message says which one to use."""


@lru_cache(maxsize=8)
def get_tokenizer(name: str) -> Callable[[str], list[str]]:
    if name == "char":  # str.split() drops exactly the characters str.isspace() accepts
        return lambda s: list("".join(s.split()))
    if name == "char-raw":
        return list
    if name == "jieba":
        cut = jieba_cut()
        return lambda s: [w for w in cut(s) if w.strip()]
    if name == "13a":
        from ..extras import need

        tok = need("sacrebleu.tokenizers.tokenizer_13a", "eval").Tokenizer13a()
        return lambda s: tok(s).split()
    if name == "whitespace":
        return str.split
    if name == "ascii":  # rouge-score's default behaviour, kept only to refuse it for Chinese
        return lambda s: re.sub(r"[^a-z0-9]+", " ", s.lower()).split()
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(name)
    return hf.tokenize


# jieba-rs (rjieba) segments like jieba except on these: '.', '_' and '-' inside words ("self-harm" is one
# word there, three here) and Han characters outside jieba's range U+4E00-U+9FD5. Texts holding any of them
# go to jieba itself. tests/text/test_tokenize.py checks identity on every bundled text and on 20,000
# random mixtures of Chinese words, ASCII, punctuation, full-width forms and emoji.
_RJIEBA_DIFFERS = re.compile(r"[._\-\u3400-\u4dff\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")


def _rjieba():
    import os

    if os.environ.get("WARMLINE_JIEBA") == "python":
        return None
    try:
        import rjieba
    except ImportError:
        return None
    return rjieba


@lru_cache(maxsize=1)
def jieba_cut() -> Callable[[str], list[str]]:
    """jieba's default cut (HMM on), as `jieba.lcut` gives it; through jieba-rs where that is identical.
    WARMLINE_JIEBA=python forces jieba itself."""
    import logging

    from ..extras import need

    jieba = need("jieba", "eval")
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    fast = _rjieba()
    if fast is None:
        return jieba.lcut
    return lambda s: jieba.lcut(s) if _RJIEBA_DIFFERS.search(s) else fast.cut(s)


def joined_tokens(texts: list[str], name: str) -> list[list[str]]:
    """The tokens a peer joins with spaces before handing text to rouge-chinese: jieba's words with its
    whitespace tokens kept (LLaMA-Factory joins `jieba.cut(text)` as it comes, and a "\n" token there
    changes rouge-chinese's words), else what `tokenize_all` gives."""
    if name != "jieba":
        return tokenize_all(texts, name)
    cut = jieba_cut()
    return [list(cut(t)) for t in texts]


def tok_label(name: str) -> str:
    """The tokenizer as signatures record it, with the implementation for jieba."""
    if name != "jieba":
        return name
    from importlib import metadata

    label = f"jieba-{metadata.version('jieba')}"
    return label + (f"+jieba-rs(rjieba-{metadata.version('rjieba')})" if _rjieba() is not None else "")


def tokenize_all(texts: list[str], name: str) -> list[list[str]]:
    """Tokenize every text, refusing combinations that silently break scores."""
    tok = get_tokenizer(name)
    sample = " ".join(texts[:200])
    if name in ("13a", "whitespace", "ascii") and _CJK.search(sample) and detect_lang(sample) == "zh":
        raise TokenizationError(
            f"Chinese text with the {name!r} tokenizer would score whole sentences as single "
            "words (or as nothing); use --tokenize char or --tokenize jieba"
        )
    out = [tok(t) for t in texts]
    for text, toks in zip(texts, out):
        if text.strip() and not toks:
            raise TokenizationError(
                f"the {name!r} tokenizer produced no tokens for {text[:40]!r}: its score would be "
                "a silent 0; use --tokenize char or jieba for Chinese"
            )
    return out


def default_tokenizer(texts: list[str]) -> str:
    return "char" if detect_lang(" ".join(texts[:200])) == "zh" else "13a"
