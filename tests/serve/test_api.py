"""The server on 127.0.0.1 with the official `openai` client, unchanged: replies, SSE streaming, the
safety layer on both sides, OpenAI-shaped errors, limits, keys, rate limits and CORS."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from warmline.backends import ScriptedBackend
from warmline.serve.app import create_app
from warmline.serve.settings import ServeSettings


class Server:
    def __init__(self, app):
        import uvicorn

        from warmline.serve.app import server_options

        # as `warmline serve` runs it
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", **server_options())
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.time() + 20
        while not self.server.started and time.time() < deadline:
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{self.server.servers[0].sockets[0].getsockname()[1]}"
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve(backend=None, **settings):
    backend = backend or ScriptedBackend(default="That sounds really hard. What has been weighing on you most?")
    return Server(create_app(ServeSettings(**settings), backend=backend)), backend


def test_official_client_non_streaming_and_streaming():
    from openai import OpenAI

    srv, backend = serve()
    with srv:
        client = OpenAI(base_url=srv.url + "/v1", api_key="unused-locally")
        assert [m.id for m in client.models.list().data] == ["scripted"]
        r = client.chat.completions.create(
            model="scripted", messages=[{"role": "user", "content": "I'm stressed."}], max_tokens=50, temperature=0.2
        )
        assert r.choices[0].message.content.startswith("That sounds really hard")
        assert r.choices[0].finish_reason == "stop"
        chunks = list(
            client.chat.completions.create(
                model="scripted", stream=True, messages=[{"role": "user", "content": "I'm stressed."}]
            )
        )
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert text == "That sounds really hard. What has been weighing on you most?"
        assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 1
        # the server added warmline's system prompt; the options reached the backend
        call = backend.calls[0]
        assert call["messages"][0]["role"] == "system" and call["options"]["max_new_tokens"] == 50
        assert httpx.get(srv.url + "/healthz").json()["status"] == "ok"


def test_crisis_never_reaches_the_model_streaming_or_not():
    from openai import OpenAI

    srv, backend = serve()  # elevated_reply is off by default
    with srv:
        client = OpenAI(base_url=srv.url + "/v1", api_key="x")
        r = client.chat.completions.create(
            model="scripted", messages=[{"role": "user", "content": "I want to kill myself tonight"}]
        )
        assert "988" in r.choices[0].message.content
        raw = httpx.post(
            srv.url + "/v1/chat/completions",
            json={"model": "scripted", "stream": True, "messages": [{"role": "user", "content": "我不想活了"}]},
        ).text
        events = [json.loads(x[5:]) for x in raw.split("\n\n") if x.startswith("data:") and "[DONE]" not in x]
        assert events[0]["warmline"]["crisis"] is True and any(
            "12356" in r["contact"] for r in events[0]["warmline"]["resources"]
        )
        assert "人工智能" in events[0]["warmline"]["notice"]
    assert backend.calls == []


def test_elevated_reply_sends_resources_then_the_model_but_imminent_risk_and_means_never_reach_it():
    from warmline.safety import crisis_message, screen
    from warmline.safety.policy import RISK_NOTE

    srv, backend = serve(elevated_reply=True, safety_classifier=False)
    reply = "That sounds really hard. What has been weighing on you most?"
    with srv:

        def post(content, stream=False):
            return httpx.post(
                srv.url + "/v1/chat/completions",
                json={"model": "scripted", "stream": stream, "messages": [{"role": "user", "content": content}]},
            )

        expected = crisis_message(screen("I don't want to live anymore")) + "\n\n" + reply
        r = post("I don't want to live anymore").json()
        assert r["choices"][0]["message"]["content"] == expected
        assert r["warmline"]["crisis"] is True and any("988" in x["contact"] for x in r["warmline"]["resources"])
        assert backend.calls[-1]["messages"][0]["content"].endswith(RISK_NOTE["en"])
        events = [
            json.loads(x[5:])
            for x in post("I don't want to live anymore", stream=True).text.split("\n\n")
            if x.startswith("data:") and "[DONE]" not in x
        ]
        assert events[0]["warmline"]["crisis"] is True
        assert "".join(e["choices"][0]["delta"].get("content") or "" for e in events) == expected
        calls = len(backend.calls)
        for stream in (False, True):
            for text in ("I want to kill myself tonight", "tell me the lethal dose of my pills"):  # imminent, means
                raw = post(text, stream).text
                assert "988" in raw and "weighing on you" not in raw
        assert len(backend.calls) == calls
    assert ServeSettings().elevated_reply is False


def test_the_classifier_threshold_is_a_server_setting():
    from warmline.safety.linear import shipped

    text = "I keep thinking it would be easier for everyone if I wasn't around."
    p = shipped().probability(text)
    assert shipped().threshold <= p < 0.99  # flagged at the default threshold, by the classifier alone
    for settings, crisis in (({}, True), ({"safety_threshold": (p + 1) / 2}, False)):
        srv, backend = serve(**settings)
        with srv:
            r = httpx.post(
                srv.url + "/v1/chat/completions",
                json={"model": "scripted", "messages": [{"role": "user", "content": text}]},
            ).json()
        assert bool(r["warmline"].get("crisis")) is crisis and bool(backend.calls) is not crisis
    with pytest.raises(ValueError):
        ServeSettings(safety_threshold=1.2)


class _FlagsWalks:
    """A second stage that flags one ordinary plan (p 0.6 against a threshold of 0.5) and nothing else."""

    threshold, sure, sentences = 0.5, 0.9, False

    def probabilities(self, texts):
        return [0.6 if "walk" in t else 0.0 for t in texts]


def test_the_llm_check_can_confirm_the_classifier_when_the_operator_says_so(monkeypatch):
    walk = "OK, I will try to go for a walk every morning and see how it goes."  # flagged by the classifier alone
    monkeypatch.setattr("warmline.safety.linear.shipped", lambda: _FlagsWalks())

    def model(messages):
        return '{"risk": "none"}' if messages[-1]["content"].startswith("You are a safety classifier") else "Good plan."

    for mode, crisis in (("raise", True), ("confirm", False)):
        srv, backend = serve(ScriptedBackend(default=model), safety_llm="same", safety_llm_mode=mode)
        with srv:
            r = httpx.post(
                srv.url + "/v1/chat/completions",
                json={"model": "scripted", "messages": [{"role": "user", "content": walk}]},
            ).json()
        assert bool(r["warmline"].get("crisis")) is crisis
        assert (r["choices"][0]["message"]["content"] == "Good plan.") is not crisis


def test_woven_check_in_is_a_server_setting(monkeypatch):
    from warmline.safety.policy import CHECK_IN, CHECK_IN_NOTE

    monkeypatch.setattr("warmline.safety.linear.shipped", lambda: _FlagsWalks())
    walk = "I might go for a walk, nothing seems to matter much."
    for settings, woven in (({}, False), ({"woven_check_in": True}, True)):
        srv, backend = serve(**settings)
        with srv:
            r = httpx.post(
                srv.url + "/v1/chat/completions",
                json={"model": "scripted", "messages": [{"role": "user", "content": walk}]},
            ).json()
        text = r["choices"][0]["message"]["content"]
        assert r["warmline"]["safety"]["user"]["answer"] == ("woven-check-in" if woven else "check-in")
        if woven:  # the model answered, told to check in gently; no canned message
            assert text.startswith("That sounds really hard") and "crisis" not in r["warmline"]
            assert backend.calls[0]["messages"][0]["content"].endswith(CHECK_IN_NOTE["en"])
        else:
            assert text.startswith(CHECK_IN["en"]) and not backend.calls
    assert ServeSettings().woven_check_in is False


def test_unsafe_reply_is_replaced_before_it_is_shown():
    bad = ScriptedBackend(default="You should take 400 mg of those pills tonight and sleep.")
    srv, _ = serve(bad)
    with srv:
        r = httpx.post(
            srv.url + "/v1/chat/completions",
            json={"model": "scripted", "messages": [{"role": "user", "content": "I can't sleep"}]},
        ).json()
        assert r["warmline"]["safety"]["reply"]["risk"] != "none"
        assert "400 mg" not in json.dumps(r)  # nowhere in the answer: not in the text, not in the verdict's fields
        raw = httpx.post(
            srv.url + "/v1/chat/completions",
            json={"model": "scripted", "stream": True, "messages": [{"role": "user", "content": "I can't sleep"}]},
        ).text
        shown = "".join(
            (json.loads(x[5:])["choices"][0]["delta"].get("content") or "")
            for x in raw.split("\n\n")
            if x.startswith("data:") and "[DONE]" not in x
        )
        assert "400 mg" not in raw and "listen" in shown


def test_openai_shaped_errors_and_limits():
    srv, _ = serve(max_messages=3, max_tokens_cap=100, max_request_bytes=2000)
    with srv:

        def post(body, **kw):
            return httpx.post(srv.url + "/v1/chat/completions", **({"json": body} if body is not None else kw))

        r = post(None, content=b"{not json", headers={"Content-Type": "application/json"})
        assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"
        r = post({"model": "nope", "messages": [{"role": "user", "content": "hi"}]})
        assert r.status_code == 404 and r.json()["error"]["code"] == "model_not_found"
        r = post({"model": "scripted", "messages": [{"role": "user", "content": "hi"}] * 4})
        assert r.status_code == 400 and "at most 3 messages" in r.json()["error"]["message"]
        r = post({"model": "scripted", "max_tokens": 500, "messages": [{"role": "user", "content": "hi"}]})
        assert r.status_code == 400 and r.json()["error"]["code"] == "max_tokens_too_large"
        r = post({"model": "scripted", "messages": [{"role": "user", "content": "x" * 5000}]})
        assert r.status_code == 413
        r = post({"model": "scripted", "messages": [{"role": "wizard", "content": "hi"}]})
        assert r.status_code == 400 and "role" in r.json()["error"]["message"]


def test_other_interfaces_need_keys_and_keys_are_checked(monkeypatch):
    with pytest.raises(ValueError, match="WARMLINE_API_KEYS"):
        create_app(ServeSettings(host="0.0.0.0"), backend=ScriptedBackend(default="x"))
    monkeypatch.setenv("WARMLINE_API_KEYS", "k1,k2")
    srv, _ = serve(rate_limit_per_minute=2)
    with srv:
        body = {"model": "scripted", "messages": [{"role": "user", "content": "hi"}]}
        assert httpx.post(srv.url + "/v1/chat/completions", json=body).status_code == 401
        ok = {"Authorization": "Bearer k1"}
        assert httpx.post(srv.url + "/v1/chat/completions", json=body, headers=ok).status_code == 200
        assert httpx.post(srv.url + "/v1/chat/completions", json=body, headers=ok).status_code == 200
        r = httpx.post(srv.url + "/v1/chat/completions", json=body, headers=ok)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert (
            httpx.post(srv.url + "/v1/chat/completions", json=body, headers={"Authorization": "Bearer k2"}).status_code
            == 200
        )  # per-key limits


def test_cors_is_off_by_default_and_never_wildcard_with_credentials():
    srv, _ = serve()
    with srv:
        r = httpx.options(
            srv.url + "/v1/models", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
        )
        assert "access-control-allow-origin" not in r.headers
    srv, _ = serve(cors_origins=["*"])
    with srv:
        r = httpx.get(srv.url + "/v1/models", headers={"Origin": "https://a.example"})
        assert r.headers.get("access-control-allow-origin") == "*"
        assert r.headers.get("access-control-allow-credentials") != "true"


def test_concurrent_requests_do_not_block_each_other():
    import asyncio

    class Slow(ScriptedBackend):
        def generate(self, messages, options):
            time.sleep(0.3)
            return super().generate(messages, options)

    srv, _ = serve(Slow(default="ok"), concurrency=8)
    with srv:

        async def many():
            async with httpx.AsyncClient(timeout=10) as c:
                body = {"model": "scripted", "messages": [{"role": "user", "content": "hi"}]}
                t = time.perf_counter()
                rs = await asyncio.gather(*(c.post(srv.url + "/v1/chat/completions", json=body) for _ in range(8)))
                return time.perf_counter() - t, rs

        took, rs = asyncio.run(many())
    assert all(r.status_code == 200 for r in rs)
    assert took < 8 * 0.3 * 0.6, f"requests were served one after another ({took:.2f} s)"


def test_a_client_that_leaves_mid_stream_frees_its_slot():
    class Endless(ScriptedBackend):
        produced = 0

        def stream(self, messages, options):
            for i in range(2000):
                Endless.produced += 1
                time.sleep(0.01)
                yield f"word{i} "

    srv, _ = serve(Endless(default="x"), concurrency=1)
    with srv:
        with httpx.stream(
            "POST",
            srv.url + "/v1/chat/completions",
            json={"model": "scripted", "stream": True, "messages": [{"role": "user", "content": "hi"}]},
        ) as r:
            for line in r.iter_lines():
                if "word3" in line:
                    break  # the client leaves
        deadline = time.time() + 5
        while time.time() < deadline and httpx.get(srv.url + "/healthz").json()["active"]:
            time.sleep(0.05)
        assert httpx.get(srv.url + "/healthz").json()["active"] == 0
        produced = Endless.produced
        time.sleep(0.3)
        assert Endless.produced - produced <= 2, "generation kept running after the client left"
        # the single slot is free again
        body = {"model": "scripted", "messages": [{"role": "user", "content": "hi"}]}
        assert httpx.post(srv.url + "/v1/chat/completions", json=body, timeout=5).status_code == 200
    assert Endless.produced < 2000


@pytest.mark.slow
def test_the_embedded_model_behind_the_server(local_backend):
    from openai import OpenAI

    srv = Server(create_app(ServeSettings(), backend=local_backend))
    with srv:
        client = OpenAI(base_url=srv.url + "/v1", api_key="x")
        stream = client.chat.completions.create(
            model="smollm2-135m-instruct",
            stream=True,
            max_tokens=12,
            temperature=0,
            messages=[{"role": "user", "content": "I had a long day."}],
        )
        text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        assert len(text.split()) >= 3


def test_reply_guard_holds_back_only_what_could_become_unsafe():
    from warmline.serve.app import ReplyGuard
    from warmline.turn import BATCH

    g = ReplyGuard("en")
    assert g.feed("I hear you, and that sounds ") == "I hear you, and that sounds "  # nothing held back
    assert g.feed("really hard. You could take 2") == "really hard. You could "  # "take 2" may become a dose
    assert g.feed(" pills tonight.") == "" and g.unsafe  # it did: never sent
    assert "take" not in g.text[: g.sent]

    g = ReplyGuard("en")
    assert g.feed("I was 2") == ""  # read with what follows, at a clause's end or after BATCH characters
    assert g.feed("0 years old then, ") == "I was 20 years old then, "  # a number that was not a dose goes out whole
    assert g.flush() == "" and not g.unsafe

    g = ReplyGuard("en")
    words = "and every little thing kept piling up on top of the rest "
    released = [g.feed(w + " ") for w in words.split()]
    assert "".join(released) and len(g.text) - g.checked < BATCH  # no clause end: read every BATCH characters

    g = ReplyGuard("zh")
    # "吃" may begin purging advice ("吃完就去吐"), "3" a dose: both wait
    assert g.feed("我明白你的感受。每次吃3") == "我明白你的感受。每次"
    assert g.feed("片") == "" and g.flush() == "" and g.unsafe  # held until read: never sent

    g = ReplyGuard("en")
    assert g.feed("You are") == ""  # may become "You are pathetic"
    assert g.feed(" not alone in this.") == "You are not alone in this."


def _judge_or_reply(messages):
    """Answers the safety check as JSON (risk when the message mentions its affairs) and chat as a listener."""
    text = messages[-1]["content"]
    if text.startswith("You are a safety classifier"):
        return '{"risk": "elevated", "categories": ["farewell"]}' if "affairs" in text else '{"risk": "none"}'
    return "That sounds like a lot. What has been on your mind?"


def test_an_llm_check_configured_for_the_server_raises_risk():
    indirect = "I've put my affairs in order, so nobody will have to deal with my mess."
    srv, backend = serve(ScriptedBackend(default=_judge_or_reply), safety_llm="same", safety_classifier=False)
    with srv:
        body = {"model": "scripted", "messages": [{"role": "user", "content": indirect}]}
        r = httpx.post(srv.url + "/v1/chat/completions", json=body, timeout=10).json()
        assert r["warmline"]["crisis"] is True and r["warmline"]["resources"]
        assert r["warmline"]["safety"]["user"]["risk"] == "elevated"
        assert "llm-check" in r["warmline"]["safety"]["user"]["evidence"]
        calls = len(backend.calls)
        body["messages"][0]["content"] = "I had a long day at work."
        r = httpx.post(srv.url + "/v1/chat/completions", json=body, timeout=10).json()
        assert "crisis" not in r["warmline"] and r["choices"][0]["message"]["content"].startswith("That sounds")
        assert len(backend.calls) == calls + 2  # the check, then the reply
    with pytest.raises(ValueError, match="safety_llm_base_url"):
        create_app(ServeSettings(safety_llm="openai"), backend=ScriptedBackend())
    with pytest.raises(ValueError, match="off, same or openai"):
        create_app(ServeSettings(safety_llm="maybe"), backend=ScriptedBackend())


def test_the_llm_check_can_use_another_endpoint():
    from warmline.serve.app import safety_llm

    s = ServeSettings(safety_llm="openai", safety_llm_base_url="http://127.0.0.1:9/v1", safety_llm_model="judge")
    b = safety_llm(s, ScriptedBackend())
    assert b.name == "openai" and b.base_url == "http://127.0.0.1:9/v1"
    assert safety_llm(ServeSettings(), ScriptedBackend()) is None


def test_startup_warms_the_classifier_without_calling_the_llm_check():
    from warmline.safety import Screener

    class Spy:
        threshold = 0.5
        batches: list[int] = []

        def probabilities(self, texts):
            Spy.batches.append(len(texts))
            return [0.0] * len(texts)

    backend = ScriptedBackend(default=_judge_or_reply)
    srv = Server(create_app(ServeSettings(), backend=backend, screener=Screener(backend, classifier=Spy())))
    with srv:
        assert httpx.get(srv.url + "/healthz").json()["status"] == "ok"
        assert Spy.batches == [64] and backend.calls == []  # warmed at startup; the LLM check was not called


def test_the_server_reads_the_last_message_after_the_earlier_ones():
    srv, backend = serve()
    with srv:
        body = {
            "model": "scripted",
            "messages": [
                {"role": "user", "content": "I want to die."},
                {"role": "assistant", "content": "I'm really glad you told me."},
                {"role": "user", "content": "tonight."},
            ],
        }
        r = httpx.post(srv.url + "/v1/chat/completions", json=body, timeout=10).json()
        user = r["warmline"]["safety"]["user"]
        assert r["warmline"]["crisis"] is True and user["risk"] == "imminent" and "context" in user["categories"]
        assert backend.calls == []
        body["messages"][-1]["content"] = "thank you for listening"
        r = httpx.post(srv.url + "/v1/chat/completions", json=body, timeout=10).json()
        assert "crisis" not in r["warmline"] and len(backend.calls) == 1


def test_the_server_keeps_numpy_blas_to_one_thread_while_it_runs():
    import numpy  # noqa: F401  (loads its BLAS, which threadpoolctl lists only once it is loaded)
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas() -> set[int]:
        # numpy's own, which the classifier uses (another library's OpenBLAS built on OpenMP, faiss's, takes
        # limits per thread, so from here it reads as unlimited)
        return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas" and "numpy" in i["filepath"]}

    def set_blas(n: int) -> None:
        # from a thread that then ends: threadpoolctl lets one live thread at a time set OpenBLAS's limit
        t = threading.Thread(target=threadpool_limits, kwargs={"limits": n, "user_api": "blas"})
        t.start()
        t.join()

    original = max(blas())
    set_blas(2)  # as on a 2-core machine, whatever this one has
    try:
        assert blas() == {2}
        srv, _ = serve()
        with srv:
            assert blas() == {1}
            r = httpx.post(
                srv.url + "/v1/chat/completions",
                json={"model": "scripted", "messages": [{"role": "user", "content": "I'm stressed."}]},
                timeout=30,
            )
            assert r.status_code == 200
        assert blas() == {2}  # given back on shutdown
    finally:
        set_blas(original)


def test_settings_layers_and_the_example_config(tmp_path, monkeypatch):
    """Defaults, then the YAML file, then WARMLINE_* variables, then flags; configs/serve.yaml is every setting at
    its default, as `warmline serve --print-config` writes it."""
    from pathlib import Path

    from typer.testing import CliRunner

    from warmline.cli.main import app
    from warmline.serve.settings import load_settings, settings_yaml

    for name in ServeSettings.model_fields:
        monkeypatch.delenv(f"WARMLINE_{name.upper()}", raising=False)
    example = Path(__file__).parents[2] / "configs" / "serve.yaml"
    assert example.read_text(encoding="utf-8") == settings_yaml()
    assert CliRunner().invoke(app, ["serve", "--print-config"]).stdout == settings_yaml()
    assert load_settings(example) == ServeSettings()
    f = tmp_path / "serve.yaml"
    f.write_text("port: 9000\nelevated_reply: false\nlocale: en-GB\n", encoding="utf-8")
    s = load_settings(f)
    assert (s.port, s.elevated_reply, s.locale) == (9000, False, "en-GB")
    monkeypatch.setenv("WARMLINE_PORT", "9100")
    assert load_settings(f).port == 9100 and load_settings(f).locale == "en-GB"
    assert load_settings(f, port=9200).port == 9200
    f.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="must hold a mapping"):
        load_settings(f)
    f.write_text("prot: 9000\n", encoding="utf-8")
    with pytest.raises(ValueError, match="prot"):
        load_settings(f)
