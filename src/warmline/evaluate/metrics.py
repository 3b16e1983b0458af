"""Automatic metrics with signatures: BLEU-1..4 (individual and cumulative; corpus-level as sacrebleu
computes it, and the mean of sentence-level scores as nltk computes them, with the smoothing named),
ROUGE-1/2/L F (rouge-score's count-based definition, or rouge-chinese's set-based one with its
sentence splitting, for the presets that reproduce peers), METEOR (nltk), and Distinct-1/2/3 (corpus
level as in SMILE's Table 1, and per response).

Statistics are computed once per pair, apart from the scores (n-gram counts over integer ids, an LCS
by bit-parallel arithmetic), so one pass feeds every metric and the bootstrap; every number is checked
against the reference implementation in the tests."""

from __future__ import annotations

import functools
import itertools
import logging
import math
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..text.ngrams import DistinctResult, dense_ids, distinct, token_ids  # noqa: F401 (DistinctResult re-exported)

log = logging.getLogger(__name__)

SMOOTHING = ("none", "method1", "method3")  # nltk's SmoothingFunction names; sacrebleu's 'exp' == method3


# -- per-pair statistics -----------------------------------------------------------------------------


@dataclass
class PairStats:
    hyp_len: int
    ref_len: int
    match: list[int]  # clipped n-gram matches, n = 1..4
    hyp_total: list[int]  # n-grams in the hypothesis
    ref_total: list[int]
    lcs: int


