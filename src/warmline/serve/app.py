"""The FastAPI app factory: OpenAI-compatible `/v1/chat/completions` (JSON and SSE), `/v1/models`,
`/healthz`, the web page at `/`, with every request through the safety layer: the last user message is
screened (risk is answered with the crisis message and resources and never reaches the model; with
`elevated_reply`, an elevated message then gets the model's reply, but imminent risk and messages about means
still never reach it), and the model's reply is
screened as it streams (unsafe text is replaced before it is shown). Logs never hold message text."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections import defaultdict, deque
from contextlib import asynccontextmanager
from importlib import resources as ir
from typing import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import _json
from ..backends.base import BackendError, ChatBackend, GenerationOptions
from ..safety import (Screener, ai_notice, crisis_alone, crisis_message, decide, load_resources, risk_note, screen_reply,
                      unsafe_reply_message)
from ..safety.detect import unsafe_tail
from ..safety.screener import BatchingScreener
from ..session import default_system_prompt, finish, prepare
from .protocol import ChatRequest, chunk, completion, error
from .settings import LOOPBACK, ServeSettings

log = logging.getLogger("warmline.serve")
MARGIN = 64  # characters looked back over: longer than any unsafe pattern's match


class RateLimiter:
    """At most `per_minute` requests per key in any 60-second window."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self.hits: dict[str, deque] = defaultdict(deque)

    def check(self, key: str) -> float | None:
        """None when allowed, else seconds to wait."""
        now = time.monotonic()
        q = self.hits[key]
        while q and now - q[0] >= 60:
            q.popleft()
        if len(q) >= self.per_minute:
            return 60 - (now - q[0])
        q.append(now)
        return None


def _word_char(c: str) -> bool:
    return c.isascii() and c.isalnum()


class ReplyGuard:
    """Releases streamed text as soon as it cannot become unsafe; stops at unsafe content. Text is held
    back only from where the end could still be growing into an unsafe pattern ("take 2" may become
    "take 2 pills"), so a safe reply streams with no delay."""

    def __init__(self, lang: str):
        self.lang = lang
        self.text = ""
        self.sent = 0
        self.checked = 0
        self.unsafe = False

    def feed(self, piece: str) -> str:
        self.text += piece
        # unsafe patterns are short: the not-yet-checked tail plus a margin is enough to look at
        start = max(0, self.checked - MARGIN)
        if screen_reply(self.text[start:], self.lang).flagged:
            self.unsafe = True
            return ""
        self.checked = len(self.text)
        hold = unsafe_tail(self.text, max(self.sent, len(self.text) - MARGIN))
        while self.sent < hold < len(self.text) and _word_char(self.text[hold - 1]) and _word_char(self.text[hold]):
            hold -= 1  # hold the whole word, so that a client never shows half of one
        out = self.text[self.sent:max(self.sent, hold)]
        self.sent += len(out)
        return out

    def flush(self) -> str:
        out = self.text[self.sent:]
        self.sent = len(self.text)
        return out


def build_backend(s: ServeSettings) -> ChatBackend:
    from ..backends import make_backend

    return make_backend(s.backend, model=s.model, adapter=s.adapter, base_url=s.base_url, api_key_env=s.upstream_key_env,
                        concurrency=s.concurrency)


def safety_llm(s: ServeSettings, backend: ChatBackend) -> ChatBackend | None:
    """The backend for the LLM check stage, if the settings ask for one."""
    if s.safety_llm == "same":
        return backend
    if s.safety_llm == "openai":
        from ..backends import make_backend

        return make_backend("openai", model=s.safety_llm_model, base_url=s.safety_llm_base_url,
                            api_key_env=s.safety_llm_key_env)
    return None


async def _chunks(backend: ChatBackend, messages: list[dict], options: GenerationOptions,
                  cancel: threading.Event) -> AsyncIterator[str]:
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


