"""The CLI through its test runner: --help stays light, chat --once and the interactive loop, models."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from warmline.cli.main import app

from .conftest import FORMATS

runner = CliRunner()


def test_help_does_not_import_torch_or_transformers():
    code = (
        "import sys\nfrom typer.testing import CliRunner\nfrom warmline.cli.main import app\n"
        "r = CliRunner().invoke(app, ['--help'])\nassert r.exit_code == 0, r.output\n"
        "for sub in ['convert', 'chat', 'models', 'quickstart']:\n"
        "    assert CliRunner().invoke(app, [sub, '--help']).exit_code == 0\n"
        "bad = [m for m in ('torch', 'transformers', 'peft') if m in sys.modules]\n"
        "assert not bad, bad\nprint('light')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "light" in out.stdout, out.stderr


def test_version():
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.startswith("warmline ")


def test_chat_once_scripted_shows_notice_and_reply():
    r = runner.invoke(app, ["chat", "--backend", "scripted", "--once", "hello"])
    assert r.exit_code == 0, r.output
    assert "You are talking to an AI, not a professional" in r.stdout
    assert "warmline> I'm here and listening" in r.stdout


def test_chat_once_crisis_goes_to_resources_not_the_model():
    r = runner.invoke(app, ["chat", "--backend", "scripted", "--once", "I want to kill myself tonight"])
    assert r.exit_code == 0
    assert "988" in r.stdout and "emergency" in r.stdout.lower()
    assert "I'm here and listening" not in r.stdout


def test_chat_elevated_reply_shows_resources_and_then_the_model():
    r = runner.invoke(
        app, ["chat", "--backend", "scripted", "--elevated-reply", "--once", "I don't want to live anymore"]
    )
    assert r.exit_code == 0, r.output
    assert r.stdout.index("988") < r.stdout.index("I'm here and listening")
    r = runner.invoke(
        app, ["chat", "--backend", "scripted", "--elevated-reply", "--once", "I want to kill myself tonight"]
    )
    assert "988" in r.stdout and "I'm here and listening" not in r.stdout  # imminent: never the model
    for flag in ([], ["--no-elevated-reply"]):  # off by default: the crisis message alone
        r = runner.invoke(app, ["chat", "--backend", "scripted", *flag, "--once", "I don't want to live anymore"])
        assert r.exit_code == 0, r.output
        assert "988" in r.stdout and "I'm here and listening" not in r.stdout


def test_chat_zh_notice_and_resources():
    r = runner.invoke(app, ["chat", "--backend", "scripted", "--lang", "zh", "--once", "我不想活了"])
    assert r.exit_code == 0
    assert "人工智能" in r.stdout and "12356" in r.stdout


def test_interactive_chat_reset_and_quit():
    r = runner.invoke(app, ["chat", "--backend", "scripted"], input="hello\n/reset\n/bogus\nagain\n/quit\n")
    assert r.exit_code == 0, r.output
    assert r.stdout.count("warmline> ") == 2
    assert "(new conversation)" in r.stdout and "unknown command /bogus" in r.stdout


def test_chat_rejects_bad_options(tmp_path):
    r = runner.invoke(app, ["chat", "--backend", "scripted", "--preset", "nope", "--once", "x"])
    assert r.exit_code == 2 and "unknown generation preset" in r.output
    r = runner.invoke(app, ["chat", "--backend", "openai", "--once", "x"])
    assert r.exit_code == 2 and "--base-url" in r.output
    r = runner.invoke(
        app, ["chat", "--backend", "scripted", "--system-file", str(tmp_path / "none.txt"), "--once", "x"]
    )
    assert r.exit_code == 2 and "does not exist" in r.output


def test_chat_against_openai_compatible_server():
    from warmline.testing.fake_openai import FakeOpenAI

    with FakeOpenAI() as s:
        r = runner.invoke(
            app,
            [
                "chat",
                "--backend",
                "openai",
                "--base-url",
                s.base_url,
                "--model",
                "fake-model",
                "--system",
                "Be brief.",
                "--once",
                "rough week",
            ],
        )
        assert r.exit_code == 0, r.output
        assert "warmline> I hear you: rough week" in r.stdout
        assert s.requests[0]["body"]["messages"][0] == {"role": "system", "content": "Be brief."}


@pytest.mark.slow
def test_chat_once_with_the_embedded_model():
    r = runner.invoke(
        app, ["chat", "--once", "I feel a bit lonely today.", "--max-new-tokens", "16", "--temperature", "0"]
    )
    assert r.exit_code == 0, r.output
    reply = r.stdout.split("warmline> ", 1)[1].strip()
    assert len(reply.split()) >= 3


def test_models_lists_the_embedded_default():
    r = runner.invoke(app, ["models", "--json"])
    assert r.exit_code == 0
    rows = json.loads(r.stdout)
    assert rows[0]["name"] == "smollm2-135m-instruct" and rows[0]["kind"] == "embedded (default)"


def test_convert_and_formats_commands(tmp_path):
    r = runner.invoke(app, ["convert", str(FORMATS / "psyqa.json"), str(tmp_path / "o.jsonl")])
    assert r.exit_code == 0, r.output
    assert "psyqa -> warmline" in r.stdout
    assert len((tmp_path / "o.jsonl").read_text().splitlines()) == 3
    r = runner.invoke(app, ["formats"])
    assert r.exit_code == 0 and "psyinsight" in r.stdout and "xtuner" in r.stdout


def test_chat_with_an_llm_check_asks_the_chat_model_first():
    from warmline.testing.fake_openai import FakeOpenAI

    def reply(messages):
        text = messages[-1]["content"]
        if text.startswith("You are a safety classifier"):
            return '{"risk": "elevated"}' if "affairs" in text else '{"risk": "none"}'
        return "I'm listening."

    with FakeOpenAI(reply=reply) as s:
        base = ["chat", "--backend", "openai", "--base-url", s.base_url, "--model", "m", "--no-classifier"]
        r = runner.invoke(app, base + ["--safety-llm", "same", "--once", "My affairs are in order now, all of them."])
        assert r.exit_code == 0, r.output
        assert "988" in r.stdout and "I'm listening" not in r.stdout
        r = runner.invoke(
            app, base + ["--once", "My affairs are in order now, all of them."]
        )  # no check: the model answers
        assert "I'm listening" in r.stdout and "988" not in r.stdout
        # the check (flagged: the model is not asked to reply), then the second run's reply alone
        assert len(s.requests) == 2 and s.requests[0]["body"]["messages"][0]["content"].startswith("You are a safety")
        # with --elevated-reply: the check, then the model's reply after the crisis message
        r = runner.invoke(
            app,
            base + ["--safety-llm", "same", "--elevated-reply", "--once", "My affairs are in order now, all of them."],
        )
        assert r.stdout.index("988") < r.stdout.index("I'm listening")
        assert len(s.requests) == 4 and s.requests[2]["body"]["messages"][0]["content"].startswith("You are a safety")
    assert runner.invoke(app, ["chat", "--backend", "scripted", "--safety-llm", "maybe", "--once", "hi"]).exit_code == 2


def test_elevated_reply_with_the_embedded_model_warns(capsys):
    from warmline.cli._backend import ELEVATED_REPLY_WARNING, warn_elevated_reply

    for args, warned in (
        ((True, "local", None), True),
        ((True, "llamacpp", None), True),
        ((False, "local", None), False),
        ((True, "local", "Qwen/Qwen2.5-7B-Instruct"), False),
        ((True, "openai", None), False),
    ):
        warn_elevated_reply(*args)
        assert (ELEVATED_REPLY_WARNING in capsys.readouterr().err) is warned, args
    r = runner.invoke(app, ["chat", "--backend", "scripted", "--elevated-reply", "--once", "hi"])
    assert r.exit_code == 0 and "warning" not in r.output
