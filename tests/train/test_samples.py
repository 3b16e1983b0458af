"""SFT samples: splitting, no leakage across dialogues, every output form, truncation that keeps the
counselor cue, and group-preserving splits."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from warmline.cli.main import app
from warmline.conversation import Dialogue, Turn, write_jsonl
from warmline.replies import split_cot
from warmline.train.samples import SYSTEM_PROMPT, Sample, assign_split, render, render_text, split_dialogue, truncate

from ..conftest import FORMATS


def dlg(id_, n, lang="zh", group=None):
    turns = []
    for i in range(n):
        turns += [Turn("client", f"{id_}客户{i}"), Turn("counselor", f"{id_}咨询{i}")]
    return Dialogue(id_, lang, turns, provenance={"source_id": group or id_})


def test_one_sample_per_counselor_turn_with_its_own_history():
    s = split_dialogue(dlg("A", 3))
    assert [x.id for x in s] == ["A#1", "A#3", "A#5"]
    assert [t.text for t in s[2].history] == ["A客户0", "A咨询0", "A客户1", "A咨询1", "A客户2"]
    assert s[2].target.text == "A咨询2"


def test_context_never_crosses_dialogues(tmp_path):
    """The bug this guards against: a script that kept a running history leaked the previous
    dialogue into the next one's first samples."""
    from warmline.train.build import build_sft

    src = tmp_path / "d.jsonl"
    write_jsonl([dlg("A", 3), dlg("B", 2)], src)
    build_sft(src, tmp_path / "o.jsonl", "soulchat")
    rows = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text().splitlines()]
    first_b = next(r for r in rows if r["id"] == "B#1")
    assert first_b["input"] == "用户：B客户0\n心理咨询师："
    assert all("A" not in r["input"] for r in rows if r["id"].startswith("B"))


def test_empty_history_dropped_unless_kept():
    d = Dialogue(
        "c",
        "en",
        [Turn("counselor", "Hi, what brings you here?"), Turn("client", "Stress."), Turn("counselor", "Tell me more.")],
    )
    assert [s.id for s in split_dialogue(d)] == ["c#2"]
    assert [s.id for s in split_dialogue(d, drop_empty_history=False)] == ["c#0", "c#2"]


def test_soulchat_text_form_zh_and_en():
    (s,) = split_dialogue(dlg("A", 1))
    assert render(s, "soulchat") == {"id": "A#1", "input": "用户：A客户0\n心理咨询师：", "target": "A咨询0"}
    en = Sample(
        "e",
        "e",
        "en",
        [Turn("client", "hi"), Turn("counselor", "hello"), Turn("client", "sad")],
        Turn("counselor", "I hear you"),
    )
    assert render_text(en.history, "en") == "User: hi\nCounselor: hello\nUser: sad\nCounselor:"


