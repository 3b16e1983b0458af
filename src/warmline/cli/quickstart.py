"""`warmline quickstart`: the main job end to end on the embedded default model, ending in a report."""

from __future__ import annotations

from pathlib import Path

import typer

from ._ui import console, fail


def main(
    output: Path = typer.Option(Path("warmline-quickstart"), "--output", "-o", help="Where results and the report go."),
    model: str = typer.Option(None, "--model", help="Model for the chat stage (default: the embedded model)."),
    max_new_tokens: int = typer.Option(60, "--max-new-tokens", help="Longest chat reply, in tokens."),
    synth_items: int = typer.Option(2, "--synth-items", help="How many Q&A the synthesis stage rewrites."),
    synth_tokens: int = typer.Option(320, "--synth-tokens", help="Longest generated dialogue, in tokens."),
    train_steps: int = typer.Option(4, "--train-steps", help="LoRA steps of the fine-tuning stage."),
    eval_items: int = typer.Option(3, "--eval-items", help="Held-out Q&A the evaluation stage scores."),
) -> None:
    """Run every warmline stage on bundled examples with the embedded model (minutes on a laptop CPU)."""
    from ..backends.embedded import ModelNotFound
    from ..quickstart import run

    out = console()
    try:
        stages = run(
            output,
            model=model,
            max_new_tokens=max_new_tokens,
            synth_items=synth_items,
            synth_tokens=synth_tokens,
            train_steps=train_steps,
            eval_items=eval_items,
            say=lambda m: out.print(m, markup=False, highlight=False),
        )
    except ModelNotFound as e:
        fail(str(e), 1)
    total = sum(s.seconds for s in stages)
    out.print(f"\nquickstart finished in {total:.0f} s; report: {output / 'report.md'}", markup=False)
