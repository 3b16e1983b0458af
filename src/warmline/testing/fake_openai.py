"""A small OpenAI-compatible server for tests and benchmarks. It listens on 127.0.0.1 only, answers
`/v1/chat/completions` (JSON or SSE streaming), `/v1/embeddings` and `/v1/models`, and can be scripted to fail: a queue
of faults (status code, headers, body, or a delay past the client's timeout) is consumed one per
request before normal replies resume. It records requests and the peak number in flight."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Fault:
    status: int = 500
    headers: dict = field(default_factory=dict)
    body: str = '{"error": {"message": "scripted failure"}}'
    delay: float = 0.0  # seconds to wait before answering (exceed the client's timeout to simulate one)


def char_embedding(text: str, dim: int = 32) -> list[float]:
    """The fake /v1/embeddings vector: character counts folded into `dim` buckets (similar text, similar
    vector), enough to test clients of an embeddings endpoint."""
    v = [0.0] * dim
    for ch in text.lower():
        v[ord(ch) % dim] += 1.0
    return v


def echo_reply(messages: list[dict]) -> str:
    last = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
    return f"I hear you: {last}"


class FakeOpenAI:
    def __init__(self, reply: Callable[[list[dict]], str] = echo_reply, delay: float = 0.0, model: str = "fake-model"):
        self.reply = reply
        self.delay = delay
        self.model = model
        self.faults: deque[Fault] = deque()
        self.requests: list[dict] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def fail(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    def start(self) -> FakeOpenAI:
        handler = type("Handler", (_Handler,), {"owner": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._server.request_queue_size = 1024
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


_ROLE_SETS = [  # (client, counselor, dialogue marker or None, lang), most specific first
    ("用户", "心理咨询师", "【对话】", "zh"),
    ("求助者", "支持者", None, "zh"),
    ("User", "Counselor", "[Dialogue]", "en"),
    ("Client", "Counselor", None, "en"),
]
_ZH = [
    ("最近心里很乱，第{i}次想找人说说。", "谢谢你愿意说出来，第{i}次聊到这里，你现在感觉怎么样？"),
    ("有时候觉得自己撑不下去了，尤其是第{i}天晚上。", "听起来那个晚上特别难熬，愿意多说一点第{i}天发生了什么吗？"),
]
_EN = [
    (
        "I keep thinking about it, this is the {i}th time today.",
        "Thank you for telling me. What is it like for you the {i}th time?",
    ),
    ("It feels heavy, especially on day {i}.", "That sounds really hard. What happened on day {i}?"),
]


def synth_reply(exchanges: int = 10) -> Callable[[list[dict]], str]:
    """A reply function that answers a synthesis prompt with a well-formed dialogue in the prompt's
    own role prefixes and language (with an analysis before the marker when the template asks)."""

    def reply(messages: list[dict]) -> str:
        prompt = messages[-1]["content"] if messages else ""
        client, counselor, marker, lang = next(
            (r for r in _ROLE_SETS if f"{r[0]}：" in prompt or f'"{r[0]}:"' in prompt or f"{r[0]}:" in prompt),
            _ROLE_SETS[-1],
        )
        sep = "：" if lang == "zh" else ": "
        lines = []
        for i in range(1, exchanges + 1):
            c, s = (_ZH if lang == "zh" else _EN)[i % 2]
            lines += [f"{client}{sep}{c.format(i=i)}", f"{counselor}{sep}{s.format(i=i)}"]
        head = (
            ("分析：用户需要被倾听和理解。\n" if lang == "zh" else "Analysis: the user needs to be heard.\n")
            + f"{marker}\n"
            if marker and marker in prompt
            else ""
        )
        return head + "\n".join(lines)

    return reply


# -- an asyncio server for load: one process, no thread per connection ------------------------------


async def _serve_async(
    port: int, delay: float, exchanges: int, ready, tokens: int = 50, token_delay: float = 0.0
) -> None:
    import asyncio

    reply = synth_reply(exchanges)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:].strip())
                body = json.loads(await reader.readexactly(length)) if length else {}
                if delay:
                    await asyncio.sleep(delay)
                if body.get("stream"):  # SSE, one token every token_delay seconds, chunked transfer
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                    )
                    for i in range(tokens):
                        if token_delay:
                            await asyncio.sleep(token_delay)
                        ev = json.dumps({"choices": [{"index": 0, "delta": {"content": f"word{i} "}}]})
                        data = f"data: {ev}\n\n".encode()
                        writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                        await writer.drain()
                    data = b"data: [DONE]\n\n"
                    writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n0\r\n\r\n")
                    await writer.drain()
                    continue
                text = reply(body.get("messages") or [])
                data = json.dumps(
                    {
                        "id": "x",
                        "object": "chat.completion",
                        "model": body.get("model", "fake"),
                        "choices": [
                            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                        ],
                        "usage": {"prompt_tokens": 100, "completion_tokens": 200},
                    }
                ).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + str(len(data)).encode()
                    + b"\r\n\r\n"
                    + data
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=2048)
    ready(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


def main() -> None:
    """`python -m warmline.testing.fake_openai --delay 0.2`: serve on 127.0.0.1, print the port, run
    until killed. For benchmarks: it keeps the server's CPU out of the measured process."""
    import argparse
    import asyncio
    import sys

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--delay", type=float, default=0.2, help="seconds before each answer")
    ap.add_argument("--exchanges", type=int, default=6)
    ap.add_argument("--tokens", type=int, default=50, help="tokens per streamed answer")
    ap.add_argument("--token-delay", type=float, default=0.0, help="seconds between streamed tokens")
    args = ap.parse_args()

    def ready(port: int) -> None:
        print(port, flush=True)
        sys.stdout.flush()

    asyncio.run(_serve_async(args.port, args.delay, args.exchanges, ready, args.tokens, args.token_delay))


