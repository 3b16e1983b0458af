"""The fault test: a fake OpenAI-compatible server answers with a scripted mix of 429 (Retry-After),
500, timeouts and malformed dialogues; the runner is SIGKILLed mid-run and restarted; every item ends
up exactly once (accepted or rejected) and the summary counts agree."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

from warmline.conversation import Dialogue, Turn, write_jsonl
from warmline.testing.fake_openai import FakeOpenAI, Fault, synth_reply

N = 60


def test_sigkill_and_restart_leave_every_item_exactly_once(tmp_path):
    inp, out = tmp_path / "qa.jsonl", tmp_path / "out.jsonl"
    write_jsonl(
        [
            Dialogue(
                f"q{i}",
                "en",
                [
                    Turn("client", f"Question {i}{' ALWAYS-BAD' if i % 10 == 7 else ''}: I feel stuck at work."),
                    Turn("counselor", f"Answer {i}: that sounds hard."),
                ],
            )
            for i in range(N)
        ],
        inp,
    )
    good = synth_reply(6)
    calls = {"n": 0}
    lock = threading.Lock()

    def reply(messages):
        with lock:
            calls["n"] += 1
            n = calls["n"]
        prompt = messages[-1]["content"]
        if "ALWAYS-BAD" in prompt or n % 5 == 0:
            return "Sorry, here are some tips:\n1. rest\n2. exercise"  # malformed: no dialogue
        return good(messages)

    with FakeOpenAI(reply=reply, delay=0.05) as server:
        faults = [Fault(429, {"Retry-After": "0.05"}), Fault(500), Fault(200, delay=2.0), Fault(503)] * 4
        server.fail(*faults)
        cmd = [
            sys.executable,
            "-m",
            "warmline.cli.main",
            "synth",
            str(inp),
            str(out),
            "--method",
            "smile",
            "--backend",
            "openai",
            "--base-url",
            server.base_url,
            "--model",
            "gpt-4o-mini",
            "--concurrency",
            "4",
            "--max-retries",
            "2",
            "--timeout",
            "0.5",
            "--json",
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            if out.exists() and out.read_bytes().count(b"\n") >= 12:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the first run finished before it could be killed; slow the fake server down"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        first_acc = out.read_bytes().count(b"\n")  # complete lines; a partial one has no newline yet
        rej_path = tmp_path / "out.rejected.jsonl"
        first_rej = rej_path.read_bytes().count(b"\n") if rej_path.exists() else 0
        assert 12 <= first_acc + first_rej < N

        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        summary = json.loads(done.stdout.strip().splitlines()[-1])

    accepted = [json.loads(x) for x in out.read_text().splitlines()]
    rejected = [json.loads(x) for x in (tmp_path / "out.rejected.jsonl").read_text().splitlines()]
    keys = [d["meta"]["key"] for d in accepted] + [r["key"] for r in rejected]
    assert sorted(keys) == sorted(f"q{i}|smile|1|0" for i in range(N)), "every item exactly once"
    assert len(keys) == len(set(keys)) == N
    # the always-bad items were rejected after 3 attempts each
    assert {r["key"].split("|")[0] for r in rejected} >= {f"q{i}" for i in range(7, N, 10)}
    assert all(len(r["attempts"]) == 3 for r in rejected)
    # the restart's summary agrees with what is on disk
    assert summary["planned"] == N
    assert summary["skipped_done"] + summary["accepted"] + summary["rejected"] == N
    assert summary["skipped_done"] == first_acc + first_rej
    assert len(accepted) == first_acc + summary["accepted"]
    assert len(rejected) == first_rej + summary["rejected"]
    assert summary["reasons"].get("no_dialogue", 0) >= 1
    assert all(d["turns"][0]["role"] == "client" for d in accepted)
