"""The FastAPI app factory: OpenAI-compatible `/v1/chat/completions` (JSON and SSE), `/v1/models`,
`/healthz`, the web page at `/`. Each chat request is one turn of `warmline.turn` (the same as `warmline chat`):
every user turn the server has not screened before is screened (risk is answered with the crisis message and
resources and never reaches the model; with `elevated_reply`, an elevated message then gets the model's reply,
but imminent risk and messages about means still never reach it), the operator's system prompt comes first, and
the model's reply is screened as it streams (unsafe text is replaced before it is shown). Logs never hold
message text."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources as ir

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import jsonio
from ..backends.base import BackendError, ChatBackend, GenerationOptions
from ..safety import Screener, ai_notice, load_resources
from ..safety.reply import warm as warm_reply_screen
from ..session import default_system_prompt
from ..turn import Opening, Piece, ReplyGuard, Turnout, TurnPolicy, asked_before, take_turn
from .middleware import Guard, HostCheck, SecurityHeaders, host_names, page_policy, refusal
from .protocol import ChatRequest, chunk, completion, error
from .screening import SeenTurns, ServerScreen
from .settings import ServeSettings

__all__ = ["create_app", "build_backend", "safety_llm", "server_options", "ReplyGuard"]
log = logging.getLogger("warmline.serve")
CONVERSATION_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def server_options() -> dict:
    """uvicorn's options for this app: X-Forwarded-For is the app's to judge (`trusted_proxies`), not uvicorn's,
    which by default believes it from 127.0.0.1 (and so from anyone behind a local tunnel or on this machine)."""
    return {"proxy_headers": False, "server_header": False}


def build_backend(s: ServeSettings) -> ChatBackend:
    from ..backends import make_backend

    return make_backend(
        s.backend,
        model=s.model,
        adapter=s.adapter,
        base_url=s.base_url,
        api_key_env=s.upstream_key_env,
        concurrency=s.concurrency,
    )


def safety_llm(s: ServeSettings, backend: ChatBackend) -> ChatBackend | None:
    """The backend for the LLM check stage, if the settings ask for one."""
    if s.safety_llm == "same":
        return backend
    if s.safety_llm == "openai":
        from ..backends import make_backend

        return make_backend(
            "openai", model=s.safety_llm_model, base_url=s.safety_llm_base_url, api_key_env=s.safety_llm_key_env
        )
    return None


@dataclass
class Runtime:
    """What the routes share: the backend, the turn's policy, screening, the store and the counters."""

    settings: ServeSettings
    backend: ChatBackend
    screener: Screener
    policy: TurnPolicy
    model_name: str
    store: object = None
    stats: dict = field(default_factory=lambda: {"requests": 0, "crisis": 0, "replaced": 0, "active": 0})
    seen: SeenTurns = field(default_factory=SeenTurns)

    def __post_init__(self):
        self.screen = ServerScreen(self.screener)
        self.slots = asyncio.Semaphore(self.settings.concurrency)

    @contextlib.asynccontextmanager
    async def slot(self):
        async with self.slots:
            self.stats["active"] += 1
            try:
                yield
            finally:
                self.stats["active"] -= 1

    def locale(self, lang: str) -> str:
        return self.settings.locale or ("zh-CN" if lang == "zh" else "en-US")

    async def keep(self, cid: str, user: str, risk: str, reply: str) -> None:
        if self.store is not None:  # redaction reads the whole text: off the event loop
            await asyncio.to_thread(self.store.add, cid, "user", user, risk)
            await asyncio.to_thread(self.store.add, cid, "assistant", reply, None, self.model_name)


