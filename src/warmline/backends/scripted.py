"""A backend whose replies are queued up front and whose calls are recorded: for tests and demos."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from .base import BackendError, ChatBackend, GenerationOptions, Message, Reply, cut_at_stop

Scripted = str | Exception | Callable[[list], str]


class ScriptedBackend(ChatBackend):
    """Each call takes the next queued reply: a string, an exception to raise, or a function of the
    messages. When the queue is empty, `default` answers (or the call fails)."""

    name = "scripted"
    supports_streaming = True
    model_id = "scripted"

    def __init__(self, replies: Iterable[Scripted] = (), default: Scripted | None = None):
        self._queue: deque = deque(replies)
        self.default = default
        self.calls: list[dict] = []
        self._lock = threading.Lock()

    def add(self, *replies: Scripted) -> None:
        with self._lock:
            self._queue.extend(replies)

    def generate(self, messages: list[Message], options: GenerationOptions) -> Reply:
        with self._lock:
            self.calls.append({"messages": [dict(m) for m in messages], "options": options.model_dump()})
            nxt = self._queue.popleft() if self._queue else self.default
        if nxt is None:
            raise BackendError("scripted backend has no replies left; queue more with add()")
        if isinstance(nxt, Exception):
            raise nxt
        text = nxt(messages) if callable(nxt) else nxt
        text, _ = cut_at_stop(text, options.stop)
        return Reply(
            text, sum(len(m["content"].split()) for m in messages), len(text.split()), "stop", self.model_id
        )  # a scripted reply is always complete

    def stream(self, messages: list[Message], options: GenerationOptions) -> Iterator[str]:
        text = self.generate(messages, options).text
        words = text.split(" ")
        for i, w in enumerate(words):
            yield w if i == len(words) - 1 else w + " "
