"""A corpus in columns, for analysis: every utterance's text, role and dialogue index in flat arrays.

Reading goes through `warmline.formats`, so `warmline stats` takes anything `warmline convert` reads.
Malformed records are not dropped: each goes to a quarantine file with file, line and reason, and the
corpus counts them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..conversation import Dialogue
from ..formats import Bad, Quarantine, ReadOptions, read as read_any

ROLE_CODE = {"client": 0, "counselor": 1, "system": 2}


@dataclass
class Corpus:
    name: str
    path: str
    ids: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    topics: list[list[str]] = field(default_factory=list)  # topic labels the data already carries
    sources: list[dict | None] = field(default_factory=list)  # meta.source_qa of synthesized rewrites
    texts: list[str] = field(default_factory=list)  # every utterance, in order
    roles: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    dlg: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # dialogue index per utterance
    # the data's own sentence annotation (SMILECHAT), per utterance: how many annotated sentences it
    # holds and their characters; -1 where its dialogue carries no sentence annotation
    ann_sentences: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    ann_chars: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    quarantined: int = 0
    reasons: Counter = field(default_factory=Counter)
    quarantine_file: str | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def utterance_langs(self) -> np.ndarray:
        """1 where the utterance's dialogue is Chinese (lengths in characters), 0 for English (words)."""
        zh = np.array([lang == "zh" for lang in self.langs], dtype=bool)
        return zh[self.dlg] if len(self.dlg) else np.zeros(0, bool)

    def dialogue_text(self, i: int, max_chars: int | None = None) -> str:
        lo, hi = np.searchsorted(self.dlg, [i, i + 1])
        text = "\n".join(self.texts[lo:hi])
        return text[:max_chars] if max_chars else text

    def subset(self, keep: np.ndarray, name: str | None = None) -> Corpus:
        """The dialogues where `keep` (one bool per dialogue) is true."""
        idx = np.flatnonzero(keep)
        remap = np.full(len(self.ids), -1, np.int64)
        remap[idx] = np.arange(len(idx))
        mask = keep[self.dlg] if len(self.dlg) else np.zeros(0, bool)
        return Corpus(
            name or self.name,
            self.path,
            [self.ids[i] for i in idx],
            [self.langs[i] for i in idx],
            [self.topics[i] for i in idx],
            [self.sources[i] for i in idx],
            [t for t, m in zip(self.texts, mask) if m],
            self.roles[mask],
            remap[self.dlg[mask]].astype(np.int32),
            self.ann_sentences[mask],
            self.ann_chars[mask],
        )

    @classmethod
    def from_dialogues(cls, dialogues, name: str = "corpus", path: str = "") -> Corpus:
        c = cls(name, path)
        cols = Columns()
        for d in dialogues:
            c.add(d, cols)
        cols.finish(c)
        return c

    def add(self, d: Dialogue, cols: Columns) -> None:
        i = len(self.ids)
        self.ids.append(d.id)
        self.langs.append(d.lang)
        topic = d.labels.get("topic")
        self.topics.append([topic] if isinstance(topic, str) and topic else list(topic or []))
        self.sources.append(d.meta.get("source_qa") if isinstance(d.meta.get("source_qa"), dict) else None)
        annotated = _sentence_annotated(d)
        for t in d.turns:
            self.texts.append(t.text)
            cols.roles.append(ROLE_CODE[t.role])
            cols.dlg.append(i)
            if annotated:
                n, chars = annotated_sentences(t)
                cols.ann_sentences.append(n)
                cols.ann_chars.append(chars)
            else:
                cols.ann_sentences.append(-1)
                cols.ann_chars.append(0)


@dataclass
class Columns:
    """Per-utterance columns while a corpus is read, made arrays at the end."""

    roles: list[int] = field(default_factory=list)
    dlg: list[int] = field(default_factory=list)
    ann_sentences: list[int] = field(default_factory=list)
    ann_chars: list[int] = field(default_factory=list)

    def finish(self, c: Corpus) -> None:
        c.roles, c.dlg = np.asarray(self.roles, np.int8), np.asarray(self.dlg, np.int32)
        c.ann_sentences = np.asarray(self.ann_sentences, np.int32)
        c.ann_chars = np.asarray(self.ann_chars, np.int64)


def _sentence_annotated(d: Dialogue) -> bool:
    return d.provenance.get("source") == "smilechat" or any(
        t.meta and ("sentence_ends" in t.meta or "sentences" in t.meta) for t in d.turns
    )


def annotated_sentences(t) -> tuple[int, int]:
    """(annotated sentences, their characters) of a turn of a sentence-annotated dialogue, as
    `formats.smilechat` keeps them: `meta.sentence_ends` when the sentences tile the text, else
    `meta.sentences`; a turn with neither holds one sentence, its whole text."""
    meta = t.meta or {}
    if "sentence_ends" in meta:
        ends = meta["sentence_ends"]
        return len(ends), int(ends[-1]) if ends else 0
    if "sentences" in meta:
        sents = meta["sentences"]
        return len(sents), sum(len(s) for s in sents if isinstance(s, str))
    return 1, len(t.text)


def load(
    path: str | Path,
    fmt: str | None = None,
    name: str | None = None,
    quarantine: Path | None = None,
    lang: str | None = None,
) -> Corpus:
    """Read any supported input into a Corpus. Bad records go to `quarantine` (a JSONL file, written only
    when there is one) and are counted."""
    path = Path(path)
    c = Corpus(name or path.stem, str(path))
    cols = Columns()
    with Quarantine(quarantine) as bad:
        for item in read_any(path, fmt, ReadOptions(lang=lang)):
            if isinstance(item, Bad):
                bad(item)
            else:
                c.add(item, cols)
    c.quarantined, c.reasons, c.quarantine_file = bad.count, bad.reasons, bad.written_to
    cols.finish(c)
    return c
