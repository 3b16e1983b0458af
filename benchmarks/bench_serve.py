"""Serving overhead: `python benchmarks/bench_serve.py [--clients 32]`.

A fake OpenAI-compatible upstream streams N tokens with a fixed delay between them (default 50 tokens,
20 ms apart). In the same run, `--clients` concurrent streaming clients call (a) the upstream directly
and (b) `warmline serve --backend openai` in front of it, which adds the safety layer (screening the
message, guarding the streamed reply). Prints p50/p95 time to first token, tokens per second per
client, total throughput and errors for both, and warmline's overhead. Tokens are counted in the content
(the upstream's "word<i> " pieces), not as SSE chunks, since the reply guard may join or split pieces.
Goal (issue 6): zero errors at 32 concurrent clients and overhead at most 10%. It also prints the load average and
the server process's CPU time over the served run (from /proc, where there is one), a figure the other sessions on a
shared machine disturb less than throughput.

A third run (issue 20) repeats the served run with one of the clients sending a 500 KB message
("I am sad. " x 50,000) in every round: the other clients' p95 time to first token must stay within 2x the
run without it, with zero errors. It also times the lexicon alone on 50 KB and 500 KB, whose cost must grow
linearly. Needs no data from ../shared.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections import Counter

import httpx


def cpu_seconds(pid: int) -> float | None:
    """A process's CPU time so far (user and system), from /proc; None where there is no /proc."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(cmd: list[str], env: dict | None = None) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    return proc, int(proc.stdout.readline())


MESSAGE = "I had a rough day at work."


async def one(client: httpx.AsyncClient, url: str, model: str, message: str) -> tuple[float, float, int] | str:
    """(time to first token, total time, tokens), or why it failed."""
    body = {"model": model, "stream": True, "messages": [{"role": "user", "content": message}]}
    t0 = time.perf_counter()
    ttft, n = None, 0
    try:
        async with client.stream("POST", url, json=body) as r:
            if r.status_code != 200:
                return f"HTTP {r.status_code}"
            async for line in r.aiter_lines():
                # count the upstream's tokens ("word<i> "), not SSE chunks: a relay may split or join them
                k = line.count("word") if line.startswith("data:") else 0
                if k:
                    n += k
                    if ttft is None:
                        ttft = time.perf_counter() - t0
    except httpx.HTTPError as e:
        return type(e).__name__
    total = time.perf_counter() - t0
    return (ttft or total), total, n


LONG = "I am sad. " * 50_000  # 500 KB, under the 1 MB request cap


async def load(
    url: str, model: str, clients: int, rounds: int, message: str = MESSAGE, long: str | None = None
) -> dict:
    """With `long`, the first client of every round sends it instead; its requests are counted for errors and
    timed apart (`long_s`), the others make the figures."""
    # idle connections are dropped after 4 s, before uvicorn's keep-alive timeout (5 s) closes them: a round that
    # waits for the 500 KB request leaves the others idle that long, and reusing one the server is closing reads
    # as a ReadError that says nothing about the server
    limits = httpx.Limits(max_connections=clients, keepalive_expiry=4)
    async with httpx.AsyncClient(timeout=300, limits=limits) as c:
        results, longs = [], []
        t0 = time.perf_counter()
        for _ in range(rounds):
            texts = ([long] if long else []) + [message] * (clients - (1 if long else 0))
            got = await asyncio.gather(*(one(c, url, model, t) for t in texts))
            if long:
                longs.append(got[0])
                got = got[1:]
            results += got
        wall = time.perf_counter() - t0
    ok = [r for r in results if not isinstance(r, str)]
    why = Counter([r for r in results if isinstance(r, str)] + [f"500 KB: {r}" for r in longs if isinstance(r, str)])
    long_errors = sum(isinstance(r, str) for r in longs)
    long_s = max((r[1] for r in longs if not isinstance(r, str)), default=float("nan"))
    ttft = sorted(r[0] for r in ok)
    return {
        "errors": len(results) - len(ok) + long_errors,
        "why": dict(why),
        "long_s": long_s,
        "p50": statistics.median(ttft) if ttft else float("nan"),
        "p95": ttft[int(0.95 * (len(ttft) - 1))] if ttft else float("nan"),
        "tok_s_client": statistics.median(r[2] / r[1] for r in ok) if ok else 0.0,
        "tok_s_total": sum(r[2] for r in ok) / wall,
    }


