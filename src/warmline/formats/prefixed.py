"""Dialogues as lists of role-prefixed strings: "求助者：/支持者：" (SMILE v1, CPsyCounE),
"用户：/心理咨询师：" (SoulChat), "来访者：/心理咨询师：" (CPsyCounD plain text) and English
"Client:/Counselor:". Reading accepts any of these prefixes (full-width or ASCII colon); writing uses
the style the format name says."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..conversation import Dialogue, DialogueError, Turn
from .decoding import decode_hint, read_text
from .fields import make_dialogue, role_of
from .reading import default_id, list_files, read_with
from .records import Bad, ReadOptions, Record
from .writers import RecordSink, ensure_dir, refuse, safe_name

# style -> (client prefix, counselor prefix, separator)
STYLES = {
    "smile": ("求助者", "支持者", "："),
    "soulchat": ("用户", "心理咨询师", "："),
    "cpsycound": ("来访者", "心理咨询师", "："),
    "en": ("Client", "Counselor", ": "),
}
_NAMES = sorted(
    {
        "求助者",
        "支持者",
        "用户",
        "心理咨询师",
        "来访者",
        "咨询师",
        "Client",
        "Counselor",
        "Counsellor",
        "User",
        "Seeker",
        "Supporter",
        "Therapist",
    },
    key=len,
    reverse=True,
)
PREFIX = re.compile(r"^\s*(" + "|".join(_NAMES) + r")\s*[：:]\s?", re.IGNORECASE)


def style_of(line: str) -> str | None:
    """The style whose client or counselor prefix starts `line`, if any."""
    m = PREFIX.match(line)
    if not m:
        return None
    name = m.group(1)
    for style, (c, s, _) in STYLES.items():
        if name.lower() in (c.lower(), s.lower()):
            return style
    return "en"


def parse_lines(items: list, where: str = "item") -> list[Turn]:
    turns = []
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise DialogueError(f"{where} {i} must be a string, got {type(item).__name__}")
        m = PREFIX.match(item)
        if not m:
            raise DialogueError(
                f"{where} {i} has no role prefix such as 求助者：/支持者：/用户：/心理咨询师：/"
                f"Client:/Counselor: ({item[:40]!r})"
            )
        turns.append(Turn(role_of(m.group(1)), item[m.end() :].strip()))
    return turns


def parse(obj: Any, rec: Record, opts: ReadOptions) -> Dialogue | list[Dialogue]:
    if isinstance(obj, list) and obj and all(isinstance(x, list) for x in obj):
        return [_one(x, rec, opts, f"{default_id(rec)}-{k}") for k, x in enumerate(obj)]
    if isinstance(obj, dict) and isinstance(obj.get("dialogue") or obj.get("conversation"), list):
        return _one(obj.get("dialogue") or obj.get("conversation"), rec, opts, str(obj.get("id") or default_id(rec)))
    if not isinstance(obj, list):
        raise DialogueError(f"expected a JSON list of prefixed strings, got {type(obj).__name__}")
    return _one(obj, rec, opts, Path(rec.file).stem if rec.file.endswith(".json") else default_id(rec))


def _one(items: list, rec: Record, opts: ReadOptions, id_: str) -> Dialogue:
    style = style_of(items[0]) if items and isinstance(items[0], str) else None
    return make_dialogue(
        id_,
        parse_lines(items),
        opts,
        provenance={"source": "prefixed", "source_id": id_},
        meta={"style": style} if style else {},
    )


def read(path: Path, opts: ReadOptions):
    return read_with(path, opts, parse, whole_file=True)


def render_lines(d: Dialogue, style: str) -> list[str]:
    client, counselor, sep = STYLES[style]
    out = []
    for t in d.turns:
        if t.role == "system":
            raise DialogueError("prefixed lists have no system turns")
        out.append(f"{client if t.role == 'client' else counselor}{sep}{t.text}")
    return out


class ListWriter:
    """`.jsonl`: one list per line; `.json`: an array of lists; otherwise a directory with one `.json`
    list per dialogue (the CPsyCounE layout)."""

    def __init__(self, out: Path, style: str):
        self.style = style
        self.dir = None if out.suffix.lower() in (".json", ".jsonl") else ensure_dir(out)
        self.sink = None if self.dir else RecordSink(out)

    def write(self, d: Dialogue) -> Bad | None:
        try:
            lines = render_lines(d, self.style)
        except DialogueError as e:
            return refuse(d, f"{self.style}-list", e)
        if self.sink:
            self.sink.put(lines)
        else:
            import json

            (self.dir / f"{safe_name(d.id)}.json").write_text(
                json.dumps(lines, ensure_ascii=False, indent=1), encoding="utf-8"
            )
        return None

    def close(self) -> None:
        if self.sink:
            self.sink.close()


# -- CPsyCounD plain text: one file per dialogue, one paragraph per utterance -------------------------


def read_text_dialogues(path: Path, opts: ReadOptions):
    for index, name in enumerate(list_files(path, (".txt",))):
        f = Path(name)
        try:
            text = read_text(f, opts.encoding)
        except UnicodeDecodeError as e:
            yield Bad(str(f), None, index, decode_hint(e, opts.encoding))
            continue
        try:
            yield make_dialogue(
                f.stem, _parse_text(text, f), opts, provenance={"source": "cpsycound", "source_id": f.stem}
            )
        except DialogueError as e:
            yield Bad(str(f), getattr(e, "line", None), index, str(e), text)


def _parse_text(text: str, f: Path) -> list[Turn]:
    turns: list[Turn] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = PREFIX.match(line)
        if m:
            turns.append(Turn(role_of(m.group(1)), line[m.end() :].strip()))
        elif turns:
            turns[-1].text += "\n" + line.strip()
        else:
            err = DialogueError(f"line {lineno} has no role prefix (来访者：/心理咨询师：/Client:/Counselor:)")
            err.line = lineno  # type: ignore[attr-defined]
            raise err
    return turns


class TextWriter:
    """A directory with one `.txt` per dialogue, one utterance per paragraph."""

    def __init__(self, out: Path, style: str = "cpsycound"):
        self.dir = ensure_dir(out)
        self.style = style

    def write(self, d: Dialogue) -> Bad | None:
        try:
            lines = render_lines(d, self.style)
        except DialogueError as e:
            return refuse(d, "cpsycound", e)
        (self.dir / f"{safe_name(d.id)}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return None

    def close(self) -> None:
        pass
