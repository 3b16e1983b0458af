"""Distinct-n over token ids: n-grams become integer keys, counted by marking an array while their key
space is small and by sorting past that."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from .chars import char_ids


@dataclass
class DistinctResult:
    """Per n (1..max_n): unique and total n-grams over the corpus, their ratio, and the mean ratio per
    response (responses shorter than n left out of that mean)."""

    unique: list[int] = field(default_factory=list)
    total: list[int] = field(default_factory=list)
    corpus: list[float] = field(default_factory=list)
    per_response: list[float] = field(default_factory=list)


DENSE_KEYS = 1 << 24  # key spaces up to this size are counted by marking an array instead of sorting


def dense_ids(ids: np.ndarray) -> tuple[np.ndarray, int]:
    """Renumber non-negative ids as 0..V-1 (order kept): (dense ids, V). Without sorting while the ids
    are small enough to mark in an array; with a sort otherwise."""
    if not len(ids):
        return ids.astype(np.int32), 0
    top = int(ids.max())
    if top >= max(DENSE_KEYS, 4 * len(ids)):
        uniq = sorted_unique(ids)
        return np.searchsorted(uniq, ids).astype(np.int32), len(uniq)
    present = np.zeros(top + 1, bool)
    present[ids] = True
    rank = np.cumsum(present, dtype=np.int32)
    rank -= 1
    return rank[ids], int(rank[-1]) + 1


def distinct_ids(
    ids: np.ndarray, seg: np.ndarray, n_segments: int, max_n: int = 3, per_response: bool = True
) -> DistinctResult:
    """Distinct-1..max_n over token ids, `seg[i]` being the response token i belongs to (sorted). Every
    n-gram counts, the last one included: L tokens hold L - n + 1 n-grams. No n-gram crosses responses.

    An n-gram's key is (its (n-1)-gram prefix's key) * V + its last token. While the key space is
    small, unique keys are counted by marking an array and renumbered densely for the next n; past
    that, by sorting (and past 2**62, by numbering the rows of the n-gram matrix). `per_response=False`
    skips the mean ratio per response (0.0 then), which costs a sort per n."""
    d, vocab = dense_ids(np.asarray(ids))
    seg = np.asarray(seg)
    res = DistinctResult()
    prev, space = d, vocab  # keys of the (n-1)-grams at every start position, and their key space
    for n in range(1, max_n + 1):
        m = len(d) - n + 1
        if m <= 0:
            res.unique.append(0), res.total.append(0), res.corpus.append(0.0), res.per_response.append(0.0)
            continue
        if n > 1:
            space *= vocab
            if space < 1 << 31:
                prev = prev[:m] * np.int32(vocab) + d[n - 1 :]
            elif space < 1 << 62:
                prev = prev[:m].astype(np.int64) * vocab + d[n - 1 :]
            else:  # too many to pack: number the distinct rows of the n-gram matrix
                rows = np.stack([d[k : k + m] for k in range(n)], axis=1)
                prev = np.unique(rows, axis=0, return_inverse=True)[1].ravel().astype(np.int64)
                space = int(prev.max()) + 1
        keys = prev
        valid = seg[:m] == seg[n - 1 :]
        kv = keys if valid.all() else keys[valid]
        total = len(kv)
        if space <= DENSE_KEYS:
            mark = np.zeros(space, bool)
            mark[kv] = True
            uniq = int(np.count_nonzero(mark))
            if n < max_n:  # renumber every start position's key densely for the next n
                prev, space = dense_ids(keys)
        else:
            srt = np.sort(kv)
            uniq = int(np.count_nonzero(srt[1:] != srt[:-1])) + 1 if total else 0
            del srt
        mean = 0.0
        if per_response and total:
            # one stable sort by key: segments stay in order inside each run of equal keys, so a change
            # of key or of segment counts an n-gram new to its response
            gseg = seg[:m][valid]
            order = np.argsort(kv, kind="stable")
            ks, ss = kv[order], gseg[order]
            del order
            new = np.ones(total, bool)
            new[1:] = (ks[1:] != ks[:-1]) | (ss[1:] != ss[:-1])
            per_unique = np.bincount(ss[new], minlength=n_segments)
            per_total = np.bincount(gseg, minlength=n_segments)
            has = per_total > 0
            mean = float(np.mean(per_unique[has] / per_total[has]))
        res.unique.append(uniq)
        res.total.append(total)
        res.corpus.append(uniq / total if total else 0.0)
        res.per_response.append(mean)
    return res


def token_ids(tokens: list[list[str]], vocab: dict | None = None, counter=None) -> tuple[np.ndarray, np.ndarray]:
    """(ids, response index per token) for tokenized responses. A token's id is a number unique to it
    (the count at its first occurrence: not dense); calls sharing `vocab` and `counter` share ids."""
    vocab = {} if vocab is None else vocab
    counter = itertools.count() if counter is None else counter
    lens = np.fromiter(map(len, tokens), np.int64, count=len(tokens))
    ids = np.fromiter(
        map(vocab.setdefault, itertools.chain.from_iterable(tokens), counter), np.int64, count=int(lens.sum())
    )
    return ids, np.repeat(np.arange(len(tokens), dtype=np.int64), lens)


def distinct(tokens: list[list[str]], max_n: int = 3) -> DistinctResult:
    ids, seg = token_ids(tokens)
    return distinct_ids(ids, seg, len(tokens), max_n)


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-D array, sorted. A sort and a comparison: numpy 2.4's `np.unique`
    hashes instead, which measured 2 to 15 times slower on these integer keys."""
    s = np.sort(a)
    if len(s) < 2:
        return s
    keep = np.empty(len(s), bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def distinct_texts(
    texts: list[str], tokenize: str = "char", max_n: int = 3, per_response: bool = True
) -> DistinctResult:
    """Distinct-n of texts with a named tokenizer (`warmline.text.tokenize`); `char` runs vectorized."""
    if tokenize == "char":
        ids, seg = char_ids(texts)
    else:
        from .tokenize import tokenize_all

        ids, seg = token_ids(tokenize_all(texts, tokenize))
    return distinct_ids(ids, seg, len(texts), max_n, per_response)
