"""SMILE's Table 3 exactly as the paper counts it: SMILECHAT's annotated sentences are its "utterances".

The paper's 1,833,856 utterances (help-seeker 693,756, supporter 1,140,100) are the sentences of the
data's own `annotation` lists, not the turns (628,284) nor warmline's sentence split. This table is
made only from dialogues that carry such an annotation (`Corpus.ann_sentences`), and every row says
what it counts."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .corpus import Corpus
from .lexical import turns


@dataclass
class SentenceTable:
    dialogues: int
    utterances: int
    client_utterances: int
    counselor_utterances: int
    utterances_per_dialogue: float
    client_utterances_per_dialogue: float
    counselor_utterances_per_dialogue: float
    chars_per_utterance: float
    client_chars_per_utterance: float
    counselor_chars_per_utterance: float
    turns_per_dialogue: float

    def to_dict(self) -> dict:
        return asdict(self)

    def rows(self) -> list[tuple[str, str, str]]:
        """(statistic, value, what it counts)."""
        s = "annotated sentence"
        return [
            ("dialogues", f"{self.dialogues:,}", "dialogues that carry the data's sentence annotation"),
            ("utterances", f"{self.utterances:,}", f"{s}s (items of each turn's annotation list), all roles"),
            ("help-seeker utterances", f"{self.client_utterances:,}", f"{s}s in client turns"),
            ("supporter utterances", f"{self.counselor_utterances:,}", f"{s}s in counselor turns"),
            ("utterances per dialogue", f"{self.utterances_per_dialogue:.1f}", f"{s}s / dialogues"),
            (
                "help-seeker utterances per dialogue",
                f"{self.client_utterances_per_dialogue:.1f}",
                f"client {s}s / dialogues",
            ),
            (
                "supporter utterances per dialogue",
                f"{self.counselor_utterances_per_dialogue:.1f}",
                f"counselor {s}s / dialogues",
            ),
            (
                "characters per utterance",
                f"{self.chars_per_utterance:.1f}",
                f"characters of the {s}s (every character, punctuation and spaces included) / {s}s",
            ),
            (
                "help-seeker characters per utterance",
                f"{self.client_chars_per_utterance:.1f}",
                "the same, client turns",
            ),
            (
                "supporter characters per utterance",
                f"{self.counselor_chars_per_utterance:.1f}",
                "the same, counselor turns",
            ),
            (
                "turns per dialogue",
                f"{self.turns_per_dialogue:.1f}",
                "exchanges: per dialogue the larger of its client runs and counselor runs, averaged",
            ),
        ]


def _mean(total, n) -> float:
    return float(total) / n if n else 0.0


def sentence_table(c: Corpus) -> SentenceTable | None:
    """The table over the dialogues with sentence annotations, or None when the corpus has none."""
    keep_utt = c.ann_sentences >= 0
    if not keep_utt.any():
        return None
    keep_dlg = np.zeros(len(c.ids), bool)
    keep_dlg[c.dlg[keep_utt]] = True
    sub = c.subset(keep_dlg)
    n = sub.ann_sentences.astype(np.int64)
    chars = sub.ann_chars
    client, counselor = sub.roles == 0, sub.roles == 1
    speak = client | counselor
    d = len(sub)
    total, nc, ns = int(n[speak].sum()), int(n[client].sum()), int(n[counselor].sum())
    return SentenceTable(
        dialogues=d,
        utterances=total,
        client_utterances=nc,
        counselor_utterances=ns,
        utterances_per_dialogue=_mean(total, d),
        client_utterances_per_dialogue=_mean(nc, d),
        counselor_utterances_per_dialogue=_mean(ns, d),
        chars_per_utterance=_mean(chars[speak].sum(), total),
        client_chars_per_utterance=_mean(chars[client].sum(), nc),
        counselor_chars_per_utterance=_mean(chars[counselor].sum(), ns),
        turns_per_dialogue=_mean(turns(sub).sum(), d),
    )
