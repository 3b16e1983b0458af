"""Screening for the server: batched for the event loop, a long message's lexicon pass in a process of its own
(so it never holds up other chats), and a memory of the user turns already screened for each client, so that in
the stateless API every user turn the server has not seen is screened, not only the last."""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict

from ..safety import Screener, Verdict
from ..safety.screener import CONTEXT_TURNS, BatchingScreener, classifier_view
from ..turn import worst

# over this many characters (the message and the earlier ones read with it), the lexicon reads the whole text in a
# process of its own and the full screen reads the beginning and end (`classifier_view`): the lexicon's cost is
# linear, but seconds of regular expressions over 500 KB would hold the interpreter that serves everyone else
LONG = 20_000

_lexicon: Screener | None = None


def lexicon_verdict(text: str, context: list[str], asked: str | None = None) -> Verdict:
    """The lexicon alone (with the context rules) on the whole text; runs in the worker process."""
    global _lexicon
    if _lexicon is None:
        _lexicon = Screener(classifier=None)
    return _lexicon(text, context, asked)


def _watch_parent(parent: int) -> None:
    """In the worker process: yield the CPU to the server's own work (a long scan must not slow the other chats on a
    small machine), and exit when the server is gone (killed without a shutdown, it cannot say so)."""
    import os
    import threading
    import time

    try:
        os.nice(10)
    except (AttributeError, OSError):  # no nice on this platform: the scan still runs apart from the event loop
        pass

    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


class ServerScreen:
    """Async (text, context, asked=None) -> Verdict for `take_turn`; `for_request` gives each request a budget."""

    def __init__(self, screener: Screener):
        self.batch = BatchingScreener(screener)
        self._pool = None

    async def __call__(self, text: str, context: list[str], asked: str | None = None) -> Verdict:
        near = context[-CONTEXT_TURNS:]
        asked = classifier_view(asked) if asked else None  # the question is read at its end (`safety.context`)
        if len(text) + sum(len(c) for c in near) <= LONG:
            return await self.batch(text, near, asked)
        part, whole = await asyncio.gather(
            self.batch(classifier_view(text), [classifier_view(c) for c in near], asked), self._whole(text, near, asked)
        )
        return worst([part, whole])  # on equal risk the lexicon's verdict (it names the phrase)

    def for_request(self, users: int):
        """The screen for one request of `users` user turns: the newest gets the whole screen; earlier ones, up to
        LONG characters in all, too; beyond that (up to 200 turns never seen, a megabyte), the lexicon alone reads
        them, in the worker process, so that no request can buy seconds of the classifier."""
        budget = [LONG]

        async def screen(text: str, context: list[str], asked: str | None = None) -> Verdict:
            if len(context) == users - 1:
                return await self(text, context, asked)
            near = context[-CONTEXT_TURNS:]
            asked = classifier_view(asked) if asked else None
            size = len(text) + sum(len(c) for c in near)
            if size <= budget[0]:
                budget[0] -= size
                return await self.batch(text, near, asked)
            return await self._whole(text, near, asked)

        return screen

    async def _whole(self, text: str, context: list[str], asked: str | None = None) -> Verdict:
        if self._pool is None:
            import multiprocessing
            import os
            from concurrent.futures import ProcessPoolExecutor

            # spawned, not forked: the server has threads (uvicorn, numpy's BLAS), which a fork would copy mid-state
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_watch_parent,
                initargs=(os.getpid(),),
            )
        return await asyncio.get_running_loop().run_in_executor(self._pool, lexicon_verdict, text, context, asked)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


class SeenTurns:
    """Fingerprints of the user turns screened for each client (its key, or its address on a key-less server),
    the most recent `size` of them: a conversation resent with each request is screened one new turn at a time,
    and an earlier turn the server never saw ("I want to kill myself tonight." followed by "hi") is screened too.
    A turn is known by its text and the assistant's turn just before it (`asked`): "Yes." after "Did you have
    lunch?" and "Yes." after a risk question are different turns. A fingerprint forgotten only means that turn is
    screened again."""

    def __init__(self, size: int = 50_000):
        self.size = size
        self._seen: OrderedDict[bytes, None] = OrderedDict()

    @staticmethod
    def _key(principal: str, text: str, asked: str | None) -> bytes:
        digest = hashlib.sha256()
        for part in (principal, asked or "", text):  # each part's length first: no two splits give the same bytes
            data = part.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.digest()

    def unseen(self, principal: str, users: list[str], asked: list[str | None] | None = None) -> list[int]:
        asked = asked or [None] * len(users)
        return [i for i, t in enumerate(users) if self._key(principal, t, asked[i]) not in self._seen]

    def remember(self, principal: str, users: list[str], asked: list[str | None] | None = None) -> None:
        asked = asked or [None] * len(users)
        for t, q in zip(users, asked):
            k = self._key(principal, t, q)
            self._seen[k] = None
            self._seen.move_to_end(k)
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)
