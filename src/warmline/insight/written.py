"""Labelled counselor turns outside any dialogue, for training only: the project's written examples of the
rare strategies (data/labels/written/, synthetic) or a user's file of the same shape, one JSON object a line:
{"lang", "strategy", "client" (the turn before), "counselor" (the labelled turn), "id" (optional)}."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources as ir
from pathlib import Path

from .classify import Example

WRITTEN = ("strategy_en.jsonl", "strategy_zh.jsonl")
# a written example weighs as much as a real turn: chosen by grouped cross-validation inside Psy-Insight's
# training dialogues (docs/insight-rounds.md)
WEIGHT = 1.0


@dataclass
class WrittenRead:
    examples: list[Example] = field(default_factory=list)
    quarantined: list[dict] = field(default_factory=list)  # {"file", "line", "reason", "raw"}


def _example(obj, allowed: set[str] | None, name: str, line: int) -> Example:
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    for key in ("lang", "strategy", "counselor"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise ValueError(f"'{key}' must be a non-empty string")
    if obj["lang"] not in ("en", "zh"):
        raise ValueError(f"'lang' must be en or zh, not {obj['lang']!r}")
    if allowed is not None and obj["strategy"] not in allowed:
        raise ValueError(f"unknown strategy {obj['strategy']!r}")
    client = obj.get("client", "")
    if not isinstance(client, str):
        raise ValueError("'client' must be a string")
    # every written turn is its own group: none belongs to a real dialogue that a split could hold out
    return Example(
        obj["counselor"].strip(),
        obj["strategy"],
        f"written:{obj.get('id') or f'{name}:{line}'}",
        obj["lang"],
        client.strip(),
    )


def read_written(paths: list[Path] | None = None, allowed: set[str] | None = None) -> WrittenRead:
    """The examples of `paths` (default: the project's written ones). A line that is not valid JSON, lacks
    a field or names a strategy outside `allowed` is quarantined with its file and line, never dropped
    silently."""
    out = WrittenRead()
    if paths is None:
        base = ir.files("warmline").joinpath("data/labels/written")
        files = [(f"data/labels/written/{n}", base.joinpath(n).read_bytes()) for n in WRITTEN]
    else:
        files = [(str(p), Path(p).read_bytes()) for p in paths]
    for name, data in files:
        for i, raw in enumerate(data.splitlines(), 1):
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8-sig" if i == 1 else "utf-8")
                out.examples.append(_example(json.loads(text), allowed, name, i))
            except (UnicodeDecodeError, ValueError) as e:  # json's errors are ValueErrors too
                out.quarantined.append(
                    {"file": name, "line": i, "reason": str(e), "raw": raw.decode("utf-8", "replace")[:2000]}
                )
    return out


# Psy-Insight's strategy names (the written examples' and the psyinsight converter's) -> the keys of
# data/labels/strategy.yaml (what `label llm` writes); Role-play has no key there
TAXONOMY_KEYS = {
    "Question": "question",
    "Restatement or Paraphrasing": "restatement",
    "Reflection of Feelings": "reflection_of_feelings",
    "Self-disclosure": "self_disclosure",
    "Affirmation and Reassurance": "affirmation_reassurance",
    "Providing Suggestions": "providing_suggestions",
    "Information": "information",
    "Others": "others",
}


def aligned(written: list[Example], labels: set[str]) -> tuple[list[Example], int]:
    """The written examples whose strategy is one of `labels` (the real training turns'), under the name
    those turns use (Psy-Insight's, or the taxonomy's key), and how many were left out because their
    strategy is not among `labels`: a class that only written examples have would be predicted on real
    turns that never carry it."""
    out, left = [], 0
    for e in written:
        name = e.label if e.label in labels else TAXONOMY_KEYS.get(e.label)
        if name in labels:
            out.append(Example(e.text, name, e.group, e.lang, e.context))
        else:
            left += 1
    return out, left


@dataclass
class ForTraining:
    """What `for_training` gives: the examples to train on, how many were left out (`aligned`), and the lines
    quarantined and where they were written (None when none were)."""

    examples: list[Example]
    left: int
    quarantined: int
    quarantine: Path | None


def for_training(labels: set[str], paths: list[Path] | None, quarantine: Path) -> ForTraining:
    """The written examples (`paths`, default the project's) to train beside real turns labelled with `labels`,
    named as those turns name them; malformed lines are written to `quarantine` with their file and line."""
    from ..formats import Bad, Quarantine

    got = read_written(paths)
    with Quarantine(quarantine) as bad:  # the project's quarantine file, opened at the first bad line
        for q in got.quarantined:
            bad(Bad(q["file"], q["line"], None, q["reason"], q["raw"]))
    extra, left = aligned(got.examples, labels)
    return ForTraining(extra, left, bad.count, quarantine if bad.count else None)
