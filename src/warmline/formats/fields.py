"""Checks on raw fields that raise DialogueError saying which field is wrong, role names, and building
a dialogue with its language detected."""

from __future__ import annotations

from typing import Any

from ..conversation import Dialogue, DialogueError, Turn, detect_lang
from .records import ReadOptions

CLIENT_NAMES = {"client", "seeker", "usr", "user", "human", "patient", "求助者", "来访者", "用户", "访客"}
COUNSELOR_NAMES = {
    "counselor",
    "counsellor",
    "supporter",
    "therapist",
    "sys",
    "assistant",
    "gpt",
    "bot",
    "支持者",
    "心理咨询师",
    "咨询师",
    "咨询者",
}


def role_of(name: Any) -> str:
    key = str(name).strip().lower() if name is not None else ""
    if key in CLIENT_NAMES:
        return "client"
    if key in COUNSELOR_NAMES:
        return "counselor"
    if key == "system":
        return "system"
    raise DialogueError(f"unknown role {name!r}")


def need_str(obj: Any, key: str, where: str = "") -> str:
    val = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(val, str):
        got = "missing" if val is None else type(val).__name__
        raise DialogueError(f"field {key!r}{where} must be a string ({got})")
    return val


def need_list(obj: Any, key: str) -> list:
    val = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(val, list):
        got = "missing" if val is None else type(val).__name__
        raise DialogueError(f"field {key!r} must be a list ({got})")
    return val


def need_dict(obj: Any, what: str) -> dict:
    if not isinstance(obj, dict):
        raise DialogueError(f"{what} must be a JSON object, got {type(obj).__name__}")
    return obj


def make_dialogue(id_: str, turns: list[Turn], opts: ReadOptions, **kw: Any) -> Dialogue:
    """Build a dialogue, refusing empty ones, detecting the language from the opening turns."""
    if not turns:
        raise DialogueError("empty dialogue: no turns")
    if not any(t.text.strip() for t in turns):
        raise DialogueError("empty dialogue: every turn is blank")
    return Dialogue(id_, opts.lang or detect_lang(_opening(turns)), turns, **kw)


def _opening(turns: list[Turn]) -> str:
    text = turns[0].text
    for t in turns[1:6]:
        if len(text) >= 300:
            break
        text += " " + t.text
    return text
