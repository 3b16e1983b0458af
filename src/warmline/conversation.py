"""warmline's one dialogue type, and streaming JSONL I/O for it.

Every dataset is converted into `Dialogue` at the edges (`warmline.formats`); nothing else reads raw
dataset fields. On disk a dialogue is one JSON object per line: `{"id", "lang", "turns": [{"role",
"text", ...}], "labels"?, "provenance"?, "meta"?, "flags"?}`; empty optional fields are left out.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from . import jsonio

ROLES = ("client", "counselor", "system")
LANGS = ("zh", "en")
LABEL_FIELDS = ("topic", "background", "guide", "summary", "psychotherapy", "theme", "stage", "reasoning", "emotion")
PROVENANCE_FIELDS = (
    "source",
    "source_id",
    "license",
    "generator",
    "method",
    "prompt",
    "prompt_version",
    "seed",
    "temperature",
    "top_p",
)


class DialogueError(ValueError):
    """A record that cannot be a dialogue; the message says why."""


@dataclass(slots=True)
class Turn:
    """One utterance. Labels are optional: strategy/emotion lists, observation (of the client) and
    reasoning (of the counselor) as in Psy-Insight; `spans` are labelled character ranges of `text`
    (PsyQA strategy spans, SMILECHAT sentence annotations); `meta` keeps source fields with no home."""

    role: str
    text: str
    strategy: list[str] | None = None
    emotion: list[str] | None = None
    observation: str | None = None
    reasoning: str | None = None
    spans: list[dict] | None = None
    meta: dict | None = None

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"role": self.role, "text": self.text}
        if self.strategy:
            d["strategy"] = self.strategy
        if self.emotion:
            d["emotion"] = self.emotion
        if self.observation:
            d["observation"] = self.observation
        if self.reasoning:
            d["reasoning"] = self.reasoning
        if self.spans:
            d["spans"] = self.spans
        if self.meta:
            d["meta"] = self.meta
        return d

    @classmethod
    def from_dict(cls, d: Any) -> Turn:
        if not isinstance(d, dict):
            raise DialogueError(f"a turn must be an object, got {type(d).__name__}")
        role, text = d.get("role"), d.get("text")
        if role not in ROLES:
            raise DialogueError(f"unknown role {role!r} (expected one of {', '.join(ROLES)})")
        if not isinstance(text, str):
            raise DialogueError(f"turn text must be a string, got {type(text).__name__}")
        return cls(
            role,
            text,
            d.get("strategy"),
            d.get("emotion"),
            d.get("observation"),
            d.get("reasoning"),
            d.get("spans"),
            d.get("meta"),
        )


@dataclass(slots=True)
class Dialogue:
    """A dialogue: id, language (zh/en), turns, session labels, provenance, source metadata and flags.

    `labels` holds session labels (topic, background, guide, summary, psychotherapy, ...);
    `provenance` says where it came from (source dataset, source id, license, generator model, prompt
    name and version, seed); `flags` records things a converter noticed but kept, such as one role
    speaking twice in a row (`consecutive_role@3` means turn 3 has the same role as turn 2)."""

    id: str
    lang: str
    turns: list[Turn]
    labels: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"id": self.id, "lang": self.lang, "turns": [t.to_dict() for t in self.turns]}
        if self.labels:
            d["labels"] = self.labels
        if self.provenance:
            d["provenance"] = self.provenance
        if self.meta:
            d["meta"] = self.meta
        if self.flags:
            d["flags"] = self.flags
        return d

    @classmethod
    def from_dict(cls, d: Any) -> Dialogue:
        if not isinstance(d, dict):
            raise DialogueError(f"a dialogue must be an object, got {type(d).__name__}")
        turns = d.get("turns")
        if not isinstance(turns, list):
            raise DialogueError("a dialogue needs a list under 'turns'")
        if not turns:
            raise DialogueError("empty dialogue: 'turns' is empty")
        lang = d.get("lang")
        if lang not in LANGS:
            raise DialogueError(f"unknown language {lang!r} (expected zh or en)")
        return cls(
            str(d.get("id", "")),
            lang,
            [Turn.from_dict(t) for t in turns],
            dict(d.get("labels") or {}),
            dict(d.get("provenance") or {}),
            dict(d.get("meta") or {}),
            list(d.get("flags") or []),
        )

    # -- views -----------------------------------------------------------------------------------
    def to_messages(self, system: str | None = None) -> list[dict]:
        """OpenAI-style messages: client -> user, counselor -> assistant."""
        msgs = [{"role": "system", "content": system}] if system else []
        msgs.extend({"role": _OPENAI_ROLE[t.role], "content": t.text} for t in self.turns)
        return msgs

    def role_runs(self) -> list[int]:
        """Indexes of turns whose role equals the previous turn's role."""
        return [i for i in range(1, len(self.turns)) if self.turns[i].role == self.turns[i - 1].role]


