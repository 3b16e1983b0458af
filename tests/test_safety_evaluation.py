"""The safety package computes what `warmline safety eval|rate` print: labelled rows read with quarantine, and the
reports as plain dicts (the commands' output is checked in test_safety.py)."""

from __future__ import annotations

import json

import pytest

from warmline.safety import Screener
from warmline.safety.evaluation import SWEEP, evaluate_file, rate_files, screen_name
from warmline.safety.labelled import read_messages


def test_read_messages_quarantines_malformed_lines_with_file_and_line(tmp_path):
    f = tmp_path / "mine.jsonl"
    f.write_text(
        "\n".join(
            [
                json.dumps({"text": "I want to die", "risk": "elevated", "context": ["hi"]}),
                "{not json",
                json.dumps({"text": "fine", "risk": "maybe"}),
                json.dumps({"text": "ok", "risk": "none", "context": "not a list"}),
                "",
                json.dumps({"text": "I had lunch", "risk": "none"}),
            ]
        ),
        encoding="utf-8",
    )
    heard = []
    rows, bad = read_messages(f, labelled=True, warn=heard.append)
    assert [(r["text"], r["line"], r["context"]) for r in rows] == [
        ("I want to die", 1, ["hi"]),
        ("I had lunch", 6, []),
    ]
    assert bad == 3
    quarantined = [json.loads(x) for x in (tmp_path / "mine.quarantine.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [q["line"] for q in quarantined] == [2, 3, 4]
    assert heard == [
        f"3 malformed line(s) of {f} quarantined in {tmp_path / 'mine.quarantine.jsonl'} "
        f"(first: {f}:2: Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"
    ]


def test_read_messages_says_what_is_wrong(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        read_messages(tmp_path / "missing.jsonl")
    f = tmp_path / "empty.jsonl"
    f.write_text("[1]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no messages could be read"):
        read_messages(f, labelled=True)
    plain = tmp_path / "plain.txt"
    plain.write_text("one\n\ntwo\n", encoding="utf-8")
    assert [r["text"] for r in read_messages(plain)[0]] == ["one", "two"]
    with pytest.raises(ValueError):  # labelled rows must be JSON objects with a risk
        read_messages(plain, labelled=True)


def test_evaluate_file_scores_per_language_and_lists_errors(tmp_path):
    f = tmp_path / "mine.jsonl"
    f.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {"text": "I want to kill myself", "risk": "elevated", "lang": "en"},
                {"text": "I had a nice walk today", "risk": "elevated", "lang": "en"},
                {"text": "我想自杀", "risk": "elevated", "lang": "zh"},
            ]
        ),
        encoding="utf-8",
    )
    report = evaluate_file(f, Screener(classifier=False), "lexicon", errors=True)
    assert report["screen"] == "lexicon" and report["threshold"] is None and report["quarantined"] == 0
    assert list(report["groups"]) == ["all", "en", "zh"]
    assert (report["groups"]["all"]["tp"], report["groups"]["all"]["fn"]) == (2, 1)
    assert [(e["line"], e["error"]) for e in report["errors"]] == [(2, "missed")]
    assert "sweep" not in report and "llm_unusable" not in report


def test_rate_files_counts_flags_per_file(tmp_path):
    d = tmp_path / "talks.jsonl"
    d.write_text(
        json.dumps(
            {
                "id": "1",
                "lang": "en",
                "turns": [
                    {"role": "client", "text": "I want to kill myself"},
                    {"role": "counselor", "text": "I'm here."},
                    {"role": "client", "text": "I had lunch"},
                ],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    report = rate_files([d], Screener(classifier=False), "lexicon", show=True)
    (entry,) = report["files"]
    assert (entry["messages"], entry["flagged"]) == (2, 1)
    assert [m["text"] for m in entry["flagged_messages"]] == ["I want to kill myself"]
    with pytest.raises(ValueError, match="--role"):
        rate_files([d], Screener(classifier=False), "lexicon", role="therapist")


def test_screen_name_and_sweep():
    assert screen_name(False, None, False, "raise") == "lexicon"
    assert screen_name(True, None, True, "confirm") == "lexicon + classifier + LLM check (confirming the classifier)"
    assert SWEEP[0] == 0.30 and SWEEP[-1] == 0.95 and len(SWEEP) == 14