def create_app(settings: ServeSettings, backend: ChatBackend | None = None, screener: Screener | None = None) -> FastAPI:
    settings.check()
    second = settings.safety_classifier
    if screener is None and second and settings.safety_classifier_file:  # before the model loads: fail at once
        from ..safety.classifier import RiskClassifier

        second = RiskClassifier.load(settings.safety_classifier_file)  # ValueError: the CLI says what is wrong
    backend = backend or build_backend(settings)
    screener = screener or Screener(safety_llm(settings, backend), classifier=second, threshold=settings.safety_threshold,
                                    llm_mode=settings.safety_llm_mode)
    screen_user = BatchingScreener(screener)
    model_name = settings.served_model_name or backend.model_id
    keys = settings.api_keys()
    need_auth = bool(keys) or settings.host not in LOOPBACK
    limiter = RateLimiter(settings.rate_limit_per_minute)
    slots = asyncio.Semaphore(settings.concurrency)
    system = settings.system_prompt or default_system_prompt(settings.lang)
    if settings.explain not in ("off", "cot", "prompt"):
        raise ValueError(f"explain must be off, cot or prompt, not {settings.explain!r}")
    case_index = None
    if settings.index:
        from ..insight.index import CaseIndex

        case_index = CaseIndex(settings.index)
    stats = {"requests": 0, "crisis": 0, "replaced": 0, "active": 0}
    store = None
    if settings.store:
        from .store import Store

        store = Store(settings.store_file(), settings.retention_days, settings.redact_pii)

    def keep(cid: str, user: str, risk: str, reply: str) -> None:
        if store is not None:
            store.add(cid, "user", user, risk)
            store.add(cid, "assistant", reply, None, model_name)

    @asynccontextmanager
    async def lifespan(_app):
        from threadpoolctl import threadpool_limits

        # numpy's BLAS threads (the classifier's) spin while they wait for work, and on a small CPU they take
        # turns with the event loop and the streams it serves: 32 streaming clients on 2 cores had a median
        # overhead of 14.2% with 2 BLAS threads, 7.2% with one (benchmarks/bench_serve.py, the README's figures
        # from one day). The classifier's batches
        # are small, so one thread costs them little; torch (the local backend) keeps its own pool. Set after
        # the warm-up, which loads the classifier and the BLAS libraries it uses.
        await backend.aopen()
        await asyncio.to_thread(screener.warm)  # the classifier is loaded before the first request
        blas = threadpool_limits(limits=1, user_api="blas")
        try:
            yield
        finally:
            blas.restore_original_limits()
            await backend.aclose()

    app = FastAPI(title="warmline", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        wildcard = "*" in settings.cors_origins
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=not wildcard,
                           allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type"])

    def fail(status: int, message: str, kind: str, code: str | None = None, headers: dict | None = None):
        return JSONResponse(error(status, message, kind, code), status_code=status, headers=headers)

    def check_request(scope) -> JSONResponse | None:
        """Size, key and rate limits for /v1/ requests; an OpenAI-shaped error, or None to go on."""
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        size = headers.get("content-length", "")
        if size.isdigit() and int(size) > settings.max_request_bytes:
            return fail(413, f"request body over {settings.max_request_bytes} bytes", "invalid_request_error",
                        "request_too_large")
        key = headers.get("authorization", "").removeprefix("Bearer ").strip()
        if need_auth and key not in keys:
            return fail(401, "missing or invalid API key (Authorization: Bearer ...)", "invalid_request_error",
                        "invalid_api_key")
        client = scope.get("client")
        wait = limiter.check(key or (client[0] if client else "anon"))
        if wait is not None:
            return fail(429, "rate limit reached; retry later", "rate_limit_error", "rate_limit_exceeded",
                        {"Retry-After": str(max(1, int(wait + 0.999)))})
        return None

    class Guard:
        """A plain ASGI middleware (not BaseHTTPMiddleware, which copies every streamed chunk once more)."""

        def __init__(self, inner):
            self.inner = inner

        async def __call__(self, scope, receive, send):
            if scope["type"] == "http" and scope["path"].startswith("/v1/"):
                refused = check_request(scope)
                if refused is not None:
                    await refused(scope, receive, send)
                    return
            await self.inner(scope, receive, send)

    app.add_middleware(Guard)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", []) if x != "body")
        msg = "invalid JSON body" if first.get("type") == "json_invalid" else f"{where}: {first.get('msg', 'invalid')}"
        return fail(400, msg, "invalid_request_error", first.get("type"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return fail(exc.status_code, str(exc.detail), "invalid_request_error" if exc.status_code < 500 else "server_error")

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok", "model": model_name, "active": stats["active"]}

    @app.get("/v1/models")
    async def models() -> dict:
        return {"object": "list", "data": [{"id": model_name, "object": "model", "owned_by": "warmline"}]}

    @app.get("/", response_class=HTMLResponse)
    async def page() -> str:
        return ir.files("warmline").joinpath("data/chat.html").read_text(encoding="utf-8")

    @app.get("/api/session")
    async def session_info(lang: str = "en") -> dict:
        lang = lang if lang in ("en", "zh") else "en"
        locale = settings.locale or ("zh-CN" if lang == "zh" else "en-US")
        return {"notice": ai_notice(lang), "model": model_name, "resources": load_resources(locale)}

    @app.post("/v1/chat/completions")
    async def chat(req: ChatRequest, request: Request):
        stats["requests"] += 1
        if req.model not in (model_name, backend.model_id, "warmline"):
            return fail(404, f"model {req.model!r} does not exist; this server serves {model_name!r}",
                        "invalid_request_error", "model_not_found")
        if len(req.messages) > settings.max_messages:
            return fail(400, f"at most {settings.max_messages} messages", "invalid_request_error", "too_many_messages")
        max_tokens = req.max_completion_tokens or req.max_tokens or settings.default_max_tokens
        if max_tokens > settings.max_tokens_cap:
            return fail(400, f"max_tokens may be at most {settings.max_tokens_cap}", "invalid_request_error",
                        "max_tokens_too_large")
        users = [m for m in req.messages if m.role == "user"]
        if not users:
            return fail(400, "the conversation needs a user message", "invalid_request_error", "no_user_message")
        verdict = decide(await screen_user(users[-1].content, [m.content for m in users[:-1]]),
                         settings.elevated_reply, settings.woven_check_in)
        cid = request.headers.get("x-warmline-conversation") or uuid.uuid4().hex
        headers = {"X-Warmline-Conversation": cid}
        lang = verdict.lang
        extra = {"notice": ai_notice(lang), "safety": {"user": verdict.to_dict()}}
        rid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        prefix = ""  # the crisis message before the model's reply (elevated_reply)
        if verdict.flagged and verdict.answer != "woven-check-in":
            stats["crisis"] += 1
            log.info("crisis response: risk=%s categories=%s", verdict.risk, ",".join(verdict.categories))
            locale = settings.locale or ("zh-CN" if lang == "zh" else "en-US")
            extra.update(crisis=True, resources=load_resources(locale))
            text = crisis_message(verdict, locale)
            if crisis_alone(verdict, settings.elevated_reply, settings.woven_check_in):  # the model is not called
                keep(cid, users[-1].content, verdict.risk, text)
                if not req.stream:
                    return JSONResponse(completion(model_name, text, "stop", {"prompt_tokens": 0, "completion_tokens": 0,
                                                                              "total_tokens": 0}, extra), headers=headers)
                return StreamingResponse(_single(rid, model_name, text, extra), media_type="text/event-stream",
                                         headers=headers)
            prefix = text + "\n\n"
        messages = [m.model_dump() for m in req.messages]
        if messages[0]["role"] != "system":
            messages.insert(0, {"role": "system", "content": system})
        if verdict.flagged:  # told of the risk (elevated_reply), or asked to check in gently (woven_check_in)
            messages = risk_note(verdict, messages)
        if case_index is not None or settings.explain != "off":
            messages, cases = await asyncio.to_thread(prepare, messages, lang, settings.explain, case_index,
                                                      settings.retrieval_k)
            if cases:
                extra["cases"] = cases
        options = GenerationOptions(
            temperature=0.7 if req.temperature is None else req.temperature, top_p=req.top_p or 1.0,
            max_new_tokens=max_tokens, seed=req.seed, stop=[req.stop] if isinstance(req.stop, str) else (req.stop or []))
        if not req.stream or settings.explain != "off":
            # the whole reply first: for a JSON answer, and when an explanation must be split off it
            async with slots:
                stats["active"] += 1
                try:
                    reply = await backend.agenerate(messages, options)
                except BackendError as e:
                    log.warning("backend error: %s", type(e).__name__)
                    return fail(502, "the model backend failed; try again", "server_error", "backend_error")
                finally:
                    stats["active"] -= 1
            text, explanation = finish(reply.text, settings.explain, lang)
            rv = screen_reply(text, lang)
            if rv.flagged:
                stats["replaced"] += 1
                text, explanation = unsafe_reply_message(lang), None
            extra["safety"]["reply"] = rv.to_dict()
            if explanation:
                extra["explanation"] = f"{explanation['observation']} {explanation['reasoning']}".strip()
                extra["observation"], extra["reasoning"] = explanation["observation"], explanation["reasoning"]
            text = prefix + text
            keep(cid, users[-1].content, verdict.risk, text)
            if req.stream:
                return StreamingResponse(_single(rid, model_name, text, extra), media_type="text/event-stream",
                                         headers=headers)
            usage = {"prompt_tokens": reply.prompt_tokens or 0, "completion_tokens": reply.completion_tokens or 0}
            usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
            return JSONResponse(completion(model_name, text, reply.finish_reason or "stop", usage, extra), headers=headers)

        async def stream() -> AsyncIterator[str]:
            cancel = threading.Event()
            guard_ = ReplyGuard(lang)
            async with slots:
                stats["active"] += 1
                try:
                    yield _sse(chunk(rid, model_name, {"role": "assistant", "content": prefix}, extra=extra))
                    # a client that leaves cancels this generator (Starlette watches the connection);
                    # the finally below then stops the backend
                    async for piece in _chunks(backend, messages, options, cancel):
                        out = guard_.feed(piece)
                        if guard_.unsafe:
                            stats["replaced"] += 1
                            note = ("\n\n" if guard_.sent else "") + unsafe_reply_message(lang)
                            yield _sse(chunk(rid, model_name, {"content": note}, extra={"replaced": True}))
                            cancel.set()
                            break
                        if out:
                            yield _sse(chunk(rid, model_name, {"content": out}))
                    if not guard_.unsafe:
                        tail = guard_.flush()
                        if tail:
                            yield _sse(chunk(rid, model_name, {"content": tail}))
                    yield _sse(chunk(rid, model_name, {}, "stop"))
                    yield "data: [DONE]\n\n"
                    shown = guard_.text if not guard_.unsafe else guard_.text[:guard_.sent] + unsafe_reply_message(lang)
                    keep(cid, users[-1].content, verdict.risk, prefix + shown)
                except BackendError as e:
                    log.warning("backend error while streaming: %s", type(e).__name__)
                    yield _sse(error(502, "the model backend failed; try again", "server_error", "backend_error"))
                finally:
                    cancel.set()
                    stats["active"] -= 1

        return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)

    app.state.stats = stats
    app.state.store = store
    return app


def _sse(obj: dict) -> str:
    return f"data: {_json.dumps(obj)}\n\n"


async def _single(rid: str, model: str, text: str, extra: dict) -> AsyncIterator[str]:
    yield _sse(chunk(rid, model, {"role": "assistant", "content": text}, extra=extra))
    yield _sse(chunk(rid, model, {}, "stop"))
    yield "data: [DONE]\n\n"
