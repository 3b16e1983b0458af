"""Converters in and out of warmline's dialogue type, format detection, and `convert` with quarantine.

Every reader yields `Dialogue` or `Bad` items (a record that could not be read, with file, line and
reason); every writer takes dialogues one at a time and returns `Bad` for one it cannot express.
Nothing is dropped: `read = written + quarantined` in every summary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..conversation import Dialogue, JsonlWriter, flag_consecutive_roles
from . import annomi, chatml, counselchat, esconv, prefixed, psyinsight, psyqa, smilechat
from .reading import iter_records, json_lines, list_files, read_with
from .records import Bad, ReadOptions, Record
from .writers import RecordWriter


def _parse_native(obj: Any, rec: Record, opts: ReadOptions) -> Dialogue:
    d = Dialogue.from_dict({**obj, "lang": opts.lang or obj.get("lang")} if isinstance(obj, dict) else obj)
    if not d.id:
        d.id = f"{Path(rec.file).stem}-{rec.index}"
    return d


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    read: Callable[[Path, ReadOptions], Iterator[Dialogue | Bad]]
    writer: Callable[[Path], Any] | None
    single_turn: bool = False


def _list_writer(style: str) -> Callable[[Path], Any]:
    return lambda out: prefixed.ListWriter(out, style)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in [
        Format(
            "warmline",
            "warmline JSONL: one dialogue per line with 'turns' [{role, text}]",
            lambda p, o: read_with(p, o, _parse_native),
            lambda out: RecordWriter(out, Dialogue.to_dict, "warmline"),
        ),
        Format(
            "psyqa",
            "PsyQA JSON: [{question, description, keywords, questionID, answers: [...]}]",
            psyqa.read,
            psyqa.Writer,
            single_turn=True,
        ),
        Format(
            "counselchat",
            "Counsel-Chat CSV: questionTitle, questionText, topic(s), answerText, ... (HTML answers of "
            "the older scrape become plain text)",
            counselchat.read,
            counselchat.Writer,
            single_turn=True,
        ),
        Format(
            "annomi",
            "AnnoMI CSV (simple or full): transcript_id, utterance_id, interlocutor, utterance_text, "
            "main_therapist_behaviour, ...; one dialogue per transcript",
            annomi.read,
            annomi.Writer,
        ),
        Format(
            "smilechat",
            "SMILECHAT: a directory of JSON files, each [{role, content, annotation}]",
            smilechat.read,
            smilechat.Writer,
        ),
        Format(
            "smile-list",
            "JSON lists of '求助者：…'/'支持者：…' strings (SMILE v1, CPsyCounE)",
            prefixed.read,
            _list_writer("smile"),
        ),
        Format(
            "soulchat-list",
            "JSON lists of '用户：…'/'心理咨询师：…' strings (SoulChat)",
            prefixed.read,
            _list_writer("soulchat"),
        ),
        Format("en-list", "JSON lists of 'Client: …'/'Counselor: …' strings", prefixed.read, _list_writer("en")),
        Format(
            "cpsycound",
            "CPsyCounD plain text: one .txt per dialogue, '来访者：'/'心理咨询师：' paragraphs",
            prefixed.read_text_dialogues,
            prefixed.TextWriter,
        ),
        Format(
            "psyinsight",
            "Psy-Insight JSON: [{dialog_id, topic, guide, background, ..., dialog: [...]}]",
            psyinsight.read,
            psyinsight.Writer,
        ),
        Format(
            "esconv",
            "ESConv JSON: [{emotion_type, problem_type, situation, dialog: [{speaker, content, annotation}]}], "
            "or Hugging Face's train/valid/test.txt with one dialogue a line",
            esconv.read,
            esconv.Writer,
        ),
        Format(
            "openai",
            "OpenAI messages JSONL: {messages: [{role, content}]}",
            chatml.read_openai,
            lambda out: RecordWriter(out, chatml.to_openai, "openai"),
        ),
        Format(
            "sharegpt",
            "ShareGPT: {conversations: [{from: human|gpt, value}]}",
            chatml.read_sharegpt,
            lambda out: RecordWriter(out, chatml.to_sharegpt, "sharegpt"),
        ),
        Format(
            "alpaca",
            "LLaMA-Factory alpaca with history, plus dataset_info.json",
            chatml.read_alpaca,
            chatml.AlpacaWriter,
        ),
        Format(
            "xtuner",
            "xtuner/EmoLLM: [{conversation: [{system?, input, output}]}]",
            chatml.read_xtuner,
            lambda out: RecordWriter(out, chatml.to_xtuner, "xtuner"),
        ),
    ]
}


class FormatError(ValueError):
    """The input's format is unknown or ambiguous, or an output format cannot be chosen."""


