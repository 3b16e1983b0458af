"""SMILE's Table 3 from SMILECHAT's own sentence annotations: every annotated sentence is an utterance."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from warmline.analyze.corpus import load
from warmline.analyze.sentence_table import sentence_table
from warmline.cli.main import app
from warmline.formats import convert

from ..conftest import FORMATS, SAMPLES


def test_small_fixture_by_hand():
    # 0.json: client 2 + 1 sentences (8, 4 and 15 characters), counselor 2 (8 and 14); turns max(2, 1) = 2.
    # 1.json: every annotation list is empty: no annotated sentence; turns max(1, 1) = 1 (two client turns in a row)
    t = sentence_table(load(FORMATS / "smilechat"))
    assert (t.dialogues, t.utterances, t.client_utterances, t.counselor_utterances) == (2, 5, 3, 2)
    assert (t.utterances_per_dialogue, t.client_utterances_per_dialogue, t.counselor_utterances_per_dialogue) == (
        2.5,
        1.5,
        1.0,
    )
    assert (t.client_chars_per_utterance, t.counselor_chars_per_utterance) == (27 / 3, 22 / 2)
    assert t.chars_per_utterance == 49 / 5 and t.turns_per_dialogue == 1.5


def plain_loop(folder):
    """The paper's counts, straight from the JSON files."""
    n = {"client": 0, "counselor": 0}
    chars = {"client": 0, "counselor": 0}
    turns = []
    files = sorted(folder.glob("*.json"))
    for f in files:
        dialogue = json.loads(f.read_text(encoding="utf-8"))
        runs = {"client": 0, "counselor": 0}
        prev = None
        for t in dialogue:
            n[t["role"]] += len(t["annotation"])
            chars[t["role"]] += sum(len(a["sentence"]) for a in t["annotation"])
            runs[t["role"]] += t["role"] != prev
            prev = t["role"]
        turns.append(max(runs.values()))
    return len(files), n, chars, sum(turns) / len(turns)


def test_real_sample_equals_a_plain_loop_over_the_json():
    t = sentence_table(load(SAMPLES / "smilechat"))
    d, n, chars, turns = plain_loop(SAMPLES / "smilechat")
    assert (
        (t.dialogues, t.client_utterances, t.counselor_utterances) == (d, n["client"], n["counselor"]) == (12, 156, 250)
    )
    assert t.utterances == 406 and t.utterances_per_dialogue == pytest.approx(406 / 12)
    assert t.client_chars_per_utterance == pytest.approx(chars["client"] / n["client"])
    assert t.counselor_chars_per_utterance == pytest.approx(chars["counselor"] / n["counselor"])
    assert t.turns_per_dialogue == pytest.approx(turns) and t.turns_per_dialogue == 5.75


def test_the_annotation_survives_warmlines_own_format(tmp_path):
    convert(SAMPLES / "smilechat", tmp_path / "smile.jsonl", progress=False)
    assert sentence_table(load(tmp_path / "smile.jsonl")) == sentence_table(load(SAMPLES / "smilechat"))
    convert(FORMATS / "smilechat", tmp_path / "back", dst="smilechat", progress=False)
    assert json.loads((tmp_path / "back" / "1.json").read_text())[0]["annotation"] == []  # empty stays empty


def test_no_annotation_no_table():
    assert sentence_table(load(FORMATS / "esconv.json")) is None


def test_cli_view_says_what_each_number_counts(tmp_path):
    out = tmp_path / "t3.json"
    r = CliRunner().invoke(
        app,
        [
            "stats",
            str(SAMPLES / "smilechat"),
            "--view",
            "smile-table3",
            "--json",
            str(out),
            "--md",
            str(tmp_path / "t3.md"),
            "--output-dir",
            str(tmp_path),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "annotated sentences" in r.output and "what it counts" in r.output
    (rep,) = json.loads(out.read_text())["corpora"]
    assert rep["sentence_table"]["utterances"] == 406 and rep["sentence_table"]["client_utterances"] == 156
    assert "| supporter utterances | 250 |" in (tmp_path / "t3.md").read_text()
    r = CliRunner().invoke(
        app, ["stats", str(FORMATS / "esconv.json"), "--view", "smile-table3", "--output-dir", str(tmp_path)]
    )
    assert r.exit_code == 1 and "no sentence annotations" in r.output
