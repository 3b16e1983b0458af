"""The `warmline` command. Heavy libraries (torch, transformers) are imported inside commands that
need them, so `warmline --help` stays instant."""

from __future__ import annotations

import typer

from .. import __version__
from . import (
    annotate,
    build_sft,
    chat,
    conversations,
    convert,
    eval as eval_cli,
    insight,
    models,
    quickstart,
    safety,
    serve,
    stats,
    synth,
    train,
)

app = typer.Typer(
    name="warmline",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    help="Build empathetic mental-health support chatbots: convert counseling corpora, chat with a model "
    "through a safety layer, and run the whole pipeline with `warmline quickstart`.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"warmline {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    pass


app.command("quickstart")(quickstart.main)
app.command("convert")(convert.main)
app.command("formats")(convert.list_formats)
app.command("synth")(synth.main)
app.command("build-sft")(build_sft.main)
app.command("stats")(stats.main)
app.add_typer(insight.app, name="label")
app.command("index")(insight.index_main)
app.command("insight-extract")(insight.extract_main)
app.command("train")(train.main)
app.add_typer(eval_cli.app, name="eval")
app.add_typer(safety.app, name="safety")
app.add_typer(conversations.app, name="conversations")
app.command("annotate")(annotate.main)
app.command("serve")(serve.main)
app.command("chat")(chat.main)
app.command("models")(models.main)


def _friendly_commands(typer_app: typer.Typer) -> None:
    """Every command, in sub-groups too, ends with one line naming the extra when an optional
    dependency is missing, instead of a traceback."""
    from ._ui import friendly

    for cmd in typer_app.registered_commands:
        if cmd.callback is not None:
            cmd.callback = friendly(cmd.callback)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _friendly_commands(group.typer_instance)


_friendly_commands(app)

if __name__ == "__main__":
    app()
