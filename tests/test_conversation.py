"""The dialogue type and its streaming JSONL I/O."""

from __future__ import annotations

import json

import pytest

from warmline.conversation import (
    Dialogue,
    DialogueError,
    JsonlWriter,
    Turn,
    detect_lang,
    flag_consecutive_roles,
    read_jsonl,
    repair_partial_tail,
    write_jsonl,
)


def make(i: int = 0) -> Dialogue:
    return Dialogue(
        f"d{i}",
        "en",
        [
            Turn("client", "I'm low.", emotion=["sadness"], observation="flat voice"),
            Turn(
                "counselor",
                "I'm here.",
                strategy=["Affirmation"],
                reasoning="comfort first",
                spans=[{"start": 0, "end": 3, "label": "x"}],
            ),
        ],
        labels={"topic": "mood", "summary": "s"},
        provenance={"source": "t", "license": "CC0-1.0", "prompt": "smile", "prompt_version": "1", "seed": 3},
    )


def test_dict_round_trip_omits_empty_fields():
    d = make()
    out = d.to_dict()
    assert Dialogue.from_dict(out) == d
    bare = Dialogue("b", "zh", [Turn("client", "你好")]).to_dict()
    assert bare == {"id": "b", "lang": "zh", "turns": [{"role": "client", "text": "你好"}]}


@pytest.mark.parametrize(
    "bad,msg",
    [
        ({"id": "x", "lang": "en", "turns": []}, "empty dialogue"),
        ({"id": "x", "lang": "fr", "turns": [{"role": "client", "text": "a"}]}, "unknown language"),
        ({"id": "x", "lang": "en", "turns": [{"role": "doctor", "text": "a"}]}, "unknown role"),
        ({"id": "x", "lang": "en", "turns": [{"role": "client", "text": None}]}, "must be a string"),
        (["not", "a", "dict"], "must be an object"),
    ],
)
def test_from_dict_refuses_bad_records(bad, msg):
    with pytest.raises(DialogueError, match=msg):
        Dialogue.from_dict(bad)


def test_jsonl_streams_in_and_out(tmp_path):
    path = tmp_path / "d.jsonl"
    n = write_jsonl((make(i) for i in range(1000)), path)  # a generator: nothing held in memory
    assert n == 1000
    back = read_jsonl(path)
    assert next(back).id == "d0"  # lazy
    assert sum(1 for _ in back) == 999


def test_read_jsonl_names_file_and_line(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(make().to_dict()) + "\n\n{oops\n")
    with pytest.raises(DialogueError, match=r"d\.jsonl:3"):
        list(read_jsonl(path))


def test_partial_last_line_is_repaired_on_append(tmp_path):
    path = tmp_path / "out.jsonl"
    with JsonlWriter(path) as w:
        w.write(make(0))
    with path.open("a") as f:
        f.write('{"id": "d1", "lang": "en", "tur')  # a kill mid-write
    with JsonlWriter(path, append=True) as w:
        w.write(make(2))
    assert [d.id for d in read_jsonl(path)] == ["d0", "d2"]
    assert repair_partial_tail(path) == 0


def test_language_detection():
    assert detect_lang("我最近压力很大，睡不着。") == "zh"
    assert detect_lang("I can't sleep because of stress.") == "en"
    assert detect_lang("我最近 stress 很大") == "zh"
    assert detect_lang("") == "en"


def test_merge_consecutive_keeps_all_text_and_shifts_spans():
    d = Dialogue(
        "m",
        "en",
        [
            Turn("client", "one"),
            Turn("client", "two", spans=[{"start": 0, "end": 3, "label": "L"}]),
            Turn("counselor", "ok"),
        ],
    )
    flag_consecutive_roles(d, merge=True)
    assert d.turns[0].text == "one\ntwo"
    s = d.turns[0].spans[0]
    assert d.turns[0].text[s["start"] : s["end"]] == "two"


def test_to_messages_maps_roles():
    msgs = make().to_messages(system="be kind")
    assert [m["role"] for m in msgs] == ["system", "user", "assistant"]
