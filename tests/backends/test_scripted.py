"""The scripted backend replays queued replies, records calls, and raises queued errors."""

from __future__ import annotations

import pytest

from warmline.backends import BackendError, GenerationOptions, ScriptedBackend, preset


def test_replies_in_order_and_calls_recorded():
    b = ScriptedBackend(["one", lambda msgs: f"echo {msgs[-1]['content']}", RuntimeError("boom")])
    o = GenerationOptions(max_new_tokens=5)
    assert b.generate([{"role": "user", "content": "a"}], o).text == "one"
    assert b.generate([{"role": "user", "content": "b"}], o).text == "echo b"
    with pytest.raises(RuntimeError, match="boom"):
        b.generate([{"role": "user", "content": "c"}], o)
    with pytest.raises(BackendError, match="no replies left"):
        b.generate([], o)
    assert [c["messages"][-1]["content"] for c in b.calls[:3]] == ["a", "b", "c"]
    assert b.calls[0]["options"]["max_new_tokens"] == 5


def test_stream_and_stop():
    b = ScriptedBackend(["hello there friend. More text"])
    assert "".join(b.stream([], GenerationOptions(stop=["."]))) == "hello there friend"


def test_presets_and_strict_options():
    assert (preset("soulchat").top_p, preset("soulchat").temperature) == (0.75, 0.95)
    assert (preset("mechat").top_p, preset("mechat").temperature) == (0.8, 0.8)
    assert preset("soulchat", temperature=0.1).temperature == 0.1
    with pytest.raises(ValueError, match="unknown generation preset"):
        preset("nope")
    with pytest.raises(ValueError):
        GenerationOptions(temprature=0.5)  # typo: unknown keys are refused
