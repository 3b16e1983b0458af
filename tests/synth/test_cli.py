"""`warmline synth` through the CLI runner: dry run, a run against a fake endpoint, resume, errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from warmline.cli.main import app
from warmline.testing.fake_openai import FakeOpenAI, synth_reply

from ..conftest import FORMATS

runner = CliRunner()


def test_dry_run_prints_prompt_and_estimates(tmp_path):
    r = runner.invoke(
        app,
        [
            "synth",
            str(FORMATS / "psyqa.json"),
            str(tmp_path / "o.jsonl"),
            "--method",
            "smile",
            "--backend",
            "openai",
            "--model",
            "gpt-4o-mini",
            "--dry-run",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    est = json.loads(r.stdout.strip().splitlines()[-1])
    assert est["jobs"] == 3 and "总是拖延怎么办" in est["first_prompt"] and est["est_cost_usd"] > 0


def test_run_and_resume_against_an_openai_compatible_server(tmp_path):
    out = tmp_path / "o.jsonl"
    with FakeOpenAI(reply=synth_reply(9)) as s:
        args = [
            "synth",
            str(FORMATS / "psyqa.json"),
            str(out),
            "--method",
            "soulchat",
            "--backend",
            "openai",
            "--base-url",
            s.base_url,
            "--model",
            "gpt-4o-mini",
            "--json",
        ]
        r = runner.invoke(app, args)
        assert r.exit_code == 0, r.output
        first = json.loads(r.stdout.strip().splitlines()[-1])
        assert (first["accepted"], first["rejected"]) == (3, 0)
        assert any("总是拖延怎么办" in q["body"]["messages"][0]["content"] for q in s.requests)
        r = runner.invoke(app, args)
        second = json.loads(r.stdout.strip().splitlines()[-1])
        assert (second["skipped_done"], second["accepted"], len(s.requests)) == (3, 0, 3)
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert {d["provenance"]["generator"] for d in rows} == {"fake-model"}
    assert all(d["turns"][-1]["role"] == "counselor" for d in rows)


def test_nothing_accepted_is_an_error_with_reasons(tmp_path):
    with FakeOpenAI(reply=lambda m: "no dialogue here") as s:
        r = runner.invoke(
            app,
            [
                "synth",
                str(FORMATS / "counselchat.csv"),
                str(tmp_path / "o.jsonl"),
                "--method",
                "smile",
                "--backend",
                "openai",
                "--base-url",
                s.base_url,
                "--model",
                "m",
                "--max-retries",
                "1",
            ],
        )
    assert r.exit_code == 1 and "no dialogue was accepted" in r.output and "no_dialogue" in r.output


def test_bad_options(tmp_path):
    r = runner.invoke(
        app, ["synth", str(FORMATS / "psyqa.json"), str(tmp_path / "o.jsonl"), "--method", "nope", "--dry-run"]
    )
    assert r.exit_code == 2 and "unknown method" in r.output
    r = runner.invoke(app, ["synth", str(tmp_path / "missing.json"), str(tmp_path / "o.jsonl"), "--method", "smile"])
    assert r.exit_code == 2 and "does not exist" in r.output
