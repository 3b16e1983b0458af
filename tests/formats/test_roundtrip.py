"""Every format: read the project's fixture, write it back in the same format, read again, and get
the same dialogues; plus cross-format conversions that keep labels."""

from __future__ import annotations

import json

import pytest

from warmline.conversation import Dialogue
from warmline.formats import FORMATS, ReadOptions, convert, detect, read_dialogues

from ..conftest import FORMATS as F


def content(d: Dialogue, turn_meta: bool = True) -> tuple:
    turns = tuple(
        (
            t.role,
            t.text,
            tuple(t.strategy or ()),
            tuple(t.emotion or ()),
            t.observation,
            t.reasoning,
            json.dumps(t.spans, sort_keys=True),
            json.dumps(t.meta if turn_meta else None, sort_keys=True),
        )
        for t in d.turns
    )
    return d.lang, turns, json.dumps(d.labels, sort_keys=True)


CASES = [
    ("psyqa.json", "psyqa", "out.json", 3),
    ("smilechat", "smilechat", "outdir", 2),
    ("smile.json", "smile-list", "out.json", 2),
    ("soulchat.jsonl", "soulchat-list", "out.jsonl", 1),
    ("en.json", "en-list", "out.json", 1),
    ("cpsycound", "cpsycound", "outdir", 1),
    ("psyinsight.json", "psyinsight", "out.json", 1),
    ("esconv.json", "esconv", "out.json", 1),
    ("esconv_hf.jsonl", "esconv", "out.json", 1),
    ("esconv_hf", "esconv", "out.json", 3),
    ("esconv_hf_wrapped.json", "esconv", "out.json", 2),
    ("counselchat.csv", "counselchat", "out.csv", 2),
    ("annomi/AnnoMI-simple.csv", "annomi", "out.csv", 2),
    ("annomi/AnnoMI-full.csv", "annomi", "out.csv", 2),
    ("openai.jsonl", "openai", "out.jsonl", 2),
    ("sharegpt.json", "sharegpt", "out.json", 1),
    ("alpaca.json", "alpaca", "out.json", 1),
    ("xtuner.json", "xtuner", "out.json", 1),
    ("warmline.jsonl", "warmline", "out.jsonl", 1),
]


@pytest.mark.parametrize("fixture,fmt,out_name,n", CASES, ids=[c[0] for c in CASES])
def test_detect_and_round_trip(tmp_path, fixture, fmt, out_name, n):
    src = F / fixture
    assert detect(src) == fmt
    first = list(read_dialogues(src, fmt))
    assert len(first) == n
    out = tmp_path / out_name
    summary = convert(src, out, fmt, fmt, progress=False)
    assert (summary.read, summary.written, summary.quarantined) == (n, n, 0)
    second = list(read_dialogues(out, fmt))
    assert [content(d) for d in second] == [content(d) for d in first]


def test_every_format_has_a_round_trip_case():
    assert {c[1] for c in CASES} == set(FORMATS)


def test_psyqa_one_dialogue_per_answer_keeps_spans():
    ds = list(read_dialogues(F / "psyqa.json"))
    assert [d.id for d in ds] == ["psyqa-7-0", "psyqa-7-1", "psyqa-8-0"]
    ans = ds[0].turns[1]
    assert ans.spans == [
        {"start": 0, "end": 14, "label": "Interpretation"},
        {"start": 14, "end": 24, "label": "Direct Guidance"},
    ]
    assert ans.text[0:14] == "拖延背后常常有对失败的担心。"
    assert ds[0].turns[0].text == "总是拖延怎么办？\n每次都要到最后一刻才开始做。"
    assert ds[2].turns[0].text == "失眠" and ds[0].lang == "zh"


def test_psyinsight_keeps_session_and_turn_labels():
    (d,) = read_dialogues(F / "psyinsight.json")
    assert d.labels["psychotherapy"] == "Cognitive Behaviour Therapy"
    assert d.labels["guide"].startswith("Help the client")
    assert d.labels["summary"] and d.labels["background"] and d.labels["topic"] == "Social Anxiety"
    assert "stage" not in d.labels  # empty labels are not invented
    c0, s1, c2 = d.turns
    assert (c0.role, c0.emotion, c0.observation) == (
        "client",
        ["Anxiety", "Fear"],
        "The client reports fear of judgement.",
    )
    assert (s1.role, s1.strategy, s1.reasoning) == ("counselor", ["Question"], "Eliciting the automatic thought.")
    assert c2.meta["reference_labels"] == "[quietly]"
    assert d.meta["is_same_qa"] == 0


