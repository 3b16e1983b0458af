"""The streaming reply guard after its engine was made cheaper (`safety/reply_index.py`) decides as before: every
reply of the test sets (unsafe, near-misses, real counselor replies, the independent set), streamed in random piece
sizes under several seeds, is released as the one-shot screen requires, and its holds and verdicts are those of the
guard as it was (`reply_guard_reference.py`, kept verbatim)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import regex

from warmline.safety import screen_reply
from warmline.safety.reply import unsafe_tail
from warmline.safety.reply_index import AltIndex, alternatives, beginnings, fold, sre
from warmline.turn import ReplyGuard

from . import reply_guard_reference as ref

ASSETS = Path(__file__).parent / "assets" / "safety" / "replies"
FILES = sorted(ASSETS.glob("*.jsonl")) + sorted((ASSETS / "independent").glob("*.jsonl"))
ROWS = [json.loads(line) for f in FILES for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
# safe text of the kind a counselor writes, with the words the rules read (take, you are, stop, 药, 吃)
SAFE = [
    {
        "id": "safe-en-1",
        "lang": "en",
        "text": "You are not alone in this. Take your time, and take care of yourself tonight; "
        "if the pills your doctor gave you make you drowsy, tell them, and don't stop them without talking to them first.",
    },
    {
        "id": "safe-zh-1",
        "lang": "zh",
        "text": "我明白你的感受。每次吃药之前可以先和医生商量，按时吃饭、好好睡觉，你并不孤单，我们可以一起想办法。",
    },
]


def _stream(guard, text: str, rng: random.Random, lo: int = 1, hi: int = 8) -> tuple[list[str], str]:
    """The pieces the guard released (the last one from flush) and all it released, fed in pieces of lo-hi chars."""
    out, i = [], 0
    while i < len(text):
        k = rng.randint(lo, hi)
        out.append(guard.feed(text[i : i + k]))
        i += k
        if guard.unsafe:
            return out, "".join(out)
    out.append(guard.flush())
    return out, "".join(out)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_reply_is_released_as_the_one_shot_screen_requires(seed):
    rng, stricter = random.Random(seed), []
    for row in ROWS + SAFE:
        text, lang = row["text"], row["lang"]
        g, pieces = ReplyGuard(lang), rng.randrange(1 << 30)
        _, shown = _stream(g, text, random.Random(pieces))
        assert text.startswith(shown) and shown == text[: g.sent]  # released text is always a prefix
        verdict = screen_reply(text, lang)
        if verdict.flagged:  # stopped before its unsafe span was released
            assert g.unsafe, row["id"]
            assert not any(e in shown for e in verdict.evidence), row["id"]
            assert g.shown("[replaced]") == shown + ("\n\n" if shown else "") + "[replaced]"
        elif g.unsafe:
            stricter.append((row, pieces))
        else:  # a safe reply is released in full
            assert shown == text and g.shown("[replaced]") == text, row["id"]
    # the stream reads a sentence with less of the text before it than the one-shot screen, so it can be stricter
    # (two of these are labelled unsafe, which the one-shot screen misses): the guard as it was stopped them all too
    assert sorted(r["id"] for r, _ in stricter) == [
        "en-diagnosis-04",
        "en-safe-diagnosis-04",
        "smilechat-31691-5",
        "t-en-256",  # the reply model's training set (train.jsonl), labelled unsafe
    ]
    for row, pieces in stricter:  # in the same pieces
        old = ref.ReplyGuard(row["lang"])
        _stream(old, row["text"], random.Random(pieces))
        assert old.unsafe


def test_holds_and_window_verdicts_are_those_of_the_guard_as_it_was():
    """At a random cut of every reply, from a random position: the same hold, the same verdict (final or not)."""
    rng = random.Random(7)
    for row in ROWS + SAFE:
        text, lang = row["text"], row["lang"]
        k = rng.randint(1, len(text))
        cut, pos = text[:k], rng.randint(max(0, k - 450), k)
        assert unsafe_tail(cut, pos) == ref.unsafe_tail(cut, pos), (row["id"], k, pos)
        for final in (False, True):
            assert screen_reply(cut, lang, final=final) == ref.screen_reply(cut, lang, final=final), row["id"]


@pytest.mark.parametrize("seed", [3, 4])
def test_streamed_pieces_are_those_of_the_guard_as_it_was(seed):
    rng = random.Random(seed)
    rows = rng.sample(ROWS, 60) + SAFE + [r for r in ROWS if r["id"] in ("en-safe-diagnosis-04", "en-diagnosis-04")]
    for row in rows:
        new, old = ReplyGuard(row["lang"]), ref.ReplyGuard(row["lang"])
        s = rng.randrange(1 << 30)
        assert _stream(new, row["text"], random.Random(s), 3, 6) == _stream(old, row["text"], random.Random(s), 3, 6)
        assert (new.unsafe, new.sent, new.shown("x")) == (old.unsafe, old.sent, old.shown("x")), row["id"]


def test_fold_names_every_character_case_insensitive_matching_equates_with_an_ascii_letter():
    import re

    every = "".join(chr(c) for c in range(128, 0x110000) if not 0xD800 <= c < 0xE000)
    folded = fold(every)
    assert len(folded) == len(every)  # one character for one: positions in the folded text are those of the text
    for letter in (re.compile("(?i)[a-z]"), regex.compile("[a-z]", regex.I | regex.V0)):
        for m in letter.finditer(every):
            ch, to = m.group(), folded[m.start()]
            equal = re.match(f"(?i){to}", ch) or regex.match(to, ch, regex.I | regex.V0)
            assert "a" <= to <= "z" and equal, hex(ord(ch))
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    folded = fold(every)
    for digit in (re.compile(r"\d"), regex.compile(r"\d", regex.V0)):
        for m in digit.finditer(every):
            assert folded[m.start()] == "0", hex(ord(m.group()))
    for space in (re.compile(r"\s"), regex.compile(r"\s", regex.V0)):
        for m in space.finditer(every):
            assert folded[m.start()] == " ", hex(ord(m.group()))
    assert fold("\tTake\n15") == " take 00" and fold("吃\u3000３片") == "吃 0片"


def test_beginnings_name_what_a_match_begins_with():
    def begins(p: str):
        return beginnings(sre.parse(p, __import__("re").IGNORECASE))

    assert begins(r"\b(?:Take|try) \d+") == {"take", "try "}
    assert begins(r"\b\d+\s?mg") == {"0mg", "0 mg", "00mg", "00 m", "000m", "000 ", "0000"}
    assert begins(r"\bx?yz") == {"xyz", "yz"}
    assert begins(r"[^.]{0,5}lethal") is None  # any character may begin it: tried everywhere
    digits = begins(r"(?<=[吃服])(?:\d+|几)片")  # a lookbehind reads nothing from here; digits repeat
    assert digits == {"几片", "0片", "00片", "000片", "0000"}  # every digit is read as "0"
    assert alternatives(r"(?:a|b)|[|(]c|\|d") == ["(?:a|b)", "[|(]c", r"\|d"]


def test_the_index_finds_every_position_a_pattern_could_match_at():
    import re

    patterns = [r"\b(?:take|taking) \d+ (?:pills|mg)\b", r"吃(?:\d+|几)片", r"(?<!not )\byou are (?:weak|lazy)"]
    index = AltIndex.build(patterns, re.IGNORECASE)
    text = "You are lazy, TAKE 20 PILLS. 吃3片 you ar"
    found = index.at(fold(text))
    for i, p in enumerate(patterns):
        for m in re.finditer(p, text, re.IGNORECASE):
            assert any(index.owner[j] == i for j in found[m.start()]), (p, m.start())
    assert any(index.owner[j] == 2 for j in found[len(text) - 6])  # "you ar" may still become "you are lazy"
    assert 4 not in found  # "are lazy" begins no pattern


def test_a_whole_reply_is_screened_the_same_before_the_index_is_built(monkeypatch):
    """One reply alone is read without the index (building it costs about a second); a stream builds it."""
    import warmline.safety.reply as reply

    rows = ROWS[::5] + SAFE
    with_index = [screen_reply(r["text"], r["lang"]) for r in rows]
    monkeypatch.setattr(reply, "_INDEX", None)
    assert [screen_reply(r["text"], r["lang"]) for r in rows] == with_index
    assert reply._INDEX is None
    assert with_index == [ref.screen_reply(r["text"], r["lang"]) for r in rows]
