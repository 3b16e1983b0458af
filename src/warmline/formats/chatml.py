"""Training formats: OpenAI messages JSONL, ShareGPT, LLaMA-Factory alpaca with history (plus its
`dataset_info.json`), and xtuner/EmoLLM `conversation` lists. user/human -> client,
assistant/gpt -> counselor; a system message is kept as a system turn."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..conversation import Dialogue, DialogueError, Turn
from .fields import make_dialogue, need_dict, need_list, need_str, role_of
from .reading import default_id, read_with
from .records import ReadOptions, Record
from .writers import RecordWriter

_OUT_ROLE = {"client": "user", "counselor": "assistant", "system": "system"}


def _meta_id(obj: dict, rec: Record, source: str) -> tuple[str, dict]:
    sid = str(obj.get("id") or default_id(rec))
    return sid, {"source": source, "source_id": sid}


# -- OpenAI messages ------------------------------------------------------------------------------


def parse_openai(obj: Any, rec: Record, opts: ReadOptions) -> Dialogue:
    obj = need_dict(obj, "an OpenAI messages record")
    turns = []
    for i, m in enumerate(need_list(obj, "messages")):
        m = need_dict(m, f"messages[{i}]")
        turns.append(Turn(role_of(m.get("role")), need_str(m, "content", f" of messages[{i}]")))
    sid, prov = _meta_id(obj, rec, "openai")
    return make_dialogue(sid, turns, opts, provenance=prov)


def to_openai(d: Dialogue) -> dict:
    return {"id": d.id, "messages": [{"role": _OUT_ROLE[t.role], "content": t.text} for t in d.turns]}


# -- ShareGPT ---------------------------------------------------------------------------------------


def parse_sharegpt(obj: Any, rec: Record, opts: ReadOptions) -> Dialogue:
    obj = need_dict(obj, "a ShareGPT record")
    turns = [Turn("system", obj["system"])] if isinstance(obj.get("system"), str) and obj["system"] else []
    for i, m in enumerate(need_list(obj, "conversations")):
        m = need_dict(m, f"conversations[{i}]")
        turns.append(Turn(role_of(m.get("from")), need_str(m, "value", f" of conversations[{i}]")))
    sid, prov = _meta_id(obj, rec, "sharegpt")
    return make_dialogue(sid, turns, opts, provenance=prov)


def to_sharegpt(d: Dialogue) -> dict:
    out: dict[str, Any] = {"id": d.id}
    convs = []
    for i, t in enumerate(d.turns):
        if t.role == "system":
            if i:
                raise DialogueError("ShareGPT allows a system prompt only before the first turn")
            out["system"] = t.text
        else:
            convs.append({"from": "human" if t.role == "client" else "gpt", "value": t.text})
    out["conversations"] = convs
    return out


# -- xtuner / EmoLLM ---------------------------------------------------------------------------------


def parse_xtuner(obj: Any, rec: Record, opts: ReadOptions) -> Dialogue:
    obj = need_dict(obj, "an xtuner record")
    turns = []
    for i, ex in enumerate(need_list(obj, "conversation")):
        ex = need_dict(ex, f"conversation[{i}]")
        if isinstance(ex.get("system"), str) and ex["system"]:
            turns.append(Turn("system", ex["system"]))
        turns.append(Turn("client", need_str(ex, "input", f" of conversation[{i}]")))
        turns.append(Turn("counselor", need_str(ex, "output", f" of conversation[{i}]")))
    sid, prov = _meta_id(obj, rec, "xtuner")
    return make_dialogue(sid, turns, opts, provenance=prov)


def _pairs(d: Dialogue) -> tuple[str | None, list[tuple[str, str]]]:
    """(system, [(client, counselor), ...]) or DialogueError when roles do not alternate."""
    turns = d.turns
    system = None
    if turns and turns[0].role == "system":
        system, turns = turns[0].text, turns[1:]
    if any(t.role == "system" for t in turns):
        raise DialogueError("a system turn is allowed only at the start")
    if len(turns) % 2 or any(t.role != ("client" if i % 2 == 0 else "counselor") for i, t in enumerate(turns)):
        raise DialogueError(
            "needs alternating client/counselor turns starting with the client and ending with the "
            "counselor (convert with --merge-consecutive to merge repeated roles)"
        )
    return system, [(turns[i].text, turns[i + 1].text) for i in range(0, len(turns), 2)]


def to_xtuner(d: Dialogue) -> dict:
    system, pairs = _pairs(d)
    conv = [{"input": u, "output": a} for u, a in pairs]
    if system is not None and conv:
        conv[0] = {"system": system, **conv[0]}
    return {"conversation": conv}


# -- LLaMA-Factory alpaca with history ----------------------------------------------------------------


def parse_alpaca(obj: Any, rec: Record, opts: ReadOptions) -> Dialogue:
    obj = need_dict(obj, "an alpaca record")
    turns = [Turn("system", obj["system"])] if isinstance(obj.get("system"), str) and obj["system"] else []
    history = obj.get("history") or []
    if not isinstance(history, list):
        raise DialogueError("field 'history' must be a list of [user, assistant] pairs")
    for i, pair in enumerate(history):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
            raise DialogueError(f"history[{i}] must be a [user, assistant] pair of strings")
        turns += [Turn("client", pair[0]), Turn("counselor", pair[1])]
    instruction = need_str(obj, "instruction")
    extra = obj.get("input") or ""
    if not isinstance(extra, str):
        raise DialogueError("field 'input' must be a string")
    turns.append(Turn("client", f"{instruction}\n{extra}" if extra else instruction))
    turns.append(Turn("counselor", need_str(obj, "output")))
    sid, prov = _meta_id(obj, rec, "alpaca")
    return make_dialogue(sid, turns, opts, provenance=prov)


def to_alpaca(d: Dialogue) -> dict:
    system, pairs = _pairs(d)
    if not pairs:
        raise DialogueError("no client/counselor exchange")
    out: dict[str, Any] = {
        "instruction": pairs[-1][0],
        "input": "",
        "output": pairs[-1][1],
        "history": [list(p) for p in pairs[:-1]],
    }
    if system is not None:
        out["system"] = system
    return out


def register_alpaca(files: list[Path]) -> Path:
    """Add alpaca files to the `dataset_info.json` beside them (LLaMA-Factory's registry), keeping
    entries already there; returns its path."""
    info_path = files[0].parent / "dataset_info.json"
    info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.exists() else {}
    for f in files:
        info[f.stem] = {
            "file_name": f.name,
            "formatting": "alpaca",
            "columns": {
                "prompt": "instruction",
                "query": "input",
                "response": "output",
                "history": "history",
                "system": "system",
            },
        }
    info_path.write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return info_path


class AlpacaWriter(RecordWriter):
    """Alpaca records plus a `dataset_info.json` beside them that LLaMA-Factory reads."""

    def __init__(self, out: Path):
        super().__init__(out, to_alpaca, "alpaca")
        self.out = out

    def close(self) -> None:
        super().close()
        register_alpaca([self.out])


def read_openai(path: Path, opts: ReadOptions):
    return read_with(path, opts, parse_openai)


def read_sharegpt(path: Path, opts: ReadOptions):
    return read_with(path, opts, parse_sharegpt)


def read_xtuner(path: Path, opts: ReadOptions):
    return read_with(path, opts, parse_xtuner)


def read_alpaca(path: Path, opts: ReadOptions):
    return read_with(path, opts, parse_alpaca)
