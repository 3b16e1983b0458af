"""SMILECHAT (qiuhuachuan/smile): a directory of JSON files, each a list of
`{role: client|counselor, content, annotation: [{sentence, label}]}`. Sentence annotations become
labelled character spans of the turn text, so they survive a round trip."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..conversation import Dialogue, DialogueError, Turn
from ._io import Bad, ReadOptions, Record, ensure_dir, make_dialogue, need_dict, need_str, read_with, refuse, safe_name

LICENSE = "CC0-1.0"


def parse(obj: Any, rec: Record, opts: ReadOptions) -> Dialogue:
    if not isinstance(obj, list):
        raise DialogueError(f"a SMILECHAT file holds a JSON list of turns, got {type(obj).__name__}")
    turns = []
    for i, t in enumerate(obj):
        t = need_dict(t, f"turn {i}")
        role = t.get("role")
        if role not in ("client", "counselor"):
            raise DialogueError(f"turn {i}: unknown role {role!r} (expected client or counselor)")
        text = need_str(t, "content", f" of turn {i}")
        turns.append(Turn(role, text, spans=_spans(text, t.get("annotation"))))
    stem = os.path.splitext(os.path.basename(rec.file))[0]
    return make_dialogue(f"smilechat-{stem}", turns, opts,
                         provenance={"source": "smilechat", "source_id": stem, "license": LICENSE})


def _spans(text: str, annotation: Any) -> list[dict] | None:
    if not isinstance(annotation, list) or not annotation:
        return None
    spans, cursor = [], 0
    for a in annotation:
        if not isinstance(a, dict) or not isinstance(a.get("sentence"), str):
            raise DialogueError(f"annotation item must be {{sentence, label}}, got {a!r:.80}")
        sent, label = a["sentence"], str(a.get("label") or "")
        at = text.find(sent, cursor)
        if at < 0 or not sent:
            spans.append({"start": None, "end": None, "label": label, "text": sent})
            continue
        spans.append({"start": at, "end": at + len(sent), "label": label})
        cursor = at + len(sent)
    # a single unlabelled span covering the whole text carries no information
    if len(spans) == 1 and not spans[0]["label"] and spans[0].get("start") == 0 and spans[0]["end"] == len(text):
        return None
    return spans


def read(path: Path, opts: ReadOptions):
    return read_with(path, opts, parse, whole_file=True)


def to_record(d: Dialogue) -> list[dict]:
    out = []
    for t in d.turns:
        if t.role == "system":
            raise DialogueError("SMILECHAT has no system turns")
        if t.spans:
            ann = [{"sentence": s["text"] if s.get("start") is None else t.text[s["start"]:s["end"]],
                    "label": s.get("label", "")} for s in t.spans]
        else:
            ann = [{"sentence": t.text, "label": ""}]
        out.append({"role": t.role, "content": t.text, "annotation": ann})
    return out


class Writer:
    """One `NAME.json` per dialogue in the output directory, named after the source id."""

    def __init__(self, out: Path):
        self.dir = ensure_dir(out)
        self._seen: set[str] = set()

    def write(self, d: Dialogue) -> Bad | None:
        try:
            rec = to_record(d)
        except DialogueError as e:
            return refuse(d, "smilechat", e)
        name = safe_name(str(d.provenance.get("source_id") or d.id))
        base, k = name, 1
        while name in self._seen:
            k += 1
            name = f"{base}_{k}"
        self._seen.add(name)
        (self.dir / f"{name}.json").write_text(json.dumps(rec, ensure_ascii=False, indent=2), encoding="utf-8")
        return None

    def close(self) -> None:
        pass
