"""AnnoMI (uccollab/AnnoMI): real motivational-interviewing transcripts, one utterance a CSV row.

`AnnoMI-simple.csv`: transcript_id, mi_quality, video_title, video_url, topic, utterance_id, interlocutor
(therapist | client), timestamp, utterance_text, main_therapist_behaviour, client_talk_type.
`AnnoMI-full.csv` adds annotator_id and finer columns (therapist_input_exists/_subtype,
reflection_exists/_subtype, question_exists/_subtype), with one row per annotator of an utterance.

One dialogue per transcript, turns in utterance_id order. Topic becomes the topic label; mi_quality,
video_title and video_url go to the dialogue's meta. Several rows of one utterance become one turn:
its meta holds the utterance's own columns and, from the full file, `annotations` (one object per
row, every column kept); from the simple file the annotation columns sit in the meta directly.
Therapist behaviours become strategy keys of warmline's taxonomy (`formats.strategies`, where the
mapping is explained). A malformed row is quarantined with its file and line, and its dialogue flagged
`quarantined_rows:N`."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from ..conversation import Dialogue, DialogueError, Turn
from .fields import make_dialogue
from .reading import csv_tables
from .records import Bad, ReadOptions
from .strategies import annomi_key
from .writers import refuse

LICENSE = "as stated by uccollab/AnnoMI; cite Wu et al., ICASSP 2022"
DIALOGUE_COLS = ["mi_quality", "transcript_id", "video_title", "video_url", "topic"]  # the files' order
UTTERANCE_COLS = ["utterance_id", "interlocutor", "timestamp", "utterance_text"]
SIMPLE_COLUMNS = DIALOGUE_COLS + UTTERANCE_COLS + ["main_therapist_behaviour", "client_talk_type"]
FULL_COLUMNS = (
    DIALOGUE_COLS
    + UTTERANCE_COLS
    + [
        "annotator_id",
        "therapist_input_exists",
        "therapist_input_subtype",
        "reflection_exists",
        "reflection_subtype",
        "question_exists",
        "question_subtype",
        "main_therapist_behaviour",
        "client_talk_type",
    ]
)
REQUIRED = {"transcript_id", "utterance_id", "interlocutor", "utterance_text"}
_SUBTYPE = {"reflection": "reflection_subtype", "therapist_input": "therapist_input_subtype"}


def is_annomi_header(fields: list[str]) -> bool:
    return REQUIRED <= set(fields)


def read(path: Path, opts: ReadOptions) -> Iterator[Dialogue | Bad]:
    for table in csv_tables(path, opts):
        if isinstance(table, Bad):
            yield table
        else:
            yield from _read_file(*table, opts)


def _read_file(f: Path, reader: csv.DictReader, opts: ReadOptions) -> Iterator[Dialogue | Bad]:
    fields = reader.fieldnames or []
    if not is_annomi_header(fields):
        missing = ", ".join(sorted(REQUIRED - set(fields)))
        yield Bad(str(f), 1, None, f"not an AnnoMI CSV: missing column(s) {missing}")
        return
    full = "annotator_id" in fields
    transcripts: dict[str, list[tuple[int, dict]]] = {}
    bad_rows: dict[str, int] = {}
    start = 2
    for row in reader:
        line, start = start, reader.line_num + 1
        tid = (row.get("transcript_id") or "").strip()
        reason = _check(row)
        if reason:
            bad_rows[tid] = bad_rows.get(tid, 0) + 1
            yield Bad(str(f), line, None, reason, ",".join(str(v) for v in row.values()))
            continue
        transcripts.setdefault(tid, []).append((line, row))
    for tid, rows in transcripts.items():
        try:
            d = _dialogue(tid, rows, full, opts)
        except DialogueError as e:
            yield Bad(str(f), rows[0][0], None, f"transcript {tid}: {e}")
            continue
        if bad_rows.get(tid):
            d.flags.append(f"quarantined_rows:{bad_rows[tid]}")
        yield d


def _check(row: dict) -> str | None:
    if None in row:
        return "row has more fields than the header"
    if not (row.get("transcript_id") or "").strip():
        return "empty transcript_id"
    try:
        int(row.get("utterance_id") or "")
    except ValueError:
        return f"utterance_id must be an integer, got {row.get('utterance_id')!r}"
    if (row.get("interlocutor") or "").strip().lower() not in ("therapist", "client"):
        return f"interlocutor must be therapist or client, got {row.get('interlocutor')!r}"
    return None


def _dialogue(tid: str, rows: list[tuple[int, dict]], full: bool, opts: ReadOptions) -> Dialogue:
    by_utt: dict[int, list[dict]] = {}
    for _, row in rows:
        by_utt.setdefault(int(row["utterance_id"]), []).append(row)
    turns = [_turn(uid, group, full) for uid, group in sorted(by_utt.items())]
    first = rows[0][1]
    meta = {k: first[k] for k in ("mi_quality", "video_title", "video_url") if first.get(k)}
    topic = (first.get("topic") or "").strip()
    return make_dialogue(
        f"annomi-{tid}",
        turns,
        opts,
        labels={"topic": topic} if topic else {},
        meta=meta,
        provenance={"source": "annomi", "source_id": tid, "license": LICENSE},
    )


def _turn(uid: int, group: list[dict], full: bool) -> Turn:
    head = group[0]
    role = "counselor" if head["interlocutor"].strip().lower() == "therapist" else "client"
    texts = {r["utterance_text"] for r in group}
    if len(texts) > 1:
        raise DialogueError(f"utterance {uid} has different texts in its rows")
    meta = {k: head[k] for k in ("utterance_id", "timestamp") if head.get(k) not in (None, "")}
    known = set(DIALOGUE_COLS) | set(UTTERANCE_COLS)
    anns = [{k: v for k, v in r.items() if k not in known} for r in group]
    if full:
        meta["annotations"] = anns
    else:
        meta.update(anns[0])
    keys: list[str] = []
    if role == "counselor":
        for a in anns:
            behaviour = a.get("main_therapist_behaviour") or ""
            key = annomi_key(behaviour, a.get(_SUBTYPE.get(behaviour.strip().lower(), ""), "") or "")
            if key and key not in keys:
                keys.append(key)
    return Turn(role, head["utterance_text"].strip(), strategy=keys or None, meta=meta)


class Writer:
    """AnnoMI CSV back: the full file's columns when the first dialogue has per-annotator rows, else the
    simple file's; one row per utterance (per annotation in the full shape)."""

    def __init__(self, out: Path):
        out.parent.mkdir(parents=True, exist_ok=True)
        self._f = out.open("w", encoding="utf-8", newline="")
        self._w: csv.DictWriter | None = None
        self._full = False

    def write(self, d: Dialogue) -> Bad | None:
        if any(t.role == "system" for t in d.turns):
            return refuse(d, "annomi", DialogueError("AnnoMI has no system turns"))
        if self._w is None:
            self._full = any("annotations" in (t.meta or {}) for t in d.turns)
            self._w = csv.DictWriter(
                self._f, fieldnames=FULL_COLUMNS if self._full else SIMPLE_COLUMNS, extrasaction="ignore"
            )
            self._w.writeheader()
        tid = d.provenance.get("source_id") or d.id
        base = {
            "transcript_id": tid,
            "topic": d.labels.get("topic", ""),
            **{k: d.meta.get(k, "") for k in ("mi_quality", "video_title", "video_url")},
        }
        for i, t in enumerate(d.turns):
            meta = dict(t.meta or {})
            row = {
                **base,
                "utterance_id": meta.pop("utterance_id", str(i)),
                "timestamp": meta.pop("timestamp", ""),
                "interlocutor": "therapist" if t.role == "counselor" else "client",
                "utterance_text": t.text,
            }
            anns = meta.pop("annotations", None) or [meta]
            for a in anns:
                self._w.writerow({**row, **a})
        return None

    def close(self) -> None:
        self._f.close()
