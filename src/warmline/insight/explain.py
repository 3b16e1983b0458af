"""Explained replies: observation, reasoning and reply as separate fields. The reply alone goes to the
person (through the safety layer); the explanation is for the operator and the web page.

Two ways to get them:
- `cot`: a model fine-tuned on the chain-of-thought form (`warmline build-sft --format cot`) writes
  <observation>..</observation><reasoning>..</reasoning><reply>..</reply>; the tags are split off;
- `prompt`: any model is asked for JSON {"observation", "reasoning", "reply"}; output that is not such
  JSON is treated as a plain reply with no explanation (never shown raw with tags or braces).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..replies import split_cot

MODES = ("off", "cot", "prompt")

EXPLAIN_INSTRUCTION = {
    "en": (
        'Before replying, think as a counselor. Answer with JSON only: {"observation": "<what the client\'s '
        'words show about their feelings and situation>", "reasoning": "<why you respond the way you do, '
        'and which approach you use>", "reply": "<your reply to the client>"}. Only the reply is shown to the client.'
    ),
    "zh": (
        '回复前请先像咨询师一样思考。只用JSON回答：{"observation": "<来访者的话反映出的情绪和处境>", '
        '"reasoning": "<你为什么这样回应、采用什么方法>", "reply": "<你对来访者说的话>"}。只有reply会展示给来访者。'
    ),
}
_OBJ = re.compile(r"\{.*\}", re.S)


@dataclass
class Explained:
    reply: str
    observation: str = ""
    reasoning: str = ""

    @property
    def explanation(self) -> str:
        parts = [
            f"Observation: {self.observation}" if self.observation else "",
            f"Reasoning: {self.reasoning}" if self.reasoning else "",
        ]
        return "\n".join(p for p in parts if p)

    def to_dict(self) -> dict:
        return {"observation": self.observation, "reasoning": self.reasoning}


def split(text: str, mode: str) -> Explained:
    """Separate a model's output into explanation and reply according to `mode`."""
    if mode == "cot":
        obs, why, reply = split_cot(text)
        return Explained(reply, obs, why)
    if mode == "prompt":
        m = _OBJ.search(text)
        if m:
            try:
                obj = json.loads(m.group(0))
            except json.JSONDecodeError:
                obj = None
            if isinstance(obj, dict) and isinstance(obj.get("reply"), str) and obj["reply"].strip():
                return Explained(
                    obj["reply"].strip(),
                    str(obj.get("observation") or "").strip(),
                    str(obj.get("reasoning") or "").strip(),
                )
        # not the JSON asked for: the whole text is the reply, with any tags or braces stripped
        obs, why, reply = split_cot(text)
        return Explained(reply if (obs or why) else _strip_json(text), obs, why)
    return Explained(text.strip())


def _strip_json(text: str) -> str:
    return _OBJ.sub("", text).strip() or text.strip()


def with_instruction(messages: list[dict], lang: str) -> list[dict]:
    """Messages with the explain instruction added to (or as) the system prompt."""
    instr = EXPLAIN_INSTRUCTION["zh" if lang == "zh" else "en"]
    if messages and messages[0]["role"] == "system":
        return [{"role": "system", "content": messages[0]["content"] + "\n\n" + instr}] + messages[1:]
    return [{"role": "system", "content": instr}] + messages
