"""Shared plumbing for converters: quarantine records, decoding, and streaming record iteration over
JSON, JSONL and directories of them, each record tagged with its file and line."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Iterator

from .. import _json
from ..conversation import Dialogue, DialogueError, Turn, detect_lang

RAW_LIMIT = 2000


@dataclass(slots=True)
class Bad:
    """A record that could not be converted. Goes to the quarantine file, never dropped."""

    file: str
    line: int | None
    index: int | None
    reason: str
    raw: Any = None
    stage: str = "read"

    def to_dict(self) -> dict:
        raw = self.raw
        if isinstance(raw, (bytes, bytearray)):
            raw = raw[:RAW_LIMIT].decode("utf-8", "backslashreplace")
        elif isinstance(raw, str):
            raw = raw[:RAW_LIMIT]
        return {"file": self.file, "line": self.line, "index": self.index, "stage": self.stage,
                "reason": self.reason, "raw": raw}

    def where(self) -> str:
        loc = self.file
        if self.line is not None:
            loc += f":{self.line}"
        if self.index is not None:
            loc += f" (record {self.index})"
        return loc


@dataclass(slots=True)
class Record:
    """One raw record with where it came from."""

    file: str
    line: int | None
    index: int
    obj: Any


@dataclass(slots=True)
class ReadOptions:
    encoding: str = "utf-8"
    lang: str | None = None  # force a language instead of detecting it
    merge_consecutive: bool = False
    counter: dict | None = None  # receives {"blank_lines": N}


# -- decoding ----------------------------------------------------------------------------------------

def decode_hint(err: UnicodeDecodeError, encoding: str) -> str:
    byte = err.object[err.start:err.start + 1].hex()
    hint = ("if the file is GBK/GB18030 (common for Chinese corpora), pass --encoding gb18030 or convert "
            "it first: iconv -f GB18030 -t UTF-8 IN > OUT")
    if encoding.lower().replace("-", "") not in ("utf8", "utf8sig"):
        hint = "check the --encoding you passed"
    return f"not valid {encoding}: byte 0x{byte} at offset {err.start}; {hint}"


def _codec(encoding: str) -> str:
    # utf-8-sig strips a BOM and reads plain UTF-8 the same
    return "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding


def read_text(path: str | Path, encoding: str) -> str:
    """Decode a whole file; raises UnicodeDecodeError with the original position."""
    with open(path, "rb") as f:
        return f.read().decode(_codec(encoding))


# -- record iteration --------------------------------------------------------------------------------

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
        return isinstance(_json.loads(first), dict)
    except (ValueError, UnicodeDecodeError):
        return False


def iter_records(path: Path, opts: ReadOptions, whole_file: bool = False,
                 suffixes: tuple[str, ...] = (".json", ".jsonl")) -> Iterator[Record | Bad]:
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
    codec = _codec(opts.encoding)
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
                yield Record(str(path), lineno, 0, _json.loads(text))
            except json.JSONDecodeError as e:
                yield Bad(str(path), lineno, None, f"invalid JSON: {e.msg} at column {e.colno}", text)
    if blank and opts.counter is not None:
        opts.counter["blank_lines"] = opts.counter.get("blank_lines", 0) + blank


def _iter_json_whole(path: str, opts: ReadOptions) -> Iterator[Record | Bad]:
    with open(path, "rb") as f:
        data = f.read()
    codec = _codec(opts.encoding)
    if codec == "utf-8-sig":
        try:  # fast path: orjson validates UTF-8 itself
            yield Record(str(path), 1, 0, _json.loads(data[3:] if data.startswith(b"\xef\xbb\xbf") else data))
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
        yield Bad(str(path), e.lineno, None, f"invalid JSON: {e.msg} at line {e.lineno} column {e.colno}",
                  text)


_WS = " \t\r\n"


def _iter_json_array(path: str, opts: ReadOptions, chunk: int = 1 << 20) -> Iterator[Record | Bad]:
    """Stream the items of a top-level JSON array without loading the file; a top-level object is one
    record. A malformed item ends the file: the rest goes to quarantine as one record with its line."""
    try:
        f: IO[str] = open(path, "r", encoding=_codec(opts.encoding))
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
                yield Bad(str(path), e.lineno, None, f"invalid JSON: {e.msg} at line {e.lineno} column {e.colno}",
                          rest)
            return
        lead = len(buf) - len(stripped)
        line += buf.count("\n", 0, lead)
        pos = lead + 1
        need_comma = False
        while True:
            # skip whitespace, refilling the buffer as needed
            while True:
                while pos < len(buf) and buf[pos] in _WS:
                    if buf[pos] == "\n":
                        line += 1
                    pos += 1
                if pos < len(buf) or eof:
                    break
                more = f.read(chunk)
                eof = len(more) < chunk
                buf, pos = buf[pos:] + more, 0
            if pos >= len(buf):
                yield Bad(str(path), line, None, "truncated JSON: the array is not closed")
                return
            ch = buf[pos]
            if ch == "]":
                return
            if need_comma:
                if ch != ",":
                    yield Bad(str(path), line, None, f"invalid JSON: expected ',' or ']' at line {line}",
                              buf[pos:pos + RAW_LIMIT])
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
                        yield Bad(str(path), line, None, f"{what} in the item starting at line {line}; "
                                  "the rest of the file was not read", rest)
                        return
                    more = f.read(grow)
                    eof = len(more) < grow
                    grow *= 2
                    buf, pos = buf[pos:] + more, 0
            yield Record(str(path), line, 0, obj)
            line += buf.count("\n", pos, end)
            pos = end
            need_comma = True


# -- shared parsing helpers -------------------------------------------------------------------------

CLIENT_NAMES = {"client", "seeker", "usr", "user", "human", "patient", "求助者", "来访者", "用户", "访客"}
COUNSELOR_NAMES = {"counselor", "counsellor", "supporter", "therapist", "sys", "assistant", "gpt",
                   "bot", "支持者", "心理咨询师", "咨询师", "咨询者"}


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


# -- streaming writers -------------------------------------------------------------------------------

class RecordSink:
    """Writes raw records to OUT: `.jsonl` one per line, `.json` a streamed JSON array."""

    def __init__(self, out: Path):
        out.parent.mkdir(parents=True, exist_ok=True)
        self._array = out.suffix.lower() == ".json"
        self._f = out.open("wb")
        self._n = 0
        if self._array:
            self._f.write(b"[\n")

    def put(self, obj: Any) -> None:
        if self._array:
            text = json.dumps(obj, ensure_ascii=False, indent=1)
            self._f.write(((",\n" if self._n else "") + text).encode("utf-8"))
        else:
            self._f.write(_json.dumpb(obj))
        self._n += 1

    def close(self) -> None:
        if self._array:
            self._f.write(b"\n]\n")
        self._f.close()


def ensure_dir(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} exists and is not a directory; this format writes one file per dialogue "
                         "into a directory")
    out.mkdir(parents=True, exist_ok=True)
    return out


def safe_name(s: str) -> str:
    return re.sub(r"[^\w.-]+", "_", s).strip("._") or "dialogue"


Converter = Callable[[Any, Record, ReadOptions], "Dialogue | list[Dialogue]"]


def read_with(path: Path, opts: ReadOptions, parse: Converter, whole_file: bool = False,
              suffixes: tuple[str, ...] = (".json", ".jsonl")) -> Iterator[Dialogue | Bad]:
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


def refuse(d: Dialogue, fmt: str, err: Exception) -> Bad:
    """A dialogue that cannot be expressed in the target format: quarantined at the write stage."""
    return Bad(d.id, None, None, f"cannot be written as {fmt}: {err}", d.to_dict(), "write")


class RecordWriter:
    """Writer for formats where each dialogue becomes one record via `to_record`."""

    def __init__(self, out: Path, to_record: Callable[[Dialogue], Any], fmt: str):
        self.sink = RecordSink(out)
        self.to_record = to_record
        self.fmt = fmt

    def write(self, d: Dialogue) -> Bad | None:
        try:
            rec = self.to_record(d)
        except DialogueError as e:
            return refuse(d, self.fmt, e)
        self.sink.put(rec)
        return None

    def close(self) -> None:
        self.sink.close()
