"""Corpus statistics (SMILE's Table 3) and Distinct-n (SMILE's Table 1), computed on arrays.

Utterances are joined, a cache-sized piece at a time, and viewed as an array of Unicode code points;
lengths, words and sentences are then counted with numpy instead of one Python loop per utterance, and
n-grams become integer keys, counted by marking an array while their key space is small and by sorting
past that. `benchmarks/bench_stats.py` checks the numbers against a plain loop and measures the speed.

Definitions (the plain loop in the tests and the benchmark uses the same ones):
- length of an utterance: non-whitespace characters for Chinese dialogues, whitespace-separated
  words for English ones (`str.split()`);
- a sentence: a stretch between terminators (。！？!?；;… . and line breaks) holding at least one
  character that is neither whitespace nor a terminator (so "e.g." splits: simple, and said here);
- a turn: one exchange, i.e. the larger of the number of client runs and counselor runs (a run is one
  or more utterances in a row by the same role); system messages are not utterances.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from .corpus import Corpus

TERMINATORS = "。！？!?；;….\n"
# one class byte per code point of the Basic Multilingual Plane: 1 = whitespace (str.isspace), 2 = a
# sentence terminator; code points above it (emoji, rare CJK) are ordinary characters
_SPACE, _TERM = 1, 2
_CLASS = np.zeros(0x10000, np.uint8)
_CLASS[[i for i in range(0x3001) if chr(i).isspace()]] |= _SPACE
_CLASS[[ord(c) for c in TERMINATORS]] |= _TERM


def codepoints(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(code points of all texts joined, start offset of each text plus the total at the end)."""
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts) + 1, np.int64)
    np.cumsum(lens, out=starts[1:])
    cp = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    return cp, starts


def char_class(cp: np.ndarray) -> np.ndarray:
    cls = _CLASS[cp & 0xFFFF]
    high = cp > 0xFFFF
    if high.any():
        cls[high] = 0
    return cls


def _segment_sums(flags: np.ndarray, starts: np.ndarray) -> np.ndarray:
    cs = np.zeros(len(flags) + 1, np.int32 if len(flags) < 2**31 else np.int64)
    np.cumsum(flags, out=cs[1:])
    return (cs[starts[1:]] - cs[starts[:-1]]).astype(np.int64)


@dataclass
class UtteranceCounts:
    """Per utterance: length in its language's unit, characters, words and sentences."""

    length: np.ndarray
    chars: np.ndarray
    words: np.ndarray
    sentences: np.ndarray


@dataclass
class CharArrays:
    """Some utterances as one code-point array: their start offsets, and a class byte per code point."""

    cp: np.ndarray
    starts: np.ndarray
    cls: np.ndarray

    @classmethod
    def of(cls_, texts: list[str]) -> CharArrays:
        cp, starts = codepoints(texts)
        return cls_(cp, starts, char_class(cp))

    def utt(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.starts) - 1, dtype=np.int32), np.diff(self.starts))


CHUNK_CHARS = 1 << 20  # utterances are processed in pieces of about this many characters (cache-sized)


def chunks(texts: list[str], size: int = CHUNK_CHARS):
    """(start, end) index ranges of consecutive texts holding about `size` characters each."""
    lo, acc = 0, 0
    for i, t in enumerate(texts):
        acc += len(t)
        if acc >= size:
            yield lo, i + 1
            lo, acc = i + 1, 0
    if lo < len(texts) or not texts:
        yield lo, len(texts)


def utterance_counts(texts: list[str], zh: np.ndarray) -> UtteranceCounts:
    """Counts for every utterance, a cache-sized piece of the corpus at a time."""
    parts = [_counts(texts[lo:hi]) for lo, hi in chunks(texts)]
    chars, words, sentences = (np.concatenate([p[k] for p in parts]) if parts else np.zeros(0, np.int64)
                               for k in range(3))
    return UtteranceCounts(np.where(zh, chars, words), chars, words, sentences)


