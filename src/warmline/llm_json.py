"""Asking an LLM for a JSON answer: the object is taken out of the reply (prose and code fences around it
are fine), checked by the caller's parser, and asked for again when it is unusable, with every call,
retry and failure counted. Used by the judges, topic and insight labelling, and simulated sessions."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from .backends.base import BackendError, ChatBackend, GenerationOptions

T = TypeVar("T")

# deterministic and long enough for scores with one-sentence reasons
JSON_OPTIONS = GenerationOptions(temperature=0.0, max_new_tokens=400)


class UnusableAnswer(ValueError):
    """The model's answer holds no usable JSON (or not the fields asked for); the message says what is wrong."""


@dataclass
class AskStats:
    """Calls made, retries among them, questions given up on, and errors by type name."""

    calls: int = 0
    retries: int = 0
    failed: int = 0
    errors: Counter = field(default_factory=Counter)


# from the first "{" to the last "}": an object inside prose or a ```json fence is found whole
_OBJ = re.compile(r"\{.*\}", re.S)


def json_object(text: str) -> dict:
    """The JSON object in an answer, or UnusableAnswer saying why there is none."""
    m = _OBJ.search(text)
    if not m:
        raise UnusableAnswer("no JSON object in the judge's answer")
    try:
        obj = json.loads(m.group(0))
    except json.JSONDecodeError as e:
        raise UnusableAnswer(f"invalid JSON: {e.msg}") from None
    if not isinstance(obj, dict):
        raise UnusableAnswer("the JSON is not an object")
    return obj


def context_text(context: list[dict], lang: str) -> str:
    """A conversation as prompt text, one "Client: ..." / "Counselor: ..." line per message (system
    messages left out), with Chinese speaker names for Chinese."""
    who = {"user": "来访者" if lang == "zh" else "Client", "assistant": "咨询师" if lang == "zh" else "Counselor"}
    return "\n".join(f"{who.get(m['role'], m['role'])}: {m['content']}" for m in context if m["role"] != "system")


async def ask(
    backend: ChatBackend,
    prompt: str,
    parse: Callable[[str], T],
    max_retries: int,
    stats: AskStats,
    options: GenerationOptions = JSON_OPTIONS,
) -> T | UnusableAnswer:
    """`parse` of the answer to `prompt`, asking again (up to `max_retries` more times) while `parse` raises
    UnusableAnswer or the backend fails. After the last try the UnusableAnswer is returned, not raised, so
    that one bad item does not end a batch."""
    last = ""
    for attempt in range(max_retries + 1):
        stats.calls += 1
        if attempt:
            stats.retries += 1
        try:
            reply = await backend.agenerate([{"role": "user", "content": prompt}], options)
            return parse(reply.text)
        except (UnusableAnswer, BackendError) as e:
            last = str(e)
            stats.errors[type(e).__name__] += 1
    stats.failed += 1
    return UnusableAnswer(f"unparsable after {max_retries + 1} attempts: {last}")