# -- detection ----------------------------------------------------------------------------------------


def _classify(obj: Any) -> set[str]:
    if isinstance(obj, list):
        if not obj:
            return set()
        first = obj[0]
        if isinstance(first, str):
            style = prefixed.style_of(first)
            return {f"{style}-list" if style in ("smile", "soulchat", "en") else "smile-list"} if style else set()
        if isinstance(first, dict) and "role" in first and "content" in first:
            return {"smilechat"}
        if isinstance(first, list):
            return _classify(first)
        return set()
    if not isinstance(obj, dict):
        return set()
    keys = set(obj)
    found = set()
    if "turns" in keys:
        found.add("warmline")
    if "messages" in keys:
        found.add("openai")
    if "conversations" in keys:
        found.add("sharegpt")
    if "conversation" in keys:
        found.add("xtuner")
    if {"instruction", "output"} <= keys:
        found.add("alpaca")
    if {"question", "answers"} <= keys:
        found.add("psyqa")
    if "dialog" in keys:
        if keys & {"dialog_id", "guide", "psychotherapy", "theme"}:
            found.add("psyinsight")
        if keys & {"emotion_type", "problem_type", "situation", "experience_type", "survey_score"}:
            found.add("esconv")
        if not found & {"psyinsight", "esconv"}:
            found.add("esconv" if _esconv_turns(obj["dialog"]) else "psyinsight")
    elif isinstance(obj.get("text"), str) and '"dialog"' in obj["text"]:
        found.add("esconv")
    if {"role", "content"} <= keys:
        found.add("smilechat")
    return found


def _esconv_turns(dialog: Any) -> bool:
    return (
        isinstance(dialog, list)
        and bool(dialog)
        and isinstance(dialog[0], dict)
        and str(dialog[0].get("speaker", "")).lower() in ("seeker", "supporter", "usr", "sys")
    )


def _csv_header(path: str) -> list[str]:
    import csv

    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
        return next(csv.reader(f), [])


def _first_record(path: Path, suffixes: tuple[str, ...] = (".json", ".jsonl")) -> Any:
    for rec in iter_records(path, ReadOptions(), suffixes=suffixes):
        if isinstance(rec, Record):
            return rec.obj
    return None


_EXPECTED = "expected one of: " + "; ".join(f"{f.name} ({f.description})" for f in FORMATS.values())


def detect(path: str | Path) -> str:
    """Name the format of a file or directory from its extension and first record."""
    path = Path(path)
    if not path.exists():
        raise FormatError(f"{path} does not exist")
    files = list_files(path, (".json", ".jsonl", ".csv", ".txt"))
    if not files:
        raise FormatError(f"{path}: no .json, .jsonl, .csv or .txt files found; {_EXPECTED}")
    suffixes = {Path(f).suffix.lower() for f in files}
    if suffixes == {".csv"}:
        return "annomi" if annomi.is_annomi_header(_csv_header(files[0])) else "counselchat"
    if suffixes == {".txt"}:
        if not json_lines(files[0]):  # Hugging Face's ESConv: train.txt with one JSON dialogue a line
            return "cpsycound"
        first = _first_record(path, (".txt",))
    else:
        first = _first_record(path)
    found = _classify([first] if isinstance(first, str) else first)  # a file that is one list of strings
    if len(found) == 1:
        return found.pop()
    if found:
        raise FormatError(f"{path}: ambiguous input, it could be {' or '.join(sorted(found))}; pass --from")
    raise FormatError(f"{path}: unknown input format (pass --from NAME); {_EXPECTED}")


def output_format(out: str | Path) -> str:
    suffix = Path(out).suffix.lower()
    if suffix == ".jsonl":
        return "warmline"
    if suffix == ".csv":
        return "counselchat"
    raise FormatError(
        f"cannot tell the output format from {out!s}: pass --to NAME "
        f"({', '.join(FORMATS)}), or give OUT a .jsonl name for warmline's own format"
    )


def get(name: str) -> Format:
    if name not in FORMATS:
        raise FormatError(f"unknown format {name!r}; {_EXPECTED}")
    return FORMATS[name]


# -- reading with quarantine ---------------------------------------------------------------------------


