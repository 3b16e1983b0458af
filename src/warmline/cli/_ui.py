"""Small terminal helpers shared by commands: a console, tables, and errors that say what to do."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import NoReturn

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


def friendly(command: Callable) -> Callable:
    """Wrap a command so that a missing optional dependency ends it with one line on stderr
    ("error: sacrebleu is not installed: pip install 'warmline[eval]'") and exit code 2."""
    from ..extras import MissingExtra, as_missing_extra

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except MissingExtra as e:
            fail(str(e))
        except ModuleNotFoundError as e:
            missing = as_missing_extra(e)
            if missing is None:
                raise
            fail(str(missing))

    return run
