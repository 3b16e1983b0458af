"""The OpenAI-compatible backend against a real HTTP server on 127.0.0.1: replies, retries on 429
(honouring Retry-After), 500 and timeouts, errors that must not be retried, streaming, the concurrency
limit, and the API key from the environment."""

from __future__ import annotations

import asyncio
import time

import pytest

from warmline.backends import BackendError, GenerationOptions
from warmline.backends.openai_compat import OpenAIBackend, retry_after_seconds
from warmline.testing.fake_openai import FakeOpenAI, Fault

MSGS = [{"role": "system", "content": "be kind"}, {"role": "user", "content": "I feel low"}]


@pytest.fixture
def server():
    with FakeOpenAI() as s:
        yield s


def backend(server, **kw) -> OpenAIBackend:
    kw.setdefault("backoff_base", 0.01)
    return OpenAIBackend(base_url=server.base_url, model="fake-model", **kw)


def test_reply_usage_and_payload(server, monkeypatch):
    monkeypatch.setenv("WARMLINE_TEST_KEY", "sk-test")
    b = backend(server, api_key_env="WARMLINE_TEST_KEY")
    r = b.generate(MSGS, GenerationOptions(temperature=0.3, top_p=0.9, max_new_tokens=12, seed=7))
    assert r.text == "I hear you: I feel low"
    assert (r.prompt_tokens, r.completion_tokens, r.finish_reason) == (5, 6, "stop")
    req = server.requests[0]
    assert req["auth"] == "Bearer sk-test"
    assert req["body"]["messages"] == MSGS
    assert (req["body"]["temperature"], req["body"]["top_p"], req["body"]["max_tokens"], req["body"]["seed"]) == (
        0.3,
        0.9,
        12,
        7,
    )


def test_429_with_retry_after_is_honoured_then_succeeds(server):
    server.fail(Fault(429, {"Retry-After": "0.4"}))
    b = backend(server)
    t0 = time.monotonic()
    r = b.generate(MSGS, GenerationOptions())
    waited = time.monotonic() - t0
    assert r.text.startswith("I hear you")
    assert [q["fault"] for q in server.requests] == [429, None]
    assert waited >= 0.4, "Retry-After must be waited for"
    assert b.retries == 1


def test_500s_are_retried_with_backoff_and_eventually_give_up(server):
    server.fail(Fault(500), Fault(502))
    b = backend(server)
    assert b.generate(MSGS, GenerationOptions()).text.startswith("I hear you")
    assert [q["fault"] for q in server.requests] == [500, 502, None]
    server.fail(*[Fault(503)] * 3)
    with pytest.raises(BackendError, match="gave up after 3 attempts.*HTTP 503"):
        backend(server, max_retries=2).generate(MSGS, GenerationOptions())


def test_timeout_is_retried(server):
    server.fail(Fault(200, delay=1.0))
    b = backend(server, timeout=0.3)
    assert b.generate(MSGS, GenerationOptions()).text.startswith("I hear you")
    assert b.retries == 1


def test_client_errors_are_not_retried_and_say_what_to_do(server):
    server.fail(Fault(401, body='{"error": "bad key"}'))
    with pytest.raises(BackendError, match=r"HTTP 401.*check the API key in \$OPENAI_API_KEY"):
        backend(server).generate(MSGS, GenerationOptions())
    assert len(server.requests) == 1


def test_malformed_body_is_an_error_naming_the_endpoint(server):
    server.fail(Fault(200, body='{"choices": []}'))
    with pytest.raises(BackendError, match="unexpected response shape"):
        backend(server).generate(MSGS, GenerationOptions())


def test_streaming_and_stop_strings(server):
    b = backend(server)
    chunks = list(b.stream(MSGS, GenerationOptions()))
    assert len(chunks) > 1 and "".join(chunks) == "I hear you: I feel low"
    assert "".join(b.stream(MSGS, GenerationOptions(stop=["feel"]))) == "I hear you: I "


def test_streaming_retries_before_the_first_byte(server):
    server.fail(Fault(429, {"Retry-After": "0"}))
    assert "".join(backend(server).stream(MSGS, GenerationOptions())) == "I hear you: I feel low"


def test_async_concurrency_limit_and_retries(server):
    server.delay = 0.05
    server.fail(Fault(429, {"Retry-After": "0"}), Fault(500))
    b = backend(server, concurrency=4)

    async def run():
        try:
            return await asyncio.gather(
                *(b.agenerate([{"role": "user", "content": f"m{i}"}], GenerationOptions()) for i in range(20))
            )
        finally:
            await b.aclose()

    replies = asyncio.run(run())
    assert [r.text for r in replies] == [f"I hear you: m{i}" for i in range(20)]
    assert server.peak_in_flight <= 4
    assert server.peak_in_flight >= 2, "requests should overlap"
    assert len(server.requests) == 22


def test_batch_keeps_order(server):
    replies = backend(server, concurrency=3).generate_batch(
        [[{"role": "user", "content": str(i)}] for i in range(7)], GenerationOptions()
    )
    assert [r.text for r in replies] == [f"I hear you: {i}" for i in range(7)]


def test_retry_after_parsing():
    assert retry_after_seconds("2") == 2.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: no wait


def test_async_stream_with_retry_and_stop(server):
    server.fail(Fault(503, {"Retry-After": "0"}))
    b = backend(server)

    async def collect(options):
        try:
            return [c async for c in b.astream(MSGS, options)]
        finally:
            await b.aclose()

    chunks = asyncio.run(collect(GenerationOptions()))
    assert len(chunks) > 1 and "".join(chunks) == "I hear you: I feel low"
    assert "".join(asyncio.run(collect(GenerationOptions(stop=["feel"])))) == "I hear you: I "
    assert b.retries == 1