_OPENAI_ROLE = {"client": "user", "counselor": "assistant", "system": "system"}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def detect_lang(text: str) -> str:
    """'zh' when at least 20% of the first 300 non-space characters are wide (CJK ideographs and
    punctuation take 3 bytes in UTF-8, Latin letters 1 or 2), else 'en'."""
    if text.isascii():
        return "en"
    sample = "".join(text[:300].split())
    if not sample:
        return "en"
    wide = (len(sample.encode("utf-8", "surrogatepass")) - len(sample)) / 2
    return "zh" if wide >= 0.2 * len(sample) and _CJK.search(sample) else "en"


def flag_consecutive_roles(d: Dialogue, merge: bool = False) -> Dialogue:
    """Apply warmline's rule for one role speaking twice in a row.

    Default: keep both turns and add a flag `consecutive_role@I` for each such turn I, so that no text
    is lost and the place can be found again. With `merge=True` the turns are joined with a newline
    (labels of the later turn are appended) and the dialogue is flagged `merged_consecutive_roles:N`."""
    runs = d.role_runs()
    if not runs:
        return d
    if not merge:
        d.flags.extend(f"consecutive_role@{i}" for i in runs)
        return d
    merged: list[Turn] = []
    for t in d.turns:
        if merged and merged[-1].role == t.role:
            prev = merged[-1]
            offset = len(prev.text) + 1
            prev.text = f"{prev.text}\n{t.text}"
            for name in ("strategy", "emotion"):
                if getattr(t, name):
                    setattr(prev, name, (getattr(prev, name) or []) + getattr(t, name))
            for name in ("observation", "reasoning"):
                if getattr(t, name):
                    setattr(prev, name, "\n".join(x for x in (getattr(prev, name), getattr(t, name)) if x))
            if t.spans:
                prev.spans = (prev.spans or []) + [_shift_span(s, offset) for s in t.spans]
        else:
            merged.append(t)
    d.turns = merged
    d.flags.append(f"merged_consecutive_roles:{len(runs)}")
    return d


def _shift_span(span: dict, offset: int) -> dict:
    if isinstance(span.get("start"), int) and isinstance(span.get("end"), int):
        return {**span, "start": span["start"] + offset, "end": span["end"] + offset}
    return span


# -- JSONL I/O -------------------------------------------------------------------------------------


def read_jsonl(path: str | os.PathLike) -> Iterator[Dialogue]:
    """Stream dialogues from a warmline JSONL file. Raises DialogueError naming file and line on a bad
    record; use `warmline.formats` to read with quarantine instead."""
    path = Path(path)
    with path.open("r", encoding="utf-8-sig") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                yield Dialogue.from_dict(jsonio.loads(line))
            except (json.JSONDecodeError, DialogueError) as e:
                raise DialogueError(f"{path}:{lineno}: {e}") from None


class JsonlWriter:
    """Append JSON objects one per line. Each record is written with a single `write` of a complete
    line and flushed, so a killed process leaves at most one partial last line, which
    `repair_partial_tail` removes on restart."""

    def __init__(self, path: str | os.PathLike, append: bool = False, flush_every: int = 1):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if append:
            repair_partial_tail(self.path)
        self._f: IO[bytes] = self.path.open("ab" if append else "wb")
        self._flush_every = max(1, flush_every)
        self._pending = 0
        self.count = 0

    def write(self, obj: dict | Dialogue) -> None:
        if isinstance(obj, Dialogue):
            obj = obj.to_dict()
        self._f.write(jsonio.dumpb(obj))
        self.count += 1
        self._pending += 1
        if self._pending >= self._flush_every:
            self._f.flush()
            self._pending = 0

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_jsonl_dicts(path: str | os.PathLike) -> Iterator[dict]:
    """The JSON objects of a JSONL file this process appends to (results, caches), after cutting a
    partial last line left by a killed run."""
    p = Path(path)
    repair_partial_tail(p)
    with p.open("rb") as f:
        for line in f:
            if line.strip():
                yield jsonio.loads(line)


def write_jsonl(dialogues: Iterable[Dialogue | dict], path: str | os.PathLike) -> int:
    """Write dialogues (or dicts) one per line, streaming; returns the count."""
    with JsonlWriter(path, flush_every=1000) as w:
        for d in dialogues:
            w.write(d)
        return w.count


def repair_partial_tail(path: Path) -> int:
    """Cut a trailing line that has no newline (a write interrupted by a kill). Returns bytes cut."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    with path.open("rb+") as f:
        size = f.seek(0, os.SEEK_END)
        pos, chunk = size, 4096
        while pos > 0:
            step = min(chunk, pos)
            f.seek(pos - step)
            buf = f.read(step)
            if pos == size and buf.endswith(b"\n"):
                return 0
            nl = buf.rfind(b"\n")
            if nl >= 0:
                keep = pos - step + nl + 1
                f.truncate(keep)
                return size - keep
            pos -= step
        f.truncate(0)
        return size
