"""Small terminal helpers shared by commands: a console, tables, and errors that say what to do."""

from __future__ import annotations

from typing import Iterable, NoReturn

import typer


def console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def table(title: str, columns: list[str], rows: Iterable[Iterable]):
    from rich.table import Table

    t = Table(title=title, title_justify="left")
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*(str(x) for x in r))
    return t


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
