"""Asking an LLM for JSON: the object is found inside prose and code fences, an unusable answer is asked
again, and after the last try the failure is returned and counted."""

from __future__ import annotations

import asyncio

import pytest

from warmline.backends.base import BackendError
from warmline.backends.scripted import ScriptedBackend
from warmline.llm_json import AskStats, UnusableAnswer, ask, context_text, json_object


def _winner(text: str) -> str:
    w = json_object(text).get("winner")
    if w not in ("A", "B"):
        raise UnusableAnswer(f"winner must be A or B, got {w!r}")
    return w


@pytest.mark.parametrize(
    "answer",
    [
        '{"winner": "A", "n": 2}',
        'Sure. Here is my verdict: {"winner": "A", "n": 2} I hope this helps.',
        '```json\n{\n  "winner": "A",\n  "n": 2\n}\n```',
    ],
)
def test_json_object_inside_prose_and_fences(answer):
    assert json_object(answer) == {"winner": "A", "n": 2}


@pytest.mark.parametrize(
    "answer,err",
    [
        ("no braces at all", "no JSON object"),
        ('{"winner": "A",}', "invalid JSON"),
        ('{"winner": "A"} or maybe {"winner": "B"}', "invalid JSON"),  # two objects: neither is taken
    ],
)
def test_json_object_says_what_is_wrong(answer, err):
    with pytest.raises(UnusableAnswer, match=err):
        json_object(answer)


def test_unusable_then_usable_is_asked_again():
    backend = ScriptedBackend(["I think A is better.", '{"winner": "C"}', 'Verdict: {"winner": "B"}'])
    stats = AskStats()
    got = asyncio.run(ask(backend, "Which reply is better?", _winner, 2, stats))
    assert got == "B"
    assert (stats.calls, stats.retries, stats.failed) == (3, 2, 0)
    assert stats.errors == {"UnusableAnswer": 2}
    # the same question every time, as one user message
    assert [c["messages"] for c in backend.calls] == [[{"role": "user", "content": "Which reply is better?"}]] * 3


def test_gives_up_after_max_retries_and_returns_the_last_error():
    backend = ScriptedBackend(default='{"winner": "none"}')
    stats = AskStats()
    got = asyncio.run(ask(backend, "q", _winner, 3, stats))
    assert isinstance(got, UnusableAnswer)
    assert str(got) == "unparsable after 4 attempts: winner must be A or B, got 'none'"
    assert (stats.calls, stats.retries, stats.failed) == (4, 3, 1) and len(backend.calls) == 4


def test_a_backend_error_is_retried_and_counted_by_type():
    backend = ScriptedBackend([BackendError("server busy"), '{"winner": "A"}'])
    stats = AskStats()
    assert asyncio.run(ask(backend, "q", _winner, 1, stats)) == "A"
    assert stats.errors == {"BackendError": 1} and stats.failed == 0


def test_other_errors_are_not_swallowed():
    backend = ScriptedBackend([RuntimeError("a bug"), '{"winner": "A"}'])
    with pytest.raises(RuntimeError, match="a bug"):
        asyncio.run(ask(backend, "q", _winner, 2, AskStats()))


def test_context_text_names_speakers_and_drops_system():
    msgs = [
        {"role": "system", "content": "be kind"},
        {"role": "user", "content": "我很累"},
        {"role": "assistant", "content": "听起来很辛苦"},
    ]
    assert context_text(msgs, "zh") == "来访者: 我很累\n咨询师: 听起来很辛苦"
    assert context_text(msgs[1:2], "en") == "Client: 我很累"
