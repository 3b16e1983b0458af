"""Fast JSON for corpus I/O: orjson when installed (a dependency), the standard library otherwise.
Both produce the same values; output is UTF-8 without ASCII escaping."""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson

    def dumps(obj: Any) -> str:
        try:
            return orjson.dumps(obj).decode("utf-8")
        except TypeError:  # e.g. integers beyond 64 bits: the standard library handles them
            return json.dumps(obj, ensure_ascii=False)

    def dumpb(obj: Any) -> bytes:
        """One JSON line as UTF-8 bytes, newline included."""
        try:
            return orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE)
        except TypeError:
            return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")

    def loads(data: str | bytes) -> Any:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            return json.loads(data)  # raises json.JSONDecodeError with line and column

except ImportError:  # pragma: no cover - orjson is a declared dependency

    def dumps(obj: Any) -> str:
        return json.dumps(obj, ensure_ascii=False)

    def dumpb(obj: Any) -> bytes:
        return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")

    def loads(data: str | bytes) -> Any:
        return json.loads(data)
