"""The backend interface: one required method, `generate(messages, options) -> Reply`, plus streaming,
batched and async variants with working defaults; generation options and named presets."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

Message = dict  # {"role": "system"|"user"|"assistant", "content": str}


class GenerationOptions(BaseModel):
    """Sampling options shared by every backend. temperature 0 means greedy decoding."""

    model_config = ConfigDict(extra="forbid")

    temperature: float = Field(0.7, ge=0.0, le=2.0)
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    max_new_tokens: int = Field(256, ge=1, le=32768)
    seed: int | None = None
    stop: list[str] = Field(default_factory=list)


# Named presets: where each number comes from is part of the preset.
PRESETS: dict[str, dict] = {
    "soulchat": {"top_p": 0.75, "temperature": 0.95},  # SoulChat's released inference settings
    "mechat": {"top_p": 0.8, "temperature": 0.8},  # MeChat (SMILE) demo settings
    "smile": {"top_p": 1.0, "temperature": 1.0},  # SMILE's corpus generation with ChatGPT
    "greedy": {"temperature": 0.0},
}


def preset(name: str | None = None, **overrides) -> GenerationOptions:
    """GenerationOptions from a named preset, with explicit overrides (None values are ignored)."""
    base: dict = {}
    if name:
        if name not in PRESETS:
            raise ValueError(f"unknown generation preset {name!r}; known: {', '.join(PRESETS)}")
        base = dict(PRESETS[name])
    base.update({k: v for k, v in overrides.items() if v is not None})
    return GenerationOptions(**base)


@dataclass
class Reply:
    text: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None
    model: str | None = None


class BackendError(RuntimeError):
    """A backend failed in a way retries did not fix; the message says what to do."""


class ChatBackend:
    """Base class. Subclasses implement `generate`; capabilities are class attributes."""

    name = "base"
    supports_streaming = False
    supports_batching = False
    model_id = "unknown"

    def generate(self, messages: list[Message], options: GenerationOptions) -> Reply:
        raise NotImplementedError

    def stream(self, messages: list[Message], options: GenerationOptions) -> Iterator[str]:
        yield self.generate(messages, options).text

    def generate_batch(self, batch: list[list[Message]], options: GenerationOptions) -> list[Reply]:
        return [self.generate(m, options) for m in batch]

    async def agenerate(self, messages: list[Message], options: GenerationOptions) -> Reply:
        return await asyncio.to_thread(self.generate, messages, options)

    def close(self) -> None:
        pass

    async def aopen(self) -> None:
        """Open what the async path needs in the running event loop ahead of the first request (a
        server calls this at startup, so that the first requests do not pay for it)."""

    async def aclose(self) -> None:
        """Close what the async path opened in the running event loop (an HTTP session)."""


def run_closing(coro, *backends: ChatBackend):
    """asyncio.run(coro), then close each backend's async resources in the same event loop."""
    import asyncio

    async def go():
        try:
            return await coro
        finally:
            for b in backends:
                await b.aclose()

    return asyncio.run(go())


def cut_at_stop(text: str, stop: Iterable[str]) -> tuple[str, bool]:
    """Text up to the first stop string, and whether one was found."""
    cut = len(text)
    for s in stop:
        if s:
            i = text.find(s)
            if 0 <= i < cut:
                cut = i
    return text[:cut], cut < len(text)


class StopStream:
    """Feeds streamed chunks and releases only text that cannot be the start of a stop string."""

    def __init__(self, stop: list[str]):
        self.stop = [s for s in stop if s]
        self.hold = max((len(s) for s in self.stop), default=1) - 1
        self.buf = ""
        self.done = False

    def feed(self, chunk: str) -> str:
        if self.done:
            return ""
        self.buf += chunk
        text, hit = cut_at_stop(self.buf, self.stop)
        if hit:
            self.done = True
            self.buf = ""
            return text
        if self.hold <= 0:
            out, self.buf = self.buf, ""
            return out
        out, self.buf = self.buf[: -self.hold], self.buf[-self.hold :]
        return out

    def flush(self) -> str:
        out, self.buf = ("" if self.done else self.buf), ""
        return out
