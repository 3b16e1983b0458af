"""`warmline safety check`: crisis screening verdicts as JSON, one per line."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from . import _backend as B
from ._ui import fail

app = typer.Typer(no_args_is_help=True, add_completion=False, rich_markup_mode=None,
                  help="The safety layer: crisis screening of messages.")


@app.command("check")
def check(
    text: str = typer.Argument(None, help="A message to screen."),
    file: Path = typer.Option(None, "--file", help="One text per line, or JSONL with a 'text' field (and optionally "
                                                 "'context': the person's earlier messages, oldest first)."),
    llm_backend: str = typer.Option(None, "--llm-backend", help="Add the LLM check (second stage): local or openai."),
    model: str = B.MODEL, base_url: str = B.BASE_URL, api_key_env: str = B.API_KEY_ENV,
    classifier: bool = typer.Option(True, "--classifier/--no-classifier",
                                    help="The bundled embedding classifier for indirect statements (second stage)."),
    reply: bool = typer.Option(False, "--reply", help="Screen as a model reply (method details, dosing, "
                                                      "diagnoses, shaming) instead of a user message."),
) -> None:
    """Print one JSON verdict per text: risk (none, elevated, imminent), categories, evidence, language."""
    from ..safety import Screener, screen_reply

    if (text is None) == (file is None):
        fail("give one TEXT or --file FILE")
    texts, contexts = ([text], [[]]) if text is not None else _texts(file)
    screener = Screener(B.build(llm_backend, model, None, base_url, api_key_env) if llm_backend else None,
                        classifier=classifier)
    for i in range(0, len(texts), 64):  # the classifier reads 64 texts at a time
        chunk = texts[i:i + 64]
        for t, v in zip(chunk, [screen_reply(t) for t in chunk] if reply else screener.many(chunk, contexts[i:i + 64])):
            typer.echo(json.dumps({"text": t, **v.to_dict()}, ensure_ascii=False))


def _texts(file: Path) -> tuple[list[str], list[list[str]]]:
    """(texts, contexts): JSONL rows may carry "context", the person's earlier messages, oldest first."""
    if not file.is_file():
        fail(f"{file} does not exist")
    lines = file.read_text(encoding="utf-8-sig").splitlines()
    if file.suffix == ".jsonl":
        texts, contexts = [], []
        for i, line in enumerate(lines, 1):
            if line.strip():
                try:
                    row = json.loads(line)
                    texts.append(str(row["text"]))
                    context = row.get("context") or []
                    if not isinstance(context, list) or not all(isinstance(c, str) for c in context):
                        raise TypeError
                    contexts.append(context)
                except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
                    fail(f"{file}:{i}: expected a JSON object with a 'text' field (and optionally 'context', "
                         "a list of earlier messages)")
        return texts, contexts
    texts = [x for x in lines if x.strip()]
    return texts, [[] for _ in texts]