def read(path: str | Path, fmt: str | None = None, opts: ReadOptions | None = None) -> Iterator[Dialogue | Bad]:
    """Dialogues and Bad items from any supported input; consecutive same-role turns are flagged (or
    merged with `opts.merge_consecutive`)."""
    path = Path(path)
    opts = opts or ReadOptions()
    for item in get(fmt or detect(path)).read(path, opts):
        if isinstance(item, Dialogue):
            flag_consecutive_roles(item, merge=opts.merge_consecutive)
        yield item


def read_dialogues(
    path: str | Path,
    fmt: str | None = None,
    opts: ReadOptions | None = None,
    on_bad: Callable[[Bad], None] | None = None,
) -> Iterator[Dialogue]:
    """Only the dialogues; each Bad item goes to `on_bad`, or raises ValueError naming file and line."""
    for item in read(path, fmt, opts):
        if isinstance(item, Bad):
            if on_bad is None:
                raise ValueError(f"{item.where()}: {item.reason}")
            on_bad(item)
        else:
            yield item


@dataclass
class Summary:
    source: str
    target: str
    read: int = 0
    written: int = 0
    quarantined: int = 0
    flagged: int = 0
    blank_lines: int = 0
    reasons: Counter = field(default_factory=Counter)
    quarantine_path: str | None = None

    def to_dict(self) -> dict:
        return {
            "from": self.source,
            "to": self.target,
            "read": self.read,
            "written": self.written,
            "quarantined": self.quarantined,
            "flagged": self.flagged,
            "blank_lines": self.blank_lines,
            "reasons": dict(self.reasons.most_common()),
            "quarantine": self.quarantine_path,
        }


class Quarantine:
    """Where bad records go: a JSONL file opened at the first one (none is written when nothing is bad;
    `replace=True` removes one left by an earlier run), with the count and the reasons. `path=None`
    only counts."""

    def __init__(self, path: str | Path | None, replace: bool = False):
        self.path = Path(path) if path is not None else None
        self.count = 0
        self.reasons: Counter = Counter()
        self._writer: JsonlWriter | None = None
        if replace and self.path is not None:
            self.path.unlink(missing_ok=True)

    def __call__(self, bad: Bad) -> None:
        if self.path is not None:
            if self._writer is None:
                self._writer = JsonlWriter(self.path)
            self._writer.write(bad.to_dict())
        self.count += 1
        self.reasons[_reason_kind(bad.reason)] += 1

    @property
    def written_to(self) -> str | None:
        return str(self.path) if self.count and self.path is not None else None

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()

    def __enter__(self) -> Quarantine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def quarantine_path(out: Path) -> Path:
    base = out.with_suffix("") if out.suffix else out
    return base.parent / f"{base.name}.quarantine.jsonl"


def convert(
    inp: str | Path,
    out: str | Path,
    src: str | None = None,
    dst: str | None = None,
    opts: ReadOptions | None = None,
    progress: bool | None = None,
) -> Summary:
    """Convert IN to OUT, streaming; bad records go to OUT.quarantine.jsonl."""
    from tqdm import tqdm

    inp, out = Path(inp), Path(out)
    src = src or detect(inp)
    dst = dst or output_format(out)
    writer_factory = get(dst).writer
    if writer_factory is None:
        raise FormatError(f"{dst} cannot be written")
    opts = opts or ReadOptions()
    counter: dict = {}
    opts.counter = counter
    summary = Summary(src, dst)
    writer = writer_factory(out)
    with Quarantine(quarantine_path(out), replace=True) as quarantine:
        try:
            items = tqdm(
                read(inp, src, opts),
                desc=f"{src} -> {dst}",
                unit=" dlg",
                disable=progress is False if progress is not None else None,
                mininterval=0.5,
            )
            for item in items:
                summary.read += 1
                if isinstance(item, Bad):
                    quarantine(item)
                    continue
                if item.flags:
                    summary.flagged += 1
                refused = writer.write(item)
                if refused is not None:
                    quarantine(refused)
                else:
                    summary.written += 1
        finally:
            writer.close()
    summary.quarantined, summary.reasons = quarantine.count, quarantine.reasons
    summary.blank_lines = counter.get("blank_lines", 0)
    summary.quarantine_path = quarantine.written_to
    return summary


def _reason_kind(reason: str) -> str:
    head = reason.split(":")[0]
    return head if len(head) <= 60 else head[:57] + "..."


def format_table() -> list[tuple[str, str, bool]]:
    return [(f.name, f.description, f.writer is not None) for f in FORMATS.values()]


__all__ = [
    "Bad",
    "FORMATS",
    "Format",
    "FormatError",
    "Quarantine",
    "ReadOptions",
    "Summary",
    "convert",
    "detect",
    "get",
    "output_format",
    "read",
    "read_dialogues",
]
