"""Psy-Insight's labels: taxonomies as data files, and labelling a dialogue with an LLM through any backend.

Session labels: background, guide, topic (SoulChat's 12), psychotherapy, summary. Turn labels: strategy
per counselor turn, emotion per client turn, an observation (client turns) and reasoning (counselor
turns). The model answers JSON; the answer is validated against that schema, re-asked when invalid
(counted), and labelled dialogues are appended as they finish so that a killed run resumes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..analyze.topics import Taxonomy, load_keyed_list, load_taxonomy
from ..backends.base import GenerationOptions
from ..conversation import Dialogue, JsonlWriter, read_jsonl_dicts
from ..llm_json import AskStats, UnusableAnswer, ask, json_object

TASKS = ("strategy", "emotion", "psychotherapy", "topic")


@lru_cache(maxsize=32)
def load_labels(name_or_path: str) -> Taxonomy:
    """strategy, emotion, psychotherapy (data/labels/), topic (SoulChat's 12 topics), or a YAML path with
    `labels`; the items are in `.topics` whatever they label."""
    if name_or_path == "topic":
        return load_taxonomy("soulchat12")
    if name_or_path in TASKS or Path(name_or_path).exists():
        return load_keyed_list(name_or_path, "labels", "labels")
    raise ValueError(f"unknown label set {name_or_path!r}: use {', '.join(TASKS)} or a YAML file")


def _menu(ls: Taxonomy) -> str:
    return "; ".join(f"{x['key']} ({x.get('definition', x.get('en', ''))})" for x in ls.topics)


def label_prompt(d: Dialogue) -> str:
    sets = {k: load_labels(k) for k in TASKS}
    lines = [
        "You annotate a counseling conversation for an explainable counseling dataset.",
        f"Counselor strategies: {_menu(sets['strategy'])}",
        f"Client emotions: {_menu(sets['emotion'])}",
        f"Topics: {', '.join(sets['topic'].keys)}",
        f"Psychotherapy schools: {', '.join(sets['psychotherapy'].keys)}",
        "",
        "Conversation:",
    ]
    for i, t in enumerate(d.turns):
        if t.role != "system":
            lines.append(f"[{i}] {'Client' if t.role == 'client' else 'Counselor'}: {t.text}")
    lang = "Chinese" if d.lang == "zh" else "English"
    lines += [
        "",
        f"Write the free-text fields in {lang}. Answer with JSON only:",
        '{"background": "<the client\'s situation>", "guide": "<how a counselor should approach it>", '
        '"topic": ["<topic>"], "psychotherapy": ["<school>"], "summary": "<what happened in the session>", '
        '"turns": [{"index": <n>, "emotion": ["<emotion>"], "observation": "<what the client shows>"} for each '
        'Client turn, {"index": <n>, "strategy": ["<strategy>"], "reasoning": "<why the counselor says this>"} '
        "for each Counselor turn]}",
    ]
    return "\n".join(lines)


def _keys(value, allowed: list[str], what: str, most: int = 3) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or len(value) > most:
        raise UnusableAnswer(f"{what} must be a list of 1 to {most} labels")
    bad = [v for v in value if v not in allowed]
    if bad:
        raise UnusableAnswer(f"unknown {what} {bad}")
    return list(dict.fromkeys(value))


def _text(obj: dict, key: str) -> str:
    v = obj.get(key)
    if not isinstance(v, str) or not v.strip():
        raise UnusableAnswer(f"'{key}' must be a non-empty string")
    return v.strip()


def parse_labels(text: str, d: Dialogue) -> dict:
    """The validated labels for `d`, or UnusableAnswer saying what is wrong."""
    obj = json_object(text)
    sets = {k: load_labels(k) for k in TASKS}
    out = {
        "background": _text(obj, "background"),
        "guide": _text(obj, "guide"),
        "summary": _text(obj, "summary"),
        "topic": _keys(obj.get("topic"), sets["topic"].keys, "topic"),
        "psychotherapy": _keys(obj.get("psychotherapy"), sets["psychotherapy"].keys, "psychotherapy"),
    }
    turns = obj.get("turns")
    if not isinstance(turns, list):
        raise UnusableAnswer("'turns' must be a list")
    want = {i for i, t in enumerate(d.turns) if t.role != "system"}
    got: dict[int, dict] = {}
    for t in turns:
        if not isinstance(t, dict) or not isinstance(t.get("index"), int) or t["index"] not in want:
            raise UnusableAnswer(f"turn entry {t!r} has no valid 'index'")
        i = t["index"]
        if d.turns[i].role == "client":
            got[i] = {
                "emotion": _keys(t.get("emotion"), sets["emotion"].keys, "emotion"),
                "observation": _text(t, "observation"),
            }
        else:
            got[i] = {
                "strategy": _keys(t.get("strategy"), sets["strategy"].keys, "strategy"),
                "reasoning": _text(t, "reasoning"),
            }
    missing = sorted(want - set(got))
    if missing:
        raise UnusableAnswer(f"turns {missing} have no labels")
    out["turns"] = got
    return out


def apply_labels(d: Dialogue, labels: dict) -> Dialogue:
    for key in ("background", "guide", "summary", "topic", "psychotherapy"):
        d.labels[key] = labels[key]
    for i, t in labels["turns"].items():
        turn = d.turns[int(i)]
        turn.emotion = t.get("emotion", turn.emotion)
        turn.observation = t.get("observation", turn.observation)
        turn.strategy = t.get("strategy", turn.strategy)
        turn.reasoning = t.get("reasoning", turn.reasoning)
    return d


@dataclass
class LabelRun:
    labelled: int = 0
    failed: list[str] = field(default_factory=list)
    resumed: int = 0
    stats: AskStats = field(default_factory=AskStats)


async def label_dialogues(
    dialogues: list[Dialogue],
    backend,
    out: Path,
    max_retries: int = 2,
    concurrency: int = 4,
    progress=None,
    max_new_tokens: int = 1024,
) -> LabelRun:
    """Label each dialogue; labelled ones are appended to `out` (warmline JSONL), failures to
    OUT.failed.jsonl with the last error. Ids already in `out` are skipped (resume)."""
    run = LabelRun()
    failed_path = out.with_name(out.stem + ".failed.jsonl")
    done = {r["id"] for r in read_jsonl_dicts(out)} if out.exists() else set()
    run.resumed = len(done)
    todo = [d for d in dialogues if d.id not in done]
    sem = asyncio.Semaphore(concurrency)
    ok, bad = JsonlWriter(out, append=True), JsonlWriter(failed_path, append=True)
    options = GenerationOptions(temperature=0.0, max_new_tokens=max_new_tokens)

    async def one(d: Dialogue) -> None:
        async with sem:
            got = await ask(backend, label_prompt(d), lambda t: parse_labels(t, d), max_retries, run.stats, options)
        if isinstance(got, Exception):
            run.failed.append(d.id)
            bad.write({"id": d.id, "error": str(got)})
        else:
            ok.write(apply_labels(d, got))
            run.labelled += 1
        if progress:
            progress(1)

    try:
        await asyncio.gather(*(one(d) for d in todo))
    finally:
        ok.close()
        bad.close()
    return run
