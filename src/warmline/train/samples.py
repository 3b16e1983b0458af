"""Split dialogues into supervised samples and render them for training.

For every counselor turn r_t of a dialogue, the history h_t = (u_1, r_1, ..., u_t) is the input and r_t
the target. Samples are built from one dialogue at a time, so context can never cross a dialogue
boundary. Truncation to a token budget drops whole turns from the oldest end and always keeps the last
client turn and the counselor cue.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ..conversation import Dialogue, Turn

# SoulChat's text form, and its English counterpart
TEXT_ROLES = {"zh": ("用户：", "心理咨询师："), "en": ("User: ", "Counselor: ")}
COT_TAGS = ("<observation>", "</observation>", "<reasoning>", "</reasoning>", "<reply>", "</reply>")
COT_LABELS = {
    "zh": {
        "guide": "【指导】",
        "background": "【背景】",
        "dialogue": "【对话】",
        "client": "来访者：",
        "counselor": "咨询师：",
        "observation": "（观察：{}）",
        "reasoning": "（推理：{}）",
    },
    "en": {
        "guide": "[Guide]",
        "background": "[Background]",
        "dialogue": "[Dialogue]",
        "client": "Client: ",
        "counselor": "Counselor: ",
        "observation": "(Observation: {})",
        "reasoning": "(Reasoning: {})",
    },
}
SYSTEM_PROMPT = {
    "en": (
        "You are a professional, warm counselor. You draw on cognitive behavioural therapy, motivational "
        "interviewing and solution-focused techniques. Listen first, reflect feelings, and explore with the "
        "client through gentle questions rather than lecturing or listing advice. Reply naturally, neither "
        "too long nor too short, like a real conversation."
    ),
    "zh": (
        "你是一位专业、温暖的心理咨询师，善于运用认知行为疗法、动机式访谈和焦点解决短期疗法等技术。"
        "先倾听，回应来访者的感受，用温和的提问和来访者一起探索，而不是说教或罗列建议。"
        "回复要自然，不要太长也不要太短，像真实的对话一样。"
    ),
}
FORMATS = ("soulchat", "openai", "cot", "cot-r", "sharegpt", "alpaca")
# Psy-Insight's ablation: dialogue only (openai/soulchat), reasoning + dialogue (cot-r), and observation +
# reasoning + dialogue (cot); evaluation scores the reply alone in every case.


@dataclass
class Sample:
    id: str
    group: str
    lang: str
    history: list[Turn]
    target: Turn
    labels: dict = field(default_factory=dict)
    dropped_turns: int = 0


def group_of(d: Dialogue) -> str:
    """Dialogues from the same source question share a group (kept on one side of a split)."""
    p = d.provenance
    return str(p.get("source_group") or p.get("source_id") or d.id)


def split_dialogue(d: Dialogue, drop_empty_history: bool = True) -> list[Sample]:
    """One sample per counselor turn, with only this dialogue's earlier turns as history."""
    turns = [t for t in d.turns if t.role != "system"]
    out = []
    for i, t in enumerate(turns):
        if t.role != "counselor":
            continue
        history = turns[:i]
        if drop_empty_history and not any(h.role == "client" for h in history):
            continue
        out.append(Sample(f"{d.id}#{i}", group_of(d), d.lang, list(history), t, d.labels))
    return out


# -- rendering ---------------------------------------------------------------------------------------


def render_text(history: list[Turn], lang: str) -> str:
    """SoulChat input text: "用户：…\\n心理咨询师：…\\n…用户：…\\n心理咨询师：" (the cue ends it)."""
    client, counselor = TEXT_ROLES[lang]
    lines = [f"{client if t.role == 'client' else counselor}{t.text}" for t in history]
    return "\n".join(lines + [counselor.rstrip()])


def render_cot_input(s: Sample, observations: bool = True) -> str:
    L = COT_LABELS[s.lang]
    parts = []
    if s.labels.get("guide"):
        parts.append(f"{L['guide']}{s.labels['guide']}")
    if s.labels.get("background"):
        parts.append(f"{L['background']}{s.labels['background']}")
    parts.append(L["dialogue"])
    for i, t in enumerate(s.history):
        parts.append(f"{L['client'] if t.role == 'client' else L['counselor']}{t.text}")
        last_client = i == len(s.history) - 1
        if observations and t.role == "client" and t.observation and not last_client:
            parts.append(L["observation"].format(t.observation))
        if t.role == "counselor" and t.reasoning:
            parts.append(L["reasoning"].format(t.reasoning))
    parts.append(L["counselor"].rstrip())
    return "\n".join(parts)


