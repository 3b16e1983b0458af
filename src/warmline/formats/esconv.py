"""ESConv: `{experience_type, emotion_type, problem_type, situation, survey_score, dialog: [{speaker:
seeker|supporter, annotation: {strategy, feedback}, content}]}`; the Hugging Face copy names turns
`{text, speaker: usr|sys, strategy}` and may wrap the whole record as a JSON string under `text`.
The Hugging Face files (`train.txt`/`valid.txt`/`test.txt`, often renamed `.json`) hold one dialogue per
line and are read line by line. problem_type becomes the topic label, situation the background,
emotion_type the emotion label; each strategy becomes its key in warmline's strategy taxonomy
(`formats.strategies`), ESConv's own name staying in the turn's meta as `strategy`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..conversation import Dialogue, DialogueError, Turn
from .fields import make_dialogue, need_dict, need_list, role_of
from .reading import default_id, read_with
from .records import ReadOptions, Record
from .strategies import esconv_key, esconv_name
from .writers import RecordWriter

LICENSE = "CC-BY-NC-4.0"
_TURN_FIELDS = {"content", "text", "speaker", "annotation", "strategy"}
_LABELS = {"problem_type": "topic", "situation": "background", "emotion_type": "emotion"}


def parse(obj: Any, rec: Record, opts: ReadOptions) -> Dialogue:
    obj = need_dict(obj, "an ESConv record")
    if "dialog" not in obj and isinstance(obj.get("text"), str):
        try:
            obj = need_dict(json.loads(obj["text"]), "the record under 'text'")
        except json.JSONDecodeError as e:
            raise DialogueError(f"'text' holds invalid JSON: {e.msg}") from None
    turns = []
    for i, t in enumerate(need_list(obj, "dialog")):
        t = need_dict(t, f"dialog[{i}]")
        text = t.get("content", t.get("text"))
        if not isinstance(text, str):
            raise DialogueError(f"dialog[{i}] needs 'content' (or 'text') as a string")
        ann = t.get("annotation") if isinstance(t.get("annotation"), dict) else {}
        strategy = ann.get("strategy", t.get("strategy"))
        meta = {k: v for k, v in ann.items() if k != "strategy"}
        meta.update((k, v) for k, v in t.items() if k not in _TURN_FIELDS)  # nothing dropped
        keys = None
        if isinstance(strategy, str) and strategy:
            keys, meta["strategy"] = [esconv_key(strategy)], strategy
        turns.append(Turn(role_of(t.get("speaker")), text.strip(), strategy=keys, meta=meta or None))
    labels = {new: obj[old] for old, new in _LABELS.items() if obj.get(old) not in (None, "")}
    meta = {k: v for k, v in obj.items() if k not in _LABELS and k != "dialog"}
    sid = str(obj.get("id", default_id(rec)))
    return make_dialogue(
        f"esconv-{sid}",
        turns,
        opts,
        labels=labels,
        meta=meta,
        provenance={"source": "esconv", "source_id": sid, "license": LICENSE},
    )


def read(path: Path, opts: ReadOptions):
    return read_with(path, opts, parse, suffixes=(".json", ".jsonl", ".txt"))


def to_record(d: Dialogue) -> dict:
    out: dict[str, Any] = {old: d.labels.get(new, "") for old, new in _LABELS.items()}
    out.update(d.meta)
    dialog = []
    for t in d.turns:
        if t.role == "system":
            raise DialogueError("ESConv has no system turns")
        ann = dict(t.meta or {})
        if t.strategy and "strategy" not in ann:  # ESConv's own name, kept when it was read from ESConv
            names = [esconv_name(k) for k in t.strategy]
            ann["strategy"] = names[0] if len(names) == 1 else names
        item: dict[str, Any] = {
            "speaker": "seeker" if t.role == "client" else "supporter",
            "annotation": ann,
            "content": t.text,
        }
        dialog.append(item)
    out["dialog"] = dialog
    return out


def Writer(out: Path) -> RecordWriter:
    return RecordWriter(out, to_record, "esconv")
