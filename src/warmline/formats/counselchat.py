"""Counsel-Chat style CSV (English single-turn Q&A answered by licensed therapists): columns
questionID, questionTitle, questionText, topic, answerText and others. Each row is one two-turn
dialogue; the other columns are kept in `meta` and written back.

The older scrape (`counselchat-data.csv`: questionID, questionTitle, questionText, questionUrl, topics,
therapistName, therapistUrl, answerText, upvotes) keeps the site's HTML in most answers: markup becomes
plain text (paragraphs and <br> as line breaks, entities decoded) and the dialogue is flagged
`html_to_text:<column>,...` so that it can be found; `topics` gives the topic label as `topic` does."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from ..conversation import Dialogue, DialogueError, Turn
from .fields import make_dialogue
from .markup import has_markup, html_to_text
from .reading import csv_tables
from .records import Bad, ReadOptions
from .writers import refuse

LICENSE = "MIT"
COLUMNS = [
    "questionID",
    "questionTitle",
    "questionText",
    "questionLink",
    "topic",
    "therapistInfo",
    "therapistURL",
    "answerText",
    "upvotes",
    "views",
    "split",
]


def client_text(title: str, text: str) -> str:
    title, text = title.strip(), text.strip()
    if not title:
        return text
    return title if not text or text == title else f"{title}\n{text}"


def read(path: Path, opts: ReadOptions) -> Iterator[Dialogue | Bad]:
    index = 0
    for table in csv_tables(path, opts):
        if isinstance(table, Bad):
            yield table
            continue
        f, reader = table
        missing = {"questionText", "answerText"} - set(reader.fieldnames or [])
        if missing:
            yield Bad(str(f), 1, None, f"not a Counsel-Chat CSV: missing column(s) {', '.join(sorted(missing))}")
            continue
        start = 2
        for row in reader:
            line = start
            start = reader.line_num + 1
            try:
                yield _row(row, f, index, opts)
            except DialogueError as e:
                yield Bad(str(f), line, index, str(e), ",".join(str(v) for v in row.values()))
            index += 1


def _row(row: dict, f: Path, index: int, opts: ReadOptions) -> Dialogue:
    if None in row:
        raise DialogueError("row has more fields than the header")
    marked = [k for k in ("questionTitle", "questionText", "answerText") if has_markup(row.get(k) or "")]
    for k in marked:
        row[k] = html_to_text(row[k])
    q = client_text(row.get("questionTitle") or "", row.get("questionText") or "")
    a = (row.get("answerText") or "").strip()
    if not q or not a:
        raise DialogueError("empty dialogue: question or answer text is blank")
    qid = (row.get("questionID") or "").strip() or str(index)
    meta = {k: v for k, v in row.items() if k not in ("answerText",) and v not in (None, "")}
    topic = row.get("topic") or row.get("topics")
    d = make_dialogue(
        f"counselchat-{qid}-{index}",
        [Turn("client", q), Turn("counselor", a)],
        opts,
        labels={"topic": topic} if topic else {},
        meta=meta,
        provenance={"source": "counsel-chat", "source_id": qid, "license": LICENSE},
    )
    if marked:
        d.flags.append(f"html_to_text:{','.join(marked)}")
    return d


class Writer:
    def __init__(self, out: Path):
        out.parent.mkdir(parents=True, exist_ok=True)
        self._f = out.open("w", encoding="utf-8", newline="")
        self._w: csv.DictWriter | None = None

    def write(self, d: Dialogue) -> Bad | None:
        if [t.role for t in d.turns] != ["client", "counselor"]:
            return refuse(
                d, "counselchat", DialogueError(f"Counsel-Chat rows are single-turn Q&A, got {len(d.turns)} turns")
            )
        row = {k: v for k, v in d.meta.items() if k in COLUMNS}
        if "questionText" not in row:
            row["questionText"] = d.turns[0].text
        row.setdefault("topic", d.labels.get("topic", ""))
        row["answerText"] = d.turns[1].text
        if self._w is None:
            extra = [k for k in d.meta if k not in COLUMNS and isinstance(d.meta[k], str)]
            self._w = csv.DictWriter(self._f, fieldnames=COLUMNS + extra, extrasaction="ignore")
            self._w.writeheader()
        self._w.writerow(row)
        return None

    def close(self) -> None:
        self._f.close()
