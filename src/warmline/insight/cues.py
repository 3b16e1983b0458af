"""Surface cues of a counselor turn that carry its strategy, beside the n-grams and embeddings: how it
opens (its first words), whether it asks, whom it speaks of (you / I), how long it is, whether it is the
session's first turn, and how much of the client's turn before it repeats (a restatement repeats the
client's words). Dense cues come scaled to unit length per row; the opening words are a sparse block."""

from __future__ import annotations

import math
import re
import zlib

import numpy as np

_EN_TOKEN = re.compile(r"[a-z0-9']+")
_QUESTION = ("?", "？")
_EXCLAIM = ("!", "！")
_YOU = {"en": ("you", "your", "you're", "yourself", "you've", "you'd", "you'll"), "zh": ("你", "您")}
_ME = {"en": ("i", "me", "my", "i'm", "i've", "i'd", "myself", "we", "us", "our", "let's"), "zh": ("我",)}
# function words that say little about what a client meant; left out of the overlap of content
_EN_STOP = frozenset(
    "a an the and or but so to of in on at for with is are was were be been it this that there i you he she "
    "we they me my your his her our their um uh yeah yes no okay ok mm mmm hmm well just like do did does "
    "not don't i'm it's".split()
)
_ZH_STOP = frozenset("的了是我你他她它们在有不也就都和这那个吗呢吧啊嗯哦么着")
NAMES = (
    "first turn",
    "asks (ends with ?)",
    "question marks",
    "exclaims",
    "you",
    "I / we",
    "length (log)",
    "short (<= 4 words)",
    "turn before: length (log)",
    "turn before asks",
    "share of its words from the turn before",
    "share of the turn before repeated",
)


def _tokens(text: str, lang: str) -> list[str]:
    """Words for English, characters for Chinese (jieba's words would split a repeated phrase differently
    in the two turns; characters and their pairs match whatever the segmentation)."""
    if lang == "zh":
        return [c for c in text if not c.isspace()]
    return _EN_TOKEN.findall(text.lower())


def _content(tokens: list[str], lang: str) -> set[str]:
    """Content units: English words that are not function words; Chinese character pairs of non-stop
    characters (one shared character says little, two in a row usually a word)."""
    if lang == "zh":
        chars = [c for c in tokens if c not in _ZH_STOP and c.isalnum()]
        return {a + b for a, b in zip(chars, chars[1:])}
    return {t for t in tokens if t not in _EN_STOP}


def _pronoun_share(tokens: list[str], words: tuple[str, ...], lang: str) -> float:
    if not tokens:
        return 0.0
    # a share, not a count, so that a long turn does not look more personal; x5 puts one "you" in ten
    # words at 0.5
    return min(1.0, 5 * sum(t in words for t in tokens) / len(tokens))


def dense_cues(texts: list[str], contexts: list[str], langs: list[str]) -> np.ndarray:
    """(len(texts), len(NAMES)) cues, each in [0, 1] or about that scale, rows scaled to unit length."""
    rows = []
    for text, ctx, lang in zip(texts, contexts, langs):
        t = text.strip()
        c = (ctx or "").strip()
        tok, ctok = _tokens(t, lang), _tokens(c, lang)
        mine, theirs = _content(tok, lang), _content(ctok, lang)
        shared = len(mine & theirs)
        size = len(tok) if lang == "en" else len(tok) / 2  # about words: a Chinese word is ~2 characters
        rows.append(
            [
                float(not c),
                float(t.endswith(_QUESTION)),
                min(1.0, sum(t.count(q) for q in _QUESTION) / 3),
                float(any(x in t for x in _EXCLAIM)),
                _pronoun_share(tok, _YOU[lang if lang in _YOU else "en"], lang),
                _pronoun_share(tok, _ME[lang if lang in _ME else "en"], lang),
                math.log1p(size) / 5,
                float(size <= 4),
                math.log1p(len(ctok) if lang == "en" else len(ctok) / 2) / 5,
                float(c.endswith(_QUESTION)),
                shared / len(mine) if mine else 0.0,
                shared / len(theirs) if theirs else 0.0,
            ]
        )
    X = np.array(rows, np.float64).reshape(len(texts), len(NAMES))
    return X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)


def opening(text: str, lang: str) -> list[str]:
    """The turn's opening: its first one and two words (English) or first one to three characters
    (Chinese), with its last character (a question particle or mark)."""
    t = text.strip()
    if lang == "zh":
        chars = [c for c in t if not c.isspace()]
        keys = ["".join(chars[:n]) for n in (1, 2, 3) if len(chars) >= n]
    else:
        w = _EN_TOKEN.findall(t.lower())
        keys = [" ".join(w[:n]) for n in (1, 2) if len(w) >= n]
    return [f"o{i}:{k}" for i, k in enumerate(keys)] + ([f"end:{t[-1]}"] if t else [])


def opening_features(texts: list[str], langs: list[str], dim: int):
    """Sparse (len(texts), dim) hashed indicators of each turn's opening, rows scaled to unit length."""
    from scipy import sparse

    rows, cols = [], []
    for r, (text, lang) in enumerate(zip(texts, langs)):
        keys = opening(text, lang)
        rows.extend([r] * len(keys))
        cols.extend(zlib.crc32(k.encode()) % dim for k in keys)
    X = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), dim))
    X.sum_duplicates()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    return sparse.diags(1 / np.maximum(norms, 1e-12)) @ X
