"""One chat turn, the same everywhere a person is answered (`warmline chat`, `warmline serve`, `eval simulate`,
the quickstart): screen the person's new messages, answer risk with the crisis message (alone, or before the
model's reply with `elevated_reply`), prepare the model's messages (the operator's system prompt first, an
optional hook such as similar cases or an explanation instruction, the risk note), generate whole or streamed,
and screen the reply, replacing it when unsafe. A fix made here lands in every path at once."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from .backends.base import ChatBackend, GenerationOptions, Reply
from .safety import Verdict, crisis_alone, crisis_message, decide, risk_note, screen_reply, unsafe_reply_message
from .safety.detect import LEVELS
from .safety.reply import MARGIN, context_start, second_stage, unsafe_tail

# (message, the person's earlier messages[, asked=the assistant's turn before the message]) -> verdict; `asked` is
# passed as a keyword, and only when an assistant turn came before the message, so a screen of two arguments still
# works for conversations without one
Screen = Callable[..., Awaitable[Verdict]]


class TurnHook(Protocol):
    """What a capability adds to a turn (the insight package's explanations and similar cases): it may change
    the messages the model sees and split something off the reply. `whole_reply`: the reply must be complete
    before any of it is shown (an explanation is split off it)."""

    whole_reply: bool

    def prepare(self, messages: list[dict], lang: str) -> tuple[list[dict], list[str]]: ...

    def finish(self, text: str, lang: str) -> tuple[str, dict | None]: ...


@dataclass
class TurnPolicy:
    """What the operator set, the same for every turn."""

    system_prompt: str | None = None
    locale: str | None = None
    # off (the default): any risk is answered with the crisis message alone. On: an elevated message gets the crisis
    # message and then the model's reply (told of the risk, screened as always); imminent risk and messages about
    # means never reach the model (`crisis_alone`)
    elevated_reply: bool = False
    # on: a message only the classifier flagged gets the model's reply with a gentle check-in woven in
    # (`policy.decide`); off by default, for the same reason as elevated_reply
    woven_check_in: bool = False
    hook: TurnHook | None = None
    # on (True or "linear": `safety.reply_model`; "tuned": `safety.reply_tuned`, whose weights do not ship): the reply
    # screen's second stage reads each finished sentence as well as the rules, and a stream shows a sentence only once
    # it has ended and been read; off by default (its cost to a busy server)
    reply_model: bool | str = False


@dataclass
class Opening:
    """The first event of a turn: the verdict on the person's messages and the crisis message ("" when none)."""

    verdict: Verdict
    crisis: str
    alone: bool  # the crisis message is the whole answer: the model is not called


@dataclass
class Piece:
    """Reply text released to the person (streamed turns)."""

    text: str


@dataclass
class Turnout:
    """What one exchange produced, the last event of a turn: the text shown, and the verdicts on both sides."""

    text: str
    user_verdict: Verdict
    reply_verdict: Verdict | None = None  # None when the model was not called
    replaced: bool = False
    explanation: dict | None = None  # observation and reasoning, for the operator and the web page
    cases: list[str] = field(default_factory=list)  # ids of the retrieved similar sessions
    reply: Reply | None = None  # the backend's reply (token counts), when it was generated whole

    @property
    def crisis(self) -> bool:
        return self.user_verdict.flagged


def model_messages(system_prompt: str | None, messages: list[dict]) -> list[dict]:
    """The operator's system prompt first; a client's system text may only follow it, never replace it."""
    client = "\n\n".join(m["content"] for m in messages if m["role"] == "system" and m["content"].strip())
    rest = [m for m in messages if m["role"] != "system"]
    system = "\n\n".join(x for x in (system_prompt, client) if x)
    return ([{"role": "system", "content": system}] if system else []) + rest


def worst(verdicts: list[Verdict]) -> Verdict:
    """The highest risk; among equals the latest (the newest message sets the reply's language)."""
    best = verdicts[-1]
    for v in verdicts:
        if LEVELS.index(v.risk) > LEVELS.index(best.risk):
            best = v
    return best


def asked_before(messages: list[dict]) -> list[str | None]:
    """Per user message, what the assistant said between the person's previous message and it (its turns joined),
    or None when it said nothing there: the question the message may be answering."""
    out: list[str | None] = []
    said: list[str] = []
    for m in messages:
        if m["role"] == "assistant" and isinstance(m.get("content"), str) and m["content"].strip():
            said.append(m["content"])
        elif m["role"] == "user":
            out.append("\n".join(said) or None)
            said = []
    return out


async def screen_new(messages: list[dict], screen: Screen, new: list[int] | None = None) -> Verdict:
    """Screen the person's messages at the indices `new` (of the user messages; default: the last), each read
    after the ones before it and the assistant's turn just before it; the highest risk counts."""
    users = [m["content"] for m in messages if m["role"] == "user"]
    asked = asked_before(messages)
    todo = sorted(set(new if new is not None else [len(users) - 1]) | {len(users) - 1})

    def one(i: int):
        return screen(users[i], users[:i], asked=asked[i]) if asked[i] else screen(users[i], users[:i])

    verdicts = await asyncio.gather(*(one(i) for i in todo))
    return worst(list(verdicts))


async def take_turn(
    messages: list[dict],
    policy: TurnPolicy,
    backend: ChatBackend,
    options: GenerationOptions,
    screen: Screen,
    *,
    new: list[int] | None = None,
    stream: bool = False,
    slot=None,
) -> AsyncIterator[Opening | Piece | Turnout]:
    """One turn over `messages` (the conversation so far, ending with the person's message): yields an
    Opening, then (streamed) Pieces of the reply, then the Turnout. `new`: which user messages the caller has
    not had screened yet (default: the last). `slot`: an async context manager held while the model runs."""
    verdict = decide(await screen_new(messages, screen, new), policy.elevated_reply, policy.woven_check_in)
    lang = verdict.lang
    crisis = crisis_message(verdict, policy.locale) if verdict.flagged and verdict.answer != "woven-check-in" else ""
    alone = crisis_alone(verdict, policy.elevated_reply, policy.woven_check_in)
    yield Opening(verdict, crisis, alone)
    if alone:
        yield Turnout(crisis, verdict)
        return
    prepared, cases = model_messages(policy.system_prompt, messages), []
    hook = policy.hook
    if hook is not None:
        prepared, cases = await asyncio.to_thread(hook.prepare, prepared, lang)
    if verdict.flagged:  # told of the risk (elevated_reply), or asked to check in gently (woven_check_in)
        prepared = risk_note(verdict, prepared)
    prefix = crisis + "\n\n" if crisis else ""
    async with slot or _nothing():
        if stream and not (hook is not None and hook.whole_reply):
            guard = ReplyGuard(lang, policy.reply_model)
            async with contextlib.aclosing(_guarded(backend, prepared, options, guard)) as pieces:
                async for piece in pieces:
                    yield Piece(piece)
            shown = guard.shown(unsafe_reply_message(lang))
            # the guard screened the reply as it grew: screened again whole only to name what was unsafe
            rv = Verdict(lang=lang)
            if guard.unsafe:
                rv = await asyncio.to_thread(screen_reply, guard.text, lang, True, policy.reply_model)
                if not rv.flagged:  # the guard read a part the whole does not flag (a sentence cut short): still unsafe
                    rv = Verdict("elevated", [], [], lang)
            yield Turnout(prefix + shown, verdict, rv, guard.unsafe, None, cases)
            return
        reply = await backend.agenerate(prepared, options)
    text, explanation = hook.finish(reply.text, lang) if hook is not None else (reply.text, None)
    if explanation:
        said = f"{explanation.get('observation', '')}\n{explanation.get('reasoning', '')}"
        if (await asyncio.to_thread(screen_reply, said, lang, True, policy.reply_model)).flagged:
            explanation = None  # an explanation the screen flags is dropped
    rv = await asyncio.to_thread(screen_reply, text, lang, True, policy.reply_model)  # off the loop: it may embed
    if rv.flagged:
        text, explanation = unsafe_reply_message(lang), None
    if stream:
        yield Piece(text)
    yield Turnout(prefix + text, verdict, rv, rv.flagged, explanation, cases, reply)


async def _guarded(
    backend: ChatBackend, messages: list[dict], options: GenerationOptions, guard: ReplyGuard
) -> AsyncIterator[str]:
    """The reply's pieces as the guard releases them; at unsafe text, the replacement and the end."""
    cancel = threading.Event()
    try:
        async with contextlib.aclosing(chunks(backend, messages, options, cancel)) as source:
            async for piece in source:
                # with the second stage, a reading that embeds a sentence (a few ms) runs off the event loop, so that
                # other streams do not wait on it; every other piece stays on the loop (a worker thread for each
                # piece cost more than the rules' reading itself)
                out = await asyncio.to_thread(guard.feed, piece) if guard.embeds(piece) else guard.feed(piece)
                if guard.unsafe:
                    yield ("\n\n" if guard.sent else "") + unsafe_reply_message(guard.lang)
                    return
                if out:
                    yield out
        tail = await asyncio.to_thread(guard.flush) if guard.embeds(None) else guard.flush()
        if guard.unsafe:
            yield ("\n\n" if guard.sent else "") + unsafe_reply_message(guard.lang)
        elif tail:
            yield tail
    finally:
        cancel.set()  # a client that left (or unsafe text) stops the backend at its next piece


class _nothing:
    async def __aenter__(self):
        return None

    async def __aexit__(self, *exc):
        return False


def _word_char(c: str) -> bool:
    return c.isascii() and c.isalnum()


# the guard reads new text a clause or BATCH characters at a time, not at every streamed piece: a reading screens the
# sentence the new text continues and asks where a rule could still be matching at its end, so reading at every piece
# repeats that work for every piece of a sentence (with 32 streams it took most of the server's event loop); text
# waits at most BATCH characters
BATCH = 48
CLAUSE_ENDS = frozenset(".!?;:,\n。！？；：，")


class ReplyGuard:
    """Releases streamed text as soon as it cannot become unsafe; stops at unsafe content. Text is held
    back only from where the end could still be growing into an unsafe pattern ("take 2" may become
    "take 2 pills"), so a safe reply streams with no delay."""

    def __init__(self, lang: str, model: bool | str = False):
        self.lang = lang
        self.text = ""
        self.sent = 0
        self.checked = 0
        self.unsafe = False
        # with the second stage (True or "linear", "tuned"), each sentence is read once it has ended, and held back
        # until then
        self.reader = _sentence_reader(model, lang)

    def feed(self, piece: str) -> str:
        self.text += piece
        if len(self.text) - self.checked < BATCH and not any(c in CLAUSE_ENDS for c in piece):
            return ""  # held, unread, until a clause ends or BATCH characters wait: the screen reads them at once
        # unsafe patterns stay in their sentence: the not-yet-checked tail and the sentence it continues are enough
        start = context_start(self.text, self.checked)
        if screen_reply(self.text[start:], self.lang, final=False, model=False).flagged or (
            self.reader is not None and self.reader.read(self.text)
        ):
            self.unsafe = True
            return ""
        self.checked = len(self.text)
        hold = unsafe_tail(self.text, max(self.sent, len(self.text) - MARGIN))
        if self.reader is not None:
            hold = min(hold, max(self.sent, self.reader.done))
        while self.sent < hold < len(self.text) and _word_char(self.text[hold - 1]) and _word_char(self.text[hold]):
            hold -= 1  # hold the whole word, so that a client never shows half of one
        out = self.text[self.sent : max(self.sent, hold)]
        self.sent += len(out)
        return out

    def embeds(self, piece: str | None) -> bool:
        """Whether feeding `piece` (None: flushing) makes the second stage embed a sentence it has not read yet."""
        if self.reader is None:
            return False
        if piece is None:
            return self.reader.embeds(self.text, final=True)
        text = self.text + piece
        if len(text) - self.checked < BATCH and not any(c in CLAUSE_ENDS for c in piece):
            return False  # `feed` holds it unread
        return self.reader.embeds(text)

    def flush(self) -> str:
        """The rest, once the stream has ended: a match that waited for the end of its sentence is judged now."""
        if (
            self.sent < len(self.text)
            and screen_reply(self.text[context_start(self.text, self.sent) :], self.lang, model=False).flagged
            or self.reader is not None
            and self.reader.read(self.text, final=True)
        ):
            self.unsafe = True
            return ""
        out = self.text[self.sent :]
        self.sent = len(self.text)
        return out

    def shown(self, replacement: str) -> str:
        """What the person saw: the reply, or what was sent of it and the replacement."""
        if not self.unsafe:
            return self.text
        return self.text[: self.sent] + ("\n\n" if self.sent else "") + replacement


def _sentence_reader(model: bool | str, lang: str):
    stage = second_stage(model, lang)
    if stage is None:
        return None
    from .safety.reply_model import StreamReader

    return StreamReader(stage)


async def chunks(
    backend: ChatBackend, messages: list[dict], options: GenerationOptions, cancel: threading.Event
) -> AsyncIterator[str]:
    """Stream from any backend without blocking the event loop: natively async when it can, else from
    a worker thread that stops when `cancel` is set (a client that left frees its slot)."""
    astream = getattr(backend, "astream", None)
    if astream is not None:
        async for c in astream(messages, options):
            if cancel.is_set():
                return
            yield c
        return
    loop = asyncio.get_running_loop()
    q: asyncio.Queue = asyncio.Queue()

    def run() -> None:
        it = backend.stream(messages, options)
        try:
            for c in it:
                if cancel.is_set():
                    break
                loop.call_soon_threadsafe(q.put_nowait, c)
        except Exception as e:  # surfaced in the event loop below
            loop.call_soon_threadsafe(q.put_nowait, e)
        finally:
            close = getattr(it, "close", None)
            if close:
                close()
            loop.call_soon_threadsafe(q.put_nowait, None)

    threading.Thread(target=run, daemon=True).start()
    while (item := await q.get()) is not None:
        if isinstance(item, Exception):
            raise item
        yield item


class _Threaded(ChatBackend):
    """A backend's blocking `generate` from a worker thread: a turn run to completion from synchronous code gets
    a fresh event loop each time, and a backend's async client belongs to the loop that opened it."""

    def __init__(self, inner: ChatBackend):
        self.inner = inner
        self.model_id = inner.model_id

    def generate(self, messages, options):
        return self.inner.generate(messages, options)


def run_turn(
    messages: list[dict],
    policy: TurnPolicy,
    backend: ChatBackend,
    options: GenerationOptions,
    screener: Callable[..., Verdict],
) -> Turnout:
    """`take_turn` to completion from synchronous code (the terminal chat, simulated clients, the quickstart),
    with a blocking screener."""

    async def screen(text: str, context: list[str], asked: str | None = None) -> Verdict:
        if asked is None:  # a screener of two arguments works where no assistant turn came first
            return await asyncio.to_thread(screener, text, context)
        return await asyncio.to_thread(screener, text, context, asked)

    async def go() -> Turnout:
        out = None
        async for event in take_turn(messages, policy, _Threaded(backend), options, screen):
            out = event
        return out

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(go())
    box: list = []  # called from inside an event loop: run in a thread of its own
    t = threading.Thread(target=lambda: box.append(_capture(go)))
    t.start()
    t.join()
    if isinstance(box[0], BaseException):
        raise box[0]
    return box[0]


def _capture(go):
    try:
        return asyncio.run(go())
    except BaseException as e:  # re-raised in the caller's thread
        return e