def render_cot_target(s: Sample, observations: bool = True) -> str:
    """Observation (of the last client turn), reasoning, then the reply, each in its own tags; without
    the observation for the reasoning-only variant."""
    obs = next((t.observation for t in reversed(s.history) if t.role == "client"), None) or ""
    head = f"{COT_TAGS[0]}{obs}{COT_TAGS[1]}\n" if observations else ""
    return f"{head}{COT_TAGS[2]}{s.target.reasoning or ''}{COT_TAGS[3]}\n{COT_TAGS[4]}{s.target.text}{COT_TAGS[5]}"


def _pairs(history: list[Turn]) -> list[list[str]]:
    """[[client, counselor], ...] with consecutive same-role turns joined (alpaca needs pairs)."""
    merged: list[list] = []
    for t in history:
        if merged and merged[-1][0] == t.role:
            merged[-1][1] += "\n" + t.text
        else:
            merged.append([t.role, t.text])
    pairs, pending = [], None
    for role, text in merged:
        if role == "client":
            pending = text
        elif pending is not None:
            pairs.append([pending, text])
            pending = None
    return pairs


def render(s: Sample, fmt: str, system: str | None = None) -> dict:
    """One output record for a sample in the given format."""
    system = SYSTEM_PROMPT[s.lang] if system is None else system
    if fmt == "soulchat":
        return {"id": s.id, "input": render_text(s.history, s.lang), "target": s.target.text}
    if fmt == "openai":
        msgs = [{"role": "system", "content": system}] if system else []
        msgs += [{"role": "user" if t.role == "client" else "assistant", "content": t.text} for t in s.history]
        msgs.append({"role": "assistant", "content": s.target.text})
        return {"id": s.id, "messages": msgs}
    if fmt in ("cot", "cot-r"):
        obs = fmt == "cot"
        return {"id": s.id, "input": render_cot_input(s, obs), "target": render_cot_target(s, obs)}
    if fmt == "sharegpt":
        conv = [{"from": "human" if t.role == "client" else "gpt", "value": t.text} for t in s.history]
        conv.append({"from": "gpt", "value": s.target.text})
        return {"id": s.id, "system": system, "conversations": conv}
    if fmt == "alpaca":
        pairs = _pairs(s.history + [Turn("counselor", "")])
        last_client = pairs[-1][0] if pairs else ""
        return {
            "instruction": last_client,
            "input": "",
            "output": s.target.text,
            "system": system,
            "history": pairs[:-1],
        }
    raise ValueError(f"unknown SFT format {fmt!r}; choose one of {', '.join(FORMATS)}")


# -- truncation --------------------------------------------------------------------------------------


def truncate(
    s: Sample,
    count: Callable[[str], int],
    max_input: int,
    max_target: int | None = None,
    fmt: str = "soulchat",
    cut_target: Callable[[str, int], str] | None = None,
) -> Sample:
    """Drop whole turns from the oldest end until the rendered input fits `max_input` tokens. The last
    client turn and the counselor cue are always kept (a client turn alone over budget keeps its end).
    The target is cut to `max_target` tokens from the right."""

    def size(hist: list[Turn]) -> int:
        probe = Sample(s.id, s.group, s.lang, hist, Turn("counselor", ""), s.labels)
        rec = render(probe, fmt if fmt in ("cot", "cot-r") else "soulchat")
        return count(rec["input"])

    hist = list(s.history)
    dropped = 0
    while len(hist) > 1 and size(hist) > max_input:
        hist.pop(0)
        dropped += 1
    # never start on a counselor turn after dropping
    while len(hist) > 1 and hist[0].role == "counselor":
        hist.pop(0)
        dropped += 1
    if hist and size(hist) > max_input:
        last = hist[-1]
        text = last.text
        while text and size(hist[:-1] + [Turn(last.role, text)]) > max_input:
            text = text[max(1, len(text) // 10) :]
        hist[-1] = Turn(last.role, text, observation=last.observation)
    target = s.target
    if max_target and cut_target is not None and count(target.text) > max_target:
        target = Turn("counselor", cut_target(target.text, max_target), reasoning=target.reasoning)
    return Sample(s.id, s.group, s.lang, hist, target, s.labels, dropped)


# -- splits ------------------------------------------------------------------------------------------


def assign_split(group: str, fractions: tuple[float, ...], seed: int = 0) -> int:
    """Deterministic split index for a group: every dialogue of one source question lands together."""
    h = int.from_bytes(hashlib.blake2b(f"{seed}:{group}".encode(), digest_size=8).digest(), "big") / 2**64
    acc = 0.0
    for i, f in enumerate(fractions):
        acc += f
        if h < acc:
            return i
    return len(fractions) - 1


def build(dialogues: Iterable[Dialogue], drop_empty_history: bool = True) -> Iterator[Sample]:
    for d in dialogues:
        yield from split_dialogue(d, drop_empty_history)