def lcs_length(a: list, b: list) -> int:
    """Length of the longest common subsequence, by the bit-parallel algorithm (Allison-Dix / Hyyro):
    one big-integer step per element of `b` instead of a len(a) x len(b) table."""
    if not a or not b:
        return 0
    if len(a) > len(b):
        a, b = b, a
    masks: dict = {}
    for i, t in enumerate(a):
        masks[t] = masks.get(t, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for t in b:
        u = v & masks.get(t, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - bin(v).count("1")


@dataclass
class Stats:
    """Per-pair statistics as arrays (N pairs): n-gram matches and totals for n = 1..4 (counts, for BLEU
    and rouge-score), distinct n-gram overlaps for n = 1, 2 (sets, for rouge-chinese), lengths, LCS."""

    hyp_len: np.ndarray
    ref_len: np.ndarray
    match: np.ndarray  # (N, 4) clipped matches
    hyp_total: np.ndarray  # (N, 4)
    ref_total: np.ndarray
    set_overlap: np.ndarray  # (N, 2) distinct shared n-grams
    set_hyp: np.ndarray  # (N, 2) distinct n-grams in the hypothesis
    set_ref: np.ndarray
    lcs: np.ndarray

    def pairs(self) -> list[PairStats]:
        return [
            PairStats(
                int(self.hyp_len[i]),
                int(self.ref_len[i]),
                self.match[i].tolist(),
                self.hyp_total[i].tolist(),
                self.ref_total[i].tolist(),
                int(self.lcs[i]),
            )
            for i in range(len(self.hyp_len))
        ]


def _flat(seqs: list[list[str]], vocab: dict, counter) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Token ids shared across calls with the same vocab and counter, the sequence of each token, and
    the sequence lengths."""
    ids, owner = token_ids(seqs, vocab, counter)
    return ids, owner, np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))


def _ngram_codes(
    ids: np.ndarray, owner: np.ndarray, lens: np.ndarray, max_n: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(codes, owner)] for n = 1..max_n: one integer per n-gram, never crossing a sequence boundary;
    codes are re-numbered after every order so they cannot overflow."""
    starts = np.cumsum(lens) - lens
    pos = np.arange(len(ids), dtype=np.int64) - starts[owner] if len(ids) else np.zeros(0, dtype=np.int64)
    out = [(ids, owner)]
    base = int(ids.max()) + 1 if len(ids) else 1
    prev_full = ids  # the (n-1)-gram code at every start position (-1 where none starts)
    for n in range(2, max_n + 1):
        valid = pos[: len(pos) - n + 1] <= (lens[owner[: len(pos) - n + 1]] - n) if len(ids) >= n else np.zeros(0, bool)
        idx = np.nonzero(valid)[0]
        prev = prev_full[idx]
        comp = dense_ids(prev)[0]
        new = comp.astype(np.int64) * base + ids[idx + n - 1]
        prev_full = np.full(len(ids), -1, dtype=np.int64)
        prev_full[idx] = new
        out.append((new, owner[idx]))
    return out


def _counts(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct values, how often each occurs), by one sort."""
    s = np.sort(a)
    if not len(s):
        return s, np.zeros(0, np.int64)
    start = np.flatnonzero(np.concatenate([[True], s[1:] != s[:-1]]))
    return s[start], np.diff(np.append(start, len(s)))


def _per_pair(h: tuple, r: tuple, n_pairs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(clipped matches, distinct overlap, distinct in hyp, distinct in ref) per pair for one order."""
    (hc, ho), (rc, ro) = h, r
    g = int(max(hc.max() if len(hc) else 0, rc.max() if len(rc) else 0)) + 1
    uh, ch = _counts(ho * g + hc)
    ur, cr = _counts(ro * g + rc)
    # both sorted and unique: each of uh found in ur by binary search
    pos = np.searchsorted(ur, uh)
    found = pos < len(ur)
    found[found] = ur[pos[found]] == uh[found]
    ih, ir = np.flatnonzero(found), pos[found]
    pair = uh[ih] // g
    match = np.bincount(pair, weights=np.minimum(ch[ih], cr[ir]), minlength=n_pairs)
    overlap = np.bincount(pair, minlength=n_pairs)
    return match, overlap, np.bincount(uh // g, minlength=n_pairs), np.bincount(ur // g, minlength=n_pairs)


def stats(hyps: list[list[str]], refs: list[list[str]], need_lcs: bool = True) -> Stats:
    """All per-pair statistics in one vectorized pass."""
    n = len(hyps)
    vocab: dict = {}
    counter = itertools.count()
    hi, ho, hl = _flat(hyps, vocab, counter)
    ri, ro, rl = _flat(refs, vocab, counter)
    # a shared vocabulary, so codes agree between the two sides; grams are coded jointly for the same reason
    ids = np.concatenate([hi, ri])
    owner = np.concatenate([ho, ro + n])
    lens = np.concatenate([hl, rl])
    grams = _ngram_codes(ids, owner, lens, 4)
    match = np.zeros((n, 4))
    set_ov, set_h, set_r = np.zeros((n, 2)), np.zeros((n, 2)), np.zeros((n, 2))
    for k, (codes, own) in enumerate(grams):
        side = own < n
        m, ov, dh, dr = _per_pair((codes[side], own[side]), (codes[~side], own[~side] - n), n)
        match[:, k] = m
        if k < 2:
            set_ov[:, k], set_h[:, k], set_r[:, k] = ov, dh, dr
    hyp_total = np.maximum(0, hl[:, None] - np.arange(4)[None, :])
    ref_total = np.maximum(0, rl[:, None] - np.arange(4)[None, :])
    lcs = np.array([lcs_length(a, b) for a, b in zip(hyps, refs)] if need_lcs else [0] * n, dtype=np.int64)
    return Stats(hl, rl, match.astype(np.int64), hyp_total, ref_total, set_ov, set_h, set_r, lcs)


def pair_stats(hyps: list[list[str]], refs: list[list[str]], need_lcs: bool = True) -> list[PairStats]:
    return stats(hyps, refs, need_lcs).pairs()


def sentence_bleu_all(st: Stats, n: int, kind: str = "cumulative", smoothing: str = "method3") -> np.ndarray:
    """`sentence_bleu` for every pair at once (the same arithmetic, vectorized)."""
    w = np.array(bleu_weights(n, kind))
    num = st.match[:, :n].astype(float)
    den = np.maximum(1, st.hyp_total[:, :n]).astype(float)
    zero = num == 0
    if smoothing == "method1":
        p = np.where(zero, 0.1 / den, num / den)
    elif smoothing == "method3":
        inc = np.cumsum(zero, axis=1)
        p = np.where(zero, 1.0 / (2.0**inc * den), num / den)
    else:
        p = np.where(zero, sys.float_info.min, num / den)
    h, r = st.hyp_len.astype(float), st.ref_len.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        bp = np.where(h > r, 1.0, np.where(h == 0, 0.0, np.exp(1 - r / np.maximum(h, 1))))
        logs = np.where(p > 0, np.log(np.where(p > 0, p, 1.0)), 0.0)
    score = bp * np.exp((logs * w).sum(axis=1))
    return np.where(st.match[:, 0] == 0, 0.0, score)


def rouge_counts_all(st: Stats) -> dict[str, np.ndarray]:
    """`rouge_counts` for every pair at once."""
    out = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, k in (("rouge1", 0), ("rouge2", 1)):
            p = np.where(st.hyp_total[:, k] > 0, st.match[:, k] / np.maximum(1, st.hyp_total[:, k]), 0.0)
            r = np.where(st.ref_total[:, k] > 0, st.match[:, k] / np.maximum(1, st.ref_total[:, k]), 0.0)
            out[name] = np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)
        p = np.where(st.hyp_len > 0, st.lcs / np.maximum(1, st.hyp_len), 0.0)
        r = np.where(st.ref_len > 0, st.lcs / np.maximum(1, st.ref_len), 0.0)
        out["rougeL"] = np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)
    return out


def rouge_sets_all(st: Stats) -> dict[str, np.ndarray]:
    """`rouge_sets` for every pair at once, on statistics of `rouge_chinese_words` of each side."""
    out = {}
    empty = (st.hyp_len == 0) | (st.ref_len == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, k in (("rouge1", 0), ("rouge2", 1)):
            p = np.where(st.set_hyp[:, k] > 0, st.set_overlap[:, k] / np.maximum(1, st.set_hyp[:, k]), 0.0)
            r = np.where(st.set_ref[:, k] > 0, st.set_overlap[:, k] / np.maximum(1, st.set_ref[:, k]), 0.0)
            out[name] = np.where(empty, 0.0, 2.0 * ((p * r) / (p + r + 1e-8)))
        p = st.lcs / np.maximum(1, st.hyp_len)
        r = st.lcs / np.maximum(1, st.ref_len)
        out["rougeL"] = np.where(empty, 0.0, 2.0 * ((p * r) / (p + r + 1e-8)))
    return out


# -- BLEU --------------------------------------------------------------------------------------------


def _bleu(
    match: list[int],
    total: list[int],
    hyp_len: int,
    ref_len: int,
    weights: tuple,
    smoothing: str,
    nltk_denominators: bool,
) -> float:
    """BLEU from counts: nltk's sentence/corpus definition (denominators at least 1, 0 when no unigram
    matches, the named smoothing), or sacrebleu's corpus one (smoothing 'exp' = method3)."""
    k = len(weights)
    den = [max(1, t) for t in total[:k]] if nltk_denominators else list(total[:k])
    num = list(match[:k])
    if num[0] == 0:
        return 0.0
    if hyp_len > ref_len:
        bp = 1.0
    elif hyp_len == 0:
        return 0.0
    else:
        bp = math.exp(1 - ref_len / hyp_len)
    p = []
    inc = 1
    for i in range(k):
        if num[i]:
            p.append(num[i] / den[i])
        elif smoothing == "method1":
            p.append(0.1 / den[i])
        elif smoothing == "method3":
            p.append(1 / (2**inc * den[i]) if den[i] else 0.0)
            inc += 1
        else:
            p.append(sys.float_info.min)
    return bp * math.exp(math.fsum(w * math.log(pi) for w, pi in zip(weights, p) if pi > 0))


def bleu_weights(n: int, kind: str) -> tuple:
    return tuple([1.0 / n] * n) if kind == "cumulative" else tuple([0.0] * (n - 1) + [1.0])


def sentence_bleu(s: PairStats, n: int, kind: str = "cumulative", smoothing: str = "method3") -> float:
    """nltk.translate.bleu_score.sentence_bleu([ref], hyp, weights, SmoothingFunction().<smoothing>)."""
    return _bleu(s.match, s.hyp_total, s.hyp_len, s.ref_len, bleu_weights(n, kind), smoothing, True)


def corpus_bleu(stats: list[PairStats] | Stats, n: int, kind: str = "cumulative") -> float:
    """sacrebleu's corpus BLEU on pre-tokenized text (tokenize='none', smooth_method='exp'), in 0..1."""
    if isinstance(stats, Stats):
        match, total = stats.match.sum(axis=0).tolist(), stats.hyp_total.sum(axis=0).tolist()
        hyp_len, ref_len = int(stats.hyp_len.sum()), int(stats.ref_len.sum())
    else:
        match = [sum(s.match[i] for s in stats) for i in range(4)]
        total = [sum(s.hyp_total[i] for s in stats) for i in range(4)]
        hyp_len, ref_len = sum(s.hyp_len for s in stats), sum(s.ref_len for s in stats)
    if kind == "individual":
        if not total[n - 1]:
            return 0.0
        bp = 1.0 if hyp_len > ref_len else (math.exp(1 - ref_len / hyp_len) if hyp_len else 0.0)
        return bp * (match[n - 1] / total[n - 1] if match[n - 1] else 1 / (2 * total[n - 1]))
    return _sacre(match[:n], total[:n], hyp_len, ref_len)


def _sacre(match: list[int], total: list[int], hyp_len: int, ref_len: int) -> float:
    """sacrebleu.BLEU.compute_bleu with smooth_method='exp' and effective order off."""
    if hyp_len == 0:
        return 0.0
    bp = 1.0 if hyp_len >= ref_len else math.exp(1 - ref_len / hyp_len)
    smooth = 1.0
    logs = []
    for m, t in zip(match, total):
        if t == 0:
            return 0.0
        if m == 0:
            smooth *= 2
            logs.append(math.log(1 / (smooth * t)))
        else:
            logs.append(math.log(m / t))
    return bp * math.exp(sum(logs) / len(match))


# -- ROUGE -------------------------------------------------------------------------------------------


def _f(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def rouge_counts(s: PairStats) -> dict[str, float]:
    """rouge-score's F-measures (count-based overlap, LCS over whole token sequences)."""
    out = {}
    for name, i in (("rouge1", 0), ("rouge2", 1)):
        p = s.match[i] / s.hyp_total[i] if s.hyp_total[i] else 0.0
        r = s.match[i] / s.ref_total[i] if s.ref_total[i] else 0.0
        out[name] = _f(p, r)
    p = s.lcs / s.hyp_len if s.hyp_len else 0.0
    r = s.lcs / s.ref_len if s.ref_len else 0.0
    out["rougeL"] = _f(p, r)
    return out


_CUT = [
    (re.compile(r"([。！？\?])([^”’])"), r"\1\n\2"),
    (re.compile(r"(\.{6})([^”’])"), r"\1\n\2"),
    (re.compile(r"(\…{2})([^”’])"), r"\1\n\2"),
    (re.compile(r"([。！？\?][”’])([^，。！？\?])"), r"\1\n\2"),
]


def rouge_chinese_words(tokens: list[str]) -> list[str]:
    """The words rouge-chinese scores when given `" ".join(tokens)`: its `cut_sent` puts a line break
    after 。！？? and after every run of six dots (so a token "........." becomes "......" and "..."),
    then each non-empty piece is re-spaced and split on " ". A piece holding only whitespace (between
    two line breaks, e.g. from a "\n" token of jieba) becomes one empty word "", which rouge-chinese
    counts like any other word; so does this."""
    text = " ".join(tokens)
    for rx, rep in _CUT:
        text = rx.sub(rep, text)
    return [w for piece in text.rstrip().split("\n") if piece for w in " ".join(piece.split()).split(" ")]


def rouge_sets(hyp: list[str], ref: list[str]) -> dict[str, float]:
    """rouge-chinese's F scores on tokens joined by spaces (give the tokens as the caller joins them,
    whitespace tokens included): set-based ROUGE-N (each distinct n-gram counts once), ROUGE-L on all
    words, F = 2PR/(P+R+1e-8); n-grams run across its sentences. Text with no word scores 0 (as
    LLaMA-Factory does before calling it)."""
    if not " ".join(hyp).split() or not " ".join(ref).split():
        return {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    hw, rw = rouge_chinese_words(hyp), rouge_chinese_words(ref)
    out = {}
    for name, n in (("rouge1", 1), ("rouge2", 2)):
        hg = {tuple(hw[i : i + n]) for i in range(len(hw) - n + 1)}
        rg = {tuple(rw[i : i + n]) for i in range(len(rw) - n + 1)}
        ov = len(hg & rg)
        p = ov / len(hg) if hg else 0.0
        r = ov / len(rg) if rg else 0.0
        out[name] = 2.0 * ((p * r) / (p + r + 1e-8))
    lcs = lcs_length(rw, hw)
    p, r = lcs / len(hw), lcs / len(rw)
    out["rougeL"] = 2.0 * ((p * r) / (p + r + 1e-8))
    return out


# -- Distinct ----------------------------------------------------------------------------------------

# Distinct-n is computed on packed n-gram ids with numpy (warmline.text.ngrams, imported above), shared
# with `warmline stats`: unique / total over the corpus (SMILE's Table 1) and the mean per response.


# -- METEOR ------------------------------------------------------------------------------------------


class _NoSynonyms:
    """Stands in for WordNet when it is not installed: METEOR then matches exact words and stems only."""

    def synsets(self, *args, **kwargs) -> list:
        return []


# WordNet 3.0's lexicographer files, as listed in lexnames(5WN): number, name, syntactic category.
# Debian's wordnet-base ships the database without this file, which nltk's reader requires.
_LEXNAMES = [
    (n, name, {"adj": 3, "adv": 4, "noun": 1, "verb": 2}[name.split(".")[0]])
    for n, name in enumerate(
        "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body "
        "noun.cognition noun.communication noun.event noun.feeling noun.food noun.group noun.location "
        "noun.motive noun.object noun.person noun.phenomenon noun.plant noun.possession noun.process "
        "noun.quantity noun.relation noun.shape noun.state noun.substance noun.time verb.body verb.change "
        "verb.cognition verb.communication verb.competition verb.consumption verb.contact verb.creation "
        "verb.emotion verb.motion verb.perception verb.possession verb.social verb.stative verb.weather "
        "adj.ppl".split()
    )
]
SYSTEM_WORDNET = "/usr/share/wordnet"


def _system_wordnet_class():
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    class SystemWordNet(WordNetCorpusReader):
        def map_wn(self, version="wordnet"):
            # nltk maps other WordNet versions onto its own downloaded 3.0 for the multilingual data;
            # there is none here, and METEOR needs no mapping.
            return None

    return SystemWordNet


def _system_wordnet(root: Path):
    """nltk's reader over a system WordNet database (Debian's `wordnet-base`), or None when absent.

    nltk's path sandbox refuses symbolic and hard links out of a corpus directory, so the database
    files are copied (about 35 MB, once) into WARMLINE_HOME together with the `lexnames` file nltk
    needs, and that directory is authorized in nltk.data.path."""
    import shutil
    import warnings

    if not (root / "data.noun").is_file() or not (root / "index.sense").is_file():
        return None
    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    from ..paths import warmline_home

    _SystemWordNet = _system_wordnet_class()
    shim = warmline_home() / "wordnet" / "system"
    shim.mkdir(parents=True, exist_ok=True)
    for name in WordNetCorpusReader._FILES:
        src, dst = root / name, shim / name
        if name == "lexnames" or dst.exists() or not src.is_file():
            continue
        tmp = dst.with_name(name + ".tmp")
        tmp.unlink(missing_ok=True)
        shutil.copyfile(src, tmp)
        tmp.replace(dst)
    lexnames = shim / "lexnames"
    if not lexnames.exists():
        tmp = lexnames.with_suffix(".tmp")
        tmp.write_text("".join(f"{n:02d}\t{name}\t{cat}\n" for n, name, cat in _LEXNAMES))
        tmp.replace(lexnames)
    if str(shim) not in nltk.data.path:
        nltk.data.path.append(str(shim))
    with warnings.catch_warnings():  # "multilingual functions are not available": METEOR needs English only
        warnings.simplefilter("ignore", UserWarning)
        return _SystemWordNet(str(shim), None)


def wordnet_source():
    return _wordnet_source(os.environ.get("WARMLINE_WORDNET", SYSTEM_WORDNET))


@functools.lru_cache(maxsize=4)
def _wordnet_source(system_root: str):
    """(wordnet, description) for METEOR's synonym stage: nltk's own WordNet data when downloaded,
    else the system database (Debian: `apt-get install wordnet-base wordnet-sense-index`, or a
    directory in WARMLINE_WORDNET), else none, and the description says which."""
    try:
        from nltk.corpus import wordnet

        wordnet.ensure_loaded()
        return wordnet, f"wordnet-{wordnet.get_version()} (nltk_data)"
    except (LookupError, OSError):
        pass
    root = Path(system_root)
    try:
        wn = _system_wordnet(root)
    except (OSError, ValueError, PermissionError) as e:
        log.warning("WordNet at %s could not be read (%s): METEOR runs without synonyms", root, e)
        wn = None
    if wn is not None:
        return wn, f"wordnet-{wn.get_version()} ({root})"
    return _NoSynonyms(), (
        "none (WordNet not installed: exact and stem matches only; "
        "apt-get install wordnet-base wordnet-sense-index adds synonyms)"
    )


def meteor(hyps: list[list[str]], refs: list[list[str]]) -> tuple[list[float], str]:
    """Per-pair METEOR with nltk: meteor_score([reference], hypothesis), references first."""
    from ..extras import need

    meteor_score = need("nltk.translate.meteor_score", "eval").meteor_score
    wn, desc = wordnet_source()
    return [meteor_score([r], h, wordnet=wn) if h and r else 0.0 for h, r in zip(hyps, refs)], desc
