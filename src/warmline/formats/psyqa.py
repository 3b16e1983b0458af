"""PsyQA single-turn Q&A: `{question, description, keywords, questionID, answers: [{answer_text,
has_label, labels_sequence: [{start, end, type}] | null}]}`. Each answer becomes one two-turn dialogue
(client: question and description; counselor: the answer) with its strategy spans kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..conversation import Dialogue, DialogueError, Turn
from .fields import make_dialogue, need_dict, need_list, need_str
from .reading import default_id, read_with
from .records import Bad, ReadOptions, Record
from .writers import RecordSink, refuse


def client_text(question: str, description: str) -> str:
    return f"{question}\n{description}" if description else question


def parse(obj: Any, rec: Record, opts: ReadOptions) -> list[Dialogue]:
    obj = need_dict(obj, "a PsyQA item")
    question = need_str(obj, "question")
    description = obj.get("description") or ""
    if not isinstance(description, str):
        raise DialogueError("field 'description' must be a string")
    answers = need_list(obj, "answers")
    if not answers:
        raise DialogueError("empty dialogue: the question has no answers")
    qid = str(obj.get("questionID", default_id(rec)))
    out = []
    for i, a in enumerate(answers):
        a = need_dict(a, f"answers[{i}]")
        answer = need_str(a, "answer_text", f" of answers[{i}]")
        spans = None
        if isinstance(a.get("labels_sequence"), list):
            spans = []
            for s in a["labels_sequence"]:
                if not (isinstance(s, dict) and isinstance(s.get("start"), int) and isinstance(s.get("end"), int)):
                    raise DialogueError(f"answers[{i}].labels_sequence items need integer start/end, got {s!r:.60}")
                spans.append({"start": s["start"], "end": s["end"], "label": str(s.get("type", ""))})
        meta = {
            "question": question,
            "description": description,
            "answer_index": i,
            "has_label": a.get("has_label", bool(spans)),
        }
        if obj.get("keywords"):
            meta["keywords"] = obj["keywords"]
        out.append(
            make_dialogue(
                f"psyqa-{qid}-{i}",
                [Turn("client", client_text(question, description)), Turn("counselor", answer, spans=spans)],
                opts,
                labels={"topic": obj["keywords"]} if isinstance(obj.get("keywords"), str) and obj["keywords"] else {},
                meta=meta,
                provenance={"source": "psyqa", "source_id": qid},
            )
        )
    return out


def read(path: Path, opts: ReadOptions):
    return read_with(path, opts, parse)


class Writer:
    """Groups consecutive single-turn items with the same question id back into one PsyQA item."""

    def __init__(self, out: Path):
        self.sink = RecordSink(out)
        self._cur: dict | None = None
        self._qid: str | None = None

    def write(self, d: Dialogue) -> Bad | None:
        roles = [t.role for t in d.turns]
        if roles != ["client", "counselor"]:
            return refuse(
                d, "psyqa", DialogueError(f"PsyQA holds single-turn Q&A (client, counselor), got {len(roles)} turns")
            )
        qid = str(d.provenance.get("source_id") or d.id)
        if self._cur is None or qid != self._qid:
            self._flush()
            q, desc = d.meta.get("question"), d.meta.get("description")
            if not isinstance(q, str):
                q, desc = d.turns[0].text, ""
            self._cur = {
                "question": q,
                "description": desc or "",
                "keywords": d.meta.get("keywords", ""),
                "questionID": _maybe_int(qid),
                "answers": [],
            }
            self._qid = qid
        ans = d.turns[1]
        seq = [
            {"start": s["start"], "end": s["end"], "type": s.get("label", "")}
            for s in ans.spans or []
            if isinstance(s.get("start"), int)
        ] or None
        self._cur["answers"].append(
            {"answer_text": ans.text, "has_label": bool(d.meta.get("has_label", seq)), "labels_sequence": seq}
        )
        return None

    def _flush(self) -> None:
        if self._cur is not None:
            self.sink.put(self._cur)
            self._cur = None

    def close(self) -> None:
        self._flush()
        self.sink.close()


def _maybe_int(s: str) -> int | str:
    return int(s) if s.isdigit() else s
