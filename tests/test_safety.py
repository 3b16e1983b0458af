"""The first-stage crisis screen, the notice, and resources as data with sources."""

from __future__ import annotations

import pytest

from warmline.backends import GenerationOptions, ScriptedBackend
from warmline.safety import ai_notice, crisis_message, load_resources, screen
from warmline.session import ChatSession


@pytest.mark.parametrize("text,risk", [
    ("I want to kill myself tonight, I have the pills", "imminent"),
    ("我今晚就吃安眠药", "imminent"),
    ("I don't want to live anymore", "elevated"),
    ("我不想活了", "elevated"),
    ("I cut myself again last night", "elevated"),
    ("他经常打我", "elevated"),
    ("my boss will kill me if I'm late", "none"),
    ("想死你了！", "none"),
    ("笑死我了", "none"),
    ("跳楼价大甩卖", "none"),
    ("累死了", "none"),
    ("you're killing it", "none"),
    ("I'm dying to see the movie", "none"),
    ("I would never kill myself", "none"),
    ("我从没想过自杀", "none"),
])
def test_screen(text, risk):
    v = screen(text)
    assert v.risk == risk, v
    if risk != "none":
        assert v.categories and v.evidence


def test_resources_have_sources_and_locales():
    for loc in ("en-US", "en-GB", "zh-CN"):
        items = load_resources(loc)
        assert items and all(r["source"].startswith("https://") for r in items)
    assert any("12356" in r["contact"] for r in load_resources("zh-CN"))
    assert any("116 123" in r["contact"] for r in load_resources("en-GB"))


def test_crisis_message_language_and_imminent_line():
    zh = crisis_message(screen("我今晚就吃安眠药"))
    assert "12356" in zh and "急救" in zh
    en = crisis_message(screen("I feel suicidal"))
    assert "988" in en and "emergency department" not in en
    assert "AI" in ai_notice("en") and "人工智能" in ai_notice("zh")


def test_session_replaces_an_unsafe_model_reply():
    b = ScriptedBackend(["You could overdose on your pills, that works."])
    s = ChatSession(b, GenerationOptions(), "sys")
    turn = s.send("I feel hopeless about my exams")
    assert turn.replaced and "overdose" not in turn.text
    assert s.history[-1]["content"] == turn.text


def test_session_crisis_does_not_call_the_model():
    b = ScriptedBackend([])
    s = ChatSession(b, GenerationOptions(), "sys")
    turn = s.send("I want to end my life")
    assert turn.crisis and not b.calls
