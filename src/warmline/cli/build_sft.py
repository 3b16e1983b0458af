"""`warmline build-sft IN OUT --format ...`: supervised samples from dialogues."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ._ui import console, fail, table


def main(
    inp: Path = typer.Argument(..., metavar="IN", help="Dialogues in any format `warmline convert` reads."),
    out: Path = typer.Argument(..., metavar="OUT", help="Output JSONL; with --split, OUT.train.jsonl etc."),
    fmt: str = typer.Option(
        "openai",
        "--format",
        help="soulchat, openai, cot (observation + reasoning + reply), cot-r (reasoning + reply), sharegpt or alpaca.",
    ),
    max_input_tokens: int = typer.Option(
        None, "--max-input-tokens", help="Token budget of the input (SoulChat: 1536)."
    ),
    max_target_tokens: int = typer.Option(
        None, "--max-target-tokens", help="Token budget of the target (SoulChat: 512)."
    ),
    tokenizer: str = typer.Option(
        None,
        "--tokenizer",
        help="Tokenizer for budgets: a model id or directory (default: the embedded model's), or 'chars'.",
    ),
    split: str = typer.Option(
        None,
        "--split",
        help="train,validation,test fractions, e.g. 0.9,0.05,0.05; all "
        "dialogues of one source question stay on one side.",
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the split."),
    system: str = typer.Option(
        None,
        "--system",
        help="System prompt for openai/sharegpt/alpaca (default: "
        "warmline's counselor prompt in the dialogue's language).",
    ),
    keep_empty_history: bool = typer.Option(
        False, "--keep-empty-history", help="Keep samples whose history has no client turn."
    ),
    input_format: str = typer.Option(None, "--from", help="Input format (detected when omitted)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Split every dialogue into (history, counselor reply) samples, never crossing dialogues; truncate
    from the oldest turn, keeping the counselor cue; write SoulChat text, OpenAI messages, Psy-Insight
    chain of thought, ShareGPT or LLaMA-Factory alpaca."""
    from ..formats import FormatError
    from ..train.build import build_sft

    if not inp.exists():
        fail(f"{inp} does not exist")
    try:
        fractions = tuple(float(x) for x in split.split(",")) if split else None
    except ValueError:
        fail("--split takes fractions separated by commas, e.g. 0.9,0.05,0.05")
    try:
        report = build_sft(
            inp,
            out,
            fmt,
            max_input_tokens,
            max_target_tokens,
            tokenizer,
            fractions,
            seed,
            system,
            not keep_empty_history,
            input_format,
        )
    except (ValueError, FormatError) as e:
        fail(str(e))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        console().print(
            table(
                f"build-sft ({report.format})",
                ["split", "dialogues", "samples", "source groups", "truncated", "turns dropped"],
                report.rows(),
            )
        )
        for name, path in report.paths.items():
            console().print(f"  {name}: {path}", markup=False)
    if not sum(report.samples.values()):
        fail("no sample was built: the input has no counselor turn after a client turn", 1)