SERVE = """
import socket, sys, uvicorn
from warmline.serve.app import create_app, server_options
from warmline.serve.settings import ServeSettings
s = ServeSettings(backend="openai", base_url=sys.argv[1], model="fake", concurrency=int(sys.argv[2]),
                  rate_limit_per_minute=100000)
sock = socket.socket(); sock.bind(("127.0.0.1", 0)); port = sock.getsockname()[1]; sock.close()
print(port, flush=True)
uvicorn.run(create_app(s), host="127.0.0.1", port=port, log_level="warning", **server_options())
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=3)
    # e.g. "My breakup still hurts and I can't sleep.": sad, not flagged, closer to what a support service gets
    ap.add_argument("--message", default=MESSAGE, help="what every client sends (it must not be flagged)")
    ap.add_argument("--tokens", type=int, default=50)
    ap.add_argument("--token-delay", type=float, default=0.02)
    ap.add_argument("--no-long", dest="long", action="store_false", help="skip the run with one 500 KB message")
    args = ap.parse_args()
    direct, served, with_long = run(args)
    report(args, direct, served, with_long)


def run(args) -> tuple[dict, dict, dict | None]:
    """The load straight at the upstream, through warmline serve, and through it with one 500 KB client."""
    up, up_port = start(
        [
            sys.executable,
            "-m",
            "warmline.testing.fake_openai",
            "--delay",
            "0",
            "--tokens",
            str(args.tokens),
            "--token-delay",
            str(args.token_delay),
        ]
    )
    wl, wl_port = start(
        [sys.executable, "-c", SERVE, f"http://127.0.0.1:{up_port}/v1", str(args.clients)],
        env={**os.environ, "WARMLINE_API_KEYS": ""},
    )
    try:
        for _ in range(50):
            try:
                httpx.get(f"http://127.0.0.1:{wl_port}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        direct = asyncio.run(
            load(f"http://127.0.0.1:{up_port}/v1/chat/completions", "fake", args.clients, args.rounds, args.message)
        )
        cpu0 = cpu_seconds(wl.pid)
        served = asyncio.run(
            load(f"http://127.0.0.1:{wl_port}/v1/chat/completions", "fake", args.clients, args.rounds, args.message)
        )
        cpu1 = cpu_seconds(wl.pid)
        # the server's own CPU over the served run: less noisy than throughput on a shared machine
        served["cpu_s"] = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None
        with_long = (
            asyncio.run(
                load(
                    f"http://127.0.0.1:{wl_port}/v1/chat/completions",
                    "fake",
                    args.clients,
                    args.rounds,
                    args.message,
                    LONG,
                )
            )
            if args.long
            else None
        )
    finally:
        for proc in (wl, up):  # a clean shutdown: the server's screening worker process ends with it
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return direct, served, with_long


def report(args, direct: dict, served: dict, with_long: dict | None) -> None:
    print(f"message: {args.message!r}")
    print(
        f"{args.clients} concurrent streaming clients x {args.rounds} rounds; upstream: {args.tokens} tokens, "
        f"{args.token_delay * 1000:.0f} ms apart"
    )
    print(f"{'':16}{'errors':>8}{'TTFT p50':>10}{'TTFT p95':>10}{'tok/s/client':>14}{'tok/s total':>13}")
    for name, r in (("direct", direct), ("warmline serve", served)):
        print(
            f"{name:16}{r['errors']:>8}{r['p50'] * 1000:>8.0f}ms{r['p95'] * 1000:>8.0f}ms{r['tok_s_client']:>14.1f}"
            f"{r['tok_s_total']:>13.0f}"
        )
    for name, r in (("direct", direct), ("warmline serve", served), ("+ one 500 KB", with_long or {})):
        if r.get("why"):
            print(f"{name} errors: {r['why']}")
    overhead = 1 - served["tok_s_total"] / direct["tok_s_total"]
    print(
        f"throughput overhead {overhead:.1%} (goal <= 10%); TTFT p50 +{(served['p50'] - direct['p50']) * 1000:.0f} ms; "
        f"errors {served['errors']} (goal 0); load average {os.getloadavg()[0]:.1f}"
    )
    if served.get("cpu_s") is not None:
        n = args.clients * args.rounds
        print(f"server CPU over the served run: {served['cpu_s']:.2f} s, {served['cpu_s'] / n * 1000:.1f} ms a request")
    if with_long is not None:
        r = with_long
        print(
            f"{'+ one 500 KB':16}{r['errors']:>8}{r['p50'] * 1000:>8.0f}ms{r['p95'] * 1000:>8.0f}ms"
            f"{r['tok_s_client']:>14.1f}{r['tok_s_total']:>13.0f}"
        )
        print(
            f"with one client of {args.clients} sending 500 KB: the others' TTFT p95 is "
            f"{r['p95'] / served['p95']:.2f}x the run without it (goal <= 2x); errors {r['errors']} (goal 0); "
            f"the 500 KB request took {r['long_s']:.1f} s"
        )
        lexicon_cost()


def lexicon_cost() -> None:
    """The lexicon alone (it reads all of a message) on 50 KB and 500 KB: its cost must grow linearly."""
    from warmline.safety.detect import scan

    took = {}
    for n in (5_000, 50_000):
        t0 = time.perf_counter()
        scan("I am sad. " * n)
        took[n] = time.perf_counter() - t0
    print(
        f"lexicon scan: 50 KB {took[5_000]:.2f} s, 500 KB {took[50_000]:.2f} s "
        f"({took[50_000] / took[5_000]:.1f}x for 10x the text; linear is 10x)"
    )


if __name__ == "__main__":
    main()