def test_esconv_both_field_namings():
    (orig,) = read_dialogues(F / "esconv.json")
    (hf,) = read_dialogues(F / "esconv_hf.jsonl")
    assert orig.labels == {"topic": "job crisis", "background": "I lost my job last week.", "emotion": "anxiety"}
    assert [t.strategy for t in orig.turns] == [None, ["question"], None, ["reflection_of_feelings"]]
    assert orig.turns[3].meta == {"strategy": "Reflection of feelings"}  # ESConv's own name is kept
    assert orig.turns[2].meta == {"feedback": "4"}
    assert [t.role for t in hf.turns] == ["client", "counselor"] and hf.turns[1].strategy == ["question"]
    assert hf.labels["topic"] == "breakup with partner"


def test_prefixed_styles_and_colons():
    ds = list(read_dialogues(F / "smile.json"))
    assert [t.role for t in ds[0].turns] == ["client", "counselor", "client"]
    assert ds[1].turns[0].text == "我不知道该不该换专业。"  # ASCII colon accepted
    (en,) = read_dialogues(F / "en.json")
    assert en.lang == "en" and en.turns[1].text.startswith("That sounds")


def test_cpsycound_continuation_lines_join_the_utterance():
    (d,) = read_dialogues(F / "cpsycound")
    assert d.turns[2].text == "上班前心跳很快，\n手心出汗。"
    assert len(d.turns) == 4


def test_alpaca_writes_dataset_info(tmp_path):
    out = tmp_path / "train.json"
    convert(F / "alpaca.json", out, progress=False, dst="alpaca")
    info = json.loads((tmp_path / "dataset_info.json").read_text())
    assert info["train"]["file_name"] == "train.json"
    assert info["train"]["columns"]["history"] == "history"
    rec = json.loads(out.read_text())[0]
    assert rec["instruction"] == "What should I do next?" and len(rec["history"]) == 2 and rec["system"] == "Be warm."


def test_cross_format_labels_survive(tmp_path):
    out = tmp_path / "pi.json"
    s = convert(F / "warmline.jsonl", out, dst="psyinsight", progress=False)
    assert s.written == 1
    (d,) = read_dialogues(out, "psyinsight")
    assert d.turns[0].observation == "Low energy." and d.turns[1].strategy == ["Question"]
    assert d.labels["topic"] == "mood"


def test_multi_turn_cannot_become_single_turn_and_is_quarantined(tmp_path):
    out = tmp_path / "qa.csv"
    s = convert(F / "sharegpt.json", out, dst="counselchat", progress=False)
    assert (s.read, s.written, s.quarantined) == (1, 0, 1)
    q = [json.loads(x) for x in (tmp_path / "qa.quarantine.jsonl").read_text().splitlines()]
    assert q[0]["stage"] == "write" and "single-turn" in q[0]["reason"]
    assert q[0]["raw"]["turns"][2]["text"].startswith("That sounds hard")  # the dialogue itself is kept


def test_consecutive_roles_flagged_or_merged():
    (_, d) = read_dialogues(F / "smilechat")
    assert d.flags == ["consecutive_role@1"] and len(d.turns) == 3
    (_, m) = read_dialogues(F / "smilechat", opts=ReadOptions(merge_consecutive=True))
    assert [t.role for t in m.turns] == ["client", "counselor"]
    assert m.turns[0].text == "考试没考好。\n爸妈一定会失望。"
    assert m.flags == ["merged_consecutive_roles:1"]


def test_alternation_required_by_pair_formats_is_reported(tmp_path):
    s = convert(F / "smilechat", tmp_path / "x.json", dst="alpaca", progress=False)
    assert (s.written, s.quarantined) == (0, 2)  # dialogue 0 ends with the client; dialogue 1 repeats a role
    s = convert(
        F / "smilechat", tmp_path / "y.json", dst="alpaca", progress=False, opts=ReadOptions(merge_consecutive=True)
    )
    assert s.written == 1


def test_smilechat_annotations_that_do_not_tile_the_text_survive(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    turns = [
        {
            "role": "client",
            "content": "我很累。真的很累。",
            "annotation": [{"sentence": "我很累。", "label": "情绪"}, {"sentence": "不在原文里", "label": "x"}],
        },
        {"role": "counselor", "content": "辛苦了。", "annotation": [{"sentence": "辛苦了。", "label": "Affirmation"}]},
    ]
    (src / "5.json").write_text(json.dumps(turns, ensure_ascii=False), encoding="utf-8")
    (d,) = read_dialogues(src)
    assert d.turns[0].spans == [{"start": 0, "end": 4, "label": "情绪"}]
    assert d.turns[1].spans == [{"start": 0, "end": 4, "label": "Affirmation"}]
    convert(src, tmp_path / "out", dst="smilechat", progress=False)
    assert json.loads((tmp_path / "out" / "5.json").read_text(encoding="utf-8")) == turns
