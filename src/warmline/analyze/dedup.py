"""Exact and near-duplicate dialogues within a corpus (MinHash LSH with `datasketch`), and
contamination between two corpora (a training set against a test or benchmark set) by n-gram overlap.

Shingles are character 5-grams for Chinese and word 3-grams for English, over the dialogue's text with
whitespace and punctuation removed or normalized, so that formatting differences do not hide a copy."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from .corpus import Corpus

_PUNCT = re.compile(r"[\s\W_]+", re.U)


def normalize(text: str) -> str:
    return _PUNCT.sub(" ", text.lower()).strip()


def shingles(text: str, lang: str, n: int | None = None) -> set[str]:
    norm = normalize(text)
    if lang == "zh":
        chars = norm.replace(" ", "")
        n = n or 5
        return {chars[i : i + n] for i in range(max(1, len(chars) - n + 1))} if chars else set()
    words = norm.split()
    n = n or 3
    return {" ".join(words[i : i + n]) for i in range(max(1, len(words) - n + 1))} if words else set()


@dataclass
class DedupResult:
    exact_groups: list[list[str]] = field(default_factory=list)  # ids with identical normalized text
    near_pairs: list[dict] = field(default_factory=list)  # {a, b, jaccard} above the threshold, not exact
    threshold: float = 0.8

    def summary(self) -> dict:
        return {
            "exact_groups": len(self.exact_groups),
            "exact_duplicates": sum(len(g) - 1 for g in self.exact_groups),
            "near_pairs": len(self.near_pairs),
            "threshold": self.threshold,
            "examples": {"exact": self.exact_groups[:20], "near": self.near_pairs[:20]},
        }


def find_duplicates(c: Corpus, threshold: float = 0.8, num_perm: int = 128, progress=None) -> DedupResult:
    """Exact duplicates by hash of the normalized text; near duplicates by MinHash LSH, each candidate
    pair confirmed with its true Jaccard similarity of shingles (so LSH only finds, never decides)."""
    from datasketch import MinHash, MinHashLSH

    res = DedupResult(threshold=threshold)
    by_hash: dict[str, list[int]] = {}
    for i in range(len(c)):
        h = hashlib.blake2b(normalize(c.dialogue_text(i)).encode(), digest_size=16).hexdigest()
        by_hash.setdefault(h, []).append(i)
    res.exact_groups = [[c.ids[i] for i in g] for g in by_hash.values() if len(g) > 1]
    firsts = [g[0] for g in by_hash.values()]  # one representative per exact group
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sets: dict[int, set[str]] = {}
    for i in firsts:
        sh = shingles(c.dialogue_text(i), c.langs[i])
        if not sh:
            continue
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch([s.encode() for s in sh])
        for j in lsh.query(m):
            other = sets[j]
            jac = len(sh & other) / len(sh | other)
            if jac >= threshold:
                res.near_pairs.append({"a": c.ids[j], "b": c.ids[i], "jaccard": round(jac, 4)})
        lsh.insert(i, m)
        sets[i] = sh
        if progress:
            progress(1)
    res.near_pairs.sort(key=lambda p: -p["jaccard"])
    return res


@dataclass
class Contamination:
    """Test items whose n-grams appear in the training corpus: share of the item's n-grams found."""

    n: int
    threshold: float
    items: list[dict]  # {id, overlap, train_id}
    checked: int

    def summary(self) -> dict:
        return {
            "n": self.n,
            "threshold": self.threshold,
            "checked": self.checked,
            "contaminated": len(self.items),
            "share": len(self.items) / self.checked if self.checked else 0.0,
            "items": self.items,
        }


def _grams(text: str, lang: str, n: int) -> list[str]:
    norm = normalize(text)
    toks = list(norm.replace(" ", "")) if lang == "zh" else norm.split()
    return [("".join if lang == "zh" else " ".join)(toks[i : i + n]) for i in range(len(toks) - n + 1)]


def contamination(train: Corpus, test: Corpus, n: int = 13, threshold: float = 0.5, progress=None) -> Contamination:
    """For each test dialogue, the share of its n-grams (characters for Chinese, words for English;
    13 as in GPT-3's contamination study) that occur anywhere in the training corpus, and the training
    dialogue sharing most of them. Items at or above `threshold` are listed, most overlapping first."""
    index: dict[int, int] = {}  # hash of an n-gram -> first training dialogue holding it
    for i in range(len(train)):
        for g in _grams(train.dialogue_text(i), train.langs[i], n):
            index.setdefault(hash(g), i)
        if progress:
            progress(1)
    items = []
    checked = 0
    for i in range(len(test)):
        grams = _grams(test.dialogue_text(i), test.langs[i], n)
        if not grams:
            continue
        checked += 1
        hits = [index[h] for h in map(hash, grams) if h in index]
        share = len(hits) / len(grams)
        if share >= threshold:
            best = max(set(hits), key=hits.count)
            items.append({"id": test.ids[i], "overlap": round(share, 4), "train_id": train.ids[best]})
    items.sort(key=lambda x: -x["overlap"])
    return Contamination(n, threshold, items, checked)
