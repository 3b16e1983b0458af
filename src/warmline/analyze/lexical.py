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

from dataclasses import dataclass

import numpy as np

from ..text.chars import SPACE, TERM, CharArrays, char_ids, chunks
from ..text.ngrams import DENSE_KEYS, DistinctResult, distinct_texts, sorted_unique
from .corpus import Corpus


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


def utterance_counts(texts: list[str], zh: np.ndarray) -> UtteranceCounts:
    """Counts for every utterance, a cache-sized piece of the corpus at a time."""
    parts = [_counts(texts[lo:hi]) for lo, hi in chunks(texts)]
    chars, words, sentences = (
        np.concatenate([p[k] for p in parts]) if parts else np.zeros(0, np.int64) for k in range(3)
    )
    return UtteranceCounts(np.where(zh, chars, words), chars, words, sentences)


def _counts(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = CharArrays.of(texts)
    starts, cls = a.starts, a.cls
    space = (cls & SPACE).astype(bool)
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
    sig = np.flatnonzero(nonspace | (cls & TERM).astype(bool))
    content = ~(cls[sig] & TERM).astype(bool)
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
        return [
            ("dialogues", f"{self.dialogues:,}"),
            ("utterances", f"{self.utterances:,}"),
            ("client utterances", f"{self.client_utterances:,}"),
            ("counselor utterances", f"{self.counselor_utterances:,}"),
            ("turns per dialogue", f"{self.turns_per_dialogue:.2f}"),
            ("utterances per dialogue", f"{self.utterances_per_dialogue:.2f}"),
            (f"length per utterance ({u})", f"{self.length_per_utterance:.2f}"),
            (f"client length per utterance ({u})", f"{self.client_length_per_utterance:.2f}"),
            (f"counselor length per utterance ({u})", f"{self.counselor_length_per_utterance:.2f}"),
            ("sentences per utterance", f"{self.sentences_per_utterance:.2f}"),
            (f"length per sentence ({u})", f"{self.length_per_sentence:.2f}"),
        ]


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
        dialogues=n_dlg,
        utterances=int(len(roles)),
        client_utterances=int(client.sum()),
        counselor_utterances=int(counselor.sum()),
        turns_per_dialogue=_mean(turns(c).sum(), n_dlg),
        utterances_per_dialogue=_mean(len(roles), n_dlg),
        length_per_utterance=_mean(length.sum(), len(roles)),
        client_length_per_utterance=_mean(length[client].sum(), int(client.sum())),
        counselor_length_per_utterance=_mean(length[counselor].sum(), int(counselor.sum())),
        sentences_per_utterance=_mean(sents.sum(), len(roles)),
        length_per_sentence=_mean(length.sum(), int(sents.sum())),
        unit=unit_name(c.langs),
    )


# -- Distinct-n (Distinct-n of token ids is warmline.text.ngrams; characters of a whole corpus here) ------

_BITS = 21  # code points are below 2**21: three pack into an int64


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
        valid = seg[:m] == seg[n - 1 :]
        total = int(np.count_nonzero(valid))
        if n == 1:
            out.append((inv, total))
            continue
        if packed is None and space * vocab <= min(DENSE_KEYS, 8 * m):
            local = prev[:m] * np.int32(vocab) + d[n - 1 :]
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
            u = sorted_unique((prev[:m] * np.int32(vocab) + d[n - 1 :])[valid])
            out.append(((glob[u // vocab] << _BITS) | inv[u % vocab], total))  # ascending, as u is
            continue
        if packed is None:
            packed = glob[prev[:m]]
        packed = (packed[:m] << _BITS) | inv[d[n - 1 :]]
        out.append((sorted_unique(packed[valid]), total))
    return out


def corpus_distinct(
    c: Corpus, tokenize: str = "char", roles: tuple[int, ...] = (0, 1), max_n: int = 3, per_response: bool = False
) -> DistinctResult:
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