def test_openai_sharegpt_alpaca_forms():
    s = split_dialogue(dlg("A", 2))[1]
    o = render(s, "openai")
    assert o["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT["zh"]}
    assert [m["role"] for m in o["messages"]] == ["system", "user", "assistant", "user", "assistant"]
    assert o["messages"][-1]["content"] == "A咨询1"
    g = render(s, "sharegpt")
    assert [c["from"] for c in g["conversations"]] == ["human", "gpt", "human", "gpt"]
    a = render(s, "alpaca", system="sys")
    assert a == {
        "instruction": "A客户1",
        "input": "",
        "output": "A咨询1",
        "system": "sys",
        "history": [["A客户0", "A咨询0"]],
    }


def test_cot_form_and_reply_extraction():
    d = Dialogue(
        "p",
        "en",
        [
            Turn("client", "I feel judged.", observation="Fear of judgement."),
            Turn("counselor", "By whom?", reasoning="Explore.", strategy=["Question"]),
            Turn("client", "Everyone.", observation="Generalises."),
            Turn("counselor", "Everyone at once?", reasoning="Challenge the generalisation."),
        ],
        labels={"guide": "Find the hot thought.", "background": "Work stress."},
    )
    s = split_dialogue(d)[1]
    rec = render(s, "cot")
    assert rec["input"].startswith("[Guide]Find the hot thought.\n[Background]Work stress.\n[Dialogue]\n")
    assert "(Observation: Fear of judgement.)" in rec["input"] and "(Reasoning: Explore.)" in rec["input"]
    assert "Generalises." not in rec["input"]  # the last client turn's observation is part of the target
    assert rec["input"].endswith("Client: Everyone.\nCounselor:")
    assert split_cot(rec["target"]) == ("Generalises.", "Challenge the generalisation.", "Everyone at once?")
    assert split_cot("plain reply") == ("", "", "plain reply")


def test_truncation_drops_oldest_turns_and_keeps_the_cue():
    """A published evaluation truncated from the right and lost the final cue: never here."""
    s = split_dialogue(dlg("A", 6))[-1]
    full = render(s, "soulchat")["input"]
    t = truncate(s, len, 40)
    text = render(t, "soulchat")["input"]
    assert len(text) <= 40 and text.endswith("用户：A客户5\n心理咨询师：")
    assert t.dropped_turns > 0 and full.endswith(text)
    assert t.history[0].role == "client"
    tiny = truncate(s, len, 12)  # the last client turn alone is over budget: its end is kept, cue intact
    assert render(tiny, "soulchat")["input"].endswith("心理咨询师：") and len(tiny.history) == 1


def test_target_truncation_uses_the_cut_function():
    s = split_dialogue(dlg("A", 1))[0]
    t = truncate(s, len, 100, 2, cut_target=lambda text, n: text[:n])
    assert t.target.text == "A咨"


def test_split_keeps_source_groups_together_and_is_deterministic():
    fr = (0.8, 0.1, 0.1)
    assert all(assign_split(f"g{i}", fr) == assign_split(f"g{i}", fr) for i in range(100))
    counts = [sum(assign_split(f"g{i}", fr) == k for i in range(2000)) for k in range(3)]
    assert 1500 < counts[0] < 1700 and 120 < counts[1] < 280 and 120 < counts[2] < 280


runner = CliRunner()


def test_build_sft_cli_split_report_and_alpaca_info(tmp_path):
    src = tmp_path / "d.jsonl"
    write_jsonl([dlg(f"D{i}", 2, group=f"Q{i // 3}") for i in range(30)], src)
    r = runner.invoke(
        app,
        ["build-sft", str(src), str(tmp_path / "sft.json"), "--format", "alpaca", "--split", "0.6,0.2,0.2", "--json"],
    )
    assert r.exit_code == 0, r.output
    rep = json.loads(r.stdout.strip().splitlines()[-1])
    splits = rep["splits"]
    assert sum(v["dialogues"] for v in splits.values()) == 30 and sum(v["samples"] for v in splits.values()) == 60
    groups = {}
    for name in ("train", "validation", "test"):
        for line in (tmp_path / f"sft.{name}.json").read_text().splitlines():
            rec = json.loads(line)
            groups.setdefault(rec["instruction"][:3], set()).add(name)  # "D12" -> its group is Q4
    by_q = {}
    for d, names in groups.items():
        by_q.setdefault(int(d[1:].rstrip("客")) // 3, set()).update(names)
    assert all(len(v) == 1 for v in by_q.values()), "a source question's dialogues must share a split"
    info = json.loads((tmp_path / "dataset_info.json").read_text())
    assert set(info) == {"sft.train", "sft.validation", "sft.test"}


@pytest.mark.slow
def test_build_sft_with_the_embedded_tokenizer(tmp_path):
    r = runner.invoke(
        app,
        [
            "build-sft",
            str(FORMATS / "smilechat"),
            str(tmp_path / "o.jsonl"),
            "--format",
            "soulchat",
            "--max-input-tokens",
            "30",
            "--max-target-tokens",
            "8",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert rows and all(r["input"].endswith("心理咨询师：") for r in rows)
    assert all("\ufffd" not in r["target"] for r in rows)
