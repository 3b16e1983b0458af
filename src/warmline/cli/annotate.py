"""`warmline annotate`: a local web page for human raters."""

from __future__ import annotations

from pathlib import Path

import typer

from ._ui import console, fail


def main(
    replies: list[Path] = typer.Option(
        ..., "--replies", help="replies.NAME.jsonl from `eval run`; with two files raters also compare them blind."
    ),
    output: Path = typer.Option(Path("annotations.jsonl"), "--output", help="Where annotations are appended."),
    rubric: str = typer.Option("cehs", "--rubric", help="cehs, psy-insight, cpsycoun or a rubric YAML file."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (default: this machine only)."),
    port: int = typer.Option(8765, "--port"),
    seed: int = typer.Option(0, "--seed", help="Seed of the per-rater order of pairs."),
) -> None:
    """Serve the annotation page: rubric scores for single replies and blinded pairwise choices, several
    raters, results appended to a JSONL file. Summaries: `warmline eval agreement`."""
    import uvicorn

    from ..evaluate.annotate import create_app
    from ..evaluate.judge import load_rubric

    for f in replies:
        if not f.is_file():
            fail(f"{f} does not exist")
    try:
        app = create_app(replies, output, load_rubric(rubric), seed)
    except ValueError as e:
        fail(str(e))
    if host not in ("127.0.0.1", "localhost", "::1"):
        console().print("warning: the page has no login; anyone who can reach this address can annotate", markup=False)
    console().print(f"open http://{host}:{port}/ in a browser; annotations go to {output}", markup=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")
