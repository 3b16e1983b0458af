"""`warmline conversations`: the stored conversations (only when the operator turned storage on)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ._ui import console, fail, table

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    help="List, export or delete stored conversations (storage is off unless `serve` was started with store: true).",
)
DB = typer.Option(None, "--db", help="The SQLite file (default: $WARMLINE_HOME/conversations.db).")


def _store(db: Path | None):
    from ..serve.settings import ServeSettings
    from ..serve.store import Store

    path = Path(db) if db else Path(ServeSettings().store_file())
    if not path.exists():
        fail(f"no conversation store at {path}: storage is off unless the server runs with store: true")
    return Store(path, retention_days=None)


@app.command("list")
def list_(db: Path = DB) -> None:
    """One row per conversation: id, last activity, messages, flagged messages."""
    import datetime as dt

    rows = _store(db).list()
    console().print(
        table(
            f"{len(rows)} conversations",
            ["id", "updated", "messages", "flagged"],
            [
                (
                    r["id"],
                    dt.datetime.fromtimestamp(r["updated_at"]).isoformat(timespec="seconds"),
                    r["messages"],
                    r["flagged"],
                )
                for r in rows
            ],
        )
    )


@app.command("export")
def export(
    conversation: str = typer.Option(None, "--id"),
    db: Path = DB,
    out: Path = typer.Option(None, "--out", help="Write JSONL here instead of standard output."),
) -> None:
    """Conversations as JSONL, one per line."""
    lines = [json.dumps(c, ensure_ascii=False) for c in _store(db).export(conversation)]
    if out:
        out.write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    else:
        for x in lines:
            typer.echo(x)


@app.command("delete")
def delete(
    conversation: str = typer.Option(None, "--id"),
    older_than: float = typer.Option(
        None, "--older-than", help="Delete conversations idle for more than this many days."
    ),
    db: Path = DB,
) -> None:
    """Delete one conversation, or all idle for longer than --older-than days."""
    try:
        n = _store(db).delete(conversation, older_than)
    except ValueError as e:
        fail(str(e))
    typer.echo(f"deleted {n} conversation(s)")