def _runtime(settings: ServeSettings, backend: ChatBackend | None, screener: Screener | None) -> Runtime:
    settings.check()
    second = settings.safety_classifier
    if screener is None and second and settings.safety_classifier_file:  # before the model loads: fail at once
        from ..safety.classifier import RiskClassifier

        second = RiskClassifier.load(settings.safety_classifier_file)  # ValueError: the CLI says what is wrong
    hook = None
    if settings.explain != "off" or settings.index:
        from ..insight.hook import InsightHook

        index = None
        if settings.index:
            from ..insight.index import CaseIndex

            index = CaseIndex(settings.index)
        hook = InsightHook(settings.explain, index, settings.retrieval_k)  # ValueError for an unknown explain
    backend = backend or build_backend(settings)
    screener = screener or Screener(
        safety_llm(settings, backend),
        classifier=second,
        threshold=settings.safety_threshold,
        llm_mode=settings.safety_llm_mode,
    )
    policy = TurnPolicy(
        settings.system_prompt or default_system_prompt(settings.lang),
        settings.locale,
        settings.elevated_reply,
        settings.woven_check_in,
        hook,
        settings.reply_model,
    )
    store = None
    if settings.store:
        from .store import Store

        store = Store(settings.store_file(), settings.retention_days, settings.redact_pii)
    return Runtime(settings, backend, screener, policy, settings.served_model_name or backend.model_id, store)


def _lifespan(rt: Runtime):
    @asynccontextmanager
    async def lifespan(_app):
        from threadpoolctl import threadpool_limits

        # numpy's BLAS threads (the classifier's) spin while they wait for work, and on a small CPU they take
        # turns with the event loop and the streams it serves (benchmarks/bench_serve.py): one thread for the
        # classifier's small batches; torch (the local backend) keeps its own pool. Set after the warm-up, which
        # loads the classifier and the BLAS libraries it uses.
        await rt.backend.aopen()
        await asyncio.to_thread(rt.screener.warm)  # the classifier is loaded before the first request
        await asyncio.to_thread(warm_reply_screen)  # and the reply screen's index
        blas = threadpool_limits(limits=1, user_api="blas")
        purge = asyncio.get_running_loop().create_task(_purge(rt)) if rt.store is not None else None
        try:
            yield
        finally:
            if purge is not None:
                purge.cancel()
            rt.screen.close()
            blas.restore_original_limits()
            await rt.backend.aclose()

    return lifespan


async def _purge(rt: Runtime) -> None:
    """Retention while the server runs, not only at startup."""
    while True:
        await asyncio.sleep(rt.settings.retention_interval_s)
        try:
            n = await asyncio.to_thread(rt.store.apply_retention)
            if n:
                log.info("retention: %d conversations deleted", n)
        except Exception as e:  # a locked or full database: try again next time
            log.warning("retention failed: %s", type(e).__name__)


def create_app(
    settings: ServeSettings, backend: ChatBackend | None = None, screener: Screener | None = None
) -> FastAPI:
    rt = _runtime(settings, backend, screener)
    app = FastAPI(title="warmline", docs_url=None, redoc_url=None, openapi_url=None, lifespan=_lifespan(rt))
    _errors(app)
    _pages(app, rt)
    app.post("/v1/chat/completions")(_chat_route(rt))
    _middleware(app, rt)
    app.state.stats = rt.stats
    app.state.store = rt.store
    return app


def _middleware(app: FastAPI, rt: Runtime) -> None:
    """Outermost last: security headers on everything; the Host check; CORS, so that preflights are answered
    before the key is asked for; then the key, rate limits and body cap."""
    s = rt.settings
    app.add_middleware(Guard, settings=s)
    if s.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        wildcard = "*" in s.cors_origins
        app.add_middleware(
            CORSMiddleware,
            allow_origins=s.cors_origins,
            allow_credentials=not wildcard,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Warmline-Conversation"],
            expose_headers=["X-Warmline-Conversation"],
        )
    app.add_middleware(HostCheck, names=host_names(s))
    app.add_middleware(SecurityHeaders, page_csp=page_policy(_page_html()))


def _page_html() -> str:
    return ir.files("warmline").joinpath("data/chat.html").read_text(encoding="utf-8")


