"""`warmline chat`: a multi-turn conversation in the terminal, through the safety layer."""

from __future__ import annotations

from pathlib import Path

import typer

from . import _backend as B
from ._ui import console, fail

HELP = "Commands: /reset starts a new conversation, /quit leaves."


def main(
    backend: str = B.BACKEND,
    model: str = B.MODEL,
    adapter: str = B.ADAPTER,
    base_url: str = B.BASE_URL,
    api_key_env: str = B.API_KEY_ENV,
    preset_name: str = B.PRESET,
    once: str = typer.Option(None, "--once", help="Send one message, print the reply and exit (for scripts)."),
    system: str = typer.Option(None, "--system", help="System prompt text (default: warmline's listener prompt)."),
    system_file: Path = typer.Option(None, "--system-file", help="Read the system prompt from a file."),
    lang: str = typer.Option("en", "--lang", help="Language of the notice and default system prompt: en or zh."),
    locale: str = typer.Option(None, "--locale", help="Locale for crisis resources, e.g. en-US, en-GB, zh-CN."),
    temperature: float = typer.Option(None, help="Sampling temperature (0 = greedy)."),
    top_p: float = typer.Option(None, "--top-p", help="Nucleus sampling top-p."),
    max_new_tokens: int = typer.Option(200, "--max-new-tokens", help="Longest reply, in tokens."),
    seed: int = typer.Option(None, help="Random seed for reproducible sampling."),
    explain: str = typer.Option(
        "off",
        "--explain",
        help="off, cot (a chain-of-thought model) or prompt: show the "
        "model's observation and reasoning apart from its reply.",
    ),
    index: Path = typer.Option(
        None, "--index", help="A case index from `warmline index`: similar sessions guide replies."
    ),
    k: int = typer.Option(3, "--k", help="Similar sessions retrieved per reply (with --index)."),
    safety_llm: str = typer.Option(
        "off",
        "--safety-llm",
        help="Add an LLM check to crisis screening: off or same (ask the chat model itself, as JSON).",
    ),
    classifier: bool = typer.Option(
        True, "--classifier/--no-classifier", help="The embedding classifier for indirect statements (second stage)."
    ),
    threshold: float = B.THRESHOLD,
    classifier_file: Path = B.CLASSIFIER_FILE,
    safety_llm_mode: str = typer.Option(
        "raise",
        "--safety-llm-mode",
        help="raise (the LLM check can only raise the "
        "risk) or confirm (it can also clear a flag the classifier raised alone).",
    ),
    elevated_reply: bool = typer.Option(
        False,
        "--elevated-reply/--no-elevated-reply",
        help="Answer an elevated message with the crisis message and then the model's "
        "reply, or (the default) with the crisis message alone; imminent risk and "
        "messages about means never reach the model. Only with a model whose "
        "replies to people at risk you have read.",
    ),
    woven_check_in: bool = typer.Option(
        False,
        "--woven-check-in/--no-woven-check-in",
        help="A message only the classifier flagged gets the model's reply with a gentle "
        "safety check-in woven in, instead of the check-in message alone. Only "
        "with a capable model whose replies to people at risk you have read.",
    ),
) -> None:
    """Talk with a model. Every message and reply goes through crisis screening; the session opens with
    a notice that this is an AI, not a professional."""
    from ..backends import preset
    from ..insight.hook import insight_hook
    from ..session import ChatSession, default_system_prompt

    if lang not in ("en", "zh"):
        fail("--lang must be en or zh")
    case_index = B.insight_options(explain, index)
    if system_file:
        if not system_file.is_file():
            fail(f"--system-file {system_file} does not exist")
        system = system_file.read_text(encoding="utf-8").strip()
    try:
        options = preset(preset_name, temperature=temperature, top_p=top_p, max_new_tokens=max_new_tokens, seed=seed)
    except ValueError as e:
        fail(str(e))
    if safety_llm not in ("off", "same"):
        fail("--safety-llm must be off or same")
    safety_llm_mode = B.llm_mode(safety_llm_mode, safety_llm != "off", "--safety-llm same")
    out = console()
    out.print(f"[bold]{_notice(lang)}[/bold]")
    from ..safety import Screener

    second = B.classifier(classifier, classifier_file)  # before the model loads: a bad file fails at once
    B.warn_elevated_reply(elevated_reply or woven_check_in, backend, model)
    chat_backend = B.build(backend, model, adapter, base_url, api_key_env)
    session = ChatSession(
        chat_backend,
        options,
        system if system is not None else default_system_prompt(lang),
        lang,
        locale,
        screener=Screener(
            chat_backend if safety_llm == "same" else None,
            classifier=second,
            threshold=threshold,
            llm_mode=safety_llm_mode,
        ),
        hook=insight_hook(explain, case_index, k),
        elevated_reply=elevated_reply,
        woven_check_in=woven_check_in,
    )
    if once is not None:
        _exchange(session, once, out)
        return
    out.print(f"[dim]{HELP}[/dim]")
    _converse(session, out)


def _converse(session, out) -> None:
    """Read messages from the terminal until /quit or end of input; /reset starts a new conversation."""
    while True:
        try:
            text = input("you> ")
        except (EOFError, KeyboardInterrupt):
            out.print()
            break
        cmd = text.strip()
        if not cmd:
            continue
        if cmd in ("/quit", "/exit", "/q"):
            break
        if cmd == "/reset":
            session.reset()
            out.print("[dim](new conversation)[/dim]")
            continue
        if cmd.startswith("/"):
            out.print(f"[dim]unknown command {cmd}. {HELP}[/dim]")
            continue
        _exchange(session, text, out)


def _notice(lang: str) -> str:
    from ..safety import ai_notice

    return ai_notice(lang)


def _exchange(session, text: str, out) -> None:
    from ..backends import BackendError

    try:
        turn = session.send(text)
    except BackendError as e:
        fail(str(e), 1)
    out.print(f"warmline> {turn.text}", markup=False)
    from rich.markup import escape

    if turn.explanation:
        out.print(
            f"[dim](observation: {escape(turn.explanation['observation'])}; "
            f"reasoning: {escape(turn.explanation['reasoning'])})[/dim]"
        )
    if turn.cases:
        out.print(f"[dim](similar cases: {escape(', '.join(turn.cases))})[/dim]")
