"""After the LLM: parse its text into turns and reject, with reasons, what does not meet the method's
requirements; flag advice dumps; apply the safety string filter. Reason codes are short so that
summaries can count them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources as ir
from pathlib import Path

import yaml

from ..conversation import Turn, detect_lang
from ..replies import is_advice_dump
from .prompts import Rules, Template

_NORM = re.compile(r"[\s，。！？、,.!?~…]+")


@dataclass
class FilterConfig:
    safety_strings: dict = field(default_factory=dict)
    safety_action: str = "flag"
    max_utterance: dict = field(default_factory=lambda: {"zh": 300, "en": 150})

    @classmethod
    def load(cls, path: str | Path | None = None, safety_action: str | None = None) -> FilterConfig:
        text = (
            Path(path).read_text(encoding="utf-8")
            if path
            else ir.files("warmline").joinpath("data/synth/filters.yaml").read_text(encoding="utf-8")
        )
        data = yaml.safe_load(text) or {}
        unknown = set(data) - {"safety_strings", "safety_action", "max_utterance"}
        if unknown:
            raise ValueError(f"{path}: unknown filter keys {', '.join(sorted(unknown))}")
        cfg = cls(
            dict(data.get("safety_strings") or {}),
            safety_action or data.get("safety_action", "flag"),
            {**{"zh": 300, "en": 150}, **(data.get("max_utterance") or {})},
        )
        if cfg.safety_action not in ("flag", "drop"):
            raise ValueError(f"safety_action must be flag or drop, got {cfg.safety_action!r}")
        return cfg


def parse_turns(text: str, tpl: Template) -> tuple[list[Turn], list[str]]:
    """Turns from the model's text, and rejection reasons. Text before the dialogue marker (SoulChat's
    step-by-step analysis), or before the first prefixed line, is not part of the dialogue."""
    if tpl.marker and tpl.marker in text:
        text = text.split(tpl.marker, 1)[1]
    prefix = re.compile(r"^\s*\**\s*(" + re.escape(tpl.client) + "|" + re.escape(tpl.counselor) + r")\s*\**\s*[：:]\s*")
    lines = [ln for ln in text.replace("\r", "").split("\n") if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if prefix.match(ln)), None)
    if start is None:
        return [], ["no_dialogue"]
    turns, reasons = [], []
    for ln in lines[start:]:
        m = prefix.match(ln)
        if not m:
            reasons.append("missing_prefix")
            break
        turns.append(Turn("client" if m.group(1) == tpl.client else "counselor", ln[m.end() :].strip()))
    return turns, reasons


def check(turns: list[Turn], rules: Rules, lang: str, filters: FilterConfig) -> tuple[list[str], list[str]]:
    """(rejection reasons, flags) for parsed turns."""
    reasons: list[str] = []
    flags: list[str] = []
    if not turns:
        return ["no_dialogue"], flags
    if turns[0].role != "client":
        reasons.append("not_starting_with_client")
    if any(a.role == b.role for a, b in zip(turns, turns[1:])):
        reasons.append("roles_not_alternating")
    exchanges = sum(1 for t in turns if t.role == "counselor")
    if exchanges < rules.min_turns:
        reasons.append("too_few_turns")
    if rules.max_turns and exchanges > rules.max_turns:
        reasons.append("too_many_turns")
    if rules.end_with_counselor and turns[-1].role != "counselor":
        reasons.append("not_ending_with_counselor")
    if any("\\n" in t.text for t in turns):
        reasons.append("escaped_newline")
    if any(not t.text for t in turns):
        reasons.append("empty_utterance")
    limit = filters.max_utterance.get(lang, 300)
    if any((len(t.text) if lang == "zh" else len(t.text.split())) > limit for t in turns):
        reasons.append("utterance_too_long")
    seen = set()
    for t in turns:
        key = _NORM.sub("", t.text)
        if len(key) >= 6 and key in seen:
            reasons.append("repetitive")
            break
        seen.add(key)
    if detect_lang(" ".join(t.text for t in turns)) != lang:
        reasons.append("wrong_language")
    hits = [s for s in filters.safety_strings.get(lang, []) if any(s in t.text for t in turns)]
    if hits:
        if filters.safety_action == "drop":
            reasons.append("safety_filter")
        flags.extend(f"safety:{s}" for s in hits)
    flags.extend(f"advice_dump@{i}" for i, t in enumerate(turns) if t.role == "counselor" and is_advice_dump(t.text))
    return reasons, flags
