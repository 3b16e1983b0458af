"""Records out of files, each tagged with its file and line: JSON Lines, JSON arrays streamed item by
item without loading the file, whole JSON files, and directories of them; `read_with` runs a converter
over them and quarantines what it refuses."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from .. import jsonio
from ..conversation import Dialogue, DialogueError
from .decoding import codec_name, decode_hint, read_text
from .records import RAW_LIMIT, Bad, ReadOptions, Record

_NUM = re.compile(r"(\d+)")


def list_files(path: Path, suffixes: tuple[str, ...]) -> list[str]:
    """The file itself, or the files below a directory with these suffixes, in natural order
    (2.json before 10.json); hidden files are skipped. Plain strings: a Path per file costs time and
    memory over 100,000s of small files."""
    if path.is_file():
        return [str(path)]
    found: list[str] = []
    stack = [str(path)]
    while stack:
        with os.scandir(stack.pop()) as it:
            for e in it:
                if e.name.startswith("."):
                    continue
                if e.is_dir():
                    stack.append(e.path)
                elif os.path.splitext(e.name)[1].lower() in suffixes:
                    found.append(e.path)
    found.sort(key=_natural)
    return found


def csv_tables(path: Path, opts: ReadOptions) -> Iterator[tuple[Path, csv.DictReader] | Bad]:
    """(file, rows by header) for each CSV file at `path`; a file that does not decode is one Bad record."""
    csv.field_size_limit(1 << 27)  # a long answer or transcript is one field
    for f in map(Path, list_files(path, (".csv",))):
        try:
            text = read_text(f, opts.encoding)
        except UnicodeDecodeError as e:
            yield Bad(str(f), None, None, decode_hint(e, opts.encoding))
            continue
        yield f, csv.DictReader(io.StringIO(text, newline=""))


def _natural(s: str) -> str:
    """Sort key putting 2.json before 10.json: digit runs zero-padded (one string per file, not a list)."""
    return _NUM.sub(lambda m: m.group().zfill(20), s)


def json_lines(path: str | Path, limit: int = 1 << 24) -> bool:
    """Whether a file holds JSON Lines whatever its name says (Hugging Face's ESConv ships `train.txt`,
    and copies are often renamed `.json`): its first non-blank line is a complete JSON object. A JSON
    array, a pretty-printed object or plain text is not."""
    with open(path, "rb") as f:
        head = f.read(4096)
        rest = head.lstrip(b"\xef\xbb\xbf").lstrip()
        if not rest.startswith(b"{"):  # an array, plain text: decided without reading a long line
            return False
        f.seek(len(head) - len(rest))
        first = f.readline(limit).strip()
    try:
        return isinstance(jsonio.loads(first), dict)
    except (ValueError, UnicodeDecodeError):
        return False


def iter_records(
    path: Path, opts: ReadOptions, whole_file: bool = False, suffixes: tuple[str, ...] = (".json", ".jsonl")
) -> Iterator[Record | Bad]:
    """Records from a .jsonl file (one per line), a .json file (each item of a top-level array, streamed,
    or the file as one record when `whole_file` or when the top level is an object; one per line when it
    holds JSON Lines), a .txt file when asked for (JSON Lines), or a directory of such files
    (recursively, in natural order)."""
    index = 0
    for f in list_files(path, suffixes):
        if f.lower().endswith((".jsonl", ".txt")) or (not whole_file and json_lines(f)):
            it = _iter_jsonl(f, opts)
        elif whole_file:
            it = _iter_json_whole(f, opts)
        else:
            it = _iter_json_array(f, opts)
        for rec in it:
            rec.index = index
            index += 1
            yield rec


def _iter_jsonl(path: str, opts: ReadOptions) -> Iterator[Record | Bad]:
    codec = codec_name(opts.encoding)
    blank = 0
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            if not raw.strip():
                blank += 1
                continue
            try:
                text = raw.decode(codec if lineno == 1 else opts.encoding)
            except UnicodeDecodeError as e:
                yield Bad(str(path), lineno, None, decode_hint(e, opts.encoding), raw)
                continue
            try:
                yield Record(str(path), lineno, 0, jsonio.loads(text))
            except json.JSONDecodeError as e:
                yield Bad(str(path), lineno, None, f"invalid JSON: {e.msg} at column {e.colno}", text)
    if blank and opts.counter is not None:
        opts.counter["blank_lines"] = opts.counter.get("blank_lines", 0) + blank


def _iter_json_whole(path: str, opts: ReadOptions) -> Iterator[Record | Bad]:
    with open(path, "rb") as f:
        data = f.read()
    codec = codec_name(opts.encoding)
    if codec == "utf-8-sig":
        try:  # fast path: orjson validates UTF-8 itself
            yield Record(str(path), 1, 0, jsonio.loads(data[3:] if data.startswith(b"\xef\xbb\xbf") else data))
            return
        except (ValueError, UnicodeDecodeError):
            pass  # decode and parse again below for a precise message
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as e:
        yield Bad(str(path), None, None, decode_hint(e, opts.encoding))
        return
    try:
        yield Record(str(path), 1, 0, json.loads(text))
    except json.JSONDecodeError as e:
        yield Bad(str(path), e.lineno, None, f"invalid JSON: {e.msg} at line {e.lineno} column {e.colno}", text)


_WS = " \t\r\n"


def _skip_ws(f: IO[str], buf: str, pos: int, line: int, eof: bool, chunk: int) -> tuple[str, int, int, bool]:
    """Past whitespace, counting lines and refilling the buffer as needed: (buf, pos, line, eof)."""
    while True:
        while pos < len(buf) and buf[pos] in _WS:
            if buf[pos] == "\n":
                line += 1
            pos += 1
        if pos < len(buf) or eof:
            return buf, pos, line, eof
        more = f.read(chunk)
        eof = len(more) < chunk
        buf, pos = buf[pos:] + more, 0


def _iter_json_array(path: str, opts: ReadOptions, chunk: int = 1 << 20) -> Iterator[Record | Bad]:
    """Stream the items of a top-level JSON array without loading the file; a top-level object is one
    record. A malformed item ends the file: the rest goes to quarantine as one record with its line."""
    try:
        f: IO[str] = open(path, encoding=codec_name(opts.encoding))
        buf = f.read(chunk)
    except UnicodeDecodeError as e:
        yield Bad(str(path), None, None, decode_hint(e, opts.encoding))
        return
    with f:
        decoder = json.JSONDecoder()
        pos, line, eof = 0, 1, len(buf) < chunk
        stripped = buf.lstrip(_WS)
        if not stripped:
            yield Bad(str(path), 1, None, "empty file: expected a JSON array or object")
            return
        if stripped[0] != "[":
            rest = buf + f.read()
            try:
                yield Record(str(path), 1, 0, json.loads(rest))
            except json.JSONDecodeError as e:
                yield Bad(str(path), e.lineno, None, f"invalid JSON: {e.msg} at line {e.lineno} column {e.colno}", rest)
            return
        lead = len(buf) - len(stripped)
        line += buf.count("\n", 0, lead)
        pos = lead + 1
        need_comma = False
        while True:
            buf, pos, line, eof = _skip_ws(f, buf, pos, line, eof, chunk)
            if pos >= len(buf):
                yield Bad(str(path), line, None, "truncated JSON: the array is not closed")
                return
            ch = buf[pos]
            if ch == "]":
                return
            if need_comma:
                if ch != ",":
                    yield Bad(
                        str(path),
                        line,
                        None,
                        f"invalid JSON: expected ',' or ']' at line {line}",
                        buf[pos : pos + RAW_LIMIT],
                    )
                    return
                pos += 1
                need_comma = False
                continue
            grow = chunk
            while True:
                try:
                    obj, end = decoder.raw_decode(buf, pos)
                    if end == len(buf) and not eof:  # a number may continue in the next chunk
                        raise json.JSONDecodeError("boundary", buf, end)
                    break
                except json.JSONDecodeError as e:
                    if eof:
                        rest = buf[pos:]
                        what = "truncated JSON" if e.pos >= len(buf) - 1 else f"invalid JSON: {e.msg}"
                        yield Bad(
                            str(path),
                            line,
                            None,
                            f"{what} in the item starting at line {line}; the rest of the file was not read",
                            rest,
                        )
                        return
                    more = f.read(grow)
                    eof = len(more) < grow
                    grow *= 2
                    buf, pos = buf[pos:] + more, 0
            yield Record(str(path), line, 0, obj)
            line += buf.count("\n", pos, end)
            pos = end
            need_comma = True


Converter = Callable[[Any, Record, ReadOptions], "Dialogue | list[Dialogue]"]


def read_with(
    path: Path,
    opts: ReadOptions,
    parse: Converter,
    whole_file: bool = False,
    suffixes: tuple[str, ...] = (".json", ".jsonl"),
) -> Iterator[Dialogue | Bad]:
    """Run `parse` over every record, turning DialogueError (and type slips) into Bad items."""
    for rec in iter_records(path, opts, whole_file=whole_file, suffixes=suffixes):
        if isinstance(rec, Bad):
            yield rec
            continue
        try:
            out = parse(rec.obj, rec, opts)
        except DialogueError as e:
            yield Bad(rec.file, rec.line, rec.index, str(e), _raw(rec.obj))
            continue
        except (TypeError, AttributeError, KeyError, ValueError) as e:
            yield Bad(rec.file, rec.line, rec.index, f"unexpected shape: {type(e).__name__}: {e}", _raw(rec.obj))
            continue
        if isinstance(out, Dialogue):
            yield out
        else:
            yield from out


def _raw(obj: Any) -> str:
    try:
        return json.dumps(obj, ensure_ascii=False)[:RAW_LIMIT]
    except (TypeError, ValueError):
        return repr(obj)[:RAW_LIMIT]


def default_id(rec: Record) -> str:
    stem = os.path.splitext(os.path.basename(rec.file))[0]
    return f"{stem}-{rec.index}"