if __name__ == "__main__":
    main()


class _Handler(BaseHTTPRequestHandler):
    """The fake's HTTP side; `owner` (the FakeOpenAI it serves) is set by `start()`."""

    protocol_version = "HTTP/1.1"
    owner: FakeOpenAI

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: str, headers: dict | None = None, ctype: str = "application/json") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            self._send(200, json.dumps({"object": "list", "data": [{"id": self.owner.model, "object": "model"}]}))
        else:
            self._send(404, '{"error": {"message": "not found"}}')

    def do_POST(self) -> None:
        owner = self.owner
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with owner._lock:
            owner.in_flight += 1
            owner.peak_in_flight = max(owner.peak_in_flight, owner.in_flight)
            fault = owner.faults.popleft() if owner.faults else None
        try:
            if self.path.rstrip("/") == "/v1/embeddings":
                self._embeddings(raw)
            elif self.path.rstrip("/") == "/v1/chat/completions":
                self._chat(raw, fault)
            else:
                self._send(404, '{"error": {"message": "not found"}}')
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with owner._lock:
                owner.in_flight -= 1

    def _embeddings(self, raw: bytes) -> None:
        body = json.loads(raw)
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        with self.owner._lock:
            self.owner.requests.append({"body": body, "auth": self.headers.get("Authorization"), "fault": None})
        data = [{"object": "embedding", "index": i, "embedding": char_embedding(t)} for i, t in enumerate(texts)]
        self._send(200, json.dumps({"object": "list", "data": data[::-1], "model": body.get("model")}))

    def _chat(self, raw: bytes, fault: Fault | None) -> None:
        owner = self.owner
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            self._send(400, '{"error": {"message": "invalid JSON"}}')
            return
        with owner._lock:
            owner.requests.append(
                {"body": body, "auth": self.headers.get("Authorization"), "fault": fault.status if fault else None}
            )
        if fault is not None:
            time.sleep(fault.delay)
            self._send(fault.status, fault.body, fault.headers)
            return
        if owner.delay:
            time.sleep(owner.delay)
        text = owner.reply(body.get("messages") or [])
        if body.get("stream"):
            self._stream(text)
            return
        usage = {
            "prompt_tokens": sum(len(str(m.get("content", "")).split()) for m in body.get("messages", [])),
            "completion_tokens": len(text.split()),
        }
        self._send(
            200,
            json.dumps(
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "model": owner.model,
                    "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                    ],
                    "usage": {**usage, "total_tokens": usage["prompt_tokens"] + usage["completion_tokens"]},
                }
            ),
        )

    def _stream(self, text: str) -> None:
        """The reply word by word as server-sent events, ending with [DONE]."""
        pieces = [w + " " for w in text.split(" ")]
        pieces[-1] = pieces[-1][:-1]
        events = [{"choices": [{"index": 0, "delta": {"role": "assistant"}}]}]
        events += [{"choices": [{"index": 0, "delta": {"content": p}}]} for p in pieces]
        events += [{"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}]
        payload = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
        self._send(200, payload, ctype="text/event-stream")
