"""Training: the counselor-only mask, exactly, on a small case; 3 LoRA steps on the embedded model
lower the loss on a fixed batch; the adapter reloads and generates; presets; resume."""

from __future__ import annotations

import json

import pytest

from warmline.backends import GenerationOptions
from warmline.backends.embedded import ensure_embedded
from warmline.train.config import PRESETS, load_config
from warmline.train.data import IGNORE, encode, load_messages

MSGS = [
    {"role": "system", "content": "Be kind."},
    {"role": "user", "content": "Hi."},
    {"role": "assistant", "content": "Hello there."},
    {"role": "user", "content": "I feel sad."},
    {"role": "assistant", "content": "I hear you."},
]


@pytest.fixture(scope="module")
def tok():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(ensure_embedded())


def labelled_text(enc, tok) -> str:
    return tok.decode([i for i, lab in zip(enc["input_ids"], enc["labels"]) if lab != IGNORE])


def test_mask_covers_exactly_the_last_reply_and_its_end_token(tok):
    enc = encode(MSGS, tok, 512, "last")
    assert labelled_text(enc, tok) == "I hear you.<|im_end|>\n"
    assert len(enc["input_ids"]) == len(enc["labels"])
    kept = [i for i, lab in enumerate(enc["labels"]) if lab != IGNORE]
    assert kept == list(range(kept[0], kept[-1] + 1))  # one contiguous run
    assert all(enc["labels"][i] == enc["input_ids"][i] for i in kept)


def test_mask_all_counselor_turns(tok):
    enc = encode(MSGS, tok, 512, "all")
    assert labelled_text(enc, tok) == "Hello there.<|im_end|>\nI hear you.<|im_end|>\n"


def test_too_long_examples_lose_the_oldest_exchange_not_the_target(tok):
    long = [MSGS[0], {"role": "user", "content": "word " * 300}, {"role": "assistant", "content": "ok " * 50}] + MSGS[
        3:
    ]
    enc = encode(long, tok, 64, "last")
    assert len(enc["input_ids"]) <= 64 and labelled_text(enc, tok) == "I hear you.<|im_end|>\n"
    assert "word word" not in tok.decode(enc["input_ids"])


