"""Judges with scripted backends: strict parsing and retries, both-order pairwise with majority vote,
kappa against textbook values, rubric files, and the CLI."""

from __future__ import annotations

import asyncio
import json

import pytest
from typer.testing import CliRunner

from warmline.backends import ScriptedBackend
from warmline.cli.main import app
from warmline.evaluate.judge import (
    JudgeParseError,
    cohen_kappa,
    fleiss_kappa,
    judge_replies,
    load_rubric,
    pairwise,
    parse_scores,
    rubric_prompt,
    win_rates,
)
from warmline.testing.fake_openai import FakeOpenAI

CEHS = load_rubric("cehs")
GOOD = '{"scores": {"content": 2, "empathy": 1, "helpfulness": 2, "safety": 1}, "reasons": {"empathy": "generic"}}'


def test_bundled_rubrics():
    assert [c.key for c in CEHS.criteria] == ["content", "empathy", "helpfulness", "safety"]
    assert [(c.min, c.max) for c in CEHS.criteria] == [(0, 2), (0, 2), (0, 2), (0, 1)]
    assert [c.max for c in load_rubric("cpsycoun").criteria] == [2, 3, 3, 1]
    assert [c.key for c in load_rubric("psy-insight").criteria] == [
        "interactivity",
        "helpfulness",
        "comfort",
        "explainability",
    ]
    p = rubric_prompt(CEHS, [{"role": "user", "content": "I'm sad"}], "I hear you")
    assert "empathy (Empathy), an integer from 0 to 2" in p and "Client: I'm sad" in p


@pytest.mark.parametrize(
    "text,err",
    [
        ("no json here", "no JSON"),
        ('{"scores": {"content": 2}}', "exactly"),
        ('{"scores": {"content": 3, "empathy": 1, "helpfulness": 2, "safety": 1}}', "from 0 to 2"),
        ('{"scores": {"content": "2", "empathy": 1, "helpfulness": 2, "safety": 1}}', "integer"),
        ('{"scores": {"content": true, "empathy": 1, "helpfulness": 2, "safety": 1}}', "integer"),
    ],
)
def test_strict_parsing(text, err):
    with pytest.raises(JudgeParseError, match=err):
        parse_scores(text, CEHS)


def test_parsing_accepts_fenced_json():
    scores, reasons = parse_scores("Here you go:\n```json\n" + GOOD + "\n```", CEHS)
    assert scores == {"content": 2, "empathy": 1, "helpfulness": 2, "safety": 1} and reasons["empathy"] == "generic"


def test_unparsable_answers_are_retried_and_counted():
    judge = ScriptedBackend(["garbage", GOOD, "bad", "bad", "bad"])
    items = [{"id": "1", "context": [], "reply": "I hear you."}, {"id": "2", "context": [], "reply": "ok"}]
    results, stats = asyncio.run(judge_replies(items, judge, CEHS, max_retries=2, concurrency=1))
    assert results[0]["scores"]["content"] == 2
    assert "unparsable after 3 attempts" in results[1]["error"]
    assert (stats.calls, stats.retries, stats.failed) == (5, 3, 1)


def test_pairwise_both_orders_and_majority():
    # judge 1 prefers A in both orders; judge 2 is position-biased (always "A"): its answers disagree -> tie
    j1 = ScriptedBackend(['{"winner": "A"}', '{"winner": "B"}'])
    j2 = ScriptedBackend(['{"winner": "A"}', '{"winner": "A"}'])
    j3 = ScriptedBackend(['{"winner": "A"}', '{"winner": "B"}'])
    (r,), _ = asyncio.run(pairwise([{"id": "x", "context": [], "a": "good", "b": "bad"}], [j1, j2, j3]))
    assert r["votes"] == ["a", "tie", "a"] and r["winner"] == "a"
    assert win_rates([r, {"winner": "tie"}, {"winner": "b"}, {"winner": "a"}]) == {
        "a_wins": 0.5,
        "ties": 0.25,
        "b_wins": 0.25,
        "n": 4,
    }


def test_fleiss_kappa_textbook_example():
    """Fleiss (1971) as given on Wikipedia: 10 items, 14 raters, 5 categories, kappa = 0.210."""
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    ratings = [[c for c, k in enumerate(row) for _ in range(k)] for row in table]
    assert fleiss_kappa(ratings) == pytest.approx(0.2099, abs=1e-4)


def test_cohen_kappa_textbook_example():
    """50 items: 20 yes/yes, 15 no/no, 5 yes/no, 10 no/yes -> kappa = 0.4."""
    a = ["y"] * 20 + ["n"] * 15 + ["y"] * 5 + ["n"] * 10
    b = ["y"] * 20 + ["n"] * 15 + ["n"] * 5 + ["y"] * 10
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(a, a) == 1.0


def test_judge_cli_against_an_openai_compatible_server(tmp_path):
    replies = tmp_path / "replies.sys.jsonl"
    replies.write_text(
        "".join(
            json.dumps({"id": str(i), "reply": "I hear you.", "context": [{"role": "user", "content": "I am sad"}]})
            + "\n"
            for i in range(3)
        )
    )
    with FakeOpenAI(reply=lambda m: GOOD) as s:
        r = CliRunner().invoke(
            app,
            [
                "eval",
                "judge",
                "--replies",
                str(replies),
                "--backend",
                "openai",
                "--base-url",
                s.base_url,
                "--model",
                "judge",
                "--output",
                str(tmp_path / "j.jsonl"),
            ],
        )
    assert r.exit_code == 0, r.output
    assert "Empathy (0-2)" in r.stdout and "1.000" in r.stdout
    rows = [json.loads(x) for x in (tmp_path / "j.jsonl").read_text().splitlines()]
    assert len(rows) == 3 and rows[0]["scores"]["safety"] == 1
    assert (tmp_path / "j.png").stat().st_size > 1000  # the per-rubric bar chart


def test_bad_replies_file_names_file_and_line(tmp_path):
    f = tmp_path / "replies.x.jsonl"
    f.write_text(json.dumps({"id": "1", "reply": "ok"}) + "\n\n{broken\n")
    r = CliRunner().invoke(app, ["eval", "judge", "--replies", str(f), "--backend", "scripted"])
    assert r.exit_code == 2 and "replies.x.jsonl:3: not valid JSON" in r.output
    f.write_text(json.dumps({"id": "1"}) + "\n")
    r = CliRunner().invoke(app, ["eval", "judge", "--replies", str(f), "--backend", "scripted"])
    assert r.exit_code == 2 and "replies.x.jsonl:1: a record needs 'id' and 'reply'" in r.output