def _errors(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", []) if x != "body")
        msg = "invalid JSON body" if first.get("type") == "json_invalid" else f"{where}: {first.get('msg', 'invalid')}"
        return refusal(400, msg, "invalid_request_error", first.get("type"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return refusal(
            exc.status_code, str(exc.detail), "invalid_request_error" if exc.status_code < 500 else "server_error"
        )

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        log.error("unhandled %s on %s", type(exc).__name__, request.url.path)  # no message text, no traceback
        return refusal(500, "internal error; try again", "server_error", "internal_error")


def _pages(app: FastAPI, rt: Runtime) -> None:
    html = _page_html()

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok", "model": rt.model_name, "active": rt.stats["active"]}

    @app.get("/v1/models")
    async def models() -> dict:
        return {"object": "list", "data": [{"id": rt.model_name, "object": "model", "owned_by": "warmline"}]}

    @app.get("/", response_class=HTMLResponse)
    async def page() -> str:
        return html

    @app.get("/api/session")
    async def session_info(lang: str = "en") -> dict:
        lang = lang if lang in ("en", "zh") else "en"
        return {"notice": ai_notice(lang), "model": rt.model_name, "resources": load_resources(rt.locale(lang))}


def _check(rt: Runtime, req: ChatRequest) -> JSONResponse | None:
    s = rt.settings
    if req.model not in (rt.model_name, rt.backend.model_id, "warmline"):
        return refusal(
            404,
            f"model {req.model!r} does not exist; this server serves {rt.model_name!r}",
            "invalid_request_error",
            "model_not_found",
        )
    if len(req.messages) > s.max_messages:
        return refusal(400, f"at most {s.max_messages} messages", "invalid_request_error", "too_many_messages")
    if (req.max_completion_tokens or req.max_tokens or s.default_max_tokens) > s.max_tokens_cap:
        return refusal(
            400, f"max_tokens may be at most {s.max_tokens_cap}", "invalid_request_error", "max_tokens_too_large"
        )
    if not any(m.role == "user" for m in req.messages):
        return refusal(400, "the conversation needs a user message", "invalid_request_error", "no_user_message")
    return None


def _options(rt: Runtime, req: ChatRequest) -> GenerationOptions:
    return GenerationOptions(
        temperature=0.7 if req.temperature is None else req.temperature,
        top_p=req.top_p or 1.0,
        max_new_tokens=req.max_completion_tokens or req.max_tokens or rt.settings.default_max_tokens,
        seed=req.seed,
        stop=[req.stop] if isinstance(req.stop, str) else (req.stop or []),
    )


async def _conversation(rt: Runtime, request: Request, principal: str) -> tuple[str | None, JSONResponse | None]:
    """The conversation id (the client's, checked, or a new one), or a refusal: an id of another client's."""
    cid = request.headers.get("x-warmline-conversation")
    if cid is None:
        return uuid.uuid4().hex, None
    if not CONVERSATION_ID.fullmatch(cid):
        return None, refusal(
            400,
            "X-Warmline-Conversation: 1 to 128 letters, digits, '.', '_', ':' or '-'",
            "invalid_request_error",
            "invalid_conversation_id",
        )
    if rt.store is not None and not await asyncio.to_thread(rt.store.claim, cid, principal):
        return None, refusal(
            403,
            "this conversation was started with another key; start a new one",
            "invalid_request_error",
            "conversation_forbidden",
        )
    return cid, None


def _chat_route(rt: Runtime):
    async def chat(req: ChatRequest, request: Request):
        rt.stats["requests"] += 1
        try:
            return await _chat(rt, req, request)
        except BackendError as e:
            log.warning("backend error: %s", type(e).__name__)
            return refusal(502, "the model backend failed; try again", "server_error", "backend_error")
        except Exception as e:  # this request alone fails; its type is logged, never its text or a traceback
            log.error("chat request failed: %s", type(e).__name__)
            return refusal(500, "internal error; try again", "server_error", "internal_error")

    return chat


async def _chat(rt: Runtime, req: ChatRequest, request: Request):
    refused = _check(rt, req)
    principal = request.scope.get("state", {}).get("principal", "addr:local")
    cid, refused = (None, refused) if refused else await _conversation(rt, request, principal)
    if refused:
        return refused
    messages = [m.model_dump() for m in req.messages]
    users = [m["content"] for m in messages if m["role"] == "user"]
    asked = asked_before(messages)
    events = take_turn(
        messages,
        rt.policy,
        rt.backend,
        _options(rt, req),
        rt.screen.for_request(len(users)),
        new=rt.seen.unseen(principal, users, asked),
        stream=req.stream,
        slot=rt.slot(),
    )
    opening = await anext(events)
    rt.seen.remember(principal, users, asked)
    extra = _opening_extra(rt, opening)
    headers = {"X-Warmline-Conversation": cid}
    keep = lambda text: rt.keep(cid, users[-1], opening.verdict.risk, text)  # noqa: E731
    if req.stream:
        return StreamingResponse(
            _sse_turn(rt, events, opening, extra, keep), media_type="text/event-stream", headers=headers
        )
    turn = await _last(events)
    _closing_extra(rt, turn, extra)
    await keep(turn.text)
    reply = turn.reply
    usage = {
        "prompt_tokens": (reply and reply.prompt_tokens) or 0,
        "completion_tokens": (reply and reply.completion_tokens) or 0,
    }
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    finish = (reply and reply.finish_reason) or "stop"
    return JSONResponse(completion(rt.model_name, turn.text, finish, usage, extra), headers=headers)


async def _last(events) -> Turnout:
    out = None
    async for event in events:
        out = event
    return out


def _opening_extra(rt: Runtime, opening: Opening) -> dict:
    v = opening.verdict
    extra = {"notice": ai_notice(v.lang), "safety": {"user": v.to_dict()}}
    if opening.crisis:  # a woven check-in (flagged, answered by the model) has no crisis message
        rt.stats["crisis"] += 1
        log.info("crisis response: risk=%s categories=%s", v.risk, ",".join(v.categories))
        extra.update(crisis=True, resources=load_resources(rt.locale(v.lang)))
    return extra


def _closing_extra(rt: Runtime, turn: Turnout, extra: dict) -> dict:
    """What the end of a turn adds: the reply's verdict, the cases, the explanation."""
    if turn.replaced:
        rt.stats["replaced"] += 1
    if turn.reply_verdict is not None:
        # without its evidence: that is the unsafe wording the guard withheld from the person
        reply = {k: v for k, v in turn.reply_verdict.to_dict().items() if k != "evidence"}
        extra.setdefault("safety", {})["reply"] = reply
    if turn.cases:
        extra["cases"] = turn.cases
    if turn.explanation:
        ex = turn.explanation
        extra["explanation"] = f"{ex['observation']} {ex['reasoning']}".strip()
        extra["observation"], extra["reasoning"] = ex["observation"], ex["reasoning"]
    return extra


async def _sse_turn(rt: Runtime, events, opening: Opening, extra: dict, keep) -> AsyncIterator[str]:
    """A turn as server-sent events: the crisis message (if any) with the first chunk, the reply as it is
    released, the end. A client that leaves cancels this generator, which closes the turn and stops the backend."""
    rid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    name = rt.model_name
    prefix = opening.crisis + ("\n\n" if opening.crisis and not opening.alone else "")
    async with contextlib.aclosing(events):
        yield _sse(chunk(rid, name, {"role": "assistant", "content": prefix}, extra=extra))
        try:
            async for event in events:
                if isinstance(event, Piece) and event.text:
                    yield _sse(chunk(rid, name, {"content": event.text}))
                elif isinstance(event, Turnout):
                    end = _closing_extra(rt, event, {})
                    if event.replaced:
                        end["replaced"] = True
                    yield _sse(chunk(rid, name, {}, "stop", extra=end))
                    yield "data: [DONE]\n\n"
                    await keep(event.text)
        except BackendError as e:
            log.warning("backend error while streaming: %s", type(e).__name__)
            yield _sse(error(502, "the model backend failed; try again", "server_error", "backend_error"))
        except Exception as e:  # as in the JSON path: the type is logged, never the text
            log.error("stream failed: %s", type(e).__name__)
            yield _sse(error(500, "internal error; try again", "server_error", "internal_error"))


def _sse(obj: dict) -> str:
    return f"data: {jsonio.dumps(obj)}\n\n"