def _counts(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = CharArrays.of(texts)
    cp, starts, cls = a.cp, a.starts, a.cls
    space = (cls & _SPACE).astype(bool)
    nonspace = ~space
    chars = _segment_sums(nonspace, starts)
    # a word starts at a non-space character whose predecessor is a space or the start of its utterance
    word_start = nonspace.copy()
    word_start[1:] &= space[:-1]
    first = starts[:-1][starts[:-1] < starts[1:]]  # first position of every non-empty utterance
    word_start[first] = nonspace[first]
    words = _segment_sums(word_start, starts)
    # a sentence starts at a content character (neither space nor terminator) when the previous
    # non-space character of its utterance is a terminator, or when there is none
    sig = np.flatnonzero(nonspace | (cls & _TERM).astype(bool))
    content = ~(cls[sig] & _TERM).astype(bool)
    utt = a.utt()[sig]
    new = content.copy()
    if len(sig) > 1:
        new[1:] &= ~content[:-1] | (utt[1:] != utt[:-1])
    sentences = np.bincount(utt[new], minlength=len(texts)).astype(np.int64)
    return chars, words, sentences


@dataclass
class StatsTable:
    """SMILE's Table 3 for one corpus (or one topic of it). `unit` names the length unit."""

    dialogues: int = 0
    utterances: int = 0
    client_utterances: int = 0
    counselor_utterances: int = 0
    turns_per_dialogue: float = 0.0
    utterances_per_dialogue: float = 0.0
    length_per_utterance: float = 0.0
    client_length_per_utterance: float = 0.0
    counselor_length_per_utterance: float = 0.0
    sentences_per_utterance: float = 0.0
    length_per_sentence: float = 0.0
    unit: str = ""

    def rows(self) -> list[tuple[str, str]]:
        u = self.unit
        return [("dialogues", f"{self.dialogues:,}"), ("utterances", f"{self.utterances:,}"),
                ("client utterances", f"{self.client_utterances:,}"),
                ("counselor utterances", f"{self.counselor_utterances:,}"),
                ("turns per dialogue", f"{self.turns_per_dialogue:.2f}"),
                ("utterances per dialogue", f"{self.utterances_per_dialogue:.2f}"),
                (f"length per utterance ({u})", f"{self.length_per_utterance:.2f}"),
                (f"client length per utterance ({u})", f"{self.client_length_per_utterance:.2f}"),
                (f"counselor length per utterance ({u})", f"{self.counselor_length_per_utterance:.2f}"),
                ("sentences per utterance", f"{self.sentences_per_utterance:.2f}"),
                (f"length per sentence ({u})", f"{self.length_per_sentence:.2f}")]


def unit_name(langs: list[str]) -> str:
    kinds = set(langs)
    if kinds == {"zh"}:
        return "characters"
    if kinds <= {"en"}:
        return "words"
    return "characters (zh) / words (en)"


def _mean(total: float, n: int) -> float:
    return float(total) / n if n else 0.0


def turns(c: Corpus) -> np.ndarray:
    """Turns of every dialogue: the larger of its client runs and counselor runs (a run is one or more
    utterances in a row by the same role; system messages are left out)."""
    speak = c.roles != 2
    roles, dlg = c.roles[speak], c.dlg[speak]
    n_dlg = len(c.ids)
    # an utterance whose role differs from the previous one in the same dialogue starts a run
    run_start = np.ones(len(roles), bool)
    if len(roles) > 1:
        run_start[1:] = (roles[1:] != roles[:-1]) | (dlg[1:] != dlg[:-1])
    client_runs = np.bincount(dlg[run_start & (roles == 0)], minlength=n_dlg)
    counselor_runs = np.bincount(dlg[run_start & (roles == 1)], minlength=n_dlg)
    return np.maximum(client_runs, counselor_runs)


def stats_table(c: Corpus, counts: UtteranceCounts | None = None) -> StatsTable:
    speak = c.roles != 2  # system messages are not utterances
    counts = counts or utterance_counts(c.texts, c.utterance_langs())
    roles = c.roles[speak]
    length, sents = counts.length[speak], counts.sentences[speak]
    client, counselor = roles == 0, roles == 1
    n_dlg = len(c.ids)
    return StatsTable(
        dialogues=n_dlg, utterances=int(len(roles)), client_utterances=int(client.sum()),
        counselor_utterances=int(counselor.sum()),
        turns_per_dialogue=_mean(turns(c).sum(), n_dlg), utterances_per_dialogue=_mean(len(roles), n_dlg),
        length_per_utterance=_mean(length.sum(), len(roles)),
        client_length_per_utterance=_mean(length[client].sum(), int(client.sum())),
        counselor_length_per_utterance=_mean(length[counselor].sum(), int(counselor.sum())),
        sentences_per_utterance=_mean(sents.sum(), len(roles)),
        length_per_sentence=_mean(length.sum(), int(sents.sum())), unit=unit_name(c.langs))


# -- Distinct-n ------------------------------------------------------------------------------------------

@dataclass
class DistinctResult:
    """Per n (1..max_n): unique and total n-grams over the corpus, their ratio, and the mean ratio per
    response (responses shorter than n left out of that mean)."""

    unique: list[int] = field(default_factory=list)
    total: list[int] = field(default_factory=list)
    corpus: list[float] = field(default_factory=list)
    per_response: list[float] = field(default_factory=list)


_BITS = 21  # code points are below 2**21: three pack into an int64
_DENSE = 1 << 24  # key spaces up to this size are counted by marking an array instead of sorting


def dense_ids(ids: np.ndarray) -> tuple[np.ndarray, int]:
    """Renumber non-negative ids as 0..V-1 (order kept): (dense ids, V). Without sorting while the ids
    are small enough to mark in an array; with a sort otherwise."""
    if not len(ids):
        return ids.astype(np.int32), 0
    top = int(ids.max())
    if top >= max(_DENSE, 4 * len(ids)):
        uniq = sorted_unique(ids)
        return np.searchsorted(uniq, ids).astype(np.int32), len(uniq)
    present = np.zeros(top + 1, bool)
    present[ids] = True
    rank = np.cumsum(present, dtype=np.int32)
    rank -= 1
    return rank[ids], int(rank[-1]) + 1


def distinct_ids(ids: np.ndarray, seg: np.ndarray, n_segments: int, max_n: int = 3,
                 per_response: bool = True) -> DistinctResult:
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
                prev = prev[:m] * np.int32(vocab) + d[n - 1:]
            elif space < 1 << 62:
                prev = prev[:m].astype(np.int64) * vocab + d[n - 1:]
            else:  # too many to pack: number the distinct rows of the n-gram matrix
                rows = np.stack([d[k:k + m] for k in range(n)], axis=1)
                prev = np.unique(rows, axis=0, return_inverse=True)[1].ravel().astype(np.int64)
                space = int(prev.max()) + 1
        keys = prev
        valid = seg[:m] == seg[n - 1:]
        kv = keys if valid.all() else keys[valid]
        total = len(kv)
        if space <= _DENSE:
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
    ids = np.fromiter(map(vocab.setdefault, itertools.chain.from_iterable(tokens), counter), np.int64,
                      count=int(lens.sum()))
    return ids, np.repeat(np.arange(len(tokens), dtype=np.int64), lens)


def distinct(tokens: list[list[str]], max_n: int = 3) -> DistinctResult:
    ids, seg = token_ids(tokens)
    return distinct_ids(ids, seg, len(tokens), max_n)


def char_ids(texts: list[str], select: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The `char` tokenizer (every non-whitespace character) as code-point ids, without a Python loop;
    `select` (one bool per text) keeps some texts only."""
    a = CharArrays.of(texts)
    keep = (a.cls & _SPACE) == 0
    seg = a.utt()
    if select is not None:
        keep &= select[seg]
    return a.cp[keep], seg[keep]


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


def _packed_unique(ids: np.ndarray, seg: np.ndarray, max_n: int) -> list[tuple[np.ndarray, int]]:
    """Per n: (the distinct n-grams as packed keys, 21 bits per code point, sorted; the number of
    n-grams) of one piece of a corpus.

    Code points are first renumbered 0..V-1 within the piece. While an n-gram's key space (distinct
    (n-1)-grams times V) is small, distinct keys are found by marking an array, no sort, and renumbered
    for the next n; n-grams crossing a response are masked out and never become prefixes. Past that
    size, keys are packed code points and sorted."""
    out: list[tuple[np.ndarray, int]] = []
    if not len(ids):
        return [(np.zeros(0, np.int64), 0)] * max_n
    present = np.zeros(int(ids.max()) + 1, bool)
    present[ids] = True
    inv = np.flatnonzero(present).astype(np.int64)  # dense id -> code point
    rank = np.cumsum(present, dtype=np.int32)
    rank -= 1
    d = rank[ids]
    vocab = len(inv)
    prev, glob, space = d, inv, vocab  # dense prefix keys, dense key -> packed key, number of keys
    packed = None  # once the key space is too large: packed keys at every start position
    for n in range(1, max_n + 1):
        m = len(d) - n + 1
        if m <= 0:
            out.append((np.zeros(0, np.int64), 0))
            continue
        valid = seg[:m] == seg[n - 1:]
        total = int(np.count_nonzero(valid))
        if n == 1:
            out.append((inv, total))
            continue
        if packed is None and space * vocab <= min(_DENSE, 8 * m):
            local = prev[:m] * np.int32(vocab) + d[n - 1:]
            mark = np.zeros(space * vocab, bool)
            mark[local[valid]] = True
            u = np.flatnonzero(mark)
            keys = (glob[u // vocab] << _BITS) | inv[u % vocab]
            out.append((keys, total))
            r = np.cumsum(mark, dtype=np.int32)
            r -= 1
            prev, glob, space = np.where(valid, r[local], 0), keys, len(u)
            continue
        if packed is None and n == max_n and space * vocab < 1 << 31:
            # the last n, while its keys fit in 32 bits: sort those (faster), then unpack the distinct ones
            u = sorted_unique((prev[:m] * np.int32(vocab) + d[n - 1:])[valid])
            out.append(((glob[u // vocab] << _BITS) | inv[u % vocab], total))  # ascending, as u is
            continue
        if packed is None:
            packed = glob[prev[:m]]
        packed = (packed[:m] << _BITS) | inv[d[n - 1:]]
        out.append((sorted_unique(packed[valid]), total))
    return out


def distinct_texts(texts: list[str], tokenize: str = "char", max_n: int = 3,
                   per_response: bool = True) -> DistinctResult:
    """Distinct-n of texts with a named tokenizer (`warmline.evaluate.tokenize`); `char` runs vectorized."""
    if tokenize == "char":
        ids, seg = char_ids(texts)
    else:
        from ..evaluate.tokenize import tokenize_all

        ids, seg = token_ids(tokenize_all(texts, tokenize))
    return distinct_ids(ids, seg, len(texts), max_n, per_response)


def corpus_distinct(c: Corpus, tokenize: str = "char", roles: tuple[int, ...] = (0, 1), max_n: int = 3,
                    per_response: bool = False) -> DistinctResult:
    """Distinct-n over a corpus's utterances by the given role codes (default client and counselor)."""
    select = np.isin(c.roles, roles)
    if tokenize != "char" or per_response or max_n > 3:
        return distinct_texts([t for t, k in zip(c.texts, select) if k], tokenize, max_n, per_response)
    # characters, corpus level: distinct keys per cache-sized piece, then their union
    parts = [_packed_unique(*char_ids(c.texts[lo:hi], select[lo:hi]), max_n) for lo, hi in chunks(c.texts)]
    res = DistinctResult()
    for n in range(max_n):
        uniq = len(sorted_unique(np.concatenate([p[n][0] for p in parts]))) if parts else 0
        total = sum(p[n][1] for p in parts)
        res.unique.append(uniq), res.total.append(total)
        res.corpus.append(uniq / total if total else 0.0), res.per_response.append(0.0)
    return res
