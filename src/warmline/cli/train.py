"""`warmline train`: fine-tune a counselor model (LoRA, QLoRA or full) with loss on counselor tokens."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ._ui import console, fail, table


def main(
    preset: str = typer.Option(None, "--preset", help="soulchat, mechat, psy-insight or cpu-tiny (see data/train/)."),
    config: Path = typer.Option(None, "--config", help="A YAML file of training options (over the preset)."),
    data: Path = typer.Option(None, "--data", help="JSONL from build-sft (openai, soulchat or cot), or dialogues."),
    output: Path = typer.Option(None, "--output", help="Run directory: adapter/, loss.png, warmline_run.json."),
    model: str = typer.Option(None, "--model", help="Base model id or directory (default: the embedded model)."),
    method: str = typer.Option(None, "--method", help="lora, qlora or full."),
    max_steps: int = typer.Option(None, "--max-steps"),
    epochs: float = typer.Option(None, "--epochs"),
    learning_rate: float = typer.Option(None, "--lr"),
    batch_size: int = typer.Option(None, "--batch-size"),
    grad_accum: int = typer.Option(None, "--grad-accum"),
    max_length: int = typer.Option(None, "--max-length"),
    lora_r: int = typer.Option(None, "--lora-r"),
    grad_checkpointing: bool = typer.Option(None, "--grad-checkpointing/--no-grad-checkpointing"),
    save_every: int = typer.Option(None, "--save-every", help="Checkpoint every N steps (resume by running again)."),
    merge: bool = typer.Option(None, "--merge/--no-merge", help="Also save the LoRA-merged model."),
    seed: int = typer.Option(None, "--seed"),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Train with transformers + peft + accelerate. Defaults, then --preset, then --config, then flags.
    Running the same command again resumes from the last checkpoint."""
    from ..backends.embedded import ModelNotFound
    from ..train.config import load_config
    from ..train.recipe import train

    try:
        cfg = load_config(preset, config, data=str(data) if data else None, output=str(output) if output else None,
                          model=model, method=method, max_steps=max_steps, epochs=epochs, learning_rate=learning_rate,
                          batch_size=batch_size, grad_accum=grad_accum, max_length=max_length, lora_r=lora_r,
                          grad_checkpointing=grad_checkpointing, save_every=save_every, merge=merge, seed=seed)
        result = train(cfg, log=lambda m: console().print(m, markup=False))
    except (ValueError, ModelNotFound) as e:
        fail(str(e))
    if as_json:
        typer.echo(json.dumps(result.__dict__))
        return
    first, last = (result.losses[0], result.losses[-1]) if result.losses else (float("nan"), float("nan"))
    console().print(table("training", ["", "value"], [
        ("examples (skipped without a target)", f"{result.examples} ({result.skipped_examples})"),
        ("steps", f"{result.steps} (resumed from {result.resumed_from})" if result.resumed_from else result.steps),
        ("loss first -> last", f"{first:.4f} -> {last:.4f}"),
        ("tokens/s", f"{result.tokens_per_second:.0f}"),
        ("saved", result.adapter_dir), ("loss curve", str(Path(result.output) / "loss.png"))]))
    if result.adapter_dir and cfg.method != "full":
        console().print(f"chat with it: warmline chat --adapter {result.adapter_dir}", markup=False)
