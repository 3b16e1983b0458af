"""`warmline train`: fine-tune a counselor model (LoRA, QLoRA or full) with loss on counselor tokens.

Every field of `TrainConfig` is a flag, with the field's description as its help, so the command and the config
cannot drift apart (as trl's dataclass configs do)."""

from __future__ import annotations

import inspect
import json
import typing
from pathlib import Path

import typer

from ..train.config import TrainConfig
from ._ui import console, fail, table

_ALIASES = {"learning_rate": ["--lr"]}


def _flag_type(annotation) -> type:
    """The type a flag parses: the field's scalar type, str for choices (pydantic checks them) and lists."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is typing.Literal or not args and annotation is str:
        return str
    if not args:
        return annotation
    return str if any(typing.get_origin(a) is list for a in args) or len(args) > 1 else args[0]


def config_options() -> list[inspect.Parameter]:
    """One keyword parameter with a typer option per config field; None means "not given on the command line"."""
    params = []
    for name, field in TrainConfig.model_fields.items():
        kind = _flag_type(field.annotation)
        flag = name.replace("_", "-")
        names = [f"--{flag}/--no-{flag}"] if kind is bool else [f"--{flag}", *_ALIASES.get(name, [])]
        params.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=kind | None,
                default=typer.Option(None, *names, help=field.description),
            )
        )
    return params


def main(preset: str | None = None, config: Path | None = None, as_json: bool = False, **fields) -> None:
    """Train with transformers + peft + accelerate. Defaults, then --preset, then --config, then flags.
    Running the same command again resumes from the last checkpoint."""
    from ..backends.embedded import ModelNotFound
    from ..train.config import load_config
    from ..train.recipe import train

    try:
        cfg = load_config(preset, config, **{k: str(v) if isinstance(v, Path) else v for k, v in fields.items()})
        result = train(cfg, log=lambda m: console().print(m, markup=False))
    except (ValueError, ModelNotFound) as e:
        fail(str(e))
    if as_json:
        typer.echo(json.dumps(result.__dict__))
        return
    first, last = (result.losses[0], result.losses[-1]) if result.losses else (float("nan"), float("nan"))
    console().print(
        table(
            "training",
            ["", "value"],
            [
                ("examples (skipped without a target)", f"{result.examples} ({result.skipped_examples})"),
                (
                    "steps",
                    f"{result.steps} (resumed from {result.resumed_from})" if result.resumed_from else result.steps,
                ),
                ("loss first -> last", f"{first:.4f} -> {last:.4f}"),
                ("tokens/s", f"{result.tokens_per_second:.0f}"),
                ("saved", result.adapter_dir),
                ("loss curve", str(Path(result.output) / "loss.png")),
            ],
        )
    )
    if result.adapter_dir and cfg.method != "full":
        console().print(f"chat with it: warmline chat --adapter {result.adapter_dir}", markup=False)


_P = inspect.Parameter
main.__signature__ = inspect.Signature(
    [
        _P(
            "preset",
            _P.KEYWORD_ONLY,
            annotation=str | None,
            default=typer.Option(  # noqa: UP045
                None, "--preset", help="soulchat, mechat, psy-insight or cpu-tiny (see data/train/)."
            ),
        ),
        _P(
            "config",
            _P.KEYWORD_ONLY,
            annotation=Path | None,
            default=typer.Option(  # noqa: UP045
                None, "--config", help="A YAML file of training options (over the preset)."
            ),
        ),
        *config_options(),
        _P(
            "as_json",
            _P.KEYWORD_ONLY,
            annotation=bool,
            default=typer.Option(False, "--json", help="Print the result as JSON."),
        ),
    ]
)
