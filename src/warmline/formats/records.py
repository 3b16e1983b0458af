"""The records converters pass around: `Bad` (a record that could not be converted, kept for the
quarantine file with its file, line and reason), `Record` (one raw record and where it came from) and
`ReadOptions`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RAW_LIMIT = 2000


@dataclass(slots=True)
class Bad:
    """A record that could not be converted. Goes to the quarantine file, never dropped."""

    file: str
    line: int | None
    index: int | None
    reason: str
    raw: Any = None
    stage: str = "read"

    def to_dict(self) -> dict:
        raw = self.raw
        if isinstance(raw, (bytes, bytearray)):
            raw = raw[:RAW_LIMIT].decode("utf-8", "backslashreplace")
        elif isinstance(raw, str):
            raw = raw[:RAW_LIMIT]
        return {
            "file": self.file,
            "line": self.line,
            "index": self.index,
            "stage": self.stage,
            "reason": self.reason,
            "raw": raw,
        }

    def where(self) -> str:
        loc = self.file
        if self.line is not None:
            loc += f":{self.line}"
        if self.index is not None:
            loc += f" (record {self.index})"
        return loc


@dataclass(slots=True)
class Record:
    """One raw record with where it came from."""

    file: str
    line: int | None
    index: int
    obj: Any


@dataclass(slots=True)
class ReadOptions:
    encoding: str = "utf-8"
    lang: str | None = None  # force a language instead of detecting it
    merge_consecutive: bool = False
    counter: dict | None = None  # receives {"blank_lines": N}
