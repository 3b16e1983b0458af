"""`warmline models`: the models available offline."""

from __future__ import annotations

import json

import typer

from ._ui import console, table


def main(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """List the embedded default model and the models in warmline's and Hugging Face's caches."""
    from ..backends.embedded import list_models
    from ..paths import warmline_home

    rows = list_models()
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    console().print(
        table(
            f"models (warmline home: {warmline_home()})",
            ["name", "kind", "status", "path"],
            [(r["name"], r["kind"], r["status"], r["path"]) for r in rows],
        )
    )
    console().print("Any Hugging Face model id or local directory works with --model as well.")
