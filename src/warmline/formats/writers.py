"""Streaming writers: raw records to a JSONL file or a streamed JSON array, one record per dialogue, and
refusals of dialogues a format cannot express (quarantined at the write stage)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import jsonio
from ..conversation import Dialogue, DialogueError
from .records import Bad


class RecordSink:
    """Writes raw records to OUT: `.jsonl` one per line, `.json` a streamed JSON array."""

    def __init__(self, out: Path):
        out.parent.mkdir(parents=True, exist_ok=True)
        self._array = out.suffix.lower() == ".json"
        self._f = out.open("wb")
        self._n = 0
        if self._array:
            self._f.write(b"[\n")

    def put(self, obj: Any) -> None:
        if self._array:
            text = json.dumps(obj, ensure_ascii=False, indent=1)
            self._f.write(((",\n" if self._n else "") + text).encode("utf-8"))
        else:
            self._f.write(jsonio.dumpb(obj))
        self._n += 1

    def close(self) -> None:
        if self._array:
            self._f.write(b"\n]\n")
        self._f.close()


def ensure_dir(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise ValueError(
            f"{out} exists and is not a directory; this format writes one file per dialogue into a directory"
        )
    out.mkdir(parents=True, exist_ok=True)
    return out


def safe_name(s: str) -> str:
    return re.sub(r"[^\w.-]+", "_", s).strip("._") or "dialogue"


def refuse(d: Dialogue, fmt: str, err: Exception) -> Bad:
    """A dialogue that cannot be expressed in the target format: quarantined at the write stage."""
    return Bad(d.id, None, None, f"cannot be written as {fmt}: {err}", d.to_dict(), "write")


class RecordWriter:
    """Writer for formats where each dialogue becomes one record via `to_record`."""

    def __init__(self, out: Path, to_record: Callable[[Dialogue], Any], fmt: str):
        self.sink = RecordSink(out)
        self.to_record = to_record
        self.fmt = fmt

    def write(self, d: Dialogue) -> Bad | None:
        try:
            rec = self.to_record(d)
        except DialogueError as e:
            return refuse(d, self.fmt, e)
        self.sink.put(rec)
        return None

    def close(self) -> None:
        self.sink.close()
