"""Psy-Insight sessions: `{dialog_id, theme, psychotherapy, topic, stage, guide, background, reasoning,
summary, dialog: [{speaker, participant, content, id, observation, "emotional label", reasoning,
strategy}]}`, with every session and turn label kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..conversation import Dialogue, DialogueError, Turn
from .fields import make_dialogue, need_dict, need_list, need_str, role_of
from .reading import default_id, read_with
from .records import ReadOptions, Record
from .writers import RecordWriter

SESSION = ("theme", "psychotherapy", "topic", "stage", "guide", "background", "reasoning", "summary")
_TURN_KNOWN = {"speaker", "participant", "content", "observation", "emotional label", "reasoning", "strategy"}


def _str_list(v: Any, what: str) -> list[str] | None:
    if v in (None, "", []):
        return None
    if isinstance(v, str):
        return [v]
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return v
    raise DialogueError(f"{what} must be a list of strings, got {v!r:.60}")


def parse(obj: Any, rec: Record, opts: ReadOptions) -> Dialogue:
    obj = need_dict(obj, "a Psy-Insight session")
    turns = []
    for i, t in enumerate(need_list(obj, "dialog")):
        t = need_dict(t, f"dialog[{i}]")
        role = role_of(t.get("speaker") or t.get("participant"))
        extra = {k: v for k, v in t.items() if k not in _TURN_KNOWN}
        if t.get("participant") is not None:
            extra["participant"] = t["participant"]
        if t.get("speaker") is not None:
            extra["speaker"] = t["speaker"]
        turns.append(
            Turn(
                role,
                need_str(t, "content", f" of dialog[{i}]"),
                strategy=_str_list(t.get("strategy"), f"dialog[{i}].strategy"),
                emotion=_str_list(t.get("emotional label"), f"dialog[{i}].emotional label"),
                observation=t.get("observation") or None,
                reasoning=t.get("reasoning") or None,
                meta=extra or None,
            )
        )
    labels = {k: obj[k] for k in SESSION if obj.get(k) not in (None, "")}
    meta = {k: v for k, v in obj.items() if k not in SESSION and k not in ("dialog", "dialog_id")}
    sid = str(obj.get("dialog_id") or default_id(rec))
    return make_dialogue(
        f"psyinsight-{sid}",
        turns,
        opts,
        labels=labels,
        meta=meta,
        provenance={"source": "psy-insight", "source_id": sid},
    )


def read(path: Path, opts: ReadOptions):
    return read_with(path, opts, parse)


_SPEAKER = {"client": ("Seeker", "Client"), "counselor": ("Supporter", "Therapist")}


def to_record(d: Dialogue) -> dict:
    out: dict[str, Any] = {"dialog_id": d.provenance.get("source_id") or d.id}
    for k in SESSION:
        out[k] = d.labels.get(k, "")
    out.update(d.meta)
    dialog = []
    for t in d.turns:
        if t.role == "system":
            raise DialogueError("Psy-Insight has no system turns")
        meta = dict(t.meta or {})
        speaker, participant = _SPEAKER[t.role]
        item: dict[str, Any] = {
            "speaker": meta.pop("speaker", speaker),
            "participant": meta.pop("participant", participant),
            "content": t.text,
        }
        item.update(meta)
        if t.observation:
            item["observation"] = t.observation
        if t.emotion:
            item["emotional label"] = t.emotion
        if t.reasoning:
            item["reasoning"] = t.reasoning
        if t.strategy:
            item["strategy"] = t.strategy
        dialog.append(item)
    out["dialog"] = dialog
    return out


def Writer(out: Path) -> RecordWriter:
    return RecordWriter(out, to_record, "psyinsight")
