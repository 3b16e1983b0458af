"""Any OpenAI-compatible chat endpoint (OpenAI, DeepSeek, vLLM, llama.cpp server, Ollama): async with a
concurrency limit, retries with exponential backoff and full jitter on 429/5xx/timeouts, honouring
Retry-After; streaming over SSE. The API key is read from an environment variable.

The async path uses aiohttp, whose per-request cost stays flat at hundreds of connections (httpx's
pool was measured at about 370 requests/s here against aiohttp's 6,000); the sync path (chat, one
request at a time) uses httpx."""

from __future__ import annotations

import asyncio
import email.utils
import json
import os
import random
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx

from .. import jsonio
from .base import BackendError, ChatBackend, GenerationOptions, Message, Reply, StopStream, cut_at_stop

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
_JSON_HEADERS = {"Content-Type": "application/json"}


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class OpenAIBackend(ChatBackend):
    name = "openai"
    supports_streaming = True
    supports_batching = True

    def __init__(
        self,
        base_url: str = "https://api.openai.com/v1",
        model: str = "gpt-4o-mini",
        api_key_env: str = "OPENAI_API_KEY",
        concurrency: int = 8,
        max_retries: int = 5,
        timeout: float = 120.0,
        backoff_base: float = 0.5,
        backoff_max: float = 60.0,
        extra_body: dict | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.model_id = model
        self.api_key_env = api_key_env
        self.concurrency = max(1, concurrency)
        self.max_retries = max(0, max_retries)
        self.timeout = timeout
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.extra_body = extra_body or {}
        self.retries = 0  # retried requests so far, for progress reports
        self._local = threading.local()
        self._sync: httpx.Client | None = None

    # -- request pieces ---------------------------------------------------------------------------
    def _headers(self) -> dict:
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _payload(self, messages: list[Message], o: GenerationOptions, stream: bool = False) -> dict:
        body = {
            "model": self.model_id,
            "messages": messages,
            "temperature": o.temperature,
            "top_p": o.top_p,
            "max_tokens": o.max_new_tokens,
            "stream": stream,
            **self.extra_body,
        }
        if o.seed is not None:
            body["seed"] = o.seed
        if o.stop:
            body["stop"] = o.stop[:4]  # the API accepts at most 4; the rest are cut client-side
        return body

    def _delay(self, attempt: int, headers=None) -> float:
        ra = retry_after_seconds(headers.get("retry-after")) if headers is not None else None
        if ra is not None:
            return min(ra, self.backoff_max) + random.uniform(0, 0.1)
        return random.uniform(0, min(self.backoff_max, self.backoff_base * (2**attempt)))

    def _fail(self, status: int, body: str) -> BackendError:
        hint = {
            401: f"check the API key in ${self.api_key_env}",
            403: f"check the API key in ${self.api_key_env}",
            404: f"check --base-url ({self.base_url}) and --model ({self.model_id})",
        }.get(status, "")
        return BackendError(f"{self.base_url} answered HTTP {status}: {body[:500]}" + (f" ({hint})" if hint else ""))

    def _parse(self, data: dict, o: GenerationOptions) -> Reply:
        try:
            choice = data["choices"][0]
            text = choice["message"]["content"] or ""
        except (KeyError, IndexError, TypeError):
            raise BackendError(f"unexpected response shape from {self.base_url}: {json.dumps(data)[:300]}") from None
        text, hit = cut_at_stop(text, o.stop)
        usage = data.get("usage") or {}
        return Reply(
            text,
            usage.get("prompt_tokens"),
            usage.get("completion_tokens"),
            "stop" if hit else choice.get("finish_reason"),
            data.get("model", self.model_id),
        )

    def _outcome(self, status: int, body: str, options: GenerationOptions) -> Reply | str:
        """The reply, or why the request should be retried; raises on an error that retrying cannot fix."""
        if status < 400:
            try:
                return self._parse(jsonio.loads(body), options)
            except ValueError:
                return "invalid JSON body"
        if status in RETRY_STATUS:
            return f"HTTP {status}"
        raise self._fail(status, body)

    def _gave_up(self, what: str) -> BackendError:
        return BackendError(
            f"{self.base_url}: gave up after {self.max_retries + 1} attempts ({what}); "
            "the server may be overloaded: lower --concurrency or raise --max-retries"
        )

    # -- async (aiohttp) ----------------------------------------------------------------------------
    def _session(self):
        """This event loop's session and semaphore (a session belongs to the loop that made it)."""
        import aiohttp

        loop = asyncio.get_running_loop()
        state = getattr(self._local, "state", None)
        if state is None or state[0] is not loop:
            connector = aiohttp.TCPConnector(limit=self.concurrency)
            session = aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=self.timeout), headers=self._headers()
            )
            state = (loop, session, asyncio.Semaphore(self.concurrency))
            self._local.state = state
        return state[1], state[2]

    async def agenerate(self, messages: list[Message], options: GenerationOptions) -> Reply:
        import aiohttp

        session, sem = self._session()
        async with sem:
            last = "no attempt"
            for attempt in range(self.max_retries + 1):
                headers = None
                try:
                    async with session.post(
                        f"{self.base_url}/chat/completions",
                        data=jsonio.dumps(self._payload(messages, options)).encode("utf-8"),
                        headers=_JSON_HEADERS,
                    ) as r:
                        headers, body = r.headers, await r.text()
                        outcome = self._outcome(r.status, body, options)
                except (aiohttp.ClientError, asyncio.TimeoutError) as e:
                    last = type(e).__name__
                else:
                    if isinstance(outcome, Reply):
                        return outcome
                    last = outcome
                if attempt < self.max_retries:
                    self.retries += 1
                    await asyncio.sleep(self._delay(attempt, headers))
            raise self._gave_up(last)

    async def astream(self, messages: list[Message], options: GenerationOptions) -> AsyncIterator[str]:
        import aiohttp

        session, sem = self._session()
        async with sem:
            for attempt in range(self.max_retries + 1):
                try:
                    async with session.post(
                        f"{self.base_url}/chat/completions", json=self._payload(messages, options, stream=True)
                    ) as r:
                        if r.status >= 400:
                            body = await r.text()
                            if r.status in RETRY_STATUS and attempt < self.max_retries:
                                self.retries += 1
                                await asyncio.sleep(self._delay(attempt, r.headers))
                                continue
                            raise self._fail(r.status, body)
                        stopper = StopStream(options.stop)
                        async for raw in r.content:
                            out, done = _relay(stopper, raw.decode("utf-8").rstrip("\r\n"))
                            if out:
                                yield out
                            if done:
                                return
                        tail = stopper.flush()
                        if tail:
                            yield tail
                        return
                except (aiohttp.ClientError, asyncio.TimeoutError) as e:
                    if attempt >= self.max_retries:
                        raise self._gave_up(type(e).__name__) from None
                    self.retries += 1
                    await asyncio.sleep(self._delay(attempt, None))

    async def aopen(self) -> None:
        self._session()

    async def aclose(self) -> None:
        state = getattr(self._local, "state", None)
        if state is not None:
            await state[1].close()
            self._local.state = None

    # -- sync -------------------------------------------------------------------------------------
    def _client(self) -> httpx.Client:
        if self._sync is None:
            self._sync = httpx.Client(timeout=self.timeout)
        return self._sync

    def generate(self, messages: list[Message], options: GenerationOptions) -> Reply:
        last = "no attempt"
        for attempt in range(self.max_retries + 1):
            response = None
            try:
                response = self._client().post(
                    f"{self.base_url}/chat/completions", headers=self._headers(), json=self._payload(messages, options)
                )
            except (httpx.TimeoutException, httpx.TransportError) as e:
                last = type(e).__name__
            else:
                outcome = self._outcome(response.status_code, response.text, options)
                if isinstance(outcome, Reply):
                    return outcome
                last = outcome
            if attempt < self.max_retries:
                self.retries += 1
                time.sleep(self._delay(attempt, response.headers if response is not None else None))
        raise self._gave_up(last)

    def stream(self, messages: list[Message], options: GenerationOptions) -> Iterator[str]:
        for attempt in range(self.max_retries + 1):
            try:
                with self._client().stream(
                    "POST",
                    f"{self.base_url}/chat/completions",
                    headers=self._headers(),
                    json=self._payload(messages, options, stream=True),
                ) as r:
                    if r.status_code >= 400:
                        r.read()
                        if r.status_code in RETRY_STATUS and attempt < self.max_retries:
                            self.retries += 1
                            time.sleep(self._delay(attempt, r.headers))
                            continue
                        raise self._fail(r.status_code, r.text)
                    stopper = StopStream(options.stop)
                    for line in r.iter_lines():
                        out, done = _relay(stopper, line)
                        if out:
                            yield out
                        if done:
                            return
                    tail = stopper.flush()
                    if tail:
                        yield tail
                    return
            except (httpx.TimeoutException, httpx.TransportError) as e:
                if attempt >= self.max_retries:
                    raise self._gave_up(type(e).__name__) from None
                self.retries += 1
                time.sleep(self._delay(attempt, None))

    def generate_batch(self, batch: list[list[Message]], options: GenerationOptions) -> list[Reply]:
        async def run() -> list[Reply]:
            try:
                return list(await asyncio.gather(*(self.agenerate(m, options) for m in batch)))
            finally:
                await self.aclose()

        return asyncio.run(run())

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()
            self._sync = None


def _relay(stopper: StopStream, line: str) -> tuple[str, bool]:
    """Text to pass on for one SSE line, and whether the stream is over ([DONE] or a stop string)."""
    piece = _sse_delta(line)
    if piece is None:
        return stopper.flush(), True
    return stopper.feed(piece), stopper.done


def _sse_delta(line: str) -> str | None:
    """The content delta of one SSE line: '' for lines without content, None at [DONE]."""
    if not line.startswith("data:"):
        return ""
    data = line[5:].strip()
    if data == "[DONE]":
        return None
    try:
        choices = jsonio.loads(data).get("choices") or []
    except (json.JSONDecodeError, AttributeError):
        return ""
    if not choices:
        return ""
    return (choices[0].get("delta") or {}).get("content") or ""
