"""Cleaning of source Q&A before the LLM: ordered wording replacements, pattern and sentence removal,
and length truncation, all from a config file (`data/synth/cleaning.yaml` by default)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources as ir
from pathlib import Path

import yaml

_SENT = re.compile(r"[^。！？!?\n]+[。！？!?\n]*|[。！？!?\n]+")


@dataclass
class CleaningConfig:
    replacements: list[tuple[str, str]] = field(default_factory=list)
    remove_patterns: list[str] = field(default_factory=list)
    remove_sentences_with: list[str] = field(default_factory=list)
    max_chars: int = 0

    @classmethod
    def load(cls, path: str | Path | None = None) -> CleaningConfig:
        text = (
            Path(path).read_text(encoding="utf-8")
            if path
            else ir.files("warmline").joinpath("data/synth/cleaning.yaml").read_text(encoding="utf-8")
        )
        data = yaml.safe_load(text) or {}
        unknown = set(data) - {"replacements", "remove_patterns", "remove_sentences_with", "max_chars"}
        if unknown:
            raise ValueError(f"{path}: unknown cleaning keys {', '.join(sorted(unknown))}")
        reps = []
        for i, pair in enumerate(data.get("replacements") or []):
            if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
                raise ValueError(f"{path or 'cleaning.yaml'}: replacements[{i}] must be a [from, to] pair of strings")
            reps.append((pair[0], pair[1]))
        for p in data.get("remove_patterns") or []:
            re.compile(p)
        return cls(
            reps,
            list(data.get("remove_patterns") or []),
            list(data.get("remove_sentences_with") or []),
            int(data.get("max_chars") or 0),
        )


def clean_text(text: str, cfg: CleaningConfig) -> str:
    for old, new in cfg.replacements:  # in order: "楼主你" before "楼主"
        text = text.replace(old, new)
    for pattern in cfg.remove_patterns:
        text = re.sub(pattern, "", text, flags=re.MULTILINE)
    if cfg.remove_sentences_with:
        text = "".join(s for s in _SENT.findall(text) if not any(w in s for w in cfg.remove_sentences_with))
    return text.strip()


def clean_pair(question: str, answer: str, cfg: CleaningConfig) -> tuple[str, str, bool]:
    """Cleaned question and answer, and whether they were truncated to `max_chars` together (the
    answer is cut, at a sentence end when one is near)."""
    q, a = clean_text(question, cfg), clean_text(answer, cfg)
    if not cfg.max_chars or len(q) + len(a) <= cfg.max_chars:
        return q, a, False
    if len(q) >= cfg.max_chars:
        return q[: cfg.max_chars], "", True
    budget = cfg.max_chars - len(q)
    cut = a[:budget]
    end = max(cut.rfind(p) for p in "。！？!?.\n")
    if end >= budget * 0.6:
        cut = cut[: end + 1]
    return q, cut.strip(), True
