"""`warmline eval metrics` and `eval run` through the CLI runner, with reports and comparisons."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from warmline.cli.main import app
from warmline.conversation import Dialogue, Turn, write_jsonl
from warmline.evaluate.score import paired_bootstrap, score
from warmline.testing.fake_openai import FakeOpenAI

runner = CliRunner()
REFS = ["我最近心情很差，不知道该怎么办。", "你一定很辛苦吧。", "感谢你愿意说出来。", "慢慢来，我在听。"]
GOOD = ["我最近很难过，不知道怎么办。", "听起来你很辛苦。", "谢谢你告诉我。", "慢慢来，我一直在听。"]
BAD = ["建议：1. 早睡。2. 运动。", "好的。", "嗯。", "你应该多运动。"]


def write(tmp_path, name, lines):
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_metrics_cli_compares_systems_and_writes_reports(tmp_path):
    ref, good, bad = (
        write(tmp_path, "ref.txt", REFS),
        write(tmp_path, "good.txt", GOOD),
        write(tmp_path, "bad.txt", BAD),
    )
    r = runner.invoke(
        app,
        [
            "eval",
            "metrics",
            "--hyp",
            str(good),
            "--hyp",
            str(bad),
            "--ref",
            str(ref),
            "--json",
            str(tmp_path / "s.json"),
            "--report",
            str(tmp_path / "rep"),
            "--bootstrap",
            "200",
        ],
    )
    assert r.exit_code == 0, r.output
    res = json.loads((tmp_path / "s.json").read_text())
    g, b = res["systems"]["good"]["scores"], res["systems"]["bad"]["scores"]
    assert g["rouge-l"] > b["rouge-l"] and g["bleu-4"] > b["bleu-4"]
    assert res["systems"]["good"]["signatures"]["bleu-4"].startswith(
        "bleu|n:4|cumulative|avg:sentence-mean|smooth:method3|tok:char"
    )
    assert res["comparisons"]["bad vs good"]["rouge-l"]["delta"] < 0
    assert res["style"]["bad"]["advice_lists"] == 0.25 and res["style"]["good"]["advice_lists"] == 0
    for f in ("report.md", "report.html", "report.json", "metrics.png"):
        assert (tmp_path / "rep" / f).stat().st_size > 100
    assert "tok:char" in r.stdout


def test_metrics_cli_errors(tmp_path):
    ref = write(tmp_path, "ref.txt", REFS)
    short = write(tmp_path, "short.txt", GOOD[:2])
    r = runner.invoke(app, ["eval", "metrics", "--hyp", str(short), "--ref", str(ref)])
    assert r.exit_code == 2 and "one reference per reply" in r.output
    r = runner.invoke(app, ["eval", "metrics", "--hyp", str(ref), "--ref", str(ref), "--tokenize", "13a"])
    assert r.exit_code == 2 and "use --tokenize char" in r.output


def test_presets_change_how_numbers_are_made():
    d = score(GOOD, REFS, "default", bootstrap=0, meteor=False)
    lf = score(GOOD, REFS, "llamafactory", bootstrap=0, meteor=False)
    assert "tok:char-raw" in lf.signatures["bleu-4"] and "tok:jieba" in lf.signatures["rouge-l"]
    assert "rouge-chinese" in lf.signatures["rouge-l"] and lf.scores["bleu-4"] > 1  # x 100
    assert d.scores["bleu-4"] < 1


def test_paired_bootstrap_detects_a_real_difference():
    a = [1.0, 0.9, 0.8, 0.95] * 10
    b = [0.1, 0.2, 0.15, 0.1] * 10
    res = paired_bootstrap(a, b, 500)
    assert res["delta"] > 0.7 and res["p_value"] == 0.0 and res["ci"][0] > 0.5
    same = paired_bootstrap(a, a, 200)
    assert same["delta"] == 0 and same["p_value"] == 1.0


def test_eval_run_generates_resumes_and_scores(tmp_path):
    data = tmp_path / "test.jsonl"
    write_jsonl(
        [
            Dialogue(
                f"d{i}", "en", [Turn("client", f"I feel stuck {i}."), Turn("counselor", f"I hear you feel stuck {i}.")]
            )
            for i in range(3)
        ],
        data,
    )
    out = tmp_path / "eval"
    with FakeOpenAI() as s:
        args = [
            "eval",
            "run",
            "--data",
            str(data),
            "--output",
            str(out),
            "--backend",
            "openai",
            "--base-url",
            s.base_url,
            "--model",
            "fake",
            "--bootstrap",
            "0",
            "--no-meteor",
        ]
        r = runner.invoke(app, args)
        assert r.exit_code == 0, r.output
        assert len(s.requests) == 3
        r = runner.invoke(app, args)  # resumes: nothing left to generate
        assert r.exit_code == 0 and len(s.requests) == 3
        r = runner.invoke(app, args + ["--name", "echo-2"])
        assert len(s.requests) == 6
    res = json.loads((out / "report.json").read_text())
    assert set(res["systems"]) == {"fake", "echo-2"}
    assert list(res["comparisons"]) == ["fake vs echo-2"]  # systems in file order, each against the first
    rows = [json.loads(x) for x in (out / "replies.fake.jsonl").read_text().splitlines()]
    assert rows[0]["reply"].startswith("I hear you:") and rows[0]["reference"].startswith("I hear you feel stuck")
