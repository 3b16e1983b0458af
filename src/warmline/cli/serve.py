"""`warmline serve`: the OpenAI-compatible API and web page behind the safety layer."""

from __future__ import annotations

from pathlib import Path

import typer

from ._ui import console, fail


def main(
    host: str = typer.Option(None, "--host", help="Interface (default 127.0.0.1; any other needs $WARMLINE_API_KEYS)."),
    port: int = typer.Option(None, "--port", help="Port (default 8000)."),
    backend: str = typer.Option(
        None, "--backend", help="local (transformers), openai (an upstream endpoint) or llamacpp (a GGUF file)."
    ),
    model: str = typer.Option(None, "--model", help="Model id or directory (default: the embedded model)."),
    adapter: str = typer.Option(None, "--adapter", help="LoRA adapter directory (local backend)."),
    base_url: str = typer.Option(None, "--base-url", help="Upstream OpenAI-compatible URL (vLLM, llama.cpp, ...)."),
    config: Path = typer.Option(None, "--config", help="YAML file of server settings (see serve/settings.py)."),
    explain: str = typer.Option(
        None,
        "--explain",
        help="off, cot (split a chain-of-thought model's observation and "
        "reasoning off its reply) or prompt (ask any model for them).",
    ),
    index: str = typer.Option(
        None,
        "--index",
        help="A case index from `warmline index`: similar sessions' guide and summary are given to the model.",
    ),
    safety_llm: str = typer.Option(
        None,
        "--safety-llm",
        help="Add an LLM check to crisis screening: off, same (the "
        "serving model) or openai (safety_llm_base_url in the config).",
    ),
    safety_llm_mode: str = typer.Option(
        None,
        "--safety-llm-mode",
        help="raise (the LLM check can only raise the risk; "
        "the default) or confirm (it can also clear a flag the classifier raised alone).",
    ),
    classifier_file: str = typer.Option(
        None,
        "--classifier-file",
        help="A safety classifier trained with your own "
        "labelled messages (`warmline safety train`), instead of the bundled one.",
    ),
    print_config: bool = typer.Option(
        False,
        "--print-config",
        help="Print every setting at its default, with what it is for, as a YAML file for --config, and exit.",
    ),
    elevated_reply: bool = typer.Option(
        None,
        "--elevated-reply/--no-elevated-reply",
        help="Answer an elevated message with the crisis message and then the model's "
        "reply, or (the default) with the crisis message alone; imminent risk and "
        "messages about means never reach the model.",
    ),
) -> None:
    """Serve chat over an OpenAI-compatible API (/v1/chat/completions with SSE streaming, /v1/models,
    /healthz) and a web page at /, every message and reply through crisis screening."""
    if print_config:
        from ..serve.settings import settings_yaml

        typer.echo(settings_yaml(), nl=False)
        return
    import uvicorn

    from ..backends.embedded import ModelNotFound
    from ..serve.app import create_app, server_options
    from ..serve.settings import load_settings

    try:
        s = load_settings(
            config,
            host=host,
            port=port,
            backend=backend,
            model=model,
            adapter=adapter,
            base_url=base_url,
            explain=explain,
            index=index,
            safety_llm=safety_llm,
            elevated_reply=elevated_reply,
            safety_classifier_file=classifier_file,
            safety_llm_mode=safety_llm_mode,
        )
        app = create_app(s)
    except (ValueError, ModelNotFound) as e:
        fail(str(e))
    from ._backend import warn_elevated_reply

    warn_elevated_reply(s.elevated_reply, s.backend, s.model)
    console().print(
        f"warmline is serving on http://{s.host}:{s.port}/ "
        f"(web page) and http://{s.host}:{s.port}/v1 (OpenAI-compatible API)",
        markup=False,
    )
    uvicorn.run(app, host=s.host, port=s.port, log_level="warning", **server_options())
