"""The plain Python loop that `warmline.analyze.lexical` is checked against (tests) and measured against
(`benchmarks/bench_stats.py`): one pass per utterance with `str` methods, sets of n-gram tuples. Same
definitions as the fast path, written the obvious way."""

from __future__ import annotations

import re

from ..conversation import Dialogue
from ..text.chars import TERMINATORS

_SPLIT = re.compile("[" + re.escape(TERMINATORS) + "]")


def stats_loop(dialogues: list[Dialogue]) -> dict:
    n_utt = n_client = n_counselor = turns = 0
    length = client_len = counselor_len = sentences = 0
    for d in dialogues:
        prev = None
        runs = {"client": 0, "counselor": 0}
        for t in d.turns:
            if t.role == "system":
                continue
            if t.role != prev:
                runs[t.role] += 1
                prev = t.role
            n = len([ch for ch in t.text if not ch.isspace()]) if d.lang == "zh" else len(t.text.split())
            n_utt += 1
            length += n
            sentences += sum(1 for part in _SPLIT.split(t.text) if part.strip())
            if t.role == "client":
                n_client += 1
                client_len += n
            else:
                n_counselor += 1
                counselor_len += n
        turns += max(runs.values())
    nd = len(dialogues)
    return {
        "dialogues": nd,
        "utterances": n_utt,
        "client_utterances": n_client,
        "counselor_utterances": n_counselor,
        "turns_per_dialogue": turns / nd if nd else 0.0,
        "utterances_per_dialogue": n_utt / nd if nd else 0.0,
        "length_per_utterance": length / n_utt if n_utt else 0.0,
        "client_length_per_utterance": client_len / n_client if n_client else 0.0,
        "counselor_length_per_utterance": counselor_len / n_counselor if n_counselor else 0.0,
        "sentences_per_utterance": sentences / n_utt if n_utt else 0.0,
        "length_per_sentence": length / sentences if sentences else 0.0,
    }


def distinct_loop(texts: list[str], max_n: int = 3) -> list[tuple[int, int]]:
    """(unique, total) n-grams of the `char` tokenizer for n = 1..max_n, with sets of tuples."""
    out = []
    for n in range(1, max_n + 1):
        seen: set = set()
        total = 0
        for text in texts:
            toks = [ch for ch in text if not ch.isspace()]
            for i in range(len(toks) - n + 1):
                seen.add(tuple(toks[i : i + n]))
                total += 1
        out.append((len(seen), total))
    return out
