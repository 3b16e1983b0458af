"""The OpenAI chat-completions wire format (the subset clients use), and OpenAI-shaped errors."""

from __future__ import annotations

import time
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator


def _text(value: str) -> str:
    """Text that can be written as UTF-8: JSON may carry a lone surrogate ("\\ud800"), which nothing downstream
    can encode."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text holds an unpaired surrogate (not valid Unicode); send UTF-8 text") from None
    return value


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "user", "assistant"]
    content: str

    @field_validator("content", mode="before")
    @classmethod
    def _parts(cls, v):
        """A string, or a list of text parts as current OpenAI clients send them (joined by newlines); other
        parts (images, audio, files) are refused by name."""
        if not isinstance(v, list):
            return v
        texts = []
        for i, part in enumerate(v):
            kind = part.get("type") if isinstance(part, dict) else type(part).__name__
            if kind != "text" or not isinstance(part.get("text"), str):
                raise ValueError(
                    f"content part {i} is of type {kind!r}; this server accepts text only "
                    '([{"type": "text", "text": "..."}] or a string)'
                )
            texts.append(part["text"])
        return "\n".join(texts)

    _valid = field_validator("content")(lambda cls, v: _text(v))


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")  # clients send fields such as n, user, stream_options
    model: str
    messages: list[ChatMessage] = Field(min_length=1)
    stream: StrictBool = False  # "yes" or 1 is an error, not true
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, gt=0, le=1)
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    seed: int | None = None
    stop: str | list[str] | None = None

    @model_validator(mode="after")
    def _valid_text(self):
        for t in [self.model] + ([self.stop] if isinstance(self.stop, str) else list(self.stop or [])):
            _text(t)
        return self


def error(status: int, message: str, kind: str, code: str | None = None, param: str | None = None) -> dict:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def completion(model: str, text: str, finish: str, usage: dict, extra: dict) -> dict:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
        "usage": usage,
        "warmline": extra,
    }


def chunk(cid: str, model: str, delta: dict, finish: str | None = None, extra: dict | None = None) -> dict:
    out = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if extra:
        out["warmline"] = extra
    return out
