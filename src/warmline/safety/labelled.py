"""Messages to screen from a file: JSONL objects with 'text' (and 'risk' when labelled), or plain text one
message a line; malformed lines go to a quarantine file with file and line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from .detect import LEVELS


def _parse(line: str, labelled: bool) -> dict:
    row = json.loads(line)
    if not isinstance(row, dict) or not isinstance(row.get("text"), str):
        raise ValueError("expected a JSON object with a 'text' string")
    if labelled and row.get("risk") not in LEVELS:
        raise ValueError("expected 'risk': none, elevated or imminent")
    context, asked = _context(row.get("context") or [])
    if row.get("asked") is not None:
        if not isinstance(row["asked"], str):
            raise ValueError("'asked' must be a string: what the assistant said just before the message")
        asked = row["asked"]
    return {**row, "context": context, "asked": asked}


def _context(context) -> tuple[list[str], str | None]:
    """(the person's earlier messages, what the assistant said after the last of them or None) from a row's
    'context': a list of the person's earlier messages, or of {role, content} turns, oldest first."""
    if not isinstance(context, list):
        raise ValueError("'context' must be a list of earlier messages or of {role, content} turns")
    if all(isinstance(c, str) for c in context):
        return context, None
    users: list[str] = []
    said: list[str] = []
    for c in context:
        if not (
            isinstance(c, dict)
            and c.get("role") in ("user", "assistant", "system")
            and isinstance(c.get("content"), str)
        ):
            raise ValueError("'context' turns must be {role: user|assistant|system, content: string}")
        if c["role"] == "user":
            users.append(c["content"])
            said = []
        elif c["role"] == "assistant":
            said.append(c["content"])
    return users, "\n".join(said) or None


def read_messages(
    file: Path,
    quarantine: Path | None = None,
    labelled: bool = False,
    shared=None,
    warn: Callable[[str], None] | None = None,
) -> tuple[list[dict], int]:
    """Messages from FILE: JSONL objects with 'text' (and 'risk' when `labelled`; optionally 'context',
    the person's earlier messages or the conversation's {role, content} turns, oldest first; 'asked', what the
    assistant said just before the message, when 'context' does not end with it; 'kind' and 'lang'), or, unless
    `labelled`, plain text
    one message a line. Malformed lines go to the quarantine file (default FILE.quarantine.jsonl; `shared`, an
    open `Quarantine`, when several files share one) with file and line, and `warn` hears how many. Returns
    the messages (each with its 'line') and how many lines were quarantined; raises ValueError, saying what
    is wrong, when the file is missing or holds no message."""
    from ..formats import Bad, Quarantine, quarantine_path

    if not file.is_file():
        raise ValueError(f"{file} does not exist")
    lines = file.read_text(encoding="utf-8-sig").splitlines()
    if file.suffix != ".jsonl" and not labelled:
        return [{"text": x, "context": [], "asked": None} for x in lines if x.strip()], 0
    quarantine = shared.path if shared is not None else quarantine or quarantine_path(file)
    rows: list[dict] = []
    first = ""
    bad = shared if shared is not None else Quarantine(quarantine, replace=True)
    before = bad.count
    try:
        for i, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rows.append({**_parse(line, labelled), "line": i})
            except ValueError as e:  # json.JSONDecodeError is a ValueError
                bad(Bad(str(file), i, None, f"{type(e).__name__}: {e}", line))
                first = first or f"{file}:{i}: {e}"
    finally:
        if shared is None:
            bad.close()
    if bad.count > before and warn is not None:
        warn(f"{bad.count - before} malformed line(s) of {file} quarantined in {quarantine} (first: {first})")
    if not rows:
        raise ValueError(f"{file}: no messages could be read")
    return rows, bad.count - before
