"""SMILECHAT (qiuhuachuan/smile): a directory of JSON files, each a list of
`{role: client|counselor, content, annotation: [{sentence, label}]}`. Sentence annotations become
labelled character spans of the turn text, so they survive a round trip."""

from __future__ import annotations

import json
import os
from itertools import accumulate
from pathlib import Path
from typing import Any

from ..conversation import Dialogue, DialogueError, Turn
from .fields import make_dialogue, need_dict, need_str
from .reading import read_with
from .records import Bad, ReadOptions, Record
from .writers import ensure_dir, refuse, safe_name

LICENSE = "CC0-1.0"


def parse(obj: Any, rec: Record, opts: ReadOptions) -> Dialogue:
    if not isinstance(obj, list):
        raise DialogueError(f"a SMILECHAT file holds a JSON list of turns, got {type(obj).__name__}")
    turns = []
    append = turns.append
    for i, t in enumerate(obj):
        try:
            role, text, ann = t["role"], t["content"], t.get("annotation")
        except (TypeError, KeyError, AttributeError):
            need_str(need_dict(t, f"turn {i}"), "content", f" of turn {i}")
            raise DialogueError(f"turn {i} has no 'role'") from None
        if role != "client" and role != "counselor":
            raise DialogueError(f"turn {i}: unknown role {role!r} (expected client or counselor)")
        if text.__class__ is not str:
            need_str(t, "content", f" of turn {i}")
        spans, meta = _spans(text, ann) if ann is not None else (None, None)
        append(Turn(role, text, None, None, None, None, spans, meta))
    stem = os.path.splitext(os.path.basename(rec.file))[0]
    return make_dialogue(
        f"smilechat-{stem}", turns, opts, provenance={"source": "smilechat", "source_id": stem, "license": LICENSE}
    )


def _spans(text: str, annotation: Any) -> tuple[list[dict] | None, dict | None]:
    """Sentence annotations -> (labelled spans, meta). The sentence segmentation is kept compactly as
    `meta.sentence_ends` when the sentences tile the text exactly (as in the released corpus), else as
    `meta.sentences`; labelled sentences also become character spans `{start, end, label}`. An empty
    annotation list is kept as `meta.sentences = []` (no annotated sentence), so that counts of
    annotated sentences (SMILE's Table 3) stay exact; a turn without meta holds one sentence, its text."""
    if annotation == []:
        return None, {"sentences": []}
    if not annotation or not isinstance(annotation, list):
        return None, None
    try:
        sents = [a["sentence"] for a in annotation]
        tiled = "".join(sents) == text
    except (TypeError, KeyError):
        raise DialogueError(
            f"annotation items must be {{sentence, label}} with string sentences, got {annotation!r:.80}"
        ) from None
    if tiled:
        ends = list(accumulate(map(len, sents)))
        spans = [
            {"start": ends[i] - len(sents[i]), "end": ends[i], "label": str(annotation[i]["label"])}
            for i, a in enumerate(annotation)
            if a.get("label")
        ]
        return spans or None, (None if len(ends) == 1 else {"sentence_ends": ends})
    labels = [a.get("label") or "" for a in annotation]
    spans, cursor = [], 0
    for sent, label in zip(sents, labels):
        at = text.find(sent, cursor) if sent else -1
        if at >= 0:
            cursor = at + len(sent)
            if label:
                spans.append({"start": at, "end": cursor, "label": str(label)})
    return spans or None, {"sentences": sents, **({"sentence_labels": labels} if any(labels) else {})}


def read(path: Path, opts: ReadOptions):
    return read_with(path, opts, parse, whole_file=True)


def to_record(d: Dialogue) -> list[dict]:
    return [{"role": t.role, "content": t.text, "annotation": _annotation(t)} for t in d.turns if _check(t)]


def _check(t: Turn) -> bool:
    if t.role == "system":
        raise DialogueError("SMILECHAT has no system turns")
    return True


def _annotation(t: Turn) -> list[dict]:
    meta = t.meta or {}
    if "sentences" in meta:
        sents = list(meta["sentences"])
    elif "sentence_ends" in meta:
        ends = meta["sentence_ends"]
        sents = [t.text[a:b] for a, b in zip([0, *ends[:-1]], ends)]
    else:
        sents = [t.text]
    if "sentence_labels" in meta:
        labels = list(meta["sentence_labels"])
    else:
        starts, cursor = {}, 0
        for sent in sents:
            starts[cursor] = len(starts)
            cursor += len(sent)
        labels = [""] * len(sents)
        for sp in t.spans or []:
            k = starts.get(sp.get("start"))
            if k is not None:
                labels[k] = sp.get("label", "")
    return [{"sentence": s, "label": lab} for s, lab in zip(sents, labels)]


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
