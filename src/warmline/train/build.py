"""`build-sft` as a function: read dialogues in any format, split into samples, truncate, assign
train/validation/test by source group, and write each split in the chosen form."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import formats
from ..conversation import JsonlWriter
from ..formats import Bad
from .samples import FORMATS, assign_split, render, split_dialogue, truncate

SPLIT_NAMES = ("train", "validation", "test")


@dataclass
class BuildReport:
    format: str
    dialogues: Counter = field(default_factory=Counter)
    samples: Counter = field(default_factory=Counter)
    groups: dict = field(default_factory=dict)
    truncated: Counter = field(default_factory=Counter)
    dropped_turns: Counter = field(default_factory=Counter)
    input_bad: int = 0
    paths: dict = field(default_factory=dict)

    def rows(self) -> list[tuple]:
        return [
            (
                name,
                self.dialogues[name],
                self.samples[name],
                len(self.groups.get(name, ())),
                self.truncated[name],
                self.dropped_turns[name],
            )
            for name in self.paths
            if name != "dataset_info"
        ]

    def to_dict(self) -> dict:
        return {
            "format": self.format,
            "input_bad": self.input_bad,
            "splits": {
                n: {
                    "dialogues": d,
                    "samples": s,
                    "groups": g,
                    "truncated": t,
                    "dropped_turns": x,
                    "path": self.paths[n],
                }
                for n, d, s, g, t, x in self.rows()
            },
            "dataset_info": self.paths.get("dataset_info"),
        }


def token_counter(spec: str | None) -> tuple[Callable[[str], int], Callable[[str, int], str]]:
    """(count, cut) for a tokenizer: 'chars' counts characters; otherwise a transformers tokenizer
    (default: the embedded model's)."""
    if spec == "chars":
        return len, lambda text, n: text[:n]
    from transformers import AutoTokenizer

    from ..backends.embedded import resolve

    path, local = resolve(spec)
    tok = AutoTokenizer.from_pretrained(path, local_files_only=local)

    def count(text: str) -> int:
        return len(tok(text, add_special_tokens=False)["input_ids"])

    def cut(text: str, n: int) -> str:
        """The text of the first n tokens, cut at a character boundary (no broken UTF-8)."""
        offsets = tok(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        return text[: offsets[n - 1][1]] if len(offsets) > n else text

    return count, cut


def split_paths(out: Path, fractions: tuple[float, ...] | None) -> dict[str, Path]:
    if not fractions:
        return {"all": out}
    suffix = out.suffix or ".jsonl"
    stem = out.name[: -len(out.suffix)] if out.suffix else out.name
    return {name: out.with_name(f"{stem}.{name}{suffix}") for name in SPLIT_NAMES[: len(fractions)]}


def build_sft(
    inp: Path,
    out: Path,
    fmt: str,
    max_input_tokens: int | None = None,
    max_target_tokens: int | None = None,
    tokenizer: str | None = None,
    fractions: tuple[float, ...] | None = None,
    seed: int = 0,
    system: str | None = None,
    drop_empty_history: bool = True,
    input_format: str | None = None,
) -> BuildReport:
    if fmt not in FORMATS:
        raise ValueError(f"unknown --format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fractions and (len(fractions) > 3 or abs(sum(fractions) - 1) > 1e-6 or min(fractions) < 0):
        raise ValueError("--split needs up to three fractions that sum to 1, e.g. 0.9,0.05,0.05")
    count = cut = None
    if max_input_tokens or max_target_tokens:
        count, cut = token_counter(tokenizer)
    paths = split_paths(out, fractions)
    report = BuildReport(fmt, paths={k: str(v) for k, v in paths.items()})
    writers = {name: JsonlWriter(p, flush_every=1000) for name, p in paths.items()}
    names = list(paths)
    quarantine = formats.Quarantine(formats.quarantine_path(out))
    try:
        for item in formats.read(inp, input_format):
            if isinstance(item, Bad):
                quarantine(item)
                report.input_bad += 1
                continue
            samples = split_dialogue(item, drop_empty_history)
            if not samples:
                continue
            name = names[assign_split(samples[0].group, fractions, seed)] if fractions else "all"
            report.dialogues[name] += 1
            report.groups.setdefault(name, set()).add(samples[0].group)
            for s in samples:
                if count is not None:
                    s2 = truncate(s, count, max_input_tokens or 10**9, max_target_tokens, fmt, cut)
                    if (
                        s2.dropped_turns
                        or s2.target.text != s.target.text
                        or (s2.history and s.history and s2.history[-1].text != s.history[-1].text)
                    ):
                        report.truncated[name] += 1
                    report.dropped_turns[name] += s2.dropped_turns
                    s = s2
                writers[name].write(render(s, fmt, system))
                report.samples[name] += 1
    finally:
        for w in writers.values():
            w.close()
        quarantine.close()
    if fmt == "alpaca":
        from ..formats.chatml import register_alpaca

        report.paths["dataset_info"] = str(register_alpaca(list(paths.values())))
    return report
