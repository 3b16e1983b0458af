"""The main job, on the embedded default model: every warmline capability is a stage here, run in
order on bundled examples, ending in a report (report.md and report.json in the output directory).

Stages so far: convert the bundled examples into warmline's format; hold a short chat through the
safety layer with the embedded model (and show what the safety layer does with a crisis message)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from importlib import resources as ir
from pathlib import Path
from typing import Callable

from .formats import ReadOptions, convert

EXAMPLES = ("qa_en.csv", "psyqa_zh.json", "dialogues_en.jsonl", "smile_zh.json")
CHAT_SCRIPT = ("I've been feeling really overwhelmed at work lately.", "I just don't know who to talk to about it.")
CRISIS_PROBE = "I don't want to live anymore."


@dataclass
class Stage:
    name: str
    seconds: float = 0.0
    lines: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)


def examples_dir() -> Path:
    return Path(str(ir.files("warmline").joinpath("data/examples")))


def stage_convert(out: Path, say: Callable[[str], None]) -> Stage:
    st = Stage("convert bundled examples")
    for name in EXAMPLES:
        src = examples_dir() / name
        dst = out / "data" / (Path(name).stem + ".jsonl")
        s = convert(src, dst, opts=ReadOptions(), progress=False)
        st.data[name] = s.to_dict()
        st.lines.append(f"{name} ({s.source}) -> {dst.name}: read {s.read}, written {s.written}, "
                        f"quarantined {s.quarantined}")
        say(st.lines[-1])
    return st


def stage_chat(out: Path, say: Callable[[str], None], model: str | None, max_new_tokens: int) -> Stage:
    from .backends import make_backend, preset
    from .session import ChatSession, default_system_prompt

    st = Stage("chat with the embedded model through the safety layer")
    backend = make_backend("local", model=model, log=say)
    session = ChatSession(backend, preset("greedy", max_new_tokens=max_new_tokens), default_system_prompt("en"))
    st.lines.append(f"notice: {session.notice()}")
    say(st.lines[-1])
    transcript = []
    for text in CHAT_SCRIPT:
        t0 = time.time()
        turn = session.send(text)
        transcript.append({"user": text, "reply": turn.text, "seconds": round(time.time() - t0, 1),
                           "replaced_by_safety": turn.replaced})
        for line in (f"you> {text}", f"warmline> {turn.text}"):
            st.lines.append(line)
            say(line)
    session.reset()
    turn = session.send(CRISIS_PROBE)
    transcript.append({"user": CRISIS_PROBE, "reply": turn.text, "risk": turn.user_verdict.risk,
                       "model_called": False})
    for line in (f"you> {CRISIS_PROBE}", f"[safety: risk {turn.user_verdict.risk}; the model was not called]",
                 f"warmline> {turn.text}"):
        st.lines.append(line)
        say(line)
    st.data = {"model": backend.model_id, "transcript": transcript}
    (out / "chat.json").write_text(json.dumps(st.data, ensure_ascii=False, indent=2), encoding="utf-8")
    return st


def run(out: Path, model: str | None = None, max_new_tokens: int = 60, say: Callable[[str], None] = print) -> list[Stage]:
    out.mkdir(parents=True, exist_ok=True)
    stages = []
    for fn in (lambda: stage_convert(out, say), lambda: stage_chat(out, say, model, max_new_tokens)):
        t0 = time.time()
        st = fn()
        st.seconds = round(time.time() - t0, 1)
        stages.append(st)
        say(f"-- {st.name}: done in {st.seconds} s")
    write_report(out, stages)
    return stages


def write_report(out: Path, stages: list[Stage]) -> None:
    md = ["# warmline quickstart report", "", "| stage | seconds |", "|---|---|"]
    md += [f"| {s.name} | {s.seconds} |" for s in stages]
    for s in stages:
        md += ["", f"## {s.name}", "", "```", *s.lines, "```"]
    (out / "report.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    (out / "report.json").write_text(json.dumps([{"stage": s.name, "seconds": s.seconds, "data": s.data}
                                                 for s in stages], ensure_ascii=False, indent=2), encoding="utf-8")