def test_records_of_every_build_sft_form_load(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text(
        json.dumps({"id": "a", "messages": MSGS})
        + "\n"
        + json.dumps({"id": "b", "input": "用户：你好\n心理咨询师：", "target": "你好呀"})
        + "\n"
    )
    a, b = list(load_messages(p))
    assert a == MSGS and b[-1] == {"role": "assistant", "content": "你好呀"}
    p2 = tmp_path / "dlg.jsonl"
    p2.write_text(
        json.dumps(
            {
                "id": "x",
                "lang": "en",
                "turns": [{"role": "client", "text": "hi"}, {"role": "counselor", "text": "hello"}],
            }
        )
        + "\n"
    )
    (m,) = list(load_messages(p2))
    assert m[0]["role"] == "system" and m[-1]["content"] == "hello"


def test_presets_reproduce_the_papers():
    soul = load_config("soulchat")
    assert (soul.method, soul.batch_size * soul.grad_accum, soul.max_steps, soul.warmup_steps, soul.learning_rate) == (
        "full",
        80,
        30000,
        1000,
        5e-5,
    )
    me = load_config("mechat")
    assert (me.lora_r, me.lora_alpha, me.lora_dropout, me.learning_rate, me.epochs, me.batch_size, me.seed) == (
        16,
        64,
        0.1,
        1e-4,
        2,
        1,
        1234,
    ) and me.target_modules == "all-linear"
    psy = load_config("psy-insight")
    assert (psy.lora_r, psy.lora_alpha, psy.learning_rate, psy.batch_size, psy.loss_on) == (256, 128, 2e-5, 8, "last")
    assert set(PRESETS) == {"soulchat", "mechat", "psy-insight", "cpu-tiny"}
    assert load_config("mechat", max_steps=3).max_steps == 3  # flags override the preset
    with pytest.raises(ValueError):
        load_config(None, None, learning_rat=1)


@pytest.mark.slow
def test_three_lora_steps_lower_the_loss_and_the_adapter_generates(tmp_path):
    from warmline.backends.local import LocalBackend
    from warmline.train.recipe import train

    data = tmp_path / "one.jsonl"
    data.write_text(json.dumps({"messages": MSGS}) + "\n")  # one example: every step sees the same batch
    cfg = load_config(
        "cpu-tiny", data=str(data), output=str(tmp_path / "run"), max_steps=3, learning_rate=3e-3, merge=True
    )
    res = train(cfg, progress=False)
    assert res.steps == 3 and len(res.losses) == 3
    assert res.losses[2] < res.losses[0], res.losses
    run = json.loads((tmp_path / "run" / "warmline_run.json").read_text())
    assert run["data"]["examples"] == 1 and run["versions"]["peft"] and run["config"]["lora_r"] == 8
    assert (tmp_path / "run" / "loss.png").stat().st_size > 1000
    assert (tmp_path / "run" / "adapter" / "adapter_config.json").exists()
    b = LocalBackend(adapter=str(tmp_path / "run" / "adapter"))
    r = b.generate([{"role": "user", "content": "I feel sad."}], GenerationOptions(temperature=0, max_new_tokens=8))
    assert r.text and r.completion_tokens > 0
    assert (tmp_path / "run" / "merged" / "config.json").exists()  # --merge: a plain model directory
    merged = LocalBackend(model=str(tmp_path / "run" / "merged"))
    assert (
        merged.generate(
            [{"role": "user", "content": "I feel sad."}], GenerationOptions(temperature=0, max_new_tokens=8)
        ).text
        == r.text
    )
    from typer.testing import CliRunner

    from warmline.cli.main import app

    out = CliRunner().invoke(
        app,
        [
            "chat",
            "--adapter",
            str(tmp_path / "run" / "adapter"),
            "--once",
            "I feel sad.",
            "--temperature",
            "0",
            "--max-new-tokens",
            "8",
        ],
    )
    assert out.exit_code == 0 and "warmline> " in out.stdout


@pytest.mark.slow
def test_killed_run_resumes_from_its_last_checkpoint(tmp_path, monkeypatch):
    from warmline.train import recipe

    data = tmp_path / "d.jsonl"
    data.write_text(
        "".join(
            json.dumps(
                {
                    "messages": MSGS[:3]
                    + [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}]
                }
            )
            + "\n"
            for i in range(4)
        )
    )
    out = tmp_path / "run"
    cfg = load_config("cpu-tiny", data=str(data), output=str(out), max_steps=4, save_every=2)
    save = recipe._save_checkpoint

    def save_then_die(acc, o, step, losses, keep):
        save(acc, o, step, losses, keep)
        raise KeyboardInterrupt("killed after the step-2 checkpoint")

    monkeypatch.setattr(recipe, "_save_checkpoint", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        recipe.train(cfg, progress=False)
    assert (out / "checkpoints" / "step-2" / "warmline_step.json").exists()
    monkeypatch.setattr(recipe, "_save_checkpoint", save)
    res = recipe.train(cfg, progress=False)
    assert (res.resumed_from, res.steps, len(res.losses)) == (2, 4, 4)
    assert not list((out / "checkpoints").iterdir())  # removed once the run finished


def test_every_config_field_is_a_flag_with_its_help(monkeypatch):
    from typer.testing import CliRunner

    from warmline.cli.main import app
    from warmline.train.config import TrainConfig

    help_text = CliRunner().invoke(app, ["train", "--help"], env={"COLUMNS": "200"}).output
    for name, field in TrainConfig.model_fields.items():
        assert f"--{name.replace('_', '-')}" in help_text, name
        assert field.description and field.description.split()[0] in help_text, name
    seen = {}

    def record(cfg, log):
        seen["cfg"] = cfg
        raise ValueError("stopped by the test")

    monkeypatch.setattr("warmline.train.recipe.train", record)
    stopped = CliRunner().invoke(
        app,
        [
            "train",
            "--preset",
            "mechat",
            "--lr",
            "3e-5",
            "--target-modules",
            "q_proj, v_proj",
            "--no-merge",
            "--loss-on",
            "all",
            "--data",
            "d.jsonl",
            "--output",
            "o",
        ],
    )
    assert "stopped by the test" in stopped.output
    cfg = seen["cfg"]
    assert (cfg.learning_rate, cfg.target_modules, cfg.merge, cfg.loss_on, cfg.lora_r) == (
        3e-5,
        ["q_proj", "v_proj"],
        False,
        "all",
        16,
    )  # flags over the preset, the preset's rank kept
    bad = CliRunner().invoke(app, ["train", "--method", "lorra", "--data", "d", "--output", "o"])
    assert bad.exit_code != 0 and "method" in bad.output and "lora" in bad.output and "Traceback" not in bad.output
